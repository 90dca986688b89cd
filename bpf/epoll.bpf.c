/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* epoll_wait / epoll_pwait / epoll_pwait2 per thread: calls, time waiting,
 * busy time between calls, ready-event histogram. Syscall tracepoints have
 * no BTF variant, so these are tp/ programs (they need tracefs). The tool's
 * own threads are skipped: their epoll_wait would feed back into itself. */
#include "shared.bpf.h"
#include "periods.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct irqlens_epoll_key);
	__type(value, struct irqlens_epoll_stats);
} epoll_stats SEC(".maps");

/* too big for the BPF stack: new keys start from this zeroed value */
static const struct irqlens_epoll_stats zero_epoll;

static __always_inline int traced(__u32 tgid)
{
#pragma unroll
	for (int i = 0; i < IRQLENS_MAX_SELF_TGIDS; i++)
		if (self_tgids[i] && self_tgids[i] == tgid)
			return 0;
	if (target_tgid && target_tgid != tgid)
		return 0;
	if (target_cgroup && bpf_get_current_cgroup_id() != target_cgroup)
		return 0;
	return 1;
}

/* Whether this call (the thread's calls-th) opens a busy period: every period_every-th one. */
static __always_inline int period_sampled(__u64 calls)
{
	__u32 every = period_every;

	return every <= 1 || calls % every == 0;
}

static __always_inline int ep_enter(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct irqlens_epoll_key k = { .tgid = id >> 32, .tid = (__u32)id };
	struct irqlens_epoll_stats *s;
	__u64 now;

	if (!traced(k.tgid))
		return 0;
	s = bpf_map_lookup_elem(&epoll_stats, &k);
	if (!s) {
		s = lookup_or_init(&epoll_stats, &k, &zero_epoll, IRQLENS_REC_EPOLL);
		if (!s)
			return 0;
		bpf_get_current_comm(s->comm, sizeof(s->comm));
	}
	now = bpf_ktime_get_ns();
	if (s->last_exit_ns)
		s->busy_ns += now - s->last_exit_ns;
	s->enter_ns = now;
	period_close(k.tgid, k.tid, now);
	return 0;
}

static __always_inline int ep_exit(long ret, __u32 pwait)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct irqlens_epoll_key k = { .tgid = id >> 32, .tid = (__u32)id };
	struct irqlens_epoll_stats *s;
	__u64 now, start;

	if (!traced(k.tgid))
		return 0;
	s = bpf_map_lookup_elem(&epoll_stats, &k);
	if (!s || !s->enter_ns)
		return 0;
	now = bpf_ktime_get_ns();
	start = s->enter_ns;
	s->enter_ns = 0;
	s->calls++;
	s->wait_ns += now - start;
	s->last_exit_ns = now;
	if (ret < 0) {
		s->errors++;
	} else {
		s->events += ret;
		s->ret_hist[bounded_slot(ret, IRQLENS_EPOLL_RET_SLOTS - 1)]++;
		if (ret > 0 && period_sampled(s->calls))
			period_open((__u32)ret, now);
	}
	emit_rec(IRQLENS_REC_EPOLL, bpf_get_smp_processor_id(), k.tid, start, now - start, k.tgid,
		 (__u32)ret, pwait);
	return 0;
}

SEC("tp/syscalls/sys_enter_epoll_wait")
int irql_ep_wait_en(struct trace_event_raw_sys_enter *ctx)
{
	return ep_enter();
}
SEC("tp/syscalls/sys_exit_epoll_wait")
int irql_ep_wait_ex(struct trace_event_raw_sys_exit *ctx)
{
	return ep_exit(ctx->ret, 0);
}
SEC("tp/syscalls/sys_enter_epoll_pwait")
int irql_ep_pwait_en(struct trace_event_raw_sys_enter *ctx)
{
	return ep_enter();
}
SEC("tp/syscalls/sys_exit_epoll_pwait")
int irql_ep_pwait_ex(struct trace_event_raw_sys_exit *ctx)
{
	return ep_exit(ctx->ret, 1);
}
SEC("tp/syscalls/sys_enter_epoll_pwait2")
int irql_ep_pwait2_en(struct trace_event_raw_sys_enter *ctx)
{
	return ep_enter();
}
SEC("tp/syscalls/sys_exit_epoll_pwait2")
int irql_ep_pwait2_ex(struct trace_event_raw_sys_exit *ctx)
{
	return ep_exit(ctx->ret, 1);
}
