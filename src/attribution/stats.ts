// Small order statistics: k-th smallest in O(n) (for the MAD scale inside
// IRLS) and percentiles of bootstrap replicates.

/** k-th smallest (0-based) of a[0..n), reordering a in place (Hoare quickselect, median-of-three). */
export function selectInPlace(a: Float64Array, k: number, n = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo] ?? 0;
    const y = a[mid] ?? 0;
    const z = a[hi] ?? 0;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++;
      while ((a[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const t = a[i] ?? 0;
        a[i] = a[j] ?? 0;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] ?? 0;
  }
  return a[k] ?? 0;
}

/** Median of a[0..n), reordering a in place. */
export function medianInPlace(a: Float64Array, n = a.length): number {
  if (n === 0) return NaN;
  const upper = selectInPlace(a, n >> 1, n);
  if (n % 2 === 1) return upper;
  // the lower middle is the largest of the lower half, which selection left below index n/2
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) lower = Math.max(lower, a[i] ?? -Infinity);
  return (lower + upper) / 2;
}

/** Percentile q in [0, 1] with linear interpolation between order statistics; NaN values are ignored. */
export function percentile(values: readonly number[], q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = q * (v.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  const a = v[i] ?? NaN;
  const b = v[Math.min(i + 1, v.length - 1)] ?? NaN;
  return f === 0 ? a : a + f * (b - a);
}
