// A short per-CPU history of interrupt time, drawn as a sparkline on a fixed
// log scale so a glance compares CPUs and moments without a legend per row.
import type { Glyphs } from './theme.js';

/** Upper edges of the sparkline levels 1..7 (shares of the CPU); level 8 is above the last. */
export const SPARK_EDGES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.6] as const;

export function sparkLevel(frac: number): number {
  if (!(frac > 0)) return 0;
  const i = SPARK_EDGES.findIndex((e) => frac < e);
  return i < 0 ? SPARK_EDGES.length + 1 : i + 1;
}

/** The newest `width` values, right-aligned (older time is to the left). */
export function sparkline(values: readonly number[], width: number, g: Glyphs): string {
  if (width <= 0) return '';
  const tail = values
    .slice(-width)
    .map((v) => g.levels[sparkLevel(v)] ?? ' ')
    .join('');
  return ' '.repeat(width - Math.min(width, values.length)) + tail;
}
