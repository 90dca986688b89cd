/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Defines the shared maps and settings declared in shared.bpf.h. */
#define IRQLENS_DEFINE_SHARED
#include "shared.bpf.h"

const volatile __u32 target_tgid = 0;
const volatile __u64 target_cgroup = 0;
const volatile __u32 self_tgids[IRQLENS_MAX_SELF_TGIDS] = {};
const volatile __u32 record_mask = 1u << IRQLENS_REC_BURST;
const volatile __u64 burst_window_ns = 100000;
const volatile __u32 burst_packets = 256;
const volatile __u32 pmu_enabled = 0;
const volatile __u32 softirq_async_only = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";
