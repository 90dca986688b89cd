// Block bootstraps: periods next to each other share a cache state, a CPU
// frequency, a neighbour's load, so they are resampled in blocks, not one by
// one. With time fixed effects the blocks are the fixed-effect blocks
// themselves (a cluster bootstrap): what an interrupt costs drifts with the
// VM's speed over those spans, and shorter blocks hid that drift from the
// interval (issue #12: +-0.5 points claimed, 2-3 points between runs).
import type { Rng } from './rng.js';
import { percentile } from './stats.js';
import type { Interval } from './types.js';

/** Row indices of one resample of n rows: blocks of `blockLength` consecutive rows, starts drawn with replacement. */
export function blockResample(n: number, blockLength: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  const L = Math.max(1, Math.min(Math.floor(blockLength), n));
  let filled = 0;
  while (filled < n) {
    const s = rng.int(n - L + 1);
    for (let j = 0; j < L && filled < n; j++) out[filled++] = s + j;
  }
  return out;
}

/**
 * One cluster resample: as many clusters as there are, drawn with replacement (indices into `starts`,
 * clusterStarts of the rows' clusters; rows of one cluster are consecutive). rowsOfPicks gives its rows.
 */
export function clusterPicks(starts: readonly number[], rng: Rng): Int32Array {
  const nc = starts.length - 1;
  const picks = new Int32Array(nc);
  for (let c = 0; c < nc; c++) picks[c] = rng.int(nc);
  return picks;
}

/** The rows of the picked clusters, in pick order. */
export function rowsOfPicks(starts: readonly number[], picks: Int32Array): Int32Array {
  let len = 0;
  for (const k of picks) len += (starts[k + 1] ?? 0) - (starts[k] ?? 0);
  const out = new Int32Array(len);
  let o = 0;
  for (const k of picks) for (let r = starts[k] ?? 0; r < (starts[k + 1] ?? 0); r++) out[o++] = r;
  return out;
}

/** Where each run of equal cluster ids starts, and the row count at the end. */
export function clusterStarts(cluster: Int32Array): number[] {
  const starts: number[] = [];
  for (let i = 0; i < cluster.length; i++) if (i === 0 || cluster[i] !== cluster[i - 1]) starts.push(i);
  starts.push(cluster.length);
  return starts;
}

/**
 * A point value with the 2.5/97.5 percentiles of its bootstrap replicates (NaN replicates ignored).
 * Without replicates the interval is unbounded. `bound` is set when the interval includes zero.
 */
export function percentileInterval(value: number, replicates: readonly number[]): Interval {
  const usable = replicates.filter((v) => !Number.isNaN(v));
  const lo = usable.length ? percentile(usable, 0.025) : -Infinity;
  const hi = usable.length ? percentile(usable, 0.975) : Infinity;
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}
