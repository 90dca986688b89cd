// Mirror of bpf/events.h: sizes, field offsets and constants. The decoders
// read fields only through these offsets, and test/unit/layout.test.ts
// proves them equal to what the C compiler laid out (helper --layout).

export const STREAM_VERSION = 1;
export const MAGIC = 'IRQLENS';
export const HIST_SLOTS = 32;
export const NAPI_WORK_SLOTS = 66;
export const EPOLL_RET_SLOTS = 65;
export const NR_SOFTIRQS = 10;

export const SOFTIRQ_NAMES = [
  'HI',
  'TIMER',
  'NET_TX',
  'NET_RX',
  'BLOCK',
  'IRQ_POLL',
  'TASKLET',
  'SCHED',
  'HRTIMER',
  'RCU',
] as const;

/** irq_vectors, in IRQLENS_VEC_* order, with their /proc/interrupts row. */
export const VECTORS = [
  { name: 'LOCAL_TIMER', proc: 'LOC' },
  { name: 'RESCHEDULE', proc: 'RES' },
  { name: 'CALL_FUNCTION', proc: 'CAL' },
  { name: 'CALL_FUNCTION_SINGLE', proc: 'CAL' },
  { name: 'IRQ_WORK', proc: 'IWI' },
  { name: 'X86_PLATFORM_IPI', proc: 'PLT' },
  { name: 'THERMAL_APIC', proc: 'TRM' },
  { name: 'ERROR_APIC', proc: 'ERR' },
  { name: 'SPURIOUS_APIC', proc: 'SPU' },
] as const;

export const REC = { HARDIRQ: 1, VECTOR: 2, SOFTIRQ: 3, NAPI: 4, EPOLL: 5, BURST: 6, PERIOD: 7, DROP: 8 } as const;
export const REC_NAMES: Record<number, string> = {
  1: 'hardirq',
  2: 'vector',
  3: 'softirq',
  4: 'napi',
  5: 'epoll',
  6: 'burst',
  7: 'period',
  8: 'drop',
};
/** IRQLENS_NR_REC_KINDS: record kinds plus the unused index 0. */
export const NR_REC_KINDS = 9;
/** IRQLENS_NR_KINDS: interrupt kinds charged to busy periods (7 used). */
export const NR_KINDS = 8;
/** IRQLENS_KIND_*, in index order: the interrupt kinds a busy period record counts. `softirq` = asynchronous softirqs only. */
export const PERIOD_KINDS = [
  'device',
  'local_timer',
  'reschedule',
  'call_function',
  'irq_work',
  'other_vector',
  'softirq',
] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/** IRQLENS_MAX_PERIOD_EVERY: the largest n of the helper's `period-every <n>` command. */
export const MAX_PERIOD_EVERY = 1 << 20;
export const PERIOD_PMU = 1;
export const PERIOD_STEAL = 2;
export const LOST_REASONS = ['ring_full', 'map_full'] as const;

/** Hello flag: softirq records are only the asynchronous runs. */
export const HELLO_SOFTIRQ_ASYNC_ONLY = 1;
/** Hello flag: softirq raises were not timed (--no-raise-latency): no raise-to-run latency. */
export const HELLO_NO_RAISE_LATENCY = 2;

export const SNAP_FULL = 1;
export const SNAP_REQUESTED = 2;
export const FRAME = { HELLO: 1, EVENTS: 2, SNAPSHOT: 3, END: 4 } as const;
export const TABLE = {
  HARDIRQ: 1,
  SOFTIRQ: 2,
  VECTOR: 3,
  NAPI: 4,
  EPOLL: 5,
  VICTIM: 6,
  IRQNAME: 7,
  LOST: 8,
  PROGSTAT: 9,
  CPUTIME: 10,
  DROP: 11,
  DROPNAME: 12,
} as const;
export const PROG_STATUS = ['attached', 'unsupported', 'disabled', 'failed'] as const;
/** Probe groups the helper attaches and detaches whole (--probes, its `probes` command), in IRQLENS_PG_* order. */
export const PROBE_GROUPS = [
  'hardirq',
  'vectors',
  'softirq',
  'softirq-raise',
  'napi',
  'epoll',
  'sched',
  'drops',
] as const;
export type ProbeGroup = (typeof PROBE_GROUPS)[number];

export interface StructLayout {
  size: number;
  fields: Record<string, number>;
}

const durStats = { size: 280, fields: { count: 0, time_ns: 8, max_ns: 16, hist: 24 } };
const softirqStats = {
  size: 568,
  fields: {
    count: 0,
    time_ns: 8,
    max_ns: 16,
    async_count: 24,
    async_time_ns: 32,
    raised: 40,
    raise_lat_ns: 48,
    hist: 56,
    lat_hist: 312,
  },
};
const napiStats = {
  size: 640,
  fields: { polls: 0, packets: 8, polls_at_budget: 16, bursts: 24, budget: 32, dev: 40, work_hist: 56 },
};
const epollStats = {
  size: 592,
  fields: { calls: 0, wait_ns: 8, busy_ns: 16, events: 24, errors: 32, comm: 40, ret_hist: 56 },
};
const victimStats = { size: 32, fields: { count: 0, time_ns: 8, comm: 16 } };

export const LAYOUT = {
  irqlens_dur_stats: durStats,
  irqlens_softirq_stats: softirqStats,
  irqlens_napi_key: { size: 16, fields: { napi_id: 0, ifindex: 4, cpu: 8 } },
  irqlens_napi_stats: napiStats,
  irqlens_epoll_key: { size: 8, fields: { tgid: 0, tid: 4 } },
  irqlens_epoll_stats: epollStats,
  irqlens_victim_key: { size: 16, fields: { cpu: 0, kind: 4, id: 8, tgid: 12 } },
  irqlens_victim_stats: victimStats,
  irqlens_drop_key: { size: 24, fields: { cpu: 0, reason: 4, ifindex: 8, eth_proto: 12, l4_proto: 14, netns: 16 } },
  irqlens_drop_stats: { size: 16, fields: { count: 0, last_ns: 8 } },
  irqlens_rec: { size: 32, fields: { kind: 0, cpu: 2, id: 4, ts_ns: 8, dur_ns: 16, tgid: 20, arg0: 24, arg1: 28 } },
  irqlens_burst_rec: {
    size: 48,
    fields: {
      kind: 0,
      cpu: 2,
      napi_id: 4,
      start_ns: 8,
      end_ns: 16,
      ifindex: 24,
      packets: 28,
      peak_window_packets: 32,
      polls_at_budget: 36,
      windows: 40,
    },
  },
  irqlens_period_rec: {
    size: 136,
    fields: {
      kind: 0,
      cpu_start: 2,
      tid: 4,
      start_ns: 8,
      end_ns: 16,
      tgid: 24,
      cpu_end: 28,
      flags: 30,
      events: 32,
      switches: 36,
      offcpu_ns: 40,
      steal_ns: 48,
      cycles: 56,
      instructions: 64,
      irq_count: 72,
      irq_ns: 104,
    },
  },
  irqlens_cputime_row: {
    size: 72,
    fields: {
      cpu: 0,
      user_ns: 8,
      nice_ns: 16,
      system_ns: 24,
      idle_ns: 32,
      iowait_ns: 40,
      irq_ns: 48,
      softirq_ns: 56,
      steal_ns: 64,
    },
  },
  irqlens_frame_hdr: { size: 8, fields: { len: 0, type: 4, flags: 6 } },
  irqlens_hello: {
    size: 200,
    fields: {
      magic: 0,
      version: 8,
      ncpus: 12,
      pmu: 16,
      nprogs: 20,
      mono_ns: 24,
      realtime_ns: 32,
      kernel: 40,
      host: 104,
      window_ns: 168,
      burst_packets: 172,
      interval_ms: 176,
      ring_bytes: 180,
      record_mask: 184,
      target_tgid: 188,
      tracefs_mounted: 192,
      flags: 196,
    },
  },
  irqlens_prog_status: { size: 88, fields: { name: 0, tracepoint: 32, err: 80, status: 84, group: 86 } },
  irqlens_snap_hdr: { size: 16, fields: { ts_ns: 0, seq: 8, ntables: 12 } },
  irqlens_table_hdr: { size: 8, fields: { table: 0, row_size: 2, rows: 4 } },
  irqlens_hardirq_row: { size: 288, fields: { cpu: 0, irq: 4, s: 8 } },
  irqlens_vector_row: { size: 288, fields: { cpu: 0, vector: 4, s: 8 } },
  irqlens_softirq_row: { size: 576, fields: { cpu: 0, vec: 4, s: 8 } },
  irqlens_napi_row: { size: 656, fields: { k: 0, s: 16 } },
  irqlens_epoll_row: { size: 600, fields: { k: 0, s: 8 } },
  irqlens_victim_row: { size: 48, fields: { k: 0, s: 16 } },
  irqlens_irqname_row: { size: 64, fields: { irq: 0, name: 8 } },
  irqlens_drop_row: { size: 40, fields: { k: 0, s: 24 } },
  irqlens_dropname_row: { size: 64, fields: { reason: 0, name: 8 } },
  irqlens_lost_row: { size: 16, fields: { kind: 0, reason: 4, count: 8 } },
  irqlens_progstat_row: { size: 24, fields: { prog: 0, run_cnt: 8, run_time_ns: 16 } },
  irqlens_end: { size: 16, fields: { ts_ns: 0, code: 8 } },
} satisfies Record<string, StructLayout>;

export type StructName = keyof typeof LAYOUT;
