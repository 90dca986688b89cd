/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* `irqlens-helper --layout`: sizes and field offsets of every events.h struct
 * as JSON, so a test can prove the TypeScript decoder mirrors them. */
#ifndef IRQLENS_LAYOUT_H
#define IRQLENS_LAYOUT_H

#include <stddef.h>
#include <stdio.h>
#include "events.h"

#define L_BEGIN(s)                                                                                 \
	do {                                                                                       \
		fprintf(f, "%s\"%s\":{\"size\":%zu,\"fields\":{", first_s ? "" : ",", #s,          \
			sizeof(struct s));                                                         \
		first_s = 0;                                                                       \
		first_f = 1;                                                                       \
	} while (0)
#define L_F(s, fld)                                                                                \
	do {                                                                                       \
		fprintf(f, "%s\"%s\":%zu", first_f ? "" : ",", #fld, offsetof(struct s, fld));     \
		first_f = 0;                                                                       \
	} while (0)
#define L_END() fputs("}}", f)
/* a numeric constant of events.h, by its own name */
#define L_C(name)                                                                                  \
	do {                                                                                       \
		fprintf(f, "%s\"%s\":%lld", first_c ? "" : ",", #name, (long long)(name));         \
		first_c = 0;                                                                       \
	} while (0)

static void print_layout(FILE *f)
{
	int first_s = 1, first_f = 1, first_c = 1;

	fputs("{\"version\":", f);
	fprintf(f, "%d,\"structs\":{", IRQLENS_STREAM_VERSION);
	L_BEGIN(irqlens_dur_stats);
	L_F(irqlens_dur_stats, count);
	L_F(irqlens_dur_stats, time_ns);
	L_F(irqlens_dur_stats, max_ns);
	L_F(irqlens_dur_stats, hist);
	L_END();
	L_BEGIN(irqlens_softirq_stats);
	L_F(irqlens_softirq_stats, count);
	L_F(irqlens_softirq_stats, time_ns);
	L_F(irqlens_softirq_stats, max_ns);
	L_F(irqlens_softirq_stats, async_count);
	L_F(irqlens_softirq_stats, async_time_ns);
	L_F(irqlens_softirq_stats, raised);
	L_F(irqlens_softirq_stats, raise_lat_ns);
	L_F(irqlens_softirq_stats, hist);
	L_F(irqlens_softirq_stats, lat_hist);
	L_END();
	L_BEGIN(irqlens_napi_key);
	L_F(irqlens_napi_key, napi_id);
	L_F(irqlens_napi_key, ifindex);
	L_F(irqlens_napi_key, cpu);
	L_END();
	L_BEGIN(irqlens_napi_stats);
	L_F(irqlens_napi_stats, polls);
	L_F(irqlens_napi_stats, packets);
	L_F(irqlens_napi_stats, polls_at_budget);
	L_F(irqlens_napi_stats, bursts);
	L_F(irqlens_napi_stats, budget);
	L_F(irqlens_napi_stats, dev);
	L_F(irqlens_napi_stats, work_hist);
	L_END();
	L_BEGIN(irqlens_epoll_key);
	L_F(irqlens_epoll_key, tgid);
	L_F(irqlens_epoll_key, tid);
	L_END();
	L_BEGIN(irqlens_epoll_stats);
	L_F(irqlens_epoll_stats, calls);
	L_F(irqlens_epoll_stats, wait_ns);
	L_F(irqlens_epoll_stats, busy_ns);
	L_F(irqlens_epoll_stats, events);
	L_F(irqlens_epoll_stats, errors);
	L_F(irqlens_epoll_stats, comm);
	L_F(irqlens_epoll_stats, ret_hist);
	L_END();
	L_BEGIN(irqlens_victim_key);
	L_F(irqlens_victim_key, cpu);
	L_F(irqlens_victim_key, kind);
	L_F(irqlens_victim_key, id);
	L_F(irqlens_victim_key, tgid);
	L_END();
	L_BEGIN(irqlens_victim_stats);
	L_F(irqlens_victim_stats, count);
	L_F(irqlens_victim_stats, time_ns);
	L_F(irqlens_victim_stats, comm);
	L_END();
	L_BEGIN(irqlens_rec);
	L_F(irqlens_rec, kind);
	L_F(irqlens_rec, cpu);
	L_F(irqlens_rec, id);
	L_F(irqlens_rec, ts_ns);
	L_F(irqlens_rec, dur_ns);
	L_F(irqlens_rec, tgid);
	L_F(irqlens_rec, arg0);
	L_F(irqlens_rec, arg1);
	L_END();
	L_BEGIN(irqlens_burst_rec);
	L_F(irqlens_burst_rec, kind);
	L_F(irqlens_burst_rec, cpu);
	L_F(irqlens_burst_rec, napi_id);
	L_F(irqlens_burst_rec, start_ns);
	L_F(irqlens_burst_rec, end_ns);
	L_F(irqlens_burst_rec, ifindex);
	L_F(irqlens_burst_rec, packets);
	L_F(irqlens_burst_rec, peak_window_packets);
	L_F(irqlens_burst_rec, polls_at_budget);
	L_F(irqlens_burst_rec, windows);
	L_END();
	L_BEGIN(irqlens_frame_hdr);
	L_F(irqlens_frame_hdr, len);
	L_F(irqlens_frame_hdr, type);
	L_F(irqlens_frame_hdr, flags);
	L_END();
	L_BEGIN(irqlens_hello);
	L_F(irqlens_hello, magic);
	L_F(irqlens_hello, version);
	L_F(irqlens_hello, ncpus);
	L_F(irqlens_hello, pmu);
	L_F(irqlens_hello, nprogs);
	L_F(irqlens_hello, mono_ns);
	L_F(irqlens_hello, realtime_ns);
	L_F(irqlens_hello, kernel);
	L_F(irqlens_hello, host);
	L_F(irqlens_hello, window_ns);
	L_F(irqlens_hello, burst_packets);
	L_F(irqlens_hello, interval_ms);
	L_F(irqlens_hello, ring_bytes);
	L_F(irqlens_hello, record_mask);
	L_F(irqlens_hello, target_tgid);
	L_F(irqlens_hello, tracefs_mounted);
	L_F(irqlens_hello, flags);
	L_END();
	L_BEGIN(irqlens_prog_status);
	L_F(irqlens_prog_status, name);
	L_F(irqlens_prog_status, tracepoint);
	L_F(irqlens_prog_status, err);
	L_F(irqlens_prog_status, status);
	L_F(irqlens_prog_status, group);
	L_END();
	L_BEGIN(irqlens_snap_hdr);
	L_F(irqlens_snap_hdr, ts_ns);
	L_F(irqlens_snap_hdr, seq);
	L_F(irqlens_snap_hdr, ntables);
	L_END();
	L_BEGIN(irqlens_table_hdr);
	L_F(irqlens_table_hdr, table);
	L_F(irqlens_table_hdr, row_size);
	L_F(irqlens_table_hdr, rows);
	L_END();
	L_BEGIN(irqlens_hardirq_row);
	L_F(irqlens_hardirq_row, cpu);
	L_F(irqlens_hardirq_row, irq);
	L_F(irqlens_hardirq_row, s);
	L_END();
	L_BEGIN(irqlens_vector_row);
	L_F(irqlens_vector_row, cpu);
	L_F(irqlens_vector_row, vector);
	L_F(irqlens_vector_row, s);
	L_END();
	L_BEGIN(irqlens_softirq_row);
	L_F(irqlens_softirq_row, cpu);
	L_F(irqlens_softirq_row, vec);
	L_F(irqlens_softirq_row, s);
	L_END();
	L_BEGIN(irqlens_napi_row);
	L_F(irqlens_napi_row, k);
	L_F(irqlens_napi_row, s);
	L_END();
	L_BEGIN(irqlens_epoll_row);
	L_F(irqlens_epoll_row, k);
	L_F(irqlens_epoll_row, s);
	L_END();
	L_BEGIN(irqlens_victim_row);
	L_F(irqlens_victim_row, k);
	L_F(irqlens_victim_row, s);
	L_END();
	L_BEGIN(irqlens_irqname_row);
	L_F(irqlens_irqname_row, irq);
	L_F(irqlens_irqname_row, name);
	L_END();
	L_BEGIN(irqlens_drop_key);
	L_F(irqlens_drop_key, cpu);
	L_F(irqlens_drop_key, reason);
	L_F(irqlens_drop_key, ifindex);
	L_F(irqlens_drop_key, eth_proto);
	L_F(irqlens_drop_key, l4_proto);
	L_F(irqlens_drop_key, netns);
	L_END();
	L_BEGIN(irqlens_drop_stats);
	L_F(irqlens_drop_stats, count);
	L_F(irqlens_drop_stats, last_ns);
	L_END();
	L_BEGIN(irqlens_drop_row);
	L_F(irqlens_drop_row, k);
	L_F(irqlens_drop_row, s);
	L_END();
	L_BEGIN(irqlens_dropname_row);
	L_F(irqlens_dropname_row, reason);
	L_F(irqlens_dropname_row, name);
	L_END();
	L_BEGIN(irqlens_lost_row);
	L_F(irqlens_lost_row, kind);
	L_F(irqlens_lost_row, reason);
	L_F(irqlens_lost_row, count);
	L_END();
	L_BEGIN(irqlens_progstat_row);
	L_F(irqlens_progstat_row, prog);
	L_F(irqlens_progstat_row, run_cnt);
	L_F(irqlens_progstat_row, run_time_ns);
	L_END();
	L_BEGIN(irqlens_end);
	L_F(irqlens_end, ts_ns);
	L_F(irqlens_end, code);
	L_END();
	L_BEGIN(irqlens_period_rec);
	L_F(irqlens_period_rec, kind);
	L_F(irqlens_period_rec, cpu_start);
	L_F(irqlens_period_rec, tid);
	L_F(irqlens_period_rec, start_ns);
	L_F(irqlens_period_rec, end_ns);
	L_F(irqlens_period_rec, tgid);
	L_F(irqlens_period_rec, cpu_end);
	L_F(irqlens_period_rec, flags);
	L_F(irqlens_period_rec, events);
	L_F(irqlens_period_rec, switches);
	L_F(irqlens_period_rec, offcpu_ns);
	L_F(irqlens_period_rec, steal_ns);
	L_F(irqlens_period_rec, cycles);
	L_F(irqlens_period_rec, instructions);
	L_F(irqlens_period_rec, irq_count);
	L_F(irqlens_period_rec, irq_ns);
	L_END();
	L_BEGIN(irqlens_cputime_row);
	L_F(irqlens_cputime_row, cpu);
	L_F(irqlens_cputime_row, user_ns);
	L_F(irqlens_cputime_row, nice_ns);
	L_F(irqlens_cputime_row, system_ns);
	L_F(irqlens_cputime_row, idle_ns);
	L_F(irqlens_cputime_row, iowait_ns);
	L_F(irqlens_cputime_row, irq_ns);
	L_F(irqlens_cputime_row, softirq_ns);
	L_F(irqlens_cputime_row, steal_ns);
	L_END();
	fputs("},\"constants\":{", f);
	L_C(IRQLENS_STREAM_VERSION);
	L_C(IRQLENS_HIST_SLOTS);
	L_C(IRQLENS_NAPI_WORK_SLOTS);
	L_C(IRQLENS_EPOLL_RET_SLOTS);
	L_C(IRQLENS_NR_SOFTIRQS);
	L_C(IRQLENS_COMM_LEN);
	L_C(IRQLENS_DEV_LEN);
	L_C(IRQLENS_MAX_SELF_TGIDS);
	L_C(IRQLENS_MAX_PERIOD_EVERY);
	L_C(IRQLENS_EVENTS_FLUSH_MS);
	L_C(IRQLENS_VEC_LOCAL_TIMER);
	L_C(IRQLENS_VEC_RESCHEDULE);
	L_C(IRQLENS_VEC_CALL_FUNCTION);
	L_C(IRQLENS_VEC_CALL_FUNCTION_SINGLE);
	L_C(IRQLENS_VEC_IRQ_WORK);
	L_C(IRQLENS_VEC_X86_PLATFORM_IPI);
	L_C(IRQLENS_VEC_THERMAL_APIC);
	L_C(IRQLENS_VEC_ERROR_APIC);
	L_C(IRQLENS_VEC_SPURIOUS_APIC);
	L_C(IRQLENS_NR_VECTORS);
	L_C(IRQLENS_REC_HARDIRQ);
	L_C(IRQLENS_REC_VECTOR);
	L_C(IRQLENS_REC_SOFTIRQ);
	L_C(IRQLENS_REC_NAPI);
	L_C(IRQLENS_REC_EPOLL);
	L_C(IRQLENS_REC_BURST);
	L_C(IRQLENS_REC_PERIOD);
	L_C(IRQLENS_REC_DROP);
	L_C(IRQLENS_NR_REC_KINDS);
	L_C(IRQLENS_KIND_DEVICE);
	L_C(IRQLENS_KIND_LOCAL_TIMER);
	L_C(IRQLENS_KIND_RESCHEDULE);
	L_C(IRQLENS_KIND_CALL_FUNCTION);
	L_C(IRQLENS_KIND_IRQ_WORK);
	L_C(IRQLENS_KIND_OTHER_VECTOR);
	L_C(IRQLENS_KIND_SOFTIRQ);
	L_C(IRQLENS_NR_KINDS);
	L_C(IRQLENS_LOST_RING);
	L_C(IRQLENS_LOST_MAP);
	L_C(IRQLENS_PERIOD_PMU);
	L_C(IRQLENS_PERIOD_STEAL);
	L_C(IRQLENS_FRAME_HELLO);
	L_C(IRQLENS_FRAME_EVENTS);
	L_C(IRQLENS_FRAME_SNAPSHOT);
	L_C(IRQLENS_FRAME_END);
	L_C(IRQLENS_HELLO_SOFTIRQ_ASYNC_ONLY);
	L_C(IRQLENS_HELLO_NO_RAISE_LATENCY);
	L_C(IRQLENS_PROG_ATTACHED);
	L_C(IRQLENS_PROG_UNSUPPORTED);
	L_C(IRQLENS_PROG_DISABLED);
	L_C(IRQLENS_PROG_FAILED);
	L_C(IRQLENS_PG_HARDIRQ);
	L_C(IRQLENS_PG_VECTORS);
	L_C(IRQLENS_PG_SOFTIRQ);
	L_C(IRQLENS_PG_SOFTIRQ_RAISE);
	L_C(IRQLENS_PG_NAPI);
	L_C(IRQLENS_PG_EPOLL);
	L_C(IRQLENS_PG_SCHED);
	L_C(IRQLENS_PG_DROPS);
	L_C(IRQLENS_NR_PG);
	L_C(IRQLENS_SNAP_FULL);
	L_C(IRQLENS_SNAP_REQUESTED);
	L_C(IRQLENS_T_HARDIRQ);
	L_C(IRQLENS_T_SOFTIRQ);
	L_C(IRQLENS_T_VECTOR);
	L_C(IRQLENS_T_NAPI);
	L_C(IRQLENS_T_EPOLL);
	L_C(IRQLENS_T_VICTIM);
	L_C(IRQLENS_T_IRQNAME);
	L_C(IRQLENS_T_LOST);
	L_C(IRQLENS_T_PROGSTAT);
	L_C(IRQLENS_T_CPUTIME);
	L_C(IRQLENS_T_DROP);
	L_C(IRQLENS_T_DROPNAME);
	fputs("}}\n", f);
}

#endif
