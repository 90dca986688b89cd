/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* NAPI polls (napi:napi_poll) per instance and CPU, and micro-bursts: packets
 * in fixed windows; a window at or over the threshold, or polls that use the
 * whole budget back to back, make it hot; adjacent hot windows are one burst. */
#include "shared.bpf.h"
#include "core_fixes.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct irqlens_napi_key);
	__type(value, struct irqlens_napi_stats);
} napi_stats SEC(".maps");

/* The hot path: a few NAPI instances per CPU, each in a per-CPU slot picked by a hash of its id
 * and claimed by the first instance that lands there (claims never move, so an instance is only
 * ever in one place); one that finds its slot taken falls back to the shared hash map. */
#define NAPI_FAST_SLOTS 16
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NAPI_FAST_SLOTS);
	__type(key, __u32);
	__type(value, struct irqlens_napi_row);
} napi_fast SEC(".maps");

/* too big for the BPF stack: new keys start from this zeroed value */
static const struct irqlens_napi_stats zero_napi;

static __always_inline struct irqlens_napi_stats *napi_slot(struct irqlens_napi_key *k,
							    struct napi_struct *napi)
{
	__u32 slot = ((k->napi_id * 2654435761u) ^ k->ifindex) & (NAPI_FAST_SLOTS - 1);
	struct irqlens_napi_row *row = bpf_map_lookup_elem(&napi_fast, &slot);
	struct irqlens_napi_stats *s;

	if (row && row->s.polls && row->k.napi_id == k->napi_id && row->k.ifindex == k->ifindex)
		return &row->s;
	if (row && !row->s.polls) { /* free: claim it (polls counts from this run on) */
		row->k = *k;
		napi_dev_name(napi, row->s.dev, sizeof(row->s.dev));
		return &row->s;
	}
	s = bpf_map_lookup_elem(&napi_stats, k);
	if (!s) {
		s = lookup_or_init(&napi_stats, k, &zero_napi, IRQLENS_REC_NAPI);
		if (!s)
			return NULL;
		napi_dev_name(napi, s->dev, sizeof(s->dev));
	}
	return s;
}

static __always_inline void end_burst(struct irqlens_napi_stats *s, struct irqlens_napi_key *k)
{
	struct irqlens_burst_rec *r;

	s->in_burst = 0;
	s->bursts++;
	if (!streamed(IRQLENS_REC_BURST))
		return;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_lost(IRQLENS_REC_BURST, IRQLENS_LOST_RING);
		return;
	}
	r->kind = IRQLENS_REC_BURST;
	r->cpu = k->cpu;
	r->napi_id = k->napi_id;
	r->start_ns = s->burst_start_ns;
	r->end_ns = (s->burst_last_win + 1) * burst_window_ns;
	r->ifindex = k->ifindex;
	r->packets = s->burst_pkts;
	r->peak_window_packets = s->burst_peak;
	r->polls_at_budget = s->burst_budget_polls;
	r->windows = s->burst_windows;
	r->_pad = 0;
	bpf_ringbuf_submit(r, ring_wakeup(sizeof(*r)));
}

/* Close the current window; `next` is the window the new poll falls in. */
static __always_inline void close_window(struct irqlens_napi_stats *s, struct irqlens_napi_key *k,
					 __u64 next)
{
	int hot = s->win_pkts >= burst_packets || s->win_b2b;

	if (hot) {
		if (!s->in_burst) {
			s->in_burst = 1;
			s->burst_start_ns = s->win_idx * burst_window_ns;
			s->burst_pkts = 0;
			s->burst_peak = 0;
			s->burst_budget_polls = 0;
			s->burst_windows = 0;
		}
		s->burst_last_win = s->win_idx;
		s->burst_pkts += s->win_pkts;
		s->burst_budget_polls += s->win_budget_polls;
		s->burst_windows++;
		if (s->win_pkts > s->burst_peak)
			s->burst_peak = s->win_pkts;
	}
	/* a quiet window, or a gap of empty ones, ends the burst */
	if (s->in_burst && (!hot || next > s->win_idx + 1))
		end_burst(s, k);
	s->win_pkts = 0;
	s->win_budget_polls = 0;
	s->win_b2b = 0;
	s->win_idx = next;
}

SEC("tp_btf/napi_poll")
int BPF_PROG(irql_napi_poll, struct napi_struct *napi, int work, int budget)
{
	struct irqlens_napi_key k = {};
	struct irqlens_napi_stats *s;
	__u64 now;
	__u32 slot;

	k.napi_id = napi_id_of(napi);
	k.ifindex = napi_ifindex(napi);
	k.cpu = bpf_get_smp_processor_id();
	s = napi_slot(&k, napi);
	if (!s)
		return 0;
	now = bpf_ktime_get_ns();
	if (work < 0)
		work = 0;
	s->polls++;
	s->packets += work;
	s->budget = budget;
	/* exact work 0..64, everything larger in the last slot */
	slot = work > 64 ? 65 : work;
	s->work_hist[bounded_slot(slot, IRQLENS_NAPI_WORK_SLOTS - 1)]++;

	/* a 64-bit division only when a poll leaves the current window, not on every poll */
	if (s->polls == 1)
		s->win_idx = burst_window_ns ? now / burst_window_ns : 0;
	else if (burst_window_ns && now - s->win_idx * burst_window_ns >= burst_window_ns)
		close_window(s, &k, now / burst_window_ns);
	s->win_pkts += work;
	if (budget > 0 && work >= budget) {
		s->polls_at_budget++;
		s->win_budget_polls++;
		s->consec_budget++;
		if (s->consec_budget >= 2)
			s->win_b2b = 1;
	} else {
		s->consec_budget = 0;
	}
	if (streamed(IRQLENS_REC_NAPI)) /* the pid helper call only when the record goes out */
		emit_rec(IRQLENS_REC_NAPI, k.cpu, k.napi_id, now, 0,
			 bpf_get_current_pid_tgid() >> 32, work, budget);
	return 0;
}
