/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Softirqs (irq:softirq_raise/entry/exit): duration, raise-to-run latency and
 * origin. A run is asynchronous (interrupt work) when its vector was raised
 * while a hardirq or system-vector handler ran on this CPU; otherwise the
 * running task raised it itself (e.g. a loopback send runs NET_RX inline). */
#include "shared.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IRQLENS_NR_SOFTIRQS);
	__type(key, __u32);
	__type(value, struct irqlens_softirq_stats);
} softirq_stats SEC(".maps");

/* One register for check and index, so the verifier sees the bound. */
static __always_inline __u32 bounded_vec(unsigned int raw)
{
	__u32 v = raw;
	barrier_var(v);
	return v;
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(irql_si_raise, unsigned int raw_vec)
{
	__u32 vec = bounded_vec(raw_vec);
	struct irqlens_cpu_state *st = this_cpu_state();
	__u64 in_handler;

	if (!st || vec >= IRQLENS_NR_SOFTIRQS)
		return 0;
	in_handler = handler_start(st);
	if (in_handler) {
		/* raised from interrupt context: stamp it with the handler's start
		 * rather than read the clock inside the handler */
		st->async_pending |= 1u << vec;
		if (raise_latency && !st->raise_ts[vec])
			st->raise_ts[vec] = in_handler;
	} else if (raise_latency && !st->raise_ts[vec]) {
		/* a task's own raise: timed only for the latency (a clock read per raise) */
		st->raise_ts[vec] = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(irql_si_entry, unsigned int raw_vec)
{
	__u32 vec = bounded_vec(raw_vec);
	struct irqlens_cpu_state *st = this_cpu_state();
	__u32 bit;

	if (!st || vec >= IRQLENS_NR_SOFTIRQS)
		return 0;
	bit = 1u << vec;
	st->si_start[vec] = bpf_ktime_get_ns();
	st->si_irq_acc[vec] = st->irq_ns_acc;
	/* a raise during this run belongs to the next run */
	st->run_raised[vec] = st->raise_ts[vec];
	st->raise_ts[vec] = 0;
	if (st->async_pending & bit)
		st->async_running |= bit;
	else
		st->async_running &= ~bit;
	st->async_pending &= ~bit;
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(irql_si_exit, unsigned int raw_vec)
{
	__u32 vec = bounded_vec(raw_vec);
	struct irqlens_cpu_state *st = this_cpu_state();
	struct irqlens_softirq_stats *s;
	__u64 now, start, dur, raised, nested;
	__u32 key = vec, async;

	if (!st || vec >= IRQLENS_NR_SOFTIRQS)
		return 0;
	start = st->si_start[vec];
	if (!start)
		return 0;
	st->si_start[vec] = 0;
	now = bpf_ktime_get_ns();
	dur = now - start;
	/* hardirqs that interrupted this run are theirs, not the softirq's */
	nested = st->irq_ns_acc - st->si_irq_acc[vec];
	if (nested < dur)
		dur -= nested;
	async = (st->async_running >> vec) & 1;
	raised = st->run_raised[vec];
	s = bpf_map_lookup_elem(&softirq_stats, &key);
	if (s) {
		s->count++;
		s->time_ns += dur;
		if (dur > s->max_ns)
			s->max_ns = dur;
		s->hist[log2_slot(dur)]++;
		if (async) {
			s->async_count++;
			s->async_time_ns += dur;
		}
		if (raised && raised <= start) {
			s->raised++;
			s->raise_lat_ns += start - raised;
			s->lat_hist[log2_slot(start - raised)]++;
		}
	}
	if (async)
		charge_period(IRQLENS_KIND_SOFTIRQ, dur);
	/* task-context runs (a loopback send's own NET_RX) are most runs and no interrupt's cost */
	/* the CPU and pid helper calls only when the record goes out */
	if ((async || !softirq_async_only) && streamed(IRQLENS_REC_SOFTIRQ))
		emit_rec(IRQLENS_REC_SOFTIRQ, bpf_get_smp_processor_id(), key, start, dur,
			 bpf_get_current_pid_tgid() >> 32, async, 0);
	return 0;
}
