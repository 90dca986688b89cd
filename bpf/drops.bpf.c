/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Dropped packets (skb:kfree_skb with a drop reason, 5.17+) per CPU x reason x
 * device x protocol, and optionally one record per drop for the timeline. */
#include "shared.bpf.h"
#include "core_fixes.bpf.h"

/* 1: also count frees without a reason (NOT_SPECIFIED): mostly noise */
const volatile __u32 drop_unspecified = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct irqlens_drop_key);
	__type(value, struct irqlens_drop_stats);
} drop_stats SEC(".maps");

static const struct irqlens_drop_stats zero_drop;

SEC("tp_btf/kfree_skb")
int BPF_PROG(irql_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct irqlens_drop_key k = {};
	struct irqlens_drop_stats *s;
	__u64 now;

	if (!drop_unspecified && (__u32)reason <= drop_reason_unspecified())
		return 0;
	k.cpu = bpf_get_smp_processor_id();
	k.reason = (__u32)reason;
	k.ifindex = skb_ifindex(skb);
	k.netns = skb_netns(skb);
	k.eth_proto = __builtin_bswap16(BPF_CORE_READ(skb, protocol));
	k.l4_proto = skb_l4_proto(skb, k.eth_proto);
	s = lookup_or_init(&drop_stats, &k, &zero_drop, IRQLENS_REC_DROP);
	if (!s)
		return 0;
	now = bpf_ktime_get_ns();
	/* the key holds the CPU: one writer */
	s->count++;
	s->last_ns = now;
	emit_rec(IRQLENS_REC_DROP, k.cpu, k.reason, now, 0, bpf_get_current_pid_tgid() >> 32,
		 k.ifindex, (__u32)k.eth_proto << 16 | k.l4_proto);
	return 0;
}
