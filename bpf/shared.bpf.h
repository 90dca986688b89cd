/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps, settings and small helpers every irqlens program shares. Exactly one
 * object (common.bpf.c) defines them; the others see extern declarations that
 * the BPF linker resolves. */
#ifndef IRQLENS_SHARED_BPF_H
#define IRQLENS_SHARED_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

#ifdef IRQLENS_DEFINE_SHARED
#define IRQLENS_SHARED
#else
#define IRQLENS_SHARED extern
#endif

/* Settings, written by the helper into .rodata before load. */
IRQLENS_SHARED const volatile __u32 target_tgid;   /* epoll probes: 0 = every process */
IRQLENS_SHARED const volatile __u64 target_cgroup; /* epoll probes: 0 = every cgroup */
IRQLENS_SHARED const volatile __u32
    self_tgids[IRQLENS_MAX_SELF_TGIDS];		 /* never traced by epoll probes */
IRQLENS_SHARED const volatile __u32 record_mask; /* bit (1 << IRQLENS_REC_*) per streamed kind */
IRQLENS_SHARED const volatile __u64 burst_window_ns;
IRQLENS_SHARED const volatile __u32 burst_packets;
IRQLENS_SHARED const volatile __u32 pmu_enabled; /* cycles/instructions perf events are open */
IRQLENS_SHARED const volatile __u32 softirq_async_only; /* stream only asynchronous softirq runs */
IRQLENS_SHARED const volatile __u32 raise_latency; /* time raises (raise-to-run); 0: origin only */
IRQLENS_SHARED const volatile __u64
    ring_wake_bytes; /* wake the reader once this much waits (0: never) */

/* Set by the helper while running (.bss, "period-every N"): a thread's epoll call opens a busy
 * period only when its call count is a multiple of this (0 and 1: every call). A systematic
 * sample blind to interrupts, so a live view at 500k calls/s decodes what its estimate needs. */
IRQLENS_SHARED volatile __u32 period_every;

IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the helper */
} events SEC(".maps");

IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irqlens_cpu_state);
} cpu_state SEC(".maps");

/* [kind * 2 + reason]: records or keys lost, never silently. */
IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IRQLENS_NR_REC_KINDS * 2);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct irqlens_victim_key);
	__type(value, struct irqlens_victim_stats);
} victims SEC(".maps");

/* Busy-period state of traced threads, kept with the task itself. */
IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct irqlens_period_state);
} periods SEC(".maps");

/* Per-CPU hardware counters, opened by the helper where a PMU exists. */
IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 256); /* resized to the CPU count by the helper */
} pmu_cycles SEC(".maps");

IRQLENS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 256);
} pmu_instr SEC(".maps");

static __always_inline struct irqlens_cpu_state *this_cpu_state(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&cpu_state, &zero);
}

/* Start stamp of the hardirq or system-vector handler running on this CPU,
 * or 0. Entries set a stamp and exits clear it; exit programs attach before
 * entry programs, so no entry is seen without its exit. No clock read: this
 * runs inside handlers, where its own cost would be charged to them. */
static __always_inline __u64 handler_start(struct irqlens_cpu_state *st)
{
	return st->irq_start ? st->irq_start : st->vec_start;
}

static __always_inline void count_lost(__u32 kind, __u32 reason)
{
	__u32 idx = kind * 2 + reason;
	__u64 *n = bpf_map_lookup_elem(&lost, &idx);
	if (n)
		*n += 1;
}

static __always_inline int streamed(__u32 kind)
{
	return record_mask & (1u << kind);
}

/* log2 bucket of a duration, clamped to the histogram. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;
	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1) {
		r += 1;
	}
	return r < IRQLENS_HIST_SLOTS ? r : IRQLENS_HIST_SLOTS - 1;
}

/* A histogram index the verifier can bound: the check and the use share one
 * register because barrier_var stops clang from reusing the unchecked copy. */
static __always_inline __u32 bounded_slot(__s64 v, __u32 last)
{
	__u32 s = v < 0 ? 0 : (v > last ? last : (__u32)v);
	barrier_var(s);
	if (s > last)
		s = last;
	return s;
}

static __always_inline void add_dur(struct irqlens_dur_stats *s, __u64 dur)
{
	s->count++;
	s->time_ns += dur;
	if (dur > s->max_ns)
		s->max_ns = dur;
	s->hist[log2_slot(dur)]++;
}

/* Look a key up, inserting a zeroed value first when it is new. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero,
					    __u32 kind)
{
	void *v = bpf_map_lookup_elem(map, key);
	if (v)
		return v;
	if (bpf_map_update_elem(map, key, zero, BPF_NOEXIST) &&
	    bpf_map_lookup_elem(map, key) == NULL) {
		count_lost(kind, IRQLENS_LOST_MAP);
		return NULL;
	}
	return bpf_map_lookup_elem(map, key);
}

/* Count the interrupted task; the first sighting stores its name. */
static __always_inline void charge_victim(__u32 cpu, __u32 kind, __u32 id, __u32 tgid, __u64 dur)
{
	struct irqlens_victim_key k = {
		.cpu = cpu,
		.kind = kind,
		.id = id,
		.tgid = tgid,
	};
	struct irqlens_victim_stats *v = bpf_map_lookup_elem(&victims, &k);
	if (!v) {
		struct irqlens_victim_stats init = {};
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		if (bpf_map_update_elem(&victims, &k, &init, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&victims, &k)) {
			count_lost(kind, IRQLENS_LOST_MAP);
			return;
		}
		v = bpf_map_lookup_elem(&victims, &k);
		if (!v)
			return;
	}
	/* the key holds the CPU: one writer, no atomics needed */
	v->count++;
	v->time_ns += dur;
}

/* An interrupt hit the current task: charge it to the task's busy period. */
static __always_inline void charge_period(__u32 kind, __u64 dur)
{
	struct irqlens_period_state *p;

	if (!streamed(IRQLENS_REC_PERIOD))
		return;
	p = bpf_task_storage_get(&periods, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->active)
		return;
	kind &= IRQLENS_NR_KINDS - 1;
	p->irq_count[kind]++;
	p->irq_ns[kind] += dur > 0xffffffffULL ? 0xffffffffu : (__u32)dur;
}

/* The reader drains the ring on a 100 ms timer, so a record normally wakes no one (no irq_work,
 * no reschedule IPI on the measured CPU). Only the record that takes the ring past a quarter full
 * wakes the reader early, so that a burst is read before it is lost. Only that one: a wakeup is an
 * irq_work interrupt, whose own vector record must not wake again while the ring stays full. */
static __always_inline __u64 ring_wakeup(__u64 size)
{
	__u64 avail, took = ((size + 7) & ~7ull) + 8; /* the record with its 8-byte ring header */

	if (!ring_wake_bytes)
		return BPF_RB_NO_WAKEUP;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail >= ring_wake_bytes && avail < ring_wake_bytes + took)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Emit one fixed record (see ring_wakeup for when it wakes the reader). */
static __always_inline void emit_rec(__u16 kind, __u32 cpu, __u32 id, __u64 ts, __u64 dur,
				     __u32 tgid, __u32 arg0, __u32 arg1)
{
	struct irqlens_rec *r;

	if (!streamed(kind))
		return;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_lost(kind, IRQLENS_LOST_RING);
		return;
	}
	r->kind = kind;
	r->cpu = cpu;
	r->id = id;
	r->ts_ns = ts;
	r->dur_ns = dur > 0xffffffffULL ? 0xffffffffu : (__u32)dur;
	r->tgid = tgid;
	r->arg0 = arg0;
	r->arg1 = arg1;
	bpf_ringbuf_submit(r, ring_wakeup(sizeof(*r)));
}

#endif
