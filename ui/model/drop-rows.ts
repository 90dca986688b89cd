// Drop rows for the drops panel: per reason, the rate in the latest interval
// and the count since the view started (drops are rare and bursty, so a
// per-interval view alone would blink).
import type { Window } from '../../src/reduce/totals.js';
import { dropReasonName, protocolName } from '../../src/reduce/drops.js';
import type { DropRow } from '../../src/stream/types.js';

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

/** Adds a window's drop rows to the running totals (keyed like reduceTotals). */
export function accumulateDrops(prev: ReadonlyMap<string, DropRow>, w: Window): ReadonlyMap<string, DropRow> {
  if (!w.drop.length) return prev;
  const m = new Map(prev);
  for (const r of w.drop) {
    const k = `${r.cpu}:${r.reason}:${r.ifindex}:${r.ethProto}:${r.l4Proto}:${r.netns}`;
    const old = m.get(k);
    m.set(k, old ? { ...r, count: old.count + r.count } : r);
  }
  return m;
}

export function dropReasonRows(totals: ReadonlyMap<string, DropRow>, w: Window | null): DropReasonRow[] {
  const names = w?.dropNames ?? new Map<number, string>();
  const secs = w ? w.durationNs / 1e9 || 1 : 1;
  const rows = new Map<number, DropReasonRow & { byWhere: Map<string, number> }>();
  for (const r of totals.values()) {
    let row = rows.get(r.reason);
    if (!row) rows.set(r.reason, (row = { reason: r.reason, name: dropReasonName(names, r.reason), perSec: 0, total: 0, cpus: [], where: null, lastNs: 0, byWhere: new Map() }));
    row.total += r.count;
    if (!row.cpus.includes(r.cpu)) row.cpus.push(r.cpu);
    const wk = `${r.ifindex}|${r.netns}|${protocolName(r.ethProto, r.l4Proto)}`;
    row.byWhere.set(wk, (row.byWhere.get(wk) ?? 0) + r.count);
    if (Number(r.lastNs) > row.lastNs) row.lastNs = Number(r.lastNs);
  }
  for (const r of w?.drop ?? []) {
    const row = rows.get(r.reason);
    if (row) row.perSec += r.count / secs;
  }
  return [...rows.values()].map(({ byWhere, ...row }) => {
    const top = [...byWhere].sort((a, b) => b[1] - a[1])[0]?.[0];
    const [ifindex, netns, protocol] = top ? top.split('|') : [];
    row.cpus.sort((a, b) => a - b);
    return { ...row, where: top ? { ifindex: Number(ifindex), netns: Number(netns), protocol: protocol ?? '' } : null };
  });
}
