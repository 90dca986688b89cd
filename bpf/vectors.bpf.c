/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* x86 system vectors (irq_vectors:*): local timer, IPIs, irq_work... They
 * interrupt the workload like device IRQs but never reach irq_handler_*.
 * The helper turns off the programs whose tracepoint the kernel lacks. */
#include "shared.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IRQLENS_NR_VECTORS);
	__type(key, __u32);
	__type(value, struct irqlens_dur_stats);
} vector_stats SEC(".maps");

static __always_inline __u32 period_kind(__u32 vec)
{
	switch (vec) {
	case IRQLENS_VEC_LOCAL_TIMER:
		return IRQLENS_KIND_LOCAL_TIMER;
	case IRQLENS_VEC_RESCHEDULE:
		return IRQLENS_KIND_RESCHEDULE;
	case IRQLENS_VEC_CALL_FUNCTION:
	case IRQLENS_VEC_CALL_FUNCTION_SINGLE:
		return IRQLENS_KIND_CALL_FUNCTION;
	case IRQLENS_VEC_IRQ_WORK:
		return IRQLENS_KIND_IRQ_WORK;
	default:
		return IRQLENS_KIND_OTHER_VECTOR;
	}
}

static __always_inline int vec_entry(__u32 vec)
{
	struct irqlens_cpu_state *st = this_cpu_state();

	if (!st)
		return 0;
	st->vec_start = bpf_ktime_get_ns();
	st->vec = vec;
	return 0;
}

static __always_inline int vec_exit(__u32 vec)
{
	struct irqlens_cpu_state *st = this_cpu_state();
	struct irqlens_dur_stats *s;
	__u64 start, dur;
	__u32 cpu, tgid;

	if (!st)
		return 0;
	start = st->vec_start;
	if (!start || st->vec != vec)
		return 0;
	st->vec_start = 0;
	dur = bpf_ktime_get_ns() - start;
	st->irq_ns_acc += dur;
	cpu = bpf_get_smp_processor_id();
	tgid = bpf_get_current_pid_tgid() >> 32;
	s = bpf_map_lookup_elem(&vector_stats, &vec);
	if (s)
		add_dur(s, dur);
	charge_victim(cpu, IRQLENS_REC_VECTOR, vec, tgid, dur);
	charge_period(period_kind(vec), dur);
	emit_rec(IRQLENS_REC_VECTOR, cpu, vec, start, dur, tgid, 0, 0);
	return 0;
}

#define VECTOR_PROBES(tp, short, id)                                                               \
	SEC("tp_btf/" #tp "_entry")                                                                \
	int BPF_PROG(irql_v_##short##_en, int vector)                                              \
	{                                                                                          \
		return vec_entry(id);                                                              \
	}                                                                                          \
	SEC("tp_btf/" #tp "_exit")                                                                 \
	int BPF_PROG(irql_v_##short##_ex, int vector)                                              \
	{                                                                                          \
		return vec_exit(id);                                                               \
	}

VECTOR_PROBES(local_timer, loc, IRQLENS_VEC_LOCAL_TIMER)
VECTOR_PROBES(reschedule, res, IRQLENS_VEC_RESCHEDULE)
VECTOR_PROBES(call_function, cal, IRQLENS_VEC_CALL_FUNCTION)
VECTOR_PROBES(call_function_single, cas, IRQLENS_VEC_CALL_FUNCTION_SINGLE)
VECTOR_PROBES(irq_work, iwi, IRQLENS_VEC_IRQ_WORK)
VECTOR_PROBES(x86_platform_ipi, pip, IRQLENS_VEC_X86_PLATFORM_IPI)
VECTOR_PROBES(thermal_apic, trm, IRQLENS_VEC_THERMAL_APIC)
VECTOR_PROBES(error_apic, err, IRQLENS_VEC_ERROR_APIC)
VECTOR_PROBES(spurious_apic, spu, IRQLENS_VEC_SPURIOUS_APIC)
