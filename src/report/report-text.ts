// The report for people: per-CPU split, then each workload's interrupt cost,
// saying plainly when a figure is only an upper bound.
import type { Report } from './cost-report.js';
import { taxReadsAtLeast } from '../attribution/summary.js';

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
const us = (ns: number) => (Math.abs(ns) >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} us`);

function interval(
  v: { value: number; lo: number; hi: number; bound?: boolean } | null | undefined,
  fmt: (x: number) => string,
): string {
  if (!v) return 'unknown';
  if (v.bound ?? (v.lo <= 0 && v.hi >= 0))
    return `<= ${fmt(Math.max(0, v.hi))} (upper bound: the interval includes zero)`;
  return `${fmt(v.value)} [${fmt(v.lo)}, ${fmt(v.hi)}]`;
}

type WorkloadReport = Report['workloads'][number];

/** The tax line: a point, an upper bound (the interval includes zero) or, without a quiet baseline, at least a point. */
export function taxLine(w: Pick<WorkloadReport, 'tax' | 'tax_lower_bound' | 'undisturbed_share'>): string {
  const atLeast = taxReadsAtLeast(w.tax, w.tax_lower_bound);
  return (
    `  interrupt tax (direct + indirect over busy time): ${atLeast ? 'at least ' : ''}${interval(w.tax, pct)}` +
    (atLeast ? ` (a lower bound: only ${pct(w.undisturbed_share ?? 0)} of periods had a quiet moment before them)` : '')
  );
}

export function reportText(r: Report): string {
  const L: string[] = [];
  const secs = r.duration_ns / 1e9;
  L.push(`irqlens report: ${secs.toFixed(1)} s on ${r.host} (kernel ${r.kernel}, ${r.ncpus} CPUs)`);
  L.push(`currency: ${r.currency} (${r.currency_note})`);
  L.push('');
  L.push('CPU  hardirq  vectors  softirq async/own  workload   other    idle   IRQs/s');
  for (const c of r.cpus) {
    const t = c.total_ns || 1;
    L.push(
      `${String(c.cpu).padStart(3)}  ${pct(c.hardirq_ns / t).padStart(7)}  ${pct(c.vectors_ns / t).padStart(7)}  ${(pct(c.softirq_async_ns / t) + ' / ' + pct(c.softirq_own_ns / t)).padStart(17)}  ` +
        `${pct(c.workload_ns / t).padStart(8)}  ${pct(c.other_ns / t).padStart(6)}  ${pct(c.idle_ns / t).padStart(6)}  ${Math.round(c.irqs_per_s).toString().padStart(7)}`,
    );
  }
  for (const i of r.imbalance)
    L.push(
      `imbalance: CPU ${i.cpu} carries ${pct(i.share)} of ${i.what === 'net_rx' ? 'NET_RX softirq time' : 'device interrupt time'}`,
    );
  const top = r.irqs
    .slice(0, 3)
    .map((i) => `${i.name} ${Math.round(i.count / secs)}/s (${us(i.count ? i.time_ns / i.count : 0)} each)`);
  const vec = r.vectors
    .slice()
    .sort((a, b) => b.time_ns - a.time_ns)
    .slice(0, 2)
    .map((v) => `${v.vector} ${Math.round(v.count / secs)}/s (${us(v.count ? v.time_ns / v.count : 0)} each)`);
  if (top.length || vec.length) L.push(`top interrupts: ${[...top, ...vec].join('; ')}`);
  for (const q of r.nic_queues) {
    const at = Object.entries(q.irq_per_s)
      .map(([cpu, n]) => `CPU ${cpu} ${Math.round(n)}/s`)
      .join(', ');
    const napi = q.napi
      .map(
        (n) =>
          `napi ${n.napi_id} on CPU ${n.cpu}: ${Math.round(n.packets_per_s)} pkt/s, ${n.polls_at_budget} polls at budget, ${n.bursts} bursts`,
      )
      .join('; ');
    L.push(
      `queue ${q.dev}/${q.queue}: IRQ ${q.irq ?? '?'} ${q.irq_name ?? ''} (may run on CPUs ${q.irq_affinity.join(',') || '?'})${at ? `, fired on ${at}` : ''}${napi ? `; ${napi}` : ''}`,
    );
  }
  if (r.lost_records)
    L.push(
      `LOST: ${r.lost_records} records (${Object.entries(r.lost)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}): figures below undercount`,
    );
  if (!r.workloads.length) {
    L.push('');
    L.push(
      r.busy_periods_traced
        ? 'no busy periods: no traced process returned from epoll_wait with events (is the workload epoll-based and busy? check --pid/--comm)'
        : "no busy periods: they were not traced (record with --workloads, --pid, --cgroup or a command for each workload's interrupt tax)",
    );
  }
  for (const w of r.workloads) {
    L.push('');
    L.push(
      `workload ${w.comm || '?'} (pid ${w.tgid}): ${Math.round(w.events / secs)} events/s, busy ${pct(w.busy_ns / (r.duration_ns || 1))} of a CPU`,
    );
    L.push(
      `  busy periods: ${w.periods} (${w.excluded_periods} excluded${
        w.excluded_periods
          ? ': ' +
            Object.entries(w.excluded)
              .filter(([, n]) => n)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')
          : ''
      }); disrupted: ${w.clean_periods ? pct(w.disrupted_periods / w.clean_periods) : '-'} of clean periods`,
    );
    L.push(
      `  interrupts per 1000 events: ${w.irqs_in_busy.toFixed(1)} during busy periods, ${w.irqs_in_wait.toFixed(1)} while waiting (these wake it and cost little)`,
    );
    L.push(`  direct cost (handler time in busy periods): ${pct(w.direct_share)} of busy time`);
    if (w.not_enough_data) {
      L.push(`  indirect cost: not enough data: ${w.not_enough_data}`);
      continue;
    }
    const kinds = Object.entries(w.indirect_ns_per_irq);
    const unit = w.currency === 'cycles' ? (x: number) => `${Math.round(x)} cycles` : us;
    L.push(`  indirect cost per interrupt (beyond its handler; real minus placebo):`);
    for (const [k, e] of kinds)
      L.push(
        `    ${k.padEnd(14)} ${interval(e, unit)}  (${e.exposed} exposed periods; placebo ${unit(e.placebo.value)}` +
          `${e.together ? `; with ${e.together.filter((x) => x !== k).join(', ')}: one cost per interrupt of either` : ''})`,
      );
    if (!kinds.length) L.push('    none: no interrupt kind hit enough periods to estimate');
    const lags = Object.entries(w.delivery_lag_ns);
    if (lags.length)
      L.push(
        `  delivery: handlers started ${lags.map(([k, ns]) => `${k} ${us(ns)}`).join(', ')} after the thread stopped for them ` +
          '(a hypervisor delivering it; no guest handler runs meanwhile): counted in the indirect cost',
      );
    L.push(taxLine(w));
    L.push(
      `  what-if, busy periods never interrupted (kernel polling / IRQ suspension): ${interval(w.throughput_gain, (x) => `+${pct(x)}`)} throughput`,
    );
    if (w.ipc)
      L.push(
        `  IPC clean ${w.ipc.clean.ipc?.toFixed(2) ?? '-'} vs disturbed ${w.ipc.disturbed.ipc?.toFixed(2) ?? '-'}; IPC loss ${w.ipc.ipcLossPct?.toFixed(1) ?? '-'}%`,
      );
    if (w.runs.count > 1 && w.runs.tax)
      L.push(
        `  across ${w.runs.with_estimate} of ${w.runs.count} runs with an estimate: tax median ${pct(w.runs.tax.median)}, min ${pct(w.runs.tax.min)}, max ${pct(w.runs.tax.max)}`,
      );
    if (w.note) L.push(`  note: ${w.note}`);
    for (const warn of w.warnings) L.push(`  note: ${warn}`);
  }
  return L.join('\n') + '\n';
}
