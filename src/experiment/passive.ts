// The passive estimate of one condition's phases: the report's attribution
// estimator over the busy periods and interrupts that fell in them. It takes
// tens of seconds on a long run, so it runs in a worker thread
// (passive-worker.ts): the main thread stays free for Ctrl-C and progress.
import { Worker } from 'node:worker_threads';
import { estimate } from '../attribution/estimate.js';
import { busyFigures, gainOf, priceInterrupts, summarize, type BusyFigures } from '../attribution/summary.js';
import type { BusyPeriod, Interval, IrqHit, IrqKind } from '../attribution/types.js';
import { PeriodCollector } from '../reduce/periods.js';
import { slowdownOf } from './stats.js';
import type { Window } from '../reduce/totals.js';
import { buildReport, estimatorOptions } from '../report/cost-report.js';

export interface PassiveInput {
  window: Window;
  periods: BusyPeriod[];
  hits: IrqHit[];
  comms: [number, string][];
  stealKnown: boolean;
  fromNs: number;
  toNs: number;
  /** This condition's phases: each also gets an estimate of its own (phaseTaxes). */
  phases: { pair: number; fromNs: number; toNs: number }[];
}

/** One phase's tax (a point, no bootstrap; null without an estimate) and what its periods hold. */
export interface PhaseTax {
  pair: number;
  tax: number | null;
  figures: BusyFigures;
}

export interface PassiveEstimate {
  tax: Interval | null;
  gain: Interval | null;
  note: string | null;
  lower_bound: boolean;
  /** 'own': from this condition's estimate; 'b_costs': its interrupts priced at B's costs (see priceWithB). */
  tax_from: 'own' | 'b_costs' | null;
  /** The tax (a point) with each interrupt also charged its after-effect on later periods (`after` in the report). */
  tax_with_after?: number | null;
}

/** The estimate with what it takes to price one condition's interrupts at the other's costs per interrupt. */
export interface PassiveResult {
  estimate: PassiveEstimate;
  /** The chosen workload's busy periods (null without one). */
  figures: BusyFigures | null;
  perIrq: Partial<Record<IrqKind, Interval>>;
  currency: 'time' | 'cycles';
  phases: PhaseTax[];
}

/** The estimate for the workload that served the most events. */
export function passiveEstimate(input: PassiveInput): PassiveResult {
  const col = PeriodCollector.of(input);
  const report = buildReport([
    { window: input.window, collector: col, fromNs: input.fromNs, toNs: input.toNs, warnings: [] },
  ]);
  const w = report.workloads.reduce<(typeof report.workloads)[number] | undefined>(
    (best, x) => (!best || x.events > best.events ? x : best),
    undefined,
  );
  if (!w)
    return {
      estimate: { tax: null, gain: null, note: 'no busy periods', lower_bound: false, tax_from: null },
      figures: null,
      perIrq: {},
      currency: report.currency === 'cycles' ? 'cycles' : 'time',
      phases: [],
    };
  const perIrq: Partial<Record<IrqKind, Interval>> = {};
  for (const [k, e] of Object.entries(w.indirect_ns_per_irq) as [IrqKind, Interval][])
    perIrq[k] = { value: e.value, lo: e.lo, hi: e.hi, bound: e.bound };
  const tax = w.tax ?? null;
  const figures = busyFigures(input.periods.filter((p) => p.tgid === w.tgid));
  return {
    estimate: {
      tax,
      gain: w.throughput_gain ?? null,
      note: w.not_enough_data ?? null,
      lower_bound: w.tax_lower_bound,
      tax_from: tax ? 'own' : null,
      // the tax charges the after-effects (estimatorOptions.afterEffects): the field stays for older readers
      tax_with_after: tax?.value ?? null,
    },
    figures,
    perIrq,
    currency: w.currency,
    phases: phaseTaxes(input, w.tgid, w.currency === 'cycles'),
  };
}

/**
 * Clean periods a phase needs for an estimate of its own (the pooled estimate needs 200). With fewer,
 * one phase's fit swings by tens of points (4 MiB work in ~750 us periods, ~500 clean periods a phase
 * under a disk load: per-pair predictions of 9.5-88.5% on 2026-12-07), so the phase's interrupts
 * are priced at its condition's pooled costs per interrupt instead.
 */
export const PHASE_MIN_PERIODS = 1000;

/**
 * Each phase's own estimate (the pooled pipeline on that phase's periods and interrupts, no
 * bootstrap, no warm-up: the run's settle time is before it; PHASE_MIN_PERIODS clean periods at least): how the tax moves from phase to phase,
 * which the pooled estimate's interval, resampling within the run, does not see.
 */
export function phaseTaxes(
  input: Pick<PassiveInput, 'periods' | 'hits' | 'phases'>,
  tgid: number,
  pmu: boolean,
): PhaseTax[] {
  return input.phases.map((ph) => {
    const periods = input.periods.filter((p) => p.tgid === tgid && p.startNs >= ph.fromNs && p.startNs < ph.toNs);
    const hits = input.hits.filter((h) => h.tsNs >= ph.fromNs && h.tsNs < ph.toNs);
    const figures = busyFigures(periods);
    if (periods.length === 0) return { pair: ph.pair, tax: null, figures };
    const opts = { ...estimatorOptions(periods, pmu), bootstrap: 0, warmup: 0, minPeriods: PHASE_MIN_PERIODS };
    const trace = { startNs: ph.fromNs, endNs: ph.toNs };
    const est = estimate(periods, hits, opts, trace);
    const tax = summarize(periods, est, trace, opts).tax;
    return { pair: ph.pair, tax: tax ? tax.value : null, figures };
  });
}

/**
 * The slowdown the passive estimate predicts for each A/B pair, from the two phases' own taxes, as the
 * measurement takes one slowdown per pair. A phase without an estimate of its own (too few exposed
 * periods in one second) has its interrupts priced at its condition's pooled costs per interrupt (A's
 * at B's when A has none, as priceWithB); a pair neither can price is left out.
 */
export function pairPredictions(
  a: PassiveResult,
  b: PassiveResult,
): { slowdowns: number[]; taxes: { pair: number; a: number; b: number }[]; priced: number } {
  const aCosts = a.estimate.tax && a.estimate.tax_from === 'own' ? a.perIrq : b.perIrq;
  let priced = 0;
  const taxOf = (ph: PhaseTax, costs: Partial<Record<IrqKind, Interval>>, currency: 'time' | 'cycles') => {
    if (ph.tax !== null) return ph.tax;
    if (!Object.keys(costs).length) return null;
    const t = priceInterrupts(ph.figures, costs, currency).tax;
    if (t) priced++;
    return t ? t.value : null;
  };
  const slowdowns: number[] = [];
  const taxes: { pair: number; a: number; b: number }[] = [];
  for (const pa of a.phases) {
    const pb = b.phases.find((x) => x.pair === pa.pair);
    if (!pb || a.currency !== b.currency) continue;
    const ta = taxOf(pa, aCosts, a.currency);
    const tb = taxOf(pb, b.perIrq, b.currency);
    const s = ta === null || tb === null ? NaN : slowdownOf(ta, tb);
    if (Number.isFinite(s) && ta !== null && tb !== null) {
      slowdowns.push(s);
      taxes.push({ pair: pa.pair, a: ta, b: tb });
    }
  }
  return { slowdowns, taxes, priced };
}

/**
 * A's estimate when A's own could not be made because its interrupts were too rare to fit (fewer
 * than the estimator's minimum of exposed periods per kind): the same workload on the same CPU, so
 * each of A's interrupts is charged B's cost per interrupt of its kind (kinds B has no cost for count
 * as 0 indirect cost, as in the report). Rare interrupts make A's tax small either way; leaving it
 * unknown would leave the prediction unknown. Returns A unchanged when it has its own tax or B has no costs.
 */
export function priceWithB(a: PassiveResult, b: PassiveResult): PassiveEstimate {
  if (a.estimate.tax || !a.figures || a.currency !== b.currency || !Object.keys(b.perIrq).length) return a.estimate;
  const p = priceInterrupts(a.figures, b.perIrq, b.currency);
  if (!p.tax) return a.estimate;
  const left = Object.entries(p.unestimated).map(([k, c]) => `${k} ${c}`);
  const why = a.estimate.note ? `its own estimate: ${a.estimate.note}` : 'no estimate of its own';
  return {
    tax: p.tax,
    gain: gainOf(p.tax),
    note:
      `A's interrupts priced at B's cost per interrupt (${why})` +
      (left.length ? `; no cost in B for: ${left.join(', ')} (counted as 0 indirect cost)` : ''),
    // B's costs are marginal ones when B's are: so is A's tax then
    lower_bound: b.estimate.lower_bound,
    tax_from: 'b_costs',
  };
}

/**
 * The share of busy time the condition's interrupts spent in their handlers, as a tax: what stands in
 * for its tax where its interrupts were too rare for any estimate (no kind exposed often enough, e.g. a
 * control arm away from the IRQs), so that steal alone can still be predicted. A lower bound of the
 * tax; null without busy periods or in cycles currency.
 */
export function directShare(r: PassiveResult): Interval | null {
  const f = r.figures;
  if (!f || f.busyNs <= 0 || r.currency !== 'time') return null;
  const v = f.directNs / f.busyNs;
  return { value: v, lo: v, hi: v, bound: false };
}

type Reply = { ok: true; result: PassiveResult } | { ok: false; message: string };

/** passiveEstimate in a worker thread of its own, ended when it answers. */
export function passiveInWorker(input: PassiveInput): Promise<PassiveResult> {
  const w = new Worker(new URL('./passive-worker.js', import.meta.url));
  return new Promise<PassiveResult>((resolve, reject) => {
    w.once('message', (r: Reply) => {
      if (r.ok) resolve(r.result);
      else reject(new Error(r.message));
    });
    w.once('error', reject);
    w.postMessage(input);
  }).finally(() => {
    void w.terminate();
  });
}
