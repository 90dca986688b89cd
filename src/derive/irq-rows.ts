// The interval's interrupt sources (device IRQs and system vectors) with
// their rate, duration figures and the processes they interrupted.
import type { Window } from '../reduce/totals.js';
import { irqName, vectorName } from '../report/snapshot-json.js';
import type { DurStats } from '../stream/types.js';

export interface Victim {
  /** Process name; "(idle)" for the idle task. */
  comm: string;
  tgids: number[];
  /** Share of this source's interrupts that landed on the process. */
  share: number;
}

export interface IrqRow {
  key: string;
  kind: 'device' | 'vector';
  /** IRQ number for device IRQs, null for system vectors. */
  irq: number | null;
  name: string;
  cpus: number[];
  perSec: number;
  /** Handler time over the interval, as a share of one CPU. */
  frac: number;
  meanNs: number;
  /** Upper edge of the log2 bucket holding the 99th percentile (capped at the max); null without a histogram. */
  p99Ns: number | null;
  maxNs: number;
  victims: Victim[];
}

/** The 99th percentile's log2 bucket [2^k, 2^(k+1)) ns: its upper edge, never above the max seen. */
export function p99Upper(hist: readonly number[], maxNs: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  let cum = 0;
  for (let k = 0; k < hist.length; k++) {
    cum += hist[k] ?? 0;
    if (cum >= 0.99 * total) return maxNs > 0 ? Math.min(2 ** (k + 1), maxNs) : 2 ** (k + 1);
  }
  return maxNs > 0 ? maxNs : null;
}

interface Acc {
  row: IrqRow;
  count: number;
  timeNs: number;
  hist: number[];
}

/** IRQ rows of the interval; with `cpus`, only what happened on those CPUs (a CPU filter narrows the figures, not just the list). */
export function irqRows(w: Window, cpus: readonly number[] | null = null): IrqRow[] {
  const on = (cpu: number) => cpus === null || cpus.includes(cpu);
  const ns = w.durationNs;
  const secs = ns / 1e9;
  const acc = new Map<string, Acc>();
  const add = (key: string, kind: IrqRow['kind'], id: number, r: DurStats & { cpu: number }) => {
    let a = acc.get(key);
    if (!a) {
      const name = kind === 'device' ? irqName(w, id) : vectorName(id);
      a = {
        row: {
          key,
          kind,
          irq: kind === 'device' ? id : null,
          name,
          cpus: [],
          perSec: 0,
          frac: 0,
          meanNs: 0,
          p99Ns: null,
          maxNs: 0,
          victims: [],
        },
        count: 0,
        timeNs: 0,
        hist: [],
      };
      acc.set(key, a);
    }
    a.count += r.count;
    a.timeNs += r.timeNs;
    a.row.maxNs = Math.max(a.row.maxNs, r.maxNs);
    if (!a.row.cpus.includes(r.cpu)) a.row.cpus.push(r.cpu);
    r.hist.forEach((v, i) => {
      a.hist[i] = (a.hist[i] ?? 0) + v;
    });
  };
  for (const r of w.hardirq) if (on(r.cpu)) add(`irq:${r.irq}`, 'device', r.irq, r);
  for (const r of w.vector) if (on(r.cpu)) add(`vec:${r.vector}`, 'vector', r.vector, r);

  // victims by process name: threads and several processes of one program read as one
  const victims = new Map<string, Map<string, { tgids: number[]; count: number }>>();
  for (const v of w.victim) {
    if (!on(v.cpu)) continue;
    const key = v.kind === 'hardirq' ? `irq:${v.id}` : `vec:${v.id}`;
    const comm = v.tgid ? v.comm : '(idle)';
    const m = victims.get(key) ?? new Map<string, { tgids: number[]; count: number }>();
    const e = m.get(comm) ?? { tgids: [], count: 0 };
    e.count += v.count;
    if (!e.tgids.includes(v.tgid)) e.tgids.push(v.tgid);
    m.set(comm, e);
    victims.set(key, m);
  }

  return [...acc.values()].map(({ row, count, timeNs, hist }) => {
    const vs = victims.get(row.key);
    const vTotal = vs ? [...vs.values()].reduce((a, e) => a + e.count, 0) : 0;
    return {
      ...row,
      cpus: row.cpus.sort((a, b) => a - b),
      perSec: secs > 0 ? count / secs : 0,
      frac: ns > 0 ? timeNs / ns : 0,
      meanNs: count > 0 ? timeNs / count : 0,
      p99Ns: p99Upper(hist, row.maxNs),
      victims:
        vs && vTotal > 0
          ? [...vs]
              .map(([comm, e]) => ({ comm, tgids: e.tgids.sort((a, b) => a - b), share: e.count / vTotal }))
              .sort((a, b) => b.share - a.share || a.comm.localeCompare(b.comm))
          : [],
    };
  });
}

/** "0-3,6": a compact CPU list. */
export function cpuList(cpus: readonly number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === (s[j] ?? 0) + 1) j++;
    parts.push(j > i + 1 ? `${s[i] ?? 0}-${s[j] ?? 0}` : j === i + 1 ? `${s[i] ?? 0},${s[j] ?? 0}` : String(s[i] ?? 0));
    i = j + 1;
  }
  return parts.join(',');
}
