/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel drift, in one place. Each reader names the kernel change it covers. */
#ifndef IRQLENS_CORE_FIXES_BPF_H
#define IRQLENS_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* napi_struct.napi_id exists since 4.12 (CONFIG_NET_RX_BUSY_POLL until 6.x
 * made it unconditional); report 0 where the field is absent. tp_btf programs
 * only: direct BTF loads, no probe-read helper call on the per-packet path. */
static __always_inline __u32 napi_id_of(struct napi_struct *napi)
{
	if (bpf_core_field_exists(napi->napi_id))
		return napi->napi_id;
	return 0;
}

/* The per-CPU backlog NAPI (loopback, netif_rx) has no device. */
static __always_inline __u32 napi_ifindex(struct napi_struct *napi)
{
	struct net_device *dev = napi->dev;
	return dev ? dev->ifindex : 0;
}

static __always_inline void napi_dev_name(struct napi_struct *napi, char *buf, __u32 sz)
{
	struct net_device *dev = BPF_CORE_READ(napi, dev);
	if (dev)
		bpf_probe_read_kernel_str(buf, sz, &dev->name);
	else
		__builtin_memcpy(buf, "(backlog)", 10);
}

/* Steal time accounted on this CPU's runqueue so far (rq->prev_steal_time,
 * CONFIG_PARAVIRT_TIME_ACCOUNTING), reached through the current task's
 * cfs_rq (CONFIG_FAIR_GROUP_SCHED): per-CPU ksyms such as kvm's steal_time
 * are not resolvable where kallsyms omits per-CPU symbols. Updated at every
 * runqueue clock update. Returns 0 and leaves *ok false where unavailable. */
static __always_inline __u64 rq_steal_ns(int *ok)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct cfs_rq *cfs;
	struct rq *rq;

	if (!bpf_core_field_exists(t->se.cfs_rq) ||
	    !bpf_core_field_exists(struct rq, prev_steal_time))
		return 0;
	cfs = BPF_CORE_READ(t, se.cfs_rq);
	if (!cfs || !bpf_core_field_exists(struct cfs_rq, rq))
		return 0;
	rq = BPF_CORE_READ(cfs, rq);
	if (!rq)
		return 0;
	*ok = 1;
	return BPF_CORE_READ(rq, prev_steal_time);
}

/* Drop reasons at or below NOT_SPECIFIED are frees, not drops: 5.17 numbered
 * NOT_SPECIFIED 0, later kernels put SKB_NOT_DROPPED_YET and SKB_CONSUMED
 * before it, so the cut comes from the running kernel's enum. */
static __always_inline __u32 drop_reason_unspecified(void)
{
	return bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* The receiving device: skb->dev is gone once a socket owns the packet, the
 * input ifindex stays. */
static __always_inline __u32 skb_ifindex(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	if (dev)
		return BPF_CORE_READ(dev, ifindex);
	return (__u32)BPF_CORE_READ(skb, skb_iif);
}

/* Inode of the packet's network namespace (ifindexes are per namespace):
 * the device's, else the owning socket's. */
static __always_inline __u32 skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

/* IPPROTO_* of an IPv4/IPv6 packet whose network header is set, else 0. */
static __always_inline __u8 skb_l4_proto(struct sk_buff *skb, __u16 eth_proto)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u8 proto = 0;

	if (!head || nh == (__u16)~0U)
		return 0;
	if (eth_proto == 0x0800)
		bpf_probe_read_kernel(&proto, 1, head + nh + 9); /* iphdr.protocol */
	else if (eth_proto == 0x86dd)
		bpf_probe_read_kernel(&proto, 1, head + nh + 6); /* ipv6hdr.nexthdr */
	return proto;
}

#endif
