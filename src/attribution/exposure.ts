// Exposure of a period to interrupts: per kind, how many interrupts on the
// period's CPU fall in the first X of the period, [start, start+X), and in
// each lag window before it, [start-b, start-a). Counts over the whole period
// are not used: a slow period is longer and catches more interrupts (length
// bias). Hits are kept sorted per CPU and kind; each window edge is a lower
// bound found by galloping binary search from the previous row's position, so
// rows in start order cost O(log gap) each.
import { IRQ_KINDS, type IrqHit, type IrqKind } from './types.js';
import type { Rng } from './rng.js';

/** Sorted hit times per CPU and kind. */
export type HitIndex = Map<number, Map<IrqKind, Float64Array>>;

export function buildHitIndex(hits: readonly IrqHit[]): HitIndex {
  const tmp = new Map<number, Map<IrqKind, number[]>>();
  for (const h of hits) {
    let byKind = tmp.get(h.cpu);
    if (byKind === undefined) {
      byKind = new Map();
      tmp.set(h.cpu, byKind);
    }
    let arr = byKind.get(h.kind);
    if (arr === undefined) {
      arr = [];
      byKind.set(h.kind, arr);
    }
    arr.push(h.tsNs);
  }
  const index: HitIndex = new Map();
  for (const cpu of [...tmp.keys()].sort((a, b) => a - b)) {
    const byKind = tmp.get(cpu);
    if (byKind === undefined) continue;
    const out = new Map<IrqKind, Float64Array>();
    for (const kind of IRQ_KINDS) {
      const arr = byKind.get(kind);
      if (arr !== undefined) out.set(kind, Float64Array.from(arr).sort());
    }
    index.set(cpu, out);
  }
  return index;
}

/** Hits per kind over all CPUs. */
export function hitCounts(index: HitIndex): Record<IrqKind, number> {
  const out = {} as Record<IrqKind, number>;
  for (const k of IRQ_KINDS) out[k] = 0;
  for (const byKind of index.values()) for (const [k, arr] of byKind) out[k] += arr.length;
  return out;
}

/**
 * Placebo interrupts: the same number per CPU and kind as the real ones, at times drawn uniformly
 * over [traceStartNs, traceEndNs). They have no effect on anything, so any "cost" the pipeline finds
 * for them is an artefact of the method.
 */
export function placeboIndex(index: HitIndex, traceStartNs: number, traceEndNs: number, rng: Rng): HitIndex {
  const span = traceEndNs - traceStartNs;
  const out: HitIndex = new Map();
  for (const [cpu, byKind] of index) {
    const m = new Map<IrqKind, Float64Array>();
    for (const [kind, arr] of byKind) {
      const t = new Float64Array(arr.length);
      for (let i = 0; i < t.length; i++) t[i] = traceStartNs + rng.next() * span;
      m.set(kind, t.sort());
    }
    out.set(cpu, m);
  }
  return out;
}

/** First index i with arr[i] >= x, searching outward from `hint` (galloping), then by bisection. */
export function lowerBound(arr: Float64Array, x: number, hint = 0): number {
  const n = arr.length;
  let lo: number;
  let hi: number;
  const h = Math.min(Math.max(hint, 0), n);
  if (h < n && (arr[h] ?? 0) < x) {
    // answer is after h
    lo = h + 1;
    let step = 1;
    hi = lo;
    while (hi < n && (arr[hi] ?? 0) < x) {
      lo = hi + 1;
      step *= 2;
      hi = lo + step;
    }
    hi = Math.min(hi, n);
  } else {
    // answer is at or before h
    hi = h;
    let step = 1;
    lo = hi - 1;
    while (lo >= 0 && (arr[lo] ?? 0) >= x) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    lo = Math.max(lo + 1, 0);
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ExposureMatrix {
  kinds: IrqKind[];
  /** Windows per kind: the exposure window, then the lag windows in the order given. */
  windows: number;
  /** Columns per row = kinds.length * windows. */
  stride: number;
  /** Row-major counts: row i, kind k, window w at i * stride + k * windows + w. */
  counts: Float64Array;
  rows: number;
}

/**
 * Counts per row (a period given by its CPU and start) of each kind's interrupts in [start, start+X)
 * and in each lag window [start-b, start-a) (lagWindowsNs holds [a, b] pairs, a < b). Rows given in
 * start order are fastest; any order is correct.
 */
export function exposureMatrix(
  index: HitIndex,
  kinds: readonly IrqKind[],
  cpus: ArrayLike<number>,
  starts: ArrayLike<number>,
  exposureNs: number,
  lagWindowsNs: readonly (readonly [number, number])[],
): ExposureMatrix {
  const rows = starts.length;
  const windows = 1 + lagWindowsNs.length;
  const stride = kinds.length * windows;
  const counts = new Float64Array(rows * stride);
  // window w spans [start + lo, start + hi): offsets into a shared list of distinct edges
  const edgeList: number[] = [];
  const edgeOf = (off: number): number => {
    let e = edgeList.indexOf(off);
    if (e < 0) {
      e = edgeList.length;
      edgeList.push(off);
    }
    return e;
  };
  const winLo: number[] = [edgeOf(0)];
  const winHi: number[] = [edgeOf(exposureNs)];
  for (const [a, b] of lagWindowsNs) {
    winLo.push(edgeOf(-b));
    winHi.push(edgeOf(-a));
  }
  const edges = Float64Array.from(edgeList);
  const ne = edges.length;
  const nk = kinds.length;
  // per CPU: the hit arrays in `kinds` order (absent kind = empty) and one search hint per kind and edge
  const empty = new Float64Array(0);
  const perCpu = new Map<number, { arrs: Float64Array[]; hints: Int32Array }>();
  for (const [cpu, byKind] of index) {
    perCpu.set(cpu, { arrs: kinds.map((k) => byKind.get(k) ?? empty), hints: new Int32Array(nk * ne) });
  }
  const pos = new Float64Array(ne);
  for (let i = 0; i < rows; i++) {
    const c = perCpu.get(cpus[i] ?? -1);
    if (c === undefined) continue; // no interrupts on that CPU: all zero
    const start = starts[i] ?? 0;
    const base = i * stride;
    for (let k = 0; k < nk; k++) {
      const arr = c.arrs[k] ?? empty;
      if (arr.length === 0) continue;
      for (let e = 0; e < ne; e++) {
        const hi = k * ne + e;
        const p = lowerBound(arr, start + (edges[e] ?? 0), c.hints[hi] ?? 0);
        c.hints[hi] = p;
        pos[e] = p;
      }
      for (let w = 0; w < windows; w++) {
        counts[base + k * windows + w] = (pos[winHi[w] ?? 0] ?? 0) - (pos[winLo[w] ?? 0] ?? 0);
      }
    }
  }
  return { kinds: [...kinds], windows, stride, counts, rows };
}

/**
 * Per row, per kind: interrupts on the row's CPU in [from, to). Row-major, rows x kinds. Used for the
 * interrupts that hit a period after its exposure window.
 */
export function rangeCounts(
  index: HitIndex,
  kinds: readonly IrqKind[],
  cpus: ArrayLike<number>,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
): Float64Array {
  const rows = from.length;
  const nk = kinds.length;
  const out = new Float64Array(rows * nk);
  const empty = new Float64Array(0);
  const perCpu = new Map<number, { arrs: Float64Array[]; hints: Int32Array }>();
  for (const [cpu, byKind] of index)
    perCpu.set(cpu, { arrs: kinds.map((k) => byKind.get(k) ?? empty), hints: new Int32Array(nk * 2) });
  for (let i = 0; i < rows; i++) {
    const c = perCpu.get(cpus[i] ?? -1);
    if (c === undefined) continue;
    const a = from[i] ?? 0;
    const b = to[i] ?? 0;
    if (!(b > a)) continue;
    for (let k = 0; k < nk; k++) {
      const arr = c.arrs[k] ?? empty;
      if (arr.length === 0) continue;
      const lo = lowerBound(arr, a, c.hints[2 * k] ?? 0);
      const hi = lowerBound(arr, b, Math.max(lo, c.hints[2 * k + 1] ?? 0));
      c.hints[2 * k] = lo;
      c.hints[2 * k + 1] = hi;
      out[i * nk + k] = hi - lo;
    }
  }
  return out;
}
