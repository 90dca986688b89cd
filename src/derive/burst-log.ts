// The micro-burst log: the newest bursts first, bounded, each stamped with
// wall-clock time (the helper's monotonic stamps shifted by hello's offset).
import type { Window } from '../reduce/totals.js';
import type { Hello } from '../stream/types.js';

export const MAX_BURST_LOG = 200;

export interface BurstEntry {
  /** Wall-clock Unix ms of the burst's start. */
  atMs: number;
  cpu: number;
  napiId: number;
  ifindex: number;
  dev: string;
  packets: number;
  /** Most packets in one detection window (hello.windowNs, 100 us by default). */
  peak: number;
  durNs: number;
  atBudget: number;
}

export function wallMs(hello: Hello, monoNs: bigint): number {
  // wall-clock ns exceed 2^53: split before converting, or milliseconds come out off by one
  const ns = hello.realtimeNs - hello.monoNs + monoNs;
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

/** Adds the interval's bursts (newest first) and keeps at most MAX_BURST_LOG. */
export function appendBursts(log: readonly BurstEntry[], w: Window, devOf: ReadonlyMap<number, string>): BurstEntry[] {
  if (!w.bursts.length) return [...log];
  const fresh = w.bursts.map((b): BurstEntry => ({
    atMs: wallMs(w.hello, b.startNs),
    cpu: b.cpu,
    napiId: b.napiId,
    ifindex: b.ifindex,
    dev: devOf.get(b.ifindex) ?? (b.ifindex ? `if${b.ifindex}` : '(backlog)'),
    packets: b.packets,
    peak: b.peakWindowPackets,
    durNs: Number(b.endNs - b.startNs),
    atBudget: b.pollsAtBudget,
  }));
  fresh.sort((a, b) => b.atMs - a.atMs);
  return [...fresh, ...log].slice(0, MAX_BURST_LOG);
}

/** Device names by ifindex, from the NAPI rows and NIC queues seen so far. */
export function devNames(
  prev: ReadonlyMap<number, string>,
  w: Window,
  queues: readonly { ifindex: number; dev: string }[],
): Map<number, string> {
  const m = new Map(prev);
  for (const q of queues) m.set(q.ifindex, q.dev);
  for (const n of w.napi) if (n.dev) m.set(n.ifindex, n.dev);
  return m;
}
