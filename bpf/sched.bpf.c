/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Context switches of traced threads inside a busy period: how often they
 * left the CPU and for how long (such periods are excluded from attribution).
 * Attached only when busy-period records are requested. */
#include "shared.bpf.h"

SEC("tp_btf/sched_switch")
int BPF_PROG(irql_sched_sw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct irqlens_period_state *p;
	__u64 now;

	if (!streamed(IRQLENS_REC_PERIOD))
		return 0;
	now = bpf_ktime_get_ns();
	p = bpf_task_storage_get(&periods, prev, 0, 0);
	if (p && p->active) {
		p->switches++;
		p->switch_out_ns = now;
	}
	p = bpf_task_storage_get(&periods, next, 0, 0);
	if (p && p->active && p->switch_out_ns) {
		p->offcpu_ns += now - p->switch_out_ns;
		p->switch_out_ns = 0;
	}
	return 0;
}
