// The disruption-attribution estimator. Per clean busy period the outcome is
// its duration minus the handler time inside it ("time"), or its cycles
// ("cycles": the handler's cycles cannot be told apart from the thread's, so
// the figure per interrupt is direct plus indirect). Regressors per kind: the
// interrupts in the first X of the period (not over the whole period: length
// bias) and in lag windows before it, plus the period's ready events. An
// interrupt is placed at its arrival: its handler's start minus the kind's
// delivery lag (delivery-lag.ts; on a VM the host holds the thread ~12 us
// before the guest's handler runs). Huber regression with time fixed effects,
// moving-block bootstrap, and the same pipeline on placebo interrupt times:
// the reported cost is real minus placebo.
//
// The cascade: a hit in the first X lengthens the period by its handler time
// and its indirect cost, and the longer period catches more interrupts, whose
// costs would be charged to the first hit too (by a factor of about 1 + the
// share of busy time interrupts take: 5-10% under disk load). The summary
// charges every interrupt its own cost, so the outcome also has the estimated
// cost of the interrupts after the exposure window subtracted,
// y - sum_K v_K x (hits of K in [start+X, end)), and v is iterated to a fixed
// point. That also removes their noise from y.
//
// Kinds that come together (a device IRQ and the softirq it raises land in the same exposure window
// of nearly the same periods) cannot be told apart: a fit would split one cost into two
// opposite-signed parts. Such kinds are merged into one regressor first, and each gets the same cost
// per interrupt of either, marked `together` (the tax, which charges every interrupt, is unchanged).
import { blockResample, clusterPicks, clusterStarts, percentileInterval, rowsOfPicks } from './bootstrap.js';
import { atArrival, deliveryLags } from './delivery-lag.js';
import { describeExcluded, excludePeriods, type Exclusion } from './exclude.js';
import {
  buildHitIndex,
  exposureMatrix,
  hitCounts,
  placeboIndex,
  rangeCounts,
  type ExposureMatrix,
  type HitIndex,
} from './exposure.js';
import {
  blockEquations,
  demeanWithin,
  fixedEffectBlocks,
  huberFit,
  sumEquations,
  type Design,
  type Fit,
  type NormalEquations,
} from './huber.js';
import { Rng } from './rng.js';
import {
  IRQ_KINDS,
  type BusyPeriod,
  type Estimate,
  type EstimatorOptions,
  type Interval,
  type IrqHit,
  type IrqKind,
  type KindEstimate,
  type TraceSpan,
} from './types.js';

export const DEFAULT_MIN_EXPOSED = 30;
/**
 * Exposure correlation (phi, over clean periods) from which two kinds are estimated as one. High on
 * purpose: a device IRQ whose softirq sometimes falls outside the window (phi 0.89 in the synthetic
 * test, 0.90 for virtio-blk and BLOCK here) is still told apart correctly; only near-identical
 * exposure makes the split arbitrary.
 */
export const TOGETHER_PHI = 0.97;
export const DEFAULT_MIN_PERIODS = 200;
/** Below this share of undisturbed periods the estimate warns that it measures a marginal cost (a lower bound). */
export const FEW_UNDISTURBED = 0.05;

/** From the earliest lag window to the end of the exposure window, in us. */
const lagHorizonUs = (o: EstimatorOptions): number => Math.max(0, ...o.lagWindowsUs.map(([, b]) => b)) + o.exposureUs;
/** Fixed-point iterations of the cascade correction (it contracts by ~the interrupt share of busy time). */
const MAX_CASCADE_ITER = 20;

function checkOptions(o: EstimatorOptions, trace: TraceSpan): void {
  const bad = (what: string): never => {
    throw new RangeError(`attribution: ${what}`);
  };
  if (!(o.exposureUs > 0)) bad(`exposureUs must be > 0 (got ${o.exposureUs})`);
  for (const [a, b] of o.lagWindowsUs) if (!(a >= 0 && b > a)) bad(`lag window [${a}, ${b}] us must have 0 <= a < b`);
  if (!(o.fixedEffectMs >= 0)) bad(`fixedEffectMs must be >= 0 (got ${o.fixedEffectMs})`);
  if (!(Number.isInteger(o.bootstrap) && o.bootstrap >= 0))
    bad(`bootstrap must be an integer >= 0 (got ${o.bootstrap})`);
  if (!(o.blockLength >= 1)) bad(`blockLength must be >= 1 (got ${o.blockLength})`);
  if (!(o.warmup >= 0)) bad(`warmup must be >= 0 (got ${o.warmup})`);
  if (!(trace.endNs > trace.startNs)) bad(`trace span must end after it starts (${trace.startNs}..${trace.endNs})`);
}

function sumIrqNs(p: BusyPeriod): number {
  let s = 0;
  for (const k of IRQ_KINDS) s += p.irqNs[k];
  return s;
}

function notEnough(opts: EstimatorOptions, clean: number, excluded: Record<string, number>, why: string): Estimate {
  return { currency: opts.currency, indirectPerIrq: {}, periods: clean, excluded, notEnoughData: why };
}

/**
 * One side (real or placebo) ready for regression: the design (intercept, per kind its exposure and
 * lag counts, events), the outcome, and per kind the hits after the exposure window, all with the
 * fixed effects absorbed.
 */
interface Side {
  design: Design;
  y: Float64Array;
  /** Rows x kinds: hits of each estimated kind in [start+X, end). */
  tail: Float64Array;
  /** The fixed-effect block of each row (null without fixed effects): the bootstrap's clusters. */
  clusters: Int32Array | null;
}

/** Fewer fixed-effect blocks than this: too few clusters to resample, moving blocks instead. */
export const MIN_CLUSTERS = 20;
/**
 * IRLS steps per bootstrap replicate, from the full-sample fit (a k-step bootstrap). Three steps give
 * intervals within 0.5% of iterating to convergence (synthetic live-size cases, 100 resamples: widths
 * -0.2..-0.5%), two give 2-3% narrower ones; full iteration takes ~5 steps, so this saves a third.
 */
export const BOOTSTRAP_STEPS = 3;

function buildSide(
  exp: ExposureMatrix,
  kindCols: readonly number[],
  events: Float64Array,
  y: Float64Array,
  tail: Float64Array,
  blocks: Int32Array | null,
): Side {
  const n = exp.rows;
  const w = exp.windows;
  const nk = kindCols.length;
  const p = 2 + nk * w;
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    X[o] = 1;
    kindCols.forEach((k, j) => {
      for (let t = 0; t < w; t++) X[o + 1 + j * w + t] = exp.counts[i * exp.stride + k * w + t] ?? 0;
    });
    X[o + p - 1] = events[i] ?? 0;
  }
  if (blocks === null) return { design: { X, y, n, p }, y, tail, clusters: null };
  // Fixed effects absorbed by demeaning y and X within blocks once, then Huber IRLS on the demeaned rows (exact for least squares, the usual approximation for Huber).
  const dm = demeanWithin({ X, y, n, p }, blocks);
  const d = dm.design;
  // the tail counts are subtracted from y with weights, so they are demeaned like y (demeaning is linear)
  const t = demeanWithin({ X: tail, y, n, p: nk }, blocks, []).design;
  const clusters = Int32Array.from(dm.from, (i) => blocks[i] ?? 0);
  return { design: d, y: d.y, tail: t.X, clusters };
}

/** Column of kind j's exposure count in the design. */
const exposureCol = (j: number, windows: number): number => 1 + j * windows;

/**
 * Huber fit of y - tail . v on the design, with v (one cost per kind) iterated to the fit's own
 * exposure coefficients when `cascade` is set. Returns the first fit (v = 0) too.
 */
function fitSide(
  s: Side,
  nk: number,
  windows: number,
  cascade: boolean,
): { fit: Fit; first: Fit; y: Float64Array; converged: boolean } {
  const first = huberFit(s.design);
  if (!cascade) return { fit: first, first, y: s.y, converged: true };
  const n = s.design.n;
  let fit = first;
  let y = s.y;
  // v: the costs subtracted for the fit; g: that fit's exposure coefficients. Fixed point v = g(v).
  // g is close to linear with a small slope, so each kind takes a secant step (from the last two fits)
  // rather than v = g(v): two or three fits instead of eight.
  const v = new Float64Array(nk);
  const vPrev = new Float64Array(nk);
  const gPrev = new Float64Array(nk);
  for (let iter = 0; iter < MAX_CASCADE_ITER; iter++) {
    let move = 0;
    for (let j = 0; j < nk; j++) {
      const raw = fit.beta[exposureCol(j, windows)] ?? NaN;
      const g = Number.isFinite(raw) ? raw : 0;
      const vj = v[j] ?? 0;
      move = Math.max(move, Math.abs(g - vj));
      let slope = iter > 0 && vj !== (vPrev[j] ?? 0) ? (g - (gPrev[j] ?? 0)) / (vj - (vPrev[j] ?? 0)) : 0;
      // g falls as v rises (more subtracted, less left to fit): any falling slope is a stable secant step, even one
      // steeper than -1 where plain iteration runs away; a rising one near 1 would divide by ~0: plain iteration
      if (!(slope < 0.9)) slope = 0;
      vPrev[j] = vj;
      gPrev[j] = g;
      v[j] = vj + (g - vj) / (1 - slope);
    }
    if (iter > 0 && move <= 1e-6 * Math.max(fit.scale, 1)) return { fit, first, y, converged: true };
    y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let j = 0; j < nk; j++) c += (s.tail[i * nk + j] ?? 0) * (v[j] ?? 0);
      y[i] = (s.y[i] ?? 0) - c;
    }
    fit = huberFit({ ...s.design, y }, { init: fit.beta });
  }
  // no fixed point within reach (interrupts after the window track those in it one for one or more, e.g. a
  // periodic source): the iterates run away, so the uncorrected fit stands, with its known upward bias
  return { fit: first, first, y: s.y, converged: false };
}

/**
 * Indirect cost per interrupt, per kind, from busy periods and interrupt records. Pure and
 * deterministic: the same input and seed give the same output.
 */
export function estimate(
  periods: readonly BusyPeriod[],
  hits: readonly IrqHit[],
  opts: EstimatorOptions,
  trace: TraceSpan,
): Estimate {
  checkOptions(opts, trace);
  const excl = excludePeriods(periods, opts, trace.startNs, trace.endNs);
  // the windows count interrupts by when they reached the thread, not when their handler started
  const lags =
    (opts.deliveryLag ?? true)
      ? deliveryLags(
          excl.clean.flatMap((i) => periods[i] ?? []),
          hits.filter((h) => h.tsNs >= trace.startNs && h.tsNs < trace.endNs),
        )
      : {};
  const withLags = (e: Estimate): Estimate => (Object.keys(lags).length ? { ...e, deliveryLagNs: lags } : e);
  const arrived = atArrival(hits, lags);
  const first = estimateKinds(periods, excl, arrived, opts, trace, null);
  if (!('merge' in first)) return withLags(first);
  // estimate again with the kinds of each group counted as one (its first kind stands for it)
  const rep = new Map<IrqKind, IrqKind>();
  for (const g of first.merge.groups) for (const k of g) rep.set(k, g[0] ?? k);
  const merged = arrived.map((h) => {
    const r = rep.get(h.kind);
    return r === undefined || r === h.kind ? h : { ...h, kind: r };
  });
  const est = estimateKinds(periods, excl, merged, opts, trace, first.merge.warnings);
  if ('merge' in est) throw new Error('attribution: kinds merged twice'); // cannot happen: merging is off the second time
  for (const g of first.merge.groups) {
    const e = est.indirectPerIrq[g[0] ?? 'device'];
    if (!e) continue;
    for (const k of g) est.indirectPerIrq[k] = { ...e, together: [...g] };
  }
  return withLags(est);
}

/** Kinds whose exposure indicators correlate at TOGETHER_PHI or more, as groups (union of pairs), and a warning per group. */
function togetherGroups(
  kinds: readonly IrqKind[],
  exposedRow: (k: number, i: number) => boolean,
  n: number,
): { groups: IrqKind[][]; warnings: string[] } {
  const parent = kinds.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i] ?? i)));
  const phis: { a: IrqKind; text: string }[] = [];
  for (let a = 0; a < kinds.length; a++)
    for (let b = a + 1; b < kinds.length; b++) {
      let n11 = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < n; i++) {
        const xa = exposedRow(a, i);
        const xb = exposedRow(b, i);
        if (xa) na++;
        if (xb) nb++;
        if (xa && xb) n11++;
      }
      const den = Math.sqrt(na * (n - na) * nb * (n - nb));
      const phi = den > 0 ? (n * n11 - na * nb) / den : 0;
      if (phi >= TOGETHER_PHI) {
        parent[root(b)] = root(a);
        phis.push({ a: kinds[a] ?? 'device', text: `${kinds[a] ?? '?'}+${kinds[b] ?? '?'} ${phi.toFixed(2)}` });
      }
    }
  const byRoot = new Map<number, IrqKind[]>();
  kinds.forEach((k, i) => byRoot.set(root(i), [...(byRoot.get(root(i)) ?? []), k]));
  const groups = [...byRoot.values()].filter((g) => g.length > 1);
  const warnings = groups.map(
    (g) =>
      `${g.join(' and ')} come together (exposure correlation ${phis
        .filter((p) => g.includes(p.a))
        .map((p) => p.text)
        .join(', ')}): they cannot be told apart, so one cost ` +
      'per interrupt of either is estimated and given to each (their sum is what the data shows)',
  );
  return { groups, warnings };
}

function estimateKinds(
  periods: readonly BusyPeriod[],
  excl: Exclusion,
  hits: readonly IrqHit[],
  opts: EstimatorOptions,
  trace: TraceSpan,
  mergedWarnings: string[] | null,
): Estimate | { merge: { groups: IrqKind[][]; warnings: string[] } } {
  const minExposed = opts.minExposed ?? DEFAULT_MIN_EXPOSED;
  const minPeriods = opts.minPeriods ?? DEFAULT_MIN_PERIODS;
  const cascade = opts.cascadeCorrection ?? true;
  const warnings: string[] = [...(mergedWarnings ?? [])];

  /* ---- clean periods, in start order ---- */
  const excluded: Record<string, number> = { ...excl.excluded };
  const clean = excl.clean
    .map((i) => ({ i, p: periods[i] }))
    .filter((e): e is { i: number; p: BusyPeriod } => e.p !== undefined)
    .sort((a, b) => a.p.startNs - b.p.startNs || a.p.cpuStart - b.p.cpuStart || a.i - b.i)
    .map((e) => e.p);
  const n = clean.length;
  const xs = `${opts.exposureUs} us`;
  if (n < minPeriods) {
    return notEnough(
      opts,
      n,
      excluded,
      `only ${n} clean periods of ${periods.length} (need ${minPeriods}); excluded: ${describeExcluded(excluded)}`,
    );
  }
  const shortShare = excl.excluded.short / Math.max(periods.length, 1);
  if (shortShare > 0.01) {
    warnings.push(
      `${excl.excluded.short} periods (${(shortShare * 100).toFixed(1)}%) were shorter than the ${xs} exposure window and left out; ` +
        'interrupts lengthen periods, so this keeps hit periods more often than unhit ones: choose exposureUs below the shortest period',
    );
  }

  /* ---- outcome ---- */
  const y = new Float64Array(n);
  if (opts.currency === 'cycles') {
    const missing = clean.filter((p) => p.cycles === null).length;
    if (missing > 0) {
      return notEnough(
        opts,
        n,
        excluded,
        `currency 'cycles' needs PMU cycles on every period; ${missing} of ${n} clean periods have none`,
      );
    }
    clean.forEach((p, i) => (y[i] = p.cycles ?? 0));
  } else {
    clean.forEach((p, i) => (y[i] = p.endNs - p.startNs - sumIrqNs(p)));
  }
  const events = Float64Array.from(clean, (p) => p.events);
  const starts = Float64Array.from(clean, (p) => p.startNs);
  const ends = Float64Array.from(clean, (p) => p.endNs);
  const cpus = Int32Array.from(clean, (p) => p.cpuStart);

  /* ---- exposure: which kinds have enough ---- */
  const inTrace = hits.filter((h) => h.tsNs >= trace.startNs && h.tsNs < trace.endNs);
  const index: HitIndex = buildHitIndex(inTrace);
  const traced = hitCounts(index);
  const present = IRQ_KINDS.filter((k) => traced[k] > 0);
  const exposureNs = opts.exposureUs * 1000;
  const lagsNs = opts.lagWindowsUs.map(([a, b]) => [a * 1000, b * 1000] as const);
  const real = exposureMatrix(index, present, cpus, starts, exposureNs, lagsNs);
  let quiet = 0;
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let c = 0; c < present.length * real.windows && !any; c++) any = (real.counts[i * real.stride + c] ?? 0) > 0;
    if (!any) quiet++;
  }
  const undisturbed = n ? quiet / n : 0;
  const exposed = present.map((_, k) => {
    let c = 0;
    for (let i = 0; i < n; i++) if ((real.counts[i * real.stride + k * real.windows] ?? 0) > 0) c++;
    return c;
  });
  const kindCols: number[] = [];
  present.forEach((kind, k) => {
    const e = exposed[k] ?? 0;
    if (e >= minExposed) kindCols.push(k);
    else warnings.push(`${kind}: ${e} clean periods exposed in their first ${xs} (need ${minExposed}); no estimate`);
  });
  if (kindCols.length === 0) {
    const seen = present.map((k, j) => `${k} ${exposed[j] ?? 0}`).join(', ');
    return notEnough(
      opts,
      n,
      excluded,
      `no interrupt kind hit the first ${xs} of at least ${minExposed} of the ${n} clean periods ` +
        `(${present.length ? `exposed periods: ${seen}` : 'no interrupts traced'}); excluded: ${describeExcluded(excluded)}`,
    );
  }
  const kinds = kindCols.map((k) => present[k]).filter((k): k is IrqKind => k !== undefined);
  if (mergedWarnings === null && kinds.length > 1) {
    const together = togetherGroups(
      kinds,
      (j, i) => (real.counts[i * real.stride + (kindCols[j] ?? 0) * real.windows] ?? 0) > 0,
      n,
    );
    if (together.groups.length) return { merge: together };
  }
  const nk = kinds.length;
  const w = real.windows;

  /* ---- real and placebo sides: the identical pipeline ---- */
  const pIndex = placeboIndex(index, trace.startNs, trace.endNs, Rng.stream(opts.seed, 'placebo'));
  const placebo = exposureMatrix(pIndex, present, cpus, starts, exposureNs, lagsNs);
  const afterX = starts.map((s) => s + exposureNs);
  const blocks = opts.fixedEffectMs > 0 ? fixedEffectBlocks(starts, trace.startNs, opts.fixedEffectMs * 1e6) : null;
  const sideR = buildSide(real, kindCols, events, y, rangeCounts(index, kinds, cpus, afterX, ends), blocks);
  const sideP = buildSide(placebo, kindCols, events, y, rangeCounts(pIndex, kinds, cpus, afterX, ends), blocks);
  if (sideR.design.n < minPeriods) {
    return notEnough(
      opts,
      n,
      excluded,
      `only ${sideR.design.n} of the ${n} clean periods share a ${opts.fixedEffectMs} ms fixed-effect block with another (need ${minPeriods})`,
    );
  }
  const fr = fitSide(sideR, nk, w, cascade);
  const fp = fitSide(sideP, nk, w, cascade);
  if (!fr.fit.converged || !fp.fit.converged) warnings.push('Huber IRLS did not converge on the full sample');
  if (!fr.converged)
    warnings.push(
      `the cascade correction did not settle in ${MAX_CASCADE_ITER} iterations: the costs are the uncorrected fit's, ` +
        'which also carry part of the cost of the interrupts that follow in the same period (read them as high)',
    );
  else if (!fp.converged)
    warnings.push(
      `the placebo side's cascade correction did not settle in ${MAX_CASCADE_ITER} iterations: its uncorrected fit is subtracted instead`,
    );

  /* ---- paired bootstrap: the same resampled rows for real and placebo, the cascade costs held at the full-sample values;
     whole fixed-effect blocks when there are enough of them, else moving blocks of blockLength rows ---- */
  const rng = Rng.stream(opts.seed, 'bootstrap');
  const byClusters = (opts.resample ?? 'clusters') === 'clusters' ? sideR.clusters : null;
  const clusterRuns = byClusters ? clusterStarts(byClusters) : null;
  const nClusters = clusterRuns ? clusterRuns.length - 1 : 0;
  const runs = nClusters >= MIN_CLUSTERS ? clusterRuns : null;
  if (byClusters && !runs && opts.bootstrap > 0)
    warnings.push(
      `only ${nClusters} fixed-effect blocks of ${opts.fixedEffectMs} ms (need ${MIN_CLUSTERS} to resample them): ` +
        `the intervals come from ${opts.blockLength}-period blocks and miss drifts over longer spans, so read them as too narrow`,
    );
  const dR: Design = { ...sideR.design, y: fr.y };
  const dP: Design = { ...sideP.design, y: fp.y };
  const bootR: Fit[] = [];
  const bootP: Fit[] = [];
  // whole blocks: each block's normal equations once, summed per resample
  const eqs = runs && opts.bootstrap > 0 ? { R: blockEquations(dR, runs), P: blockEquations(dP, runs) } : null;
  // warm start from the full sample, at most BOOTSTRAP_STEPS steps; tol 1e-4 of the residual scale is far below the spread
  const steps = { tol: 1e-4, maxIter: BOOTSTRAP_STEPS };
  const base = (eq: NormalEquations[] | undefined, picks: Int32Array | null, p: number) =>
    eq && picks ? { base: sumEquations(eq, picks, p) } : {};
  for (let b = 0; b < opts.bootstrap; b++) {
    const picks = runs ? clusterPicks(runs, rng) : null;
    const rows = runs && picks ? rowsOfPicks(runs, picks) : blockResample(dR.n, opts.blockLength, rng);
    bootR.push(huberFit(dR, { rows, init: fr.fit.beta, ...steps, ...base(eqs?.R, picks, dR.p) }));
    bootP.push(huberFit(dP, { rows, init: fp.fit.beta, ...steps, ...base(eqs?.P, picks, dP.p) }));
  }

  /* ---- per kind: exposure coefficient and lag sum, real minus placebo ---- */
  const coef = (f: Fit, j: number): number => f.beta[exposureCol(j, w)] ?? NaN;
  const lagSum = (f: Fit, j: number): number => {
    let s = 0;
    for (let t = 1; t < w; t++) s += f.beta[exposureCol(j, w) + t] ?? NaN;
    return s;
  };
  const paired = (g: (f: Fit, j: number) => number, j: number): number[] =>
    bootR.map((r, b) => {
      const p = bootP[b];
      return p === undefined ? NaN : g(r, j) - g(p, j);
    });
  /* ---- after-effects: lag windows past the first (the first abuts the start and holds the late hits of the
     period before, which the cascade already charged), each coefficient times the periods an interrupt
     precedes in that window, per interrupt inside a period ---- */
  const inSpan = periods
    .filter((p) => p.startNs >= trace.startNs && p.startNs < trace.endNs)
    .sort((a, b) => a.startNs - b.startNs);
  const allCpus = Int32Array.from(inSpan, (p) => p.cpuStart);
  const allStarts = Float64Array.from(inSpan, (p) => p.startNs);
  const lagAll = exposureMatrix(index, present, allCpus, allStarts, exposureNs, lagsNs);
  const inAll = rangeCounts(
    index,
    present,
    allCpus,
    allStarts,
    Float64Array.from(inSpan, (p) => p.endNs),
  );
  const afterWeights = kinds.map((_, j) => {
    const kc = kindCols[j] ?? 0;
    let inside = 0;
    for (let r = 0; r < inSpan.length; r++) inside += inAll[r * present.length + kc] ?? 0;
    const wts = new Float64Array(w);
    for (let t = 2; t < w; t++) {
      let s = 0;
      for (let r = 0; r < inSpan.length; r++) s += lagAll.counts[r * lagAll.stride + kc * w + t] ?? 0;
      wts[t] = inside > 0 ? s / inside : 0;
    }
    return wts;
  });
  const after = (f: Fit, j: number): number => {
    let s = 0;
    const wts = afterWeights[j];
    for (let t = 2; t < w; t++) s += (f.beta[exposureCol(j, w) + t] ?? NaN) * (wts?.[t] ?? 0);
    return s;
  };
  const total = (f: Fit, j: number): number => coef(f, j) + after(f, j);
  const indirectPerIrq: Partial<Record<IrqKind, KindEstimate>> = {};
  const withAfter = (opts.afterEffects ?? false) && w > 2;
  kinds.forEach((k, j) => {
    const est: KindEstimate = {
      ...(withAfter
        ? percentileInterval(total(fr.fit, j) - total(fp.fit, j), paired(total, j))
        : percentileInterval(coef(fr.fit, j) - coef(fp.fit, j), paired(coef, j))),
      exposed: exposed[kindCols[j] ?? 0] ?? 0,
      placebo: percentileInterval(
        coef(fp.fit, j),
        bootP.map((f) => coef(f, j)),
      ),
      uncorrected: coef(fr.first, j) - coef(fp.first, j),
    };
    if (w > 1) est.spillover = percentileInterval(lagSum(fr.fit, j) - lagSum(fp.fit, j), paired(lagSum, j));
    if (w > 2) est.after = percentileInterval(after(fr.fit, j) - after(fp.fit, j), paired(after, j));
    indirectPerIrq[k] = est;
    // an interrupt does not speed its victim up: a cost below zero with certainty means the fit split
    // one cost between kinds that come together (a device IRQ and the softirq it raises), not a gain
    if (est.hi < 0) {
      warnings.push(
        `${k}: indirect cost ${Math.round(est.value)} [${Math.round(est.lo)}, ${Math.round(est.hi)}] per interrupt is below zero with certainty: ` +
          'kinds that nearly always come together cannot be told apart; read their sum, not the parts',
      );
    }
  });
  const lowerBound = undisturbed < FEW_UNDISTURBED;
  if (lowerBound)
    warnings.push(
      `only ${(undisturbed * 100).toFixed(1)}% of the periods had no interrupt in the ${lagHorizonUs(opts)} us around their start: ` +
        'each cost is that of one more interrupt at this rate; a disturbance that persists from one interrupt to the next ' +
        '(a cache that never refills) is in every period alike and not counted, so read the tax as a lower bound',
    );
  const out: Estimate = {
    currency: opts.currency,
    indirectPerIrq,
    periods: n,
    excluded,
    undisturbed,
    ...(lowerBound ? { lowerBound: true as const } : {}),
  };
  if (warnings.length) out.warnings = warnings;
  return out;
}

/** An interval with `bound` set from lo and hi (for sums of intervals). */
export function withBound(value: number, lo: number, hi: number): Interval {
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}
