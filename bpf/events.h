/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one definition of every record, map value and stream frame irqlens
 * emits. Shared by the BPF programs, the helper and (mirrored, with a test
 * that compares sizes and offsets) the TypeScript decoder in src/stream/.
 *
 * Rules: fixed-width fields only, explicit padding, every struct a multiple
 * of 8 bytes, no bool/enum/pointer members. All integers are little-endian
 * on the wire because the helper copies host memory (x86_64, arm64).
 */
#ifndef IRQLENS_EVENTS_H
#define IRQLENS_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IRQLENS_STREAM_VERSION 1
#define IRQLENS_MAGIC	       "IRQLENS" /* 8 bytes with the NUL */

#define IRQLENS_HIST_SLOTS	32 /* log2(ns) buckets: slot k holds [2^k, 2^(k+1)) */
#define IRQLENS_NAPI_WORK_SLOTS 66 /* exact work 0..64, slot 65 holds work > 64 */
#define IRQLENS_EPOLL_RET_SLOTS 65 /* exact ready-event counts 0..63, slot 64 holds >= 64 */
/* softirq vectors: HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET SCHED HRTIMER RCU */
#define IRQLENS_NR_SOFTIRQS    10
#define IRQLENS_COMM_LEN       16
#define IRQLENS_DEV_LEN	       16
#define IRQLENS_MAX_SELF_TGIDS 4
/* the largest n of the helper's "period-every <n>" command */
#define IRQLENS_MAX_PERIOD_EVERY (1 << 20)
/* the helper writes its pending records at least this often (ms), and before every snapshot */
#define IRQLENS_EVENTS_FLUSH_MS 100

/* x86 system vectors (irq_vectors:*), our own stable numbering. */
#define IRQLENS_VEC_LOCAL_TIMER		 0
#define IRQLENS_VEC_RESCHEDULE		 1
#define IRQLENS_VEC_CALL_FUNCTION	 2
#define IRQLENS_VEC_CALL_FUNCTION_SINGLE 3
#define IRQLENS_VEC_IRQ_WORK		 4
#define IRQLENS_VEC_X86_PLATFORM_IPI	 5
#define IRQLENS_VEC_THERMAL_APIC	 6
#define IRQLENS_VEC_ERROR_APIC		 7
#define IRQLENS_VEC_SPURIOUS_APIC	 8
#define IRQLENS_NR_VECTORS		 9

/* Per-event record kinds (ring buffer), also bit positions in record_mask. */
#define IRQLENS_REC_HARDIRQ  1
#define IRQLENS_REC_VECTOR   2
#define IRQLENS_REC_SOFTIRQ  3
#define IRQLENS_REC_NAPI     4
#define IRQLENS_REC_EPOLL    5
#define IRQLENS_REC_BURST    6
#define IRQLENS_REC_PERIOD   7
#define IRQLENS_REC_DROP     8 /* irqlens_rec: id reason, arg0 ifindex, arg1 eth_proto << 16 | l4 */
#define IRQLENS_NR_REC_KINDS 9 /* index 0 unused */

/* Interrupt kinds charged to a traced thread's busy period. */
#define IRQLENS_KIND_DEVICE	   0 /* irq_handler_* */
#define IRQLENS_KIND_LOCAL_TIMER   1
#define IRQLENS_KIND_RESCHEDULE	   2
#define IRQLENS_KIND_CALL_FUNCTION 3 /* and call_function_single */
#define IRQLENS_KIND_IRQ_WORK	   4
#define IRQLENS_KIND_OTHER_VECTOR  5
#define IRQLENS_KIND_SOFTIRQ	   6 /* asynchronous softirqs only */
#define IRQLENS_NR_KINDS	   8 /* 7 used, padded */

/* Why something was lost: the ring was full, or a map had no room for a new key. */
#define IRQLENS_LOST_RING 0
#define IRQLENS_LOST_MAP  1

/* ---- map values (aggregated in the kernel) ---- */

/* Duration statistics of one interrupt source on one CPU. */
struct irqlens_dur_stats {
	__u64 count;
	__u64 time_ns;
	__u64 max_ns;
	__u64 hist[IRQLENS_HIST_SLOTS];
};

struct irqlens_softirq_stats {
	__u64 count;
	__u64 time_ns;
	__u64 max_ns;
	__u64 async_count; /* runs raised while a hardirq or system vector ran on this CPU */
	__u64 async_time_ns;
	__u64 raised;	    /* raises of a vector that was not already pending */
	__u64 raise_lat_ns; /* sum of raise-to-entry latency */
	__u64 hist[IRQLENS_HIST_SLOTS];
	__u64 lat_hist[IRQLENS_HIST_SLOTS];
};

struct irqlens_napi_key {
	__u32 napi_id; /* 0 for the per-CPU backlog (loopback, netif_rx) */
	__u32 ifindex; /* 0 when the NAPI has no device */
	__u32 cpu;
	__u32 _pad;
};

struct irqlens_napi_stats {
	__u64 polls;
	__u64 packets;
	__u64 polls_at_budget;
	__u64 bursts;
	__u32 budget;
	__u32 win_b2b; /* kernel-internal: the window saw budget-exhausting polls back to back */
	char dev[IRQLENS_DEV_LEN];
	__u64 work_hist[IRQLENS_NAPI_WORK_SLOTS];
	/* micro-burst detector state: kernel-internal, still part of the row */
	__u64 win_idx; /* ktime / window_ns of the current window */
	__u64 burst_start_ns;
	__u64 burst_last_win;
	__u32 win_pkts;
	__u32 win_budget_polls;
	__u32 consec_budget;
	__u32 in_burst;
	__u32 burst_pkts;
	__u32 burst_peak;
	__u32 burst_budget_polls;
	__u32 burst_windows;
};

struct irqlens_epoll_key {
	__u32 tgid;
	__u32 tid;
};

struct irqlens_epoll_stats {
	__u64 calls;
	__u64 wait_ns; /* time inside epoll_wait */
	__u64 busy_ns; /* time from one epoll return to the next epoll call */
	__u64 events;  /* sum of ready events returned */
	__u64 errors;  /* calls that returned < 0 */
	char comm[IRQLENS_COMM_LEN];
	__u64 ret_hist[IRQLENS_EPOLL_RET_SLOTS];
	__u64 enter_ns;	    /* kernel-internal: start of the pending call */
	__u64 last_exit_ns; /* kernel-internal: end of the last call */
};

/* Who was interrupted: per CPU x source x interrupted process. */
struct irqlens_victim_key {
	__u32 cpu;
	__u32 kind; /* IRQLENS_REC_HARDIRQ or IRQLENS_REC_VECTOR */
	__u32 id;   /* irq number or IRQLENS_VEC_* */
	__u32 tgid; /* 0: the CPU was idle */
};

struct irqlens_victim_stats {
	__u64 count;
	__u64 time_ns;
	char comm[IRQLENS_COMM_LEN];
};

/* Packets freed as dropped (skb:kfree_skb), per CPU x reason x device x protocol. */
struct irqlens_drop_key {
	__u32 cpu;
	__u32 reason;	 /* the kernel's enum skb_drop_reason value (names: IRQLENS_T_DROPNAME) */
	__u32 ifindex;	 /* 0 when the packet had no device */
	__u16 eth_proto; /* skb->protocol, host order (0x0800 IPv4, 0x86dd IPv6) */
	__u8 l4_proto;	 /* IPPROTO_* from the IP header, 0 when unknown */
	__u8 _pad;
	__u32 netns; /* network namespace inode of the device (or socket), 0 unknown */
	__u32 _pad2;
};

struct irqlens_drop_stats {
	__u64 count;
	__u64 last_ns; /* bpf_ktime_get_ns of the latest drop */
};

/* Per-CPU scratch state shared by the programs (one entry per CPU). */
struct irqlens_cpu_state {
	__u64 irq_start;
	__u64 vec_start;
	__u64 si_start[IRQLENS_NR_SOFTIRQS];
	__u64 raise_ts[IRQLENS_NR_SOFTIRQS];   /* first raise not yet run */
	__u64 run_raised[IRQLENS_NR_SOFTIRQS]; /* raise time of the current run */
	__u32 irq;
	__u32 vec;
	__u32 async_pending; /* softirq bits raised from interrupt context, not yet run */
	__u32 async_running; /* softirq bits whose current run is asynchronous */
	__u32 _pad[2];
	__u64 irq_ns_acc;		       /* hardirq + vector handler ns on this CPU, ever */
	__u64 si_irq_acc[IRQLENS_NR_SOFTIRQS]; /* irq_ns_acc when the softirq run began */
};

/* A traced thread's current busy period (BPF task storage). */
struct irqlens_period_state {
	__u64 start_ns;
	__u64 switch_out_ns; /* when it last left the CPU inside the period */
	__u64 offcpu_ns;
	__u64 steal_start;
	__u64 cycles_start;
	__u64 instr_start;
	__u32 events;
	__u32 switches;
	__u16 cpu_start;
	__u16 active;
	__u32 _pad;
	__u32 irq_count[IRQLENS_NR_KINDS];
	__u32 irq_ns[IRQLENS_NR_KINDS];
};

/* ---- per-event records (ring buffer); all start with kind, cpu ---- */

struct irqlens_rec {
	__u16 kind; /* IRQLENS_REC_HARDIRQ .. IRQLENS_REC_EPOLL */
	__u16 cpu;
	__u32 id;    /* irq, vector, softirq vec, napi_id, tid */
	__u64 ts_ns; /* start, CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 dur_ns;
	__u32 tgid; /* interrupted / current process */
	__u32 arg0; /* softirq: 1 if async; napi: work; epoll: return value */
	__u32 arg1; /* napi: budget; epoll: 1 if the call was epoll_pwait/pwait2 */
};

struct irqlens_burst_rec {
	__u16 kind; /* IRQLENS_REC_BURST */
	__u16 cpu;
	__u32 napi_id;
	__u64 start_ns;
	__u64 end_ns;
	__u32 ifindex;
	__u32 packets;
	__u32 peak_window_packets;
	__u32 polls_at_budget;
	__u32 windows;
	__u32 _pad;
};

#define IRQLENS_PERIOD_PMU   1 /* cycles/instructions are valid */
#define IRQLENS_PERIOD_STEAL 2 /* steal_ns is valid (runqueue steal accounting) */

/* One busy period of a traced thread: epoll returned >= 1 event at start_ns,
 * the thread called epoll again at end_ns. */
struct irqlens_period_rec {
	__u16 kind; /* IRQLENS_REC_PERIOD */
	__u16 cpu_start;
	__u32 tid;
	__u64 start_ns;
	__u64 end_ns;
	__u32 tgid;
	__u16 cpu_end;
	__u16 flags; /* IRQLENS_PERIOD_* */
	__u32 events;
	__u32 switches;
	__u64 offcpu_ns;
	__u64 steal_ns;
	__u64 cycles;
	__u64 instructions;
	__u32 irq_count[IRQLENS_NR_KINDS];
	__u32 irq_ns[IRQLENS_NR_KINDS];
};

/* Per-CPU kernel CPU time (from /proc/stat at each snapshot), ns. */
struct irqlens_cputime_row {
	__u32 cpu;
	__u32 _pad;
	__u64 user_ns;
	__u64 nice_ns;
	__u64 system_ns;
	__u64 idle_ns;
	__u64 iowait_ns;
	__u64 irq_ns;
	__u64 softirq_ns;
	__u64 steal_ns;
};

/* ---- stream frames (helper stdout) ---- */

#define IRQLENS_FRAME_HELLO    1
#define IRQLENS_FRAME_EVENTS   2
#define IRQLENS_FRAME_SNAPSHOT 3
#define IRQLENS_FRAME_END      4

struct irqlens_frame_hdr {
	__u32 len; /* payload bytes after this header */
	__u16 type;
	__u16 flags;
};

struct irqlens_hello {
	char magic[8];
	__u32 version;
	__u32 ncpus;
	__u32 pmu;	     /* 1: hardware cycles/instructions counters can be opened */
	__u32 nprogs;	     /* irqlens_prog_status entries that follow */
	__u64 mono_ns;	     /* CLOCK_MONOTONIC at start (the clock of every ts_ns) */
	__u64 realtime_ns;   /* CLOCK_REALTIME at the same instant */
	char kernel[64];     /* uname -r */
	char host[64];	     /* uname -n */
	__u32 window_ns;     /* micro-burst window */
	__u32 burst_packets; /* micro-burst threshold per window */
	__u32 interval_ms;   /* snapshot interval */
	__u32 ring_bytes;
	__u32 record_mask; /* bit (1 << IRQLENS_REC_*) per streamed kind */
	__u32 target_tgid;
	__u32 tracefs_mounted; /* 1: the helper mounted tracefs itself (left mounted) */
	__u32 flags;	       /* IRQLENS_HELLO_* */
};

/* Softirq records are streamed only for asynchronous runs (interrupt work);
 * the per-CPU statistics still count every run. */
#define IRQLENS_HELLO_SOFTIRQ_ASYNC_ONLY 1
/* softirq raises were not timed (--no-raise-latency) */
#define IRQLENS_HELLO_NO_RAISE_LATENCY 2

#define IRQLENS_PROG_ATTACHED	 0
#define IRQLENS_PROG_UNSUPPORTED 1 /* the kernel lacks the tracepoint: feature off */
#define IRQLENS_PROG_DISABLED	 2 /* not needed for this run */
#define IRQLENS_PROG_FAILED	 3

/* Probe groups: the programs a view attaches and detaches together
 * (--probes names them; the helper's attach policy maps each program). */
#define IRQLENS_PG_HARDIRQ	 0
#define IRQLENS_PG_VECTORS	 1
#define IRQLENS_PG_SOFTIRQ	 2
#define IRQLENS_PG_SOFTIRQ_RAISE 3
#define IRQLENS_PG_NAPI		 4
#define IRQLENS_PG_EPOLL	 5
#define IRQLENS_PG_SCHED	 6
#define IRQLENS_PG_DROPS	 7
#define IRQLENS_NR_PG		 8

struct irqlens_prog_status {
	char name[32];
	char tracepoint[48];
	__s32 err;    /* negative errno when FAILED */
	__u16 status; /* IRQLENS_PROG_* */
	/* IRQLENS_PG_* + 1; 0 in streams written before groups were recorded
	 * (status was a __u32 there, so its upper half read 0) */
	__u16 group;
};

/* Snapshot: header, then tables; rows are cumulative since start and a
 * table only carries rows that changed since the previous snapshot. */
#define IRQLENS_SNAP_FULL      1 /* frame flag: every row, not just changed ones */
#define IRQLENS_SNAP_REQUESTED 2 /* frame flag: answers a "snapshot" command */

struct irqlens_snap_hdr {
	__u64 ts_ns;
	__u32 seq;
	__u32 ntables;
};

#define IRQLENS_T_HARDIRQ  1
#define IRQLENS_T_SOFTIRQ  2
#define IRQLENS_T_VECTOR   3
#define IRQLENS_T_NAPI	   4
#define IRQLENS_T_EPOLL	   5
#define IRQLENS_T_VICTIM   6
#define IRQLENS_T_IRQNAME  7
#define IRQLENS_T_LOST	   8
#define IRQLENS_T_PROGSTAT 9
#define IRQLENS_T_CPUTIME  10
#define IRQLENS_T_DROP	   11
#define IRQLENS_T_DROPNAME 12 /* reason -> name, from BTF; in full snapshots */

struct irqlens_table_hdr {
	__u16 table;
	__u16 row_size;
	__u32 rows;
};

struct irqlens_hardirq_row {
	__u32 cpu;
	__u32 irq;
	struct irqlens_dur_stats s;
};

struct irqlens_vector_row {
	__u32 cpu;
	__u32 vector;
	struct irqlens_dur_stats s;
};

struct irqlens_softirq_row {
	__u32 cpu;
	__u32 vec;
	struct irqlens_softirq_stats s;
};

struct irqlens_napi_row {
	struct irqlens_napi_key k;
	struct irqlens_napi_stats s;
};

struct irqlens_epoll_row {
	struct irqlens_epoll_key k;
	struct irqlens_epoll_stats s;
};

struct irqlens_victim_row {
	struct irqlens_victim_key k;
	struct irqlens_victim_stats s;
};

struct irqlens_irqname_row {
	__u32 irq;
	__u32 _pad;
	char name[56];
};

struct irqlens_drop_row {
	struct irqlens_drop_key k;
	struct irqlens_drop_stats s;
};

struct irqlens_dropname_row {
	__u32 reason;
	__u32 _pad;
	char name[56]; /* without the SKB_DROP_REASON_ prefix */
};

struct irqlens_lost_row {
	__u32 kind;   /* IRQLENS_REC_* */
	__u32 reason; /* IRQLENS_LOST_* */
	__u64 count;
};

/* BPF run-time statistics of one program (only while stats are enabled). */
struct irqlens_progstat_row {
	__u32 prog; /* index into the hello's irqlens_prog_status list */
	__u32 _pad;
	__u64 run_cnt;
	__u64 run_time_ns;
};

struct irqlens_end {
	__u64 ts_ns;
	__s32 code; /* 0: clean stop */
	__u32 _pad;
};

#endif /* IRQLENS_EVENTS_H */
