// Moving-block bootstrap: periods next to each other share a cache state, a
// CPU frequency, a neighbour's load, so they are resampled in blocks of
// consecutive periods, not one by one.
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
 * A point value with the 2.5/97.5 percentiles of its bootstrap replicates (NaN replicates ignored).
 * Without replicates the interval is unbounded. `bound` is set when the interval includes zero.
 */
export function percentileInterval(value: number, replicates: readonly number[]): Interval {
  const usable = replicates.filter((v) => !Number.isNaN(v));
  const lo = usable.length ? percentile(usable, 0.025) : -Infinity;
  const hi = usable.length ? percentile(usable, 0.975) : Infinity;
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}
