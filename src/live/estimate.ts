// The workload estimate over recent busy periods: buildReport's attribution
// estimator on one measurement, reduced to what the UI shows. Pure; runs in
// a worker thread (estimate-worker.ts) so the UI never stalls on it.
import { buildReport } from '../report/cost-report.js';
import { PeriodCollector } from '../reduce/periods.js';
import { emptyWindow } from '../reduce/totals.js';
import type { BusyPeriod } from '../attribution/types.js';
import type { HitColumns } from '../reduce/hit-log.js';
import type { Hello } from '../stream/types.js';
import type { WorkloadEstimate } from '../derive/workloads.js';

export interface EstimateInput {
  hello: Hello;
  periods: BusyPeriod[];
  /** Columns, transferred to the worker rather than cloned. */
  hits: HitColumns;
  comms: [number, string][];
  /** The traced span, CLOCK_MONOTONIC ns. */
  fromNs: number;
  toNs: number;
}

/** Most recent periods kept per workload: bounds the estimator's time (about 0.1 ms per period). */
export const MAX_PERIODS_PER_WORKLOAD = 8000;

/** Keeps each workload's newest periods, at most `max` of them. */
export function newestPeriods(periods: readonly BusyPeriod[], max: number): BusyPeriod[] {
  const by = new Map<number, BusyPeriod[]>();
  for (const p of periods) {
    const l = by.get(p.tgid) ?? [];
    l.push(p);
    by.set(p.tgid, l);
  }
  const out: BusyPeriod[] = [];
  for (const l of by.values()) out.push(...l.sort((a, b) => a.startNs - b.startNs).slice(-max));
  return out.sort((a, b) => a.startNs - b.startNs);
}

/** The CPU most of a workload's busy time ran on (by the CPU each period started on). */
function mainCpu(periods: readonly BusyPeriod[], tgid: number): number | null {
  const busy = new Map<number, number>();
  for (const p of periods)
    if (p.tgid === tgid)
      busy.set(p.cpuStart, (busy.get(p.cpuStart) ?? 0) + Math.max(0, p.endNs - p.startNs - p.offCpuNs));
  let best: number | null = null;
  let bestNs = -1;
  for (const [cpu, ns] of busy) {
    if (ns > bestNs) [best, bestNs] = [cpu, ns];
  }
  return best;
}

export function estimateWorkloads(input: EstimateInput): WorkloadEstimate[] {
  const collector = PeriodCollector.of({ ...input, periods: newestPeriods(input.periods, MAX_PERIODS_PER_WORKLOAD) });
  if (!collector.periods.length) return [];
  const window = emptyWindow(input.hello, input.toNs - input.fromNs);
  const r = buildReport([{ window, collector, fromNs: input.fromNs, toNs: input.toNs, warnings: [] }]);
  return r.workloads.map((w): WorkloadEstimate => ({
    tgid: w.tgid,
    comm: w.comm || `pid ${w.tgid}`,
    periods: w.periods,
    cleanPeriods: w.clean_periods,
    disruptedPeriods: w.disrupted_periods,
    tax: w.tax,
    gain: w.throughput_gain,
    taxLowerBound: w.tax_lower_bound,
    notEnoughData: w.not_enough_data ?? null,
    note: w.note ?? null,
    mainCpu: mainCpu(collector.periods, w.tgid),
  }));
}
