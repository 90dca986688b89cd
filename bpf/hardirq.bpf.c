/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Device interrupts (irq:irq_handler_entry/exit): per CPU x IRQ duration
 * statistics and who was interrupted. */
#include "shared.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct irqlens_dur_stats);
} hardirq_stats SEC(".maps");

static const struct irqlens_dur_stats zero_dur;

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irql_hi_entry, int irq, struct irqaction *action)
{
	struct irqlens_cpu_state *st = this_cpu_state();

	if (!st)
		return 0;
	st->irq_start = bpf_ktime_get_ns();
	st->irq = irq;
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irql_hi_exit, int irq, struct irqaction *action, int ret)
{
	struct irqlens_cpu_state *st = this_cpu_state();
	struct irqlens_dur_stats *s;
	__u64 now, dur, start;
	__u32 key = irq, cpu, tgid;

	if (!st)
		return 0;
	start = st->irq_start;
	/* entry seen before we attached, or a mismatched pair: skip, never guess */
	if (!start || st->irq != (__u32)irq)
		return 0;
	st->irq_start = 0;
	now = bpf_ktime_get_ns();
	dur = now - start;
	cpu = bpf_get_smp_processor_id();
	tgid = bpf_get_current_pid_tgid() >> 32;
	st->irq_ns_acc += dur;
	s = lookup_or_init(&hardirq_stats, &key, &zero_dur, IRQLENS_REC_HARDIRQ);
	if (s)
		add_dur(s, dur);
	charge_victim(cpu, IRQLENS_REC_HARDIRQ, key, tgid, dur);
	charge_period(IRQLENS_KIND_DEVICE, dur);
	emit_rec(IRQLENS_REC_HARDIRQ, cpu, key, start, dur, tgid, 0, 0);
	return 0;
}
