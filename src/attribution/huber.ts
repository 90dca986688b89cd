// Robust linear regression: Huber loss fitted by iteratively reweighted least
// squares with a MAD scale (k = 1.345, 95% efficiency under normal errors),
// time fixed effects absorbed by demeaning, a small dense Cholesky solver that
// drops collinear columns. Period times are heavy-tailed (a slow 5 ms slot, a
// page fault): least squares would let a few of them set every coefficient.
import { medianInPlace } from './stats.js';

export const HUBER_K = 1.345;
/** MAD of a standard normal; MAD / this estimates sigma. */
const MAD_NORMAL = 0.6744897501960817;

/** Rows of a regression: X row-major n x p, y of length n. */
export interface Design {
  X: Float64Array;
  y: Float64Array;
  n: number;
  p: number;
}

/**
 * Solve A x = b for a symmetric positive semi-definite p x p matrix A (row-major) by Cholesky.
 * A column that is (numerically) a combination of earlier ones is dropped: its x is 0 and its
 * `dropped` flag set, and the rest is solved without it.
 */
export function solveSpd(A: Float64Array, b: Float64Array, p: number): { x: Float64Array; dropped: boolean[] } {
  const L = new Float64Array(p * p);
  const dropped: boolean[] = new Array<boolean>(p).fill(false);
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j] ?? 0;
    for (let k = 0; k < j; k++) d -= (L[j * p + k] ?? 0) ** 2;
    const ajj = A[j * p + j] ?? 0;
    if (!(ajj > 0) || !(d > 1e-10 * ajj)) {
      dropped[j] = true; // column j of L stays 0
      continue;
    }
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (L[i * p + k] ?? 0) * (L[j * p + k] ?? 0);
      L[i * p + j] = s / ljj;
    }
  }
  // forward: L z = b, then back: L' x = z, skipping dropped columns
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    if (dropped[i]) continue;
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (L[i * p + k] ?? 0) * (z[k] ?? 0);
    z[i] = s / (L[i * p + i] ?? 1);
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    if (dropped[i]) continue;
    let s = z[i] ?? 0;
    for (let k = i + 1; k < p; k++) s -= (L[k * p + i] ?? 0) * (x[k] ?? 0);
    x[i] = s / (L[i * p + i] ?? 1);
  }
  return { x, dropped };
}

/** Identity row list 0..n-1. */
function allRows(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

/** Normal equations X'WX, X'Wy over the given rows: all weights 1 (w = null), or only rows with w < 1 as (w - 1) corrections. */
function accumulate(d: Design, rows: Int32Array, w: Float64Array | null, A: Float64Array, b: Float64Array): void {
  const { X, y, p } = d;
  for (let j = 0; j < rows.length; j++) {
    let wi = 1;
    if (w !== null) {
      wi = (w[j] ?? 1) - 1;
      if (wi === 0) continue;
    }
    const o = (rows[j] ?? 0) * p;
    const yi = (y[rows[j] ?? 0] ?? 0) * wi;
    for (let a = 0; a < p; a++) {
      const xa = X[o + a] ?? 0;
      if (xa === 0) continue;
      b[a] = (b[a] ?? 0) + xa * yi;
      const xaw = xa * wi;
      const ap = a * p;
      for (let c = a; c < p; c++) A[ap + c] = (A[ap + c] ?? 0) + xaw * (X[o + c] ?? 0);
    }
  }
}

/**
 * Weighted least squares over `rows`. Most Huber weights are 1, so the unweighted X'X and X'y
 * (`base`) are computed once per fit and each iteration only adds (w - 1) x x' for down-weighted rows.
 */
function weightedSolve(
  d: Design,
  rows: Int32Array,
  w: Float64Array | null,
  base: { A: Float64Array; b: Float64Array },
): { beta: Float64Array; dropped: boolean[] } {
  const p = d.p;
  const A = Float64Array.from(base.A);
  const b = Float64Array.from(base.b);
  if (w !== null) accumulate(d, rows, w, A, b);
  for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) A[a * p + c] = A[c * p + a] ?? 0;
  const { x, dropped } = solveSpd(A, b, p);
  return { beta: x, dropped };
}

/** Unweighted normal equations X'X (upper triangle, row-major p x p) and X'y over some rows. */
export interface NormalEquations {
  A: Float64Array;
  b: Float64Array;
}

function baseEquations(d: Design, rows: Int32Array): NormalEquations {
  const A = new Float64Array(d.p * d.p);
  const b = new Float64Array(d.p);
  accumulate(d, rows, null, A, b);
  return { A, b };
}

/** The normal equations of each block of consecutive rows [starts[i], starts[i + 1]). */
export function blockEquations(d: Design, starts: readonly number[]): NormalEquations[] {
  const out: NormalEquations[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const from = starts[i] ?? 0;
    const rows = new Int32Array((starts[i + 1] ?? from) - from);
    for (let j = 0; j < rows.length; j++) rows[j] = from + j;
    out.push(baseEquations(d, rows));
  }
  return out;
}

/**
 * The normal equations of a resample of whole blocks (`picks`: block indices, repeats allowed): the
 * sum of the picked blocks' equations, so a bootstrap fit costs blocks x p^2 here instead of rows x p^2.
 */
export function sumEquations(blocks: readonly NormalEquations[], picks: Int32Array, p: number): NormalEquations {
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (const k of picks) {
    const e = blocks[k];
    if (!e) continue;
    for (let i = 0; i < A.length; i++) A[i] = (A[i] ?? 0) + (e.A[i] ?? 0);
    for (let i = 0; i < p; i++) b[i] = (b[i] ?? 0) + (e.b[i] ?? 0);
  }
  return { A, b };
}

export interface Fit {
  /** Coefficients in column order; NaN for a dropped (collinear or all-zero) column. */
  beta: Float64Array;
  /** Robust residual scale (MAD / 0.6745) at the end; NaN for least squares. */
  scale: number;
  iterations: number;
  converged: boolean;
}

/** Ordinary least squares over `rows` (default all; repeats allowed, as in a bootstrap resample). */
export function olsFit(d: Design, rows?: Int32Array): Fit {
  const r = rows ?? allRows(d.n);
  const { beta, dropped } = weightedSolve(d, r, null, baseEquations(d, r));
  dropped.forEach((dr, j) => {
    if (dr) beta[j] = NaN;
  });
  return { beta, scale: NaN, iterations: 1, converged: true };
}

export interface HuberOptions {
  /** Tuning constant in units of the scale (default 1.345). */
  k?: number;
  maxIter?: number;
  /** Stop when no fitted value moves by more than tol x scale (default 1e-5). */
  tol?: number;
  /** Rows to fit (default all; repeats allowed). */
  rows?: Int32Array;
  /** Starting coefficients (default least squares); NaN entries start at 0. */
  init?: Float64Array;
  /** The unweighted normal equations over `rows`, when the caller has them (sumEquations). */
  base?: NormalEquations;
}

/**
 * Huber M-estimate by IRLS: residuals r, scale s = MAD(r) / 0.6745, weights min(1, k s / |r|),
 * weighted least squares, until the coefficients settle.
 */
export function huberFit(d: Design, opts: HuberOptions = {}): Fit {
  const { X, y, p } = d;
  const k = opts.k ?? HUBER_K;
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-5;
  const rows = opts.rows ?? allRows(d.n);
  const m = rows.length;
  const eq = opts.base ?? baseEquations(d, rows);
  let beta: Float64Array;
  let dropped: boolean[];
  if (opts.init !== undefined) {
    beta = opts.init.map((v) => (Number.isNaN(v) ? 0 : v));
    dropped = new Array<boolean>(p).fill(false);
  } else {
    ({ beta, dropped } = weightedSolve(d, rows, null, eq));
  }
  // column RMS: turns a coefficient change into a change of fitted values (X'X's diagonal holds the squares)
  const colRms = new Float64Array(p);
  for (let a = 0; a < p; a++) colRms[a] = Math.sqrt(Math.max(0, eq.A[a * p + a] ?? 0) / Math.max(m, 1));
  const r = new Float64Array(m);
  const tmp = new Float64Array(m);
  const w = new Float64Array(m);
  let scale = NaN;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    for (let j = 0; j < m; j++) {
      const o = (rows[j] ?? 0) * p;
      let f = 0;
      for (let a = 0; a < p; a++) f += (X[o + a] ?? 0) * (beta[a] ?? 0);
      r[j] = (y[rows[j] ?? 0] ?? 0) - f;
    }
    tmp.set(r);
    const med = medianInPlace(tmp, m);
    for (let j = 0; j < m; j++) tmp[j] = Math.abs((r[j] ?? 0) - med);
    scale = medianInPlace(tmp, m) / MAD_NORMAL;
    if (!(scale > 0)) {
      // more than half the residuals equal: fall back to the mean absolute deviation
      let s = 0;
      for (let j = 0; j < m; j++) s += Math.abs((r[j] ?? 0) - med);
      scale = (s / Math.max(m, 1)) * 1.2533141373155003;
    }
    if (!(scale > 0)) {
      converged = true; // exact fit
      break;
    }
    const c = k * scale;
    for (let j = 0; j < m; j++) {
      const ar = Math.abs(r[j] ?? 0);
      w[j] = ar <= c ? 1 : c / ar;
    }
    const next = weightedSolve(d, rows, w, eq);
    let move = 0;
    for (let a = 0; a < p; a++)
      move = Math.max(move, Math.abs((next.beta[a] ?? 0) - (beta[a] ?? 0)) * (colRms[a] ?? 0));
    beta = next.beta;
    dropped = next.dropped;
    if (move <= tol * scale) {
      converged = true;
      break;
    }
  }
  dropped.forEach((dr, j) => {
    if (dr) beta[j] = NaN;
  });
  return { beta, scale, iterations, converged };
}

/**
 * Fixed-effect block of each row: floor((start - t0) / blockNs). blockNs <= 0: one block.
 */
export function fixedEffectBlocks(starts: ArrayLike<number>, t0: number, blockNs: number): Int32Array {
  const out = new Int32Array(starts.length);
  if (!(blockNs > 0)) return out;
  for (let i = 0; i < starts.length; i++) out[i] = Math.floor(((starts[i] ?? 0) - t0) / blockNs);
  return out;
}

/**
 * Absorb block fixed effects: subtract each block's mean from y and from every column except those in
 * `keep` (the intercept). Rows alone in their block carry no information and are dropped. Returns the
 * demeaned design and, per output row, the input row it came from.
 */
export function demeanWithin(
  d: Design,
  blocks: Int32Array,
  keep: readonly number[] = [0],
): { design: Design; from: Int32Array } {
  const { X, y, n, p } = d;
  const ids = new Map<number, number>();
  const slot = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = blocks[i] ?? 0;
    let s = ids.get(b);
    if (s === undefined) {
      s = ids.size;
      ids.set(b, s);
    }
    slot[i] = s;
  }
  const nb = ids.size;
  const cnt = new Float64Array(nb);
  const sy = new Float64Array(nb);
  const sx = new Float64Array(nb * p);
  for (let i = 0; i < n; i++) {
    const s = slot[i] ?? 0;
    cnt[s] = (cnt[s] ?? 0) + 1;
    sy[s] = (sy[s] ?? 0) + (y[i] ?? 0);
    for (let a = 0; a < p; a++) sx[s * p + a] = (sx[s * p + a] ?? 0) + (X[i * p + a] ?? 0);
  }
  const kept = new Set(keep);
  const fromList: number[] = [];
  for (let i = 0; i < n; i++) if ((cnt[slot[i] ?? 0] ?? 0) > 1) fromList.push(i);
  const m = fromList.length;
  const X2 = new Float64Array(m * p);
  const y2 = new Float64Array(m);
  fromList.forEach((i, r) => {
    const s = slot[i] ?? 0;
    const c = cnt[s] ?? 1;
    y2[r] = (y[i] ?? 0) - (sy[s] ?? 0) / c;
    for (let a = 0; a < p; a++) {
      const v = X[i * p + a] ?? 0;
      X2[r * p + a] = kept.has(a) ? v : v - (sx[s * p + a] ?? 0) / c;
    }
  });
  return { design: { X: X2, y: y2, n: m, p }, from: Int32Array.from(fromList) };
}
