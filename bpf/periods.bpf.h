/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Busy periods of traced threads: opened when epoll returns ready events,
 * closed (and streamed) at the thread's next epoll call. Interrupts charge
 * themselves to the open period through charge_period(). */
#ifndef IRQLENS_PERIODS_BPF_H
#define IRQLENS_PERIODS_BPF_H

#include "shared.bpf.h"
#include "core_fixes.bpf.h"

static __always_inline __u64 read_steal(__u16 *flags)
{
	int ok = 0;
	__u64 v = rq_steal_ns(&ok);

	if (ok)
		*flags |= IRQLENS_PERIOD_STEAL;
	return v;
}

static __always_inline __u64 read_pmu(void *map)
{
	struct bpf_perf_event_value v = {};

	if (bpf_perf_event_read_value(map, BPF_F_CURRENT_CPU, &v, sizeof(v)))
		return 0;
	/* scale when the counter was multiplexed */
	if (v.running && v.running < v.enabled)
		return v.counter * v.enabled / v.running;
	return v.counter;
}

static __always_inline void period_open(__u32 events, __u64 now)
{
	struct irqlens_period_state *p;
	__u16 flags = 0;

	if (!streamed(IRQLENS_REC_PERIOD))
		return;
	p = bpf_task_storage_get(&periods, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		count_lost(IRQLENS_REC_PERIOD, IRQLENS_LOST_MAP);
		return;
	}
	p->start_ns = now;
	p->switch_out_ns = 0;
	p->offcpu_ns = 0;
	p->events = events;
	p->switches = 0;
	p->cpu_start = bpf_get_smp_processor_id();
	p->steal_start = read_steal(&flags);
	if (pmu_enabled) {
		p->cycles_start = read_pmu(&pmu_cycles);
		p->instr_start = read_pmu(&pmu_instr);
	}
#pragma unroll
	for (int i = 0; i < IRQLENS_NR_KINDS; i++) {
		p->irq_count[i] = 0;
		p->irq_ns[i] = 0;
	}
	p->active = 1;
}

static __always_inline void period_close(__u32 tgid, __u32 tid, __u64 now)
{
	struct irqlens_period_state *p;
	struct irqlens_period_rec *r;
	__u16 flags = 0;
	__u64 steal;

	if (!streamed(IRQLENS_REC_PERIOD))
		return;
	p = bpf_task_storage_get(&periods, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->active)
		return;
	p->active = 0;
	steal = read_steal(&flags);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_lost(IRQLENS_REC_PERIOD, IRQLENS_LOST_RING);
		return;
	}
	r->kind = IRQLENS_REC_PERIOD;
	r->cpu_start = p->cpu_start;
	r->tid = tid;
	r->start_ns = p->start_ns;
	r->end_ns = now;
	r->tgid = tgid;
	r->cpu_end = bpf_get_smp_processor_id();
	r->events = p->events;
	r->switches = p->switches;
	r->offcpu_ns = p->offcpu_ns;
	r->steal_ns = steal > p->steal_start ? steal - p->steal_start : 0;
	r->cycles = 0;
	r->instructions = 0;
	if (pmu_enabled) {
		r->cycles = read_pmu(&pmu_cycles) - p->cycles_start;
		r->instructions = read_pmu(&pmu_instr) - p->instr_start;
		flags |= IRQLENS_PERIOD_PMU;
	}
	r->flags = flags;
#pragma unroll
	for (int i = 0; i < IRQLENS_NR_KINDS; i++) {
		r->irq_count[i] = p->irq_count[i];
		r->irq_ns[i] = p->irq_ns[i];
	}
	bpf_ringbuf_submit(r, ring_wakeup(sizeof(*r)));
}

#endif
