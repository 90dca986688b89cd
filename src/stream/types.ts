// Typed messages decoded from the helper's framed stream.
import type { PeriodKind, ProbeGroup } from './layout.js';

export interface ProgStatus {
  name: string;
  tracepoint: string;
  status: 'attached' | 'unsupported' | 'disabled' | 'failed';
  err: number;
  /** Its probe group; absent in streams written before groups were recorded. */
  group?: ProbeGroup;
}

export interface Hello {
  type: 'hello';
  version: number;
  ncpus: number;
  pmu: boolean;
  monoNs: bigint;
  realtimeNs: bigint;
  kernel: string;
  host: string;
  windowNs: number;
  burstPackets: number;
  intervalMs: number;
  ringBytes: number;
  recordMask: number;
  targetTgid: number;
  tracefsMounted: boolean;
  /** softirq records carry only asynchronous runs (--records async-softirq) */
  softirqAsyncOnly: boolean;
  /** false: softirq raises were not timed (--no-raise-latency), so raise-to-run latency is not measured; absent: timed */
  raiseLatency?: false;
  progs: ProgStatus[];
}

export interface DurStats {
  count: number;
  timeNs: number;
  maxNs: number;
  hist: number[];
}

export interface HardirqRow extends DurStats {
  cpu: number;
  irq: number;
}
export interface VectorRow extends DurStats {
  cpu: number;
  vector: number;
}

export interface SoftirqRow extends DurStats {
  cpu: number;
  vec: number;
  asyncCount: number;
  asyncTimeNs: number;
  raised: number;
  raiseLatNs: number;
  latHist: number[];
}

export interface NapiRow {
  napiId: number;
  ifindex: number;
  cpu: number;
  polls: number;
  packets: number;
  pollsAtBudget: number;
  bursts: number;
  budget: number;
  dev: string;
  workHist: number[];
}

export interface EpollRow {
  tgid: number;
  tid: number;
  comm: string;
  calls: number;
  waitNs: number;
  busyNs: number;
  events: number;
  errors: number;
  retHist: number[];
}

export interface VictimRow {
  cpu: number;
  kind: 'hardirq' | 'vector';
  id: number;
  tgid: number;
  comm: string;
  count: number;
  timeNs: number;
}

export interface IrqNameRow {
  irq: number;
  name: string;
}
/** Packets dropped on one CPU for one reason, device and protocol (cumulative). */
export interface DropRow {
  cpu: number;
  /** The kernel's enum skb_drop_reason value; its name is in the DROPNAME table. */
  reason: number;
  /** 0 when the packet had no device. */
  ifindex: number;
  /** skb->protocol (0x0800 IPv4, 0x86dd IPv6) and IPPROTO_* (0 unknown). */
  ethProto: number;
  l4Proto: number;
  /** network namespace inode (ifindexes are per namespace); 0 unknown */
  netns: number;
  count: number;
  lastNs: bigint;
}
export interface DropNameRow {
  reason: number;
  name: string;
}
export interface LostRow {
  kind: string;
  reason: string;
  count: number;
}
export interface ProgStatRow {
  prog: number;
  runCnt: number;
  runTimeNs: number;
}

/** Kernel CPU time of one CPU (cumulative ns, from /proc/stat). */
export interface CpuTimeRow {
  cpu: number;
  userNs: number;
  niceNs: number;
  systemNs: number;
  idleNs: number;
  iowaitNs: number;
  irqNs: number;
  softirqNs: number;
  stealNs: number;
}

export interface Snapshot {
  type: 'snapshot';
  tsNs: bigint;
  seq: number;
  /** Answers a "snapshot" command (not a periodic one). */
  requested: boolean;
  hardirq: HardirqRow[];
  softirq: SoftirqRow[];
  vector: VectorRow[];
  napi: NapiRow[];
  epoll: EpollRow[];
  victim: VictimRow[];
  irqName: IrqNameRow[];
  lost: LostRow[];
  progStat: ProgStatRow[];
  cpuTime: CpuTimeRow[];
  drop: DropRow[];
  dropName: DropNameRow[];
}

/** One interrupt, softirq, NAPI poll or epoll call (per-event record). */
export interface EventRec {
  kind: 'hardirq' | 'vector' | 'softirq' | 'napi' | 'epoll' | 'drop';
  cpu: number;
  id: number;
  tsNs: bigint;
  durNs: number;
  tgid: number;
  arg0: number;
  arg1: number;
}

export interface BurstRec {
  kind: 'burst';
  cpu: number;
  napiId: number;
  startNs: bigint;
  endNs: bigint;
  ifindex: number;
  packets: number;
  peakWindowPackets: number;
  pollsAtBudget: number;
  windows: number;
}

/** A traced thread's busy period (see src/attribution/types.ts BusyPeriod). */
/** One busy period (epoll returning >= 1 event to the thread's next epoll call), as the hot path reads it: numbers, no BigInt. */
export interface PeriodRec {
  kind: 'period';
  tgid: number;
  tid: number;
  startNs: number;
  endNs: number;
  cpuStart: number;
  cpuEnd: number;
  flags: number;
  events: number;
  switches: number;
  offCpuNs: number;
  stealNs: number;
  /** The kernel could read steal time for this period (PERIOD_STEAL). */
  stealKnown: boolean;
  /** PMU counters over the period, or null without a PMU (PERIOD_PMU). */
  cycles: number | null;
  instructions: number | null;
  irqCount: Record<PeriodKind, number>;
  irqNs: Record<PeriodKind, number>;
}

export interface Events {
  type: 'events';
  /** Raw record bytes; decode lazily with decodeRecords (most consumers only count). */
  bytes: Uint8Array;
}

export interface End {
  type: 'end';
  tsNs: bigint;
  code: number;
}

export type Message = Hello | Snapshot | Events | End;
