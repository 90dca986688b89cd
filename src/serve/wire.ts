// The websocket protocol: msgpackr frames, numbers column-wise in typed arrays
// (one array per series, index = CPU / IRQ / queue), so the page copies no objects.
import { Packr } from 'msgpackr';

/** Shares of one interval per CPU (index = CPU), each 0..1 of that CPU's time. */
export interface CpuColumns {
  hardirq: Float64Array;
  vector: Float64Array;
  /** Softirq time per vector name. */
  soft: Record<string, Float64Array>;
  /** user + nice + system time (/proc/stat) less what the probes counted as interrupt time; NaN without /proc/stat data. */
  tasks: Float64Array;
  /** idle + iowait (/proc/stat); NaN without data. */
  idle: Float64Array;
  irqsPerSec: Float64Array;
}

/** A micro-burst with its packets in 100 us bins (per-event NAPI records), when streamed. */
export interface BurstView {
  cpu: number;
  napiId: number;
  dev: string;
  /** Seconds since the stream's start. */
  startS: number;
  endS: number;
  packets: number;
  peakWindowPackets: number;
  /** First bin's start, seconds since the stream's start; bins are `binUs` wide. */
  binStartS: number;
  binUs: number;
  /** Packets NAPI polls handled per bin; empty without per-event NAPI records. */
  bins: Float64Array;
}

export interface IntervalView {
  value: number;
  lo: number;
  hi: number;
  bound: boolean;
}

export interface WorkloadView {
  tgid: number;
  comm: string;
  periods: number;
  disruptedPeriods: number;
  tax: IntervalView | null;
  gain: IntervalView | null;
  /** The tax and gain read "at least" (taxIsAtLeast: a lower bound, and a point). */
  taxLowerBound: boolean;
  notEnoughData: string | null;
}

export interface WorkloadsView {
  /** off | measuring | ready | failed (see ui/model/workloads.ts WorkloadFeed). */
  state: string;
  detail: string;
  estimates: WorkloadView[];
}

export interface Frame {
  type: 'frame';
  seq: number;
  /** End of the interval, seconds since the stream's start. */
  tS: number;
  durS: number;
  ncpus: number;
  cpu: CpuColumns;
  irq: { keys: string[]; names: string[]; perSec: Float64Array };
  nic: { keys: string[]; labels: string[]; pktPerSec: Float64Array };
  /** Drops per second by reason name; `available` false when the stream carries no drop data. */
  drops: { available: boolean; reasons: string[]; perSec: Float64Array };
  bursts: BurstView[];
  /** Per-event NAPI records are streamed (the 100 us bins need them). */
  napiRecords: boolean;
  /** The NAPI probes ran through the whole interval; false: `nic` is empty and bursts may be missing (probes detached). */
  napiCovered: boolean;
  workloads: WorkloadsView;
  tool: { eventsPerSec: number; bpfFrac: number; lost: number; lostTotal: number; recordsPerSec: number };
}

export interface HelloMsg {
  type: 'hello';
  host: string;
  kernel: string;
  ncpus: number;
  source: string;
  intervalMs: number;
  /** Frames the server keeps and sends to a new client first. */
  history: number;
}

/** Frames this client did not get because it read too slowly. */
export interface MissedMsg {
  type: 'missed';
  frames: number;
  totalMissed: number;
}
export interface EndMsg {
  type: 'end';
  reason: string;
}

export type ServerMsg = HelloMsg | Frame | MissedMsg | EndMsg;

// records off: every message stands alone (a client that joins late or misses frames decodes the next one)
const packr = new Packr({ useRecords: false, moreTypes: true });

export function encode(m: ServerMsg): Uint8Array {
  return packr.pack(m);
}

export function decode(b: Uint8Array): ServerMsg {
  return packr.unpack(b) as ServerMsg;
}
