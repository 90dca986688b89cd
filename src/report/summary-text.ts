// The live per-second text summary (what `irqlens` shows until the TUI lands).
import type { Window } from '../reduce/totals.js';
import { irqName, softirqName, vectorName } from './snapshot-json.js';
import { dropGroups } from '../reduce/drops.js';

function rate(n: number, ns: number): string {
  const r = ns > 0 ? (n * 1e9) / ns : 0;
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`;
  if (r >= 1e4) return `${(r / 1e3).toFixed(0)}k`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(0);
}

function pct(timeNs: number, ns: number): string {
  return ns > 0 ? `${((100 * timeNs) / ns).toFixed(2)}%` : '-';
}

function us(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(1)}ms` : `${(ns / 1e3).toFixed(1)}us`;
}

export function summaryHeader(w: Pick<Window, 'hello'>): string {
  const h = w.hello;
  const off = h.progs.filter((p) => p.status !== 'attached').map((p) => `${p.tracepoint} (${p.status})`);
  return [
    `irqlens on ${h.host}, kernel ${h.kernel}, ${h.ncpus} CPUs, PMU ${h.pmu ? 'yes' : 'none (time is the currency)'}`,
    off.length ? `not attached: ${off.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** One block of lines for one interval. */
export function summaryLines(w: Window, clock: string): string[] {
  const ns = w.durationNs;
  const lines: string[] = [];
  lines.push(`${clock}  CPU  hardirq/s  hardirq%  vectors/s  vectors%  softirq/s  softirq%  top softirqs`);
  for (let cpu = 0; cpu < w.hello.ncpus; cpu++) {
    const hi = w.hardirq.filter((r) => r.cpu === cpu);
    const ve = w.vector.filter((r) => r.cpu === cpu);
    const si = w.softirq.filter((r) => r.cpu === cpu);
    const sum = (rs: { count: number; timeNs: number }[], f: 'count' | 'timeNs') => rs.reduce((a, r) => a + r[f], 0);
    const top = [...si]
      .sort((a, b) => b.timeNs - a.timeNs)
      .slice(0, 3)
      .map((r) => `${softirqName(r.vec)} ${rate(r.count, ns)}/s`)
      .join(', ');
    lines.push(
      `${' '.repeat(clock.length)}  ${String(cpu).padStart(3)}  ${rate(sum(hi, 'count'), ns).padStart(9)}  ${pct(sum(hi, 'timeNs'), ns).padStart(8)}  ` +
        `${rate(sum(ve, 'count'), ns).padStart(9)}  ${pct(sum(ve, 'timeNs'), ns).padStart(8)}  ${rate(sum(si, 'count'), ns).padStart(9)}  ${pct(sum(si, 'timeNs'), ns).padStart(8)}  ${top}`,
    );
  }
  const irqs = new Map<string, { count: number; timeNs: number; max: number; cpus: Set<number> }>();
  for (const r of w.hardirq) {
    const k = `${irqName(w, r.irq)} (irq ${r.irq})`;
    const e = irqs.get(k) ?? { count: 0, timeNs: 0, max: 0, cpus: new Set<number>() };
    e.count += r.count;
    e.timeNs += r.timeNs;
    e.max = Math.max(e.max, r.maxNs);
    e.cpus.add(r.cpu);
    irqs.set(k, e);
  }
  for (const r of w.vector) {
    const k = vectorName(r.vector);
    const e = irqs.get(k) ?? { count: 0, timeNs: 0, max: 0, cpus: new Set<number>() };
    e.count += r.count;
    e.timeNs += r.timeNs;
    e.max = Math.max(e.max, r.maxNs);
    e.cpus.add(r.cpu);
    irqs.set(k, e);
  }
  const top = [...irqs.entries()].sort((a, b) => b[1].timeNs - a[1].timeNs).slice(0, 5);
  for (const [name, e] of top) {
    lines.push(
      `  ${name.padEnd(32)} ${rate(e.count, ns).padStart(6)}/s  mean ${us(e.count ? e.timeNs / e.count : 0).padStart(7)}  max ${us(e.max).padStart(7)}  CPU ${[...e.cpus].sort().join(',')}`,
    );
  }
  const napi = w.napi
    .filter((r) => r.packets > 0)
    .sort((a, b) => b.packets - a.packets)
    .slice(0, 3);
  for (const r of napi) {
    lines.push(
      `  napi ${r.dev}${r.napiId ? ` #${r.napiId}` : ''} CPU ${r.cpu}: ${rate(r.packets, ns)} pkt/s, ${rate(r.polls, ns)} polls/s, ${r.pollsAtBudget} at budget`,
    );
  }
  const drops = dropGroups(w.drop, w.dropNames);
  if (drops.length)
    lines.push(
      `  drops: ${drops
        .slice(0, 4)
        .map((g) => `${g.name} ${rate(g.count, ns)}/s (CPU ${[...g.perCpu.keys()].sort().join(',')})`)
        .join(', ')}`,
    );
  let lost = 0;
  for (const v of w.lost.values()) lost += v;
  if (lost) lines.push(`  LOST: ${[...w.lost].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines;
}
