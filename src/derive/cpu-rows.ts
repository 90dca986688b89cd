// Per-CPU figures of one interval: where interrupt time went (device IRQs,
// system vectors, softirqs by vector) and how often the CPU was interrupted.
import type { Window } from '../reduce/totals.js';
import { softirqName } from '../report/snapshot-json.js';

export interface SoftShare {
  vec: string;
  /** Share of the interval spent in this softirq on this CPU. */
  frac: number;
  perSec: number;
}

export interface CpuRow {
  /** CPU number; -1 for the all-CPUs row. */
  cpu: number;
  deviceFrac: number;
  vectorFrac: number;
  softFrac: number;
  /** Softirq vectors that ran, most time first. */
  soft: SoftShare[];
  /** Device IRQs and system vectors per second (what /proc/interrupts counts). */
  irqsPerSec: number;
  softPerSec: number;
  /** Device + vector + softirq time over the interval. */
  totalFrac: number;
}

const byTime = (a: SoftShare, b: SoftShare) => b.frac - a.frac || a.vec.localeCompare(b.vec);

export function cpuRows(w: Window): CpuRow[] {
  const ns = w.durationNs;
  const secs = ns / 1e9;
  const share = (t: number) => (ns > 0 ? t / ns : 0);
  const rate = (n: number) => (secs > 0 ? n / secs : 0);
  const rows: CpuRow[] = [];
  for (let cpu = 0; cpu < w.hello.ncpus; cpu++) {
    let devNs = 0;
    let vecNs = 0;
    let irqs = 0;
    for (const r of w.hardirq) {
      if (r.cpu !== cpu) continue;
      devNs += r.timeNs;
      irqs += r.count;
    }
    for (const r of w.vector) {
      if (r.cpu !== cpu) continue;
      vecNs += r.timeNs;
      irqs += r.count;
    }
    let softNs = 0;
    let softN = 0;
    const soft: SoftShare[] = [];
    for (const r of w.softirq) {
      if (r.cpu !== cpu) continue;
      softNs += r.timeNs;
      softN += r.count;
      soft.push({ vec: softirqName(r.vec), frac: share(r.timeNs), perSec: rate(r.count) });
    }
    rows.push({
      cpu,
      deviceFrac: share(devNs),
      vectorFrac: share(vecNs),
      softFrac: share(softNs),
      soft: soft.sort(byTime),
      irqsPerSec: rate(irqs),
      softPerSec: rate(softN),
      totalFrac: share(devNs + vecNs + softNs),
    });
  }
  return rows;
}

/** The machine as one row: shares are of all CPUs together (sum / ncpus), rates are sums. */
export function allCpusRow(rows: readonly CpuRow[]): CpuRow {
  const n = Math.max(1, rows.length);
  const soft = new Map<string, SoftShare>();
  for (const r of rows) {
    for (const s of r.soft) {
      const e = soft.get(s.vec) ?? { vec: s.vec, frac: 0, perSec: 0 };
      e.frac += s.frac / n;
      e.perSec += s.perSec;
      soft.set(s.vec, e);
    }
  }
  const sum = (f: (r: CpuRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    cpu: -1,
    deviceFrac: sum((r) => r.deviceFrac) / n,
    vectorFrac: sum((r) => r.vectorFrac) / n,
    softFrac: sum((r) => r.softFrac) / n,
    soft: [...soft.values()].sort(byTime),
    irqsPerSec: sum((r) => r.irqsPerSec),
    softPerSec: sum((r) => r.softPerSec),
    totalFrac: sum((r) => r.totalFrac) / n,
  };
}
