// `irqlens report` / `irqlens cost`: schema "irqlens.report/1" (docs/report-schema.md).
// Built only from measurements (window totals + busy periods + interrupt hits).
import {
  estimate,
  summarize,
  ipcFigures,
  IRQ_KINDS,
  type BusyPeriod,
  type EstimatorOptions,
  type Estimate,
  type IrqHit,
  type IrqKind,
  type WorkloadSummary,
} from '../attribution/index.js';
import { cpuSplit, imbalance } from '../reduce/cpu-split.js';
import { queueChains } from '../reduce/nic-chain.js';
import type { QueueIrq } from '../procfs/nic.js';
import { snapshotJson } from './snapshot-json.js';
import type { Measurement } from '../cost/measure.js';
import type { Hello } from '../stream/types.js';
import { REC } from '../stream/layout.js';

export const REPORT_SCHEMA = 'irqlens.report/1';

/** Were busy periods traced: period records streamed and an epoll program attached (old streams: by tracepoint name)? */
export function busyPeriodsTraced(h: Pick<Hello, 'recordMask' | 'progs'>): boolean {
  const epoll = h.progs.some(
    (p) => (p.group ?? (p.tracepoint.includes('epoll') ? 'epoll' : '')) === 'epoll' && p.status === 'attached',
  );
  return epoll && (h.recordMask & (1 << REC.PERIOD)) !== 0;
}

export function estimatorOptions(periods: readonly BusyPeriod[], pmu: boolean, seed = 1): EstimatorOptions {
  // the exposure window must fit inside nearly every period (0.8 x the 10th percentile duration),
  // and be long enough to catch interrupts; it counts them by arrival (delivery-lag.ts: on our VMs a
  // handler starts ~12-16 us after its interrupt stopped the thread, so by handler time a window of
  // a few us saw none)
  const durs = periods.map((p) => p.endNs - p.startNs).sort((a, b) => a - b);
  const p10 = durs[Math.floor(durs.length * 0.1)] ?? 20_000;
  const exposureUs = Math.min(50, Math.max(2, Math.floor((p10 * 0.8) / 1000)));
  return {
    exposureUs,
    lagWindowsUs: [
      [0, 50],
      [50, 200],
      [200, 1000],
    ],
    fixedEffectMs: 100,
    bootstrap: 100,
    blockLength: 50,
    warmup: 200,
    seed,
    currency: pmu ? 'cycles' : 'time',
    // an interrupt also slows the periods that start 50 us to 1 ms after it (caches and predictors
    // refilling): against interleaved A/B runs, charging that moved the error toward zero in 10 of 12
    // scenario sets and away in one (+23% -> +25%), BENCHMARKS.md 2026-12-07
    afterEffects: true,
  };
}

/** Interrupts on a thread's CPU while it waited in epoll (between its busy periods). */
function irqsInWait(periods: readonly BusyPeriod[], hitsByCpu: Map<number, Float64Array>): number {
  const byTid = new Map<number, BusyPeriod[]>();
  for (const p of periods) {
    const list = byTid.get(p.tid) ?? [];
    list.push(p);
    byTid.set(p.tid, list);
  }
  let n = 0;
  for (const list of byTid.values()) {
    list.sort((a, b) => a.startNs - b.startNs);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      const cur = list[i];
      if (!prev || !cur || prev.cpuEnd !== cur.cpuStart) continue;
      const times = hitsByCpu.get(cur.cpuStart);
      if (times) n += countIn(times, prev.endNs, cur.startNs);
    }
  }
  return n;
}

function countIn(sorted: Float64Array, from: number, to: number): number {
  const lb = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Math.max(0, lb(to) - lb(from));
}

function hitIndex(hits: readonly IrqHit[]): Map<number, Float64Array> {
  const by = new Map<number, number[]>();
  for (const h of hits) {
    const l = by.get(h.cpu) ?? [];
    l.push(h.tsNs);
    by.set(h.cpu, l);
  }
  return new Map([...by].map(([cpu, l]) => [cpu, Float64Array.from(l).sort()]));
}

export interface WorkloadRun {
  summary: WorkloadSummary;
  estimate: Estimate;
  irqsInWait: number;
}

function workloadRuns(m: Measurement, tgid: number, pmu: boolean, seed: number): WorkloadRun {
  const periods = m.collector.periods.filter((p) => p.tgid === tgid);
  const opts = estimatorOptions(periods, pmu, seed);
  const trace = { startNs: m.fromNs, endNs: m.toNs };
  const est = estimate(periods, m.collector.hits, opts, trace);
  return {
    summary: summarize(periods, est, trace, opts),
    estimate: est,
    irqsInWait: irqsInWait(periods, hitIndex(m.collector.hits)),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function spread(xs: number[]): { median: number; min: number; max: number } | null {
  return xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null;
}

export interface ReportOptions {
  /** Workload processes to report; all traced when absent. */
  tgids?: number[];
  /** NIC queues and their IRQs (read from sysfs by the caller). */
  queues?: readonly QueueIrq[];
  extra?: Record<string, unknown>;
}

export function buildReport(runs: Measurement[], o: ReportOptions = {}) {
  const last = runs[runs.length - 1];
  if (!last) throw new Error('no measurement');
  const pmu = last.window.hello.pmu && last.collector.periods.some((p) => p.cycles !== null);
  const base = snapshotJson(last.window);
  const tgids =
    o.tgids ?? [...new Set(runs.flatMap((m) => m.collector.periods.map((p) => p.tgid)))].sort((a, b) => a - b);
  const workloads = tgids.map((tgid) => {
    const per = runs.map((m, i) => workloadRuns(m, tgid, pmu, i + 1));
    const r = per[per.length - 1];
    if (!r) throw new Error('no run');
    const s = r.summary;
    const events = s.events;
    const comm = runs.map((m) => m.collector.comms.get(tgid)).find(Boolean) ?? '';
    const indirect: Partial<
      Record<
        IrqKind,
        {
          value: number;
          lo: number;
          hi: number;
          bound: boolean;
          exposed: number;
          placebo: { value: number; lo: number; hi: number };
          spillover?: { value: number; lo: number; hi: number };
          after?: { value: number; lo: number; hi: number };
          together?: IrqKind[];
        }
      >
    > = {};
    for (const k of IRQ_KINDS) {
      const e = r.estimate.indirectPerIrq[k];
      if (e)
        indirect[k] = {
          value: e.value,
          lo: e.lo,
          hi: e.hi,
          bound: e.bound,
          exposed: e.exposed,
          placebo: { value: e.placebo.value, lo: e.placebo.lo, hi: e.placebo.hi },
          ...(e.spillover ? { spillover: { value: e.spillover.value, lo: e.spillover.lo, hi: e.spillover.hi } } : {}),
          ...(e.after ? { after: { value: e.after.value, lo: e.after.lo, hi: e.after.hi } } : {}),
          ...(e.together ? { together: e.together } : {}),
        };
    }
    const taxes = per.map((x) => x.summary.tax?.value).filter((v): v is number => v !== undefined);
    const periods = runs.map((m) => m.collector.periods.filter((p) => p.tgid === tgid)).flat();
    return {
      tgid,
      comm,
      currency: s.currency,
      busy_ns: s.busy_ns,
      events,
      periods: s.periods,
      clean_periods: s.clean_periods,
      excluded_periods: Object.values(s.excluded).reduce((a, b) => a + b, 0),
      excluded: s.excluded,
      disrupted_periods: s.disrupted_periods,
      irqs_in_busy: s.irqs_in_busy,
      irqs_in_wait: events ? (r.irqsInWait * 1000) / events : 0,
      direct_ns: s.direct_ns,
      direct_share: s.busy_ns ? s.direct_ns / s.busy_ns : 0,
      indirect_ns_per_irq: indirect,
      indirect_ns: s.indirect_ns,
      tax: s.tax,
      // no undisturbed baseline: the tax counts one more interrupt's cost at this rate, not what persists between them
      tax_lower_bound: s.tax !== null && r.estimate.lowerBound === true,
      undisturbed_share: r.estimate.undisturbed ?? null,
      // the host's delivery time: the thread was stopped, no guest handler ran; it is in indirect_ns_per_irq
      delivery_lag_ns: r.estimate.deliveryLagNs ?? {},
      throughput_gain: s.throughput_gain,
      unestimated: s.unestimated,
      ipc: ipcFigures(periods),
      runs: { count: runs.length, with_estimate: taxes.length, tax: spread(taxes) },
      ...(r.estimate.notEnoughData ? { not_enough_data: r.estimate.notEnoughData } : {}),
      ...(s.note ? { note: s.note } : {}),
      warnings: r.estimate.warnings ?? [],
    };
  });
  return {
    schema: REPORT_SCHEMA,
    host: base.host,
    kernel: base.kernel,
    ncpus: base.ncpus,
    pmu: base.pmu,
    currency: pmu ? 'cycles' : 'time',
    currency_note: pmu
      ? 'cycles and instructions from the PMU'
      : 'no PMU: costs are time; indirect time includes interrupt entry/exit and hypervisor exits',
    duration_ns: base.duration_ns,
    cpus: cpuSplit(last.window, last.collector.periods, last.fromNs, last.toNs),
    imbalance: imbalance(last.window),
    nic_queues: queueChains(o.queues ?? [], last.window),
    irqs: base.irqs,
    vectors: base.vectors,
    softirqs: base.softirqs,
    napi: base.napi,
    victims: base.victims.slice(0, 20),
    workloads,
    busy_periods_traced: busyPeriodsTraced(last.window.hello),
    lost_records: base.lost_records,
    lost: base.lost,
    ...o.extra,
  };
}

export type Report = ReturnType<typeof buildReport>;
