// Drop rows for the drops panel: per reason, the rate in the latest interval
// and the count since the view started (drops are rare and bursty, so a
// per-interval view alone would blink).
import type { Window } from '../reduce/totals.js';
import { dropGroups } from '../reduce/drops.js';
import type { DropRow } from '../stream/types.js';

export interface DropReasonRow {
  reason: number;
  name: string;
  perSec: number;
  total: number;
  cpus: number[];
  /** the device/protocol with most drops since start */
  where: { ifindex: number; netns: number; protocol: string } | null;
  /** CLOCK_MONOTONIC ns of the latest drop */
  lastNs: number;
}

/** Per reason: the latest window's rate and the count since the start (the cumulative totals' drop rows). */
export function dropReasonRows(totals: ReadonlyMap<string, DropRow>, w: Window | null): DropReasonRow[] {
  const names = w?.dropNames ?? new Map<number, string>();
  const secs = w ? w.durationNs / 1e9 || 1 : 1;
  const now = new Map(dropGroups(w?.drop ?? [], names).map((g) => [g.reason, g.count]));
  return dropGroups([...totals.values()], names).map((g) => {
    const top = g.byDevice[0];
    return {
      reason: g.reason,
      name: g.name,
      perSec: (now.get(g.reason) ?? 0) / secs,
      total: g.count,
      cpus: [...g.perCpu.keys()].sort((a, b) => a - b),
      where: top ? { ifindex: top.ifindex, netns: top.netns, protocol: top.protocol } : null,
      lastNs: Number(g.lastNs),
    };
  });
}
