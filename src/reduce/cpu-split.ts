// Where each CPU's time went over a window: device IRQs, system vectors,
// softirqs (asynchronous vs the running task's own), the traced workload's
// busy periods, other work, idle. Pure: window totals + busy periods in.
import type { Window } from './totals.js';
import type { BusyPeriod } from '../attribution/types.js';
import { SOFTIRQ_NAMES } from '../stream/layout.js';

export interface CpuSplit {
  cpu: number;
  total_ns: number;
  hardirq_ns: number;
  vectors_ns: number;
  softirq_async_ns: number;
  softirq_own_ns: number;
  softirq: Record<string, { async_ns: number; own_ns: number }>;
  /** Busy periods of traced workloads that started on this CPU, minus the interrupt time inside them. */
  workload_ns: number;
  /** Kernel-accounted idle + iowait (/proc/stat; tick resolution). */
  idle_ns: number;
  /** Everything else: other tasks, the kernel, the tool itself. Never negative. */
  other_ns: number;
  irqs_per_s: number;
}

export function cpuSplit(w: Window, periods: readonly BusyPeriod[], fromNs: number, toNs: number): CpuSplit[] {
  const out: CpuSplit[] = [];
  const secs = w.durationNs / 1e9;
  for (let cpu = 0; cpu < w.hello.ncpus; cpu++) {
    const hard = w.hardirq.filter((r) => r.cpu === cpu);
    const vec = w.vector.filter((r) => r.cpu === cpu);
    const soft = w.softirq.filter((r) => r.cpu === cpu);
    const softirq: CpuSplit['softirq'] = {};
    let asyncNs = 0;
    let ownNs = 0;
    for (const r of soft) {
      const own = Math.max(0, r.timeNs - r.asyncTimeNs);
      softirq[SOFTIRQ_NAMES[r.vec] ?? `VEC${r.vec}`] = { async_ns: r.asyncTimeNs, own_ns: own };
      asyncNs += r.asyncTimeNs;
      ownNs += own;
    }
    let workload = 0;
    for (const p of periods) {
      if (p.cpuStart !== cpu) continue;
      const s = Math.max(p.startNs, fromNs);
      const e = Math.min(p.endNs, toNs);
      if (e <= s) continue;
      const irq = Object.values(p.irqNs).reduce((a, b) => a + b, 0);
      workload += Math.max(0, e - s - p.offCpuNs - irq * ((e - s) / Math.max(1, p.endNs - p.startNs)));
    }
    const ct = w.cpuTime.find((r) => r.cpu === cpu);
    const idle = ct ? ct.idleNs + ct.iowaitNs : 0;
    const hardNs = hard.reduce((a, r) => a + r.timeNs, 0);
    const vecNs = vec.reduce((a, r) => a + r.timeNs, 0);
    const total = w.durationNs;
    const other = Math.max(0, total - hardNs - vecNs - asyncNs - ownNs - workload - idle);
    out.push({
      cpu,
      total_ns: total,
      hardirq_ns: hardNs,
      vectors_ns: vecNs,
      softirq_async_ns: asyncNs,
      softirq_own_ns: ownNs,
      softirq,
      workload_ns: Math.round(workload),
      idle_ns: Math.min(idle, total),
      other_ns: Math.round(other),
      irqs_per_s: secs > 0 ? (hard.reduce((a, r) => a + r.count, 0) + vec.reduce((a, r) => a + r.count, 0)) / secs : 0,
    });
  }
  return out;
}

/** One CPU carrying most of NET_RX or most device-IRQ time: a finding, with its share. */
export interface Imbalance {
  what: 'net_rx' | 'device_irqs';
  cpu: number;
  share: number;
}

export function imbalance(w: Window): Imbalance[] {
  const found: Imbalance[] = [];
  const check = (what: Imbalance['what'], perCpu: Map<number, number>) => {
    const total = [...perCpu.values()].reduce((a, b) => a + b, 0);
    if (total <= 0 || w.hello.ncpus < 2) return;
    for (const [cpu, v] of perCpu) if (v / total >= 0.8) found.push({ what, cpu, share: v / total });
  };
  const netrx = new Map<number, number>();
  for (const r of w.softirq) if (r.vec === 3) netrx.set(r.cpu, (netrx.get(r.cpu) ?? 0) + r.timeNs);
  check('net_rx', netrx);
  const dev = new Map<number, number>();
  for (const r of w.hardirq) dev.set(r.cpu, (dev.get(r.cpu) ?? 0) + r.timeNs);
  check('device_irqs', dev);
  return found;
}
