/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel drift, in one place. Each reader names the kernel change it covers. */
#ifndef IRQLENS_CORE_FIXES_BPF_H
#define IRQLENS_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* napi_struct.napi_id exists since 4.12 (CONFIG_NET_RX_BUSY_POLL until 6.x
 * made it unconditional); report 0 where the field is absent. */
static __always_inline __u32 napi_id_of(struct napi_struct *napi)
{
	if (bpf_core_field_exists(napi->napi_id))
		return BPF_CORE_READ(napi, napi_id);
	return 0;
}

/* The per-CPU backlog NAPI (loopback, netif_rx) has no device. */
static __always_inline __u32 napi_ifindex(struct napi_struct *napi)
{
	struct net_device *dev = BPF_CORE_READ(napi, dev);
	return dev ? BPF_CORE_READ(dev, ifindex) : 0;
}

static __always_inline void napi_dev_name(struct napi_struct *napi, char *buf, __u32 sz)
{
	struct net_device *dev = BPF_CORE_READ(napi, dev);
	if (dev)
		bpf_probe_read_kernel_str(buf, sz, &dev->name);
	else
		__builtin_memcpy(buf, "(backlog)", 10);
}

#endif
