// The A/B arithmetic of an interleaved experiment: per pair, B's slowdown
// against the A phase next to it in time; across pairs, the median and a
// bootstrap interval. Pure: phases in, figures out.
import { Rng } from '../attribution/rng.js';
import { percentile } from '../attribution/stats.js';
import type { Interval } from '../attribution/types.js';

export type Condition = 'A' | 'B';

export interface Phase {
  pair: number;
  condition: Condition;
  /** Monotonic ns of the measured part (after the settle time). */
  fromNs: number;
  toNs: number;
  /** Work done in it: epoll events served by the workload's busy periods. */
  events: number;
  /** The same from a built-in workload's own count (its requests or calls), when it keeps one. */
  work?: number;
  /** Hypervisor steal time on the workload's CPUs in the measured part (/proc/stat), when known. */
  stealNs?: number;
}

export const throughput = (p: Phase): number => (p.toNs > p.fromNs ? p.events / ((p.toNs - p.fromNs) / 1e9) : 0);

/** 1 - B/A for each pair with both phases measured and A > 0. */
export function pairSlowdowns(phases: readonly Phase[]): number[] {
  const out: number[] = [];
  const pairs = new Set(phases.map((p) => p.pair));
  for (const i of [...pairs].sort((a, b) => a - b)) {
    const a = phases.find((p) => p.pair === i && p.condition === 'A');
    const b = phases.find((p) => p.pair === i && p.condition === 'B');
    if (!a || !b) continue;
    const ta = throughput(a);
    if (ta > 0) out.push(1 - throughput(b) / ta);
  }
  return out;
}

export function median(xs: readonly number[]): number {
  return xs.length ? percentile(xs, 0.5) : NaN;
}

/** The median of `xs` with a percentile bootstrap 95% interval (pairs resampled with replacement). */
export function bootstrapMedian(xs: readonly number[], seed: number, reps = 2000): Interval {
  const value = median(xs);
  if (xs.length < 2) return { value, lo: -Infinity, hi: Infinity, bound: true };
  const rng = Rng.stream(seed, 'experiment-bootstrap');
  const meds: number[] = [];
  const buf: number[] = new Array<number>(xs.length);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < xs.length; i++) buf[i] = xs[rng.int(xs.length)] ?? 0;
    meds.push(median(buf));
  }
  const lo = percentile(meds, 0.025);
  const hi = percentile(meds, 0.975);
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}

/** A then B or B then A for each pair, from a seeded coin (so a slow drift cannot favour one side). */
export function phaseOrder(pairs: number, seed: number): Condition[][] {
  const rng = Rng.stream(seed, 'experiment-order');
  return Array.from({ length: pairs }, () => (rng.next() < 0.5 ? ['A', 'B'] : ['B', 'A']));
}

/** B's slowdown against A when busy time loses `taxA` and `taxB` to interrupts (NaN for a tax of 1 or more in A). */
export const slowdownOf = (taxA: number, taxB: number): number => (taxA < 1 ? 1 - (1 - taxB) / (1 - taxA) : NaN);

/**
 * The slowdown the passive estimate predicts for B against A: with a share `tax` of busy time lost to
 * interrupts, throughput goes as 1 - tax, so B's slowdown is 1 - (1 - taxB) / (1 - taxA). The interval
 * combines the two taxes' intervals at their extremes (the cautious choice).
 */
export function predictedSlowdown(taxA: Interval, taxB: Interval): Interval {
  const value = slowdownOf(taxA.value, taxB.value);
  const lo = slowdownOf(taxA.hi, taxB.lo);
  const hi = slowdownOf(taxA.lo, taxB.hi);
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}

/** Share of a phase's wall time that the hypervisor took from the workload's CPU (0 when unknown). */
export const stealShare = (p: Phase): number =>
  p.stealNs !== undefined && p.toNs > p.fromNs ? p.stealNs / (p.toNs - p.fromNs) : 0;

/**
 * The slowdown that steal time alone explains: B's CPU runs the workload for (1 - steal_B) of the wall
 * time, A's for (1 - steal_A). Steal is not an interrupt of the guest (the host ran something else on
 * the physical CPU: on a VM, often the I/O that B's load makes), so the passive estimate, which leaves
 * out periods with steal, cannot see it.
 */
export function stealSlowdown(stealA: number, stealB: number): number {
  return stealA < 1 ? 1 - (1 - stealB) / (1 - stealA) : NaN;
}

/**
 * B's slowdown against A when a share of the wall time is stolen and a share `tax` of busy time is lost
 * to interrupts: both come out of the same time (the tax's busy time includes the stolen time, which
 * no period leaves out of its length), so what the workload keeps is 1 - steal - tax, not
 * (1 - steal)(1 - tax), which would count the interrupts' share of the stolen time as lost twice.
 */
export function slowdownWithSteal(taxA: number, stealA: number, taxB: number, stealB: number): number {
  const keepA = 1 - stealA - taxA;
  return keepA > 0 ? 1 - (1 - stealB - taxB) / keepA : NaN;
}

/** The pooled prediction with steal: each condition's tax interval and median steal, at the extremes for lo and hi. */
export function predictedWithSteal(taxA: Interval, stealA: number, taxB: Interval, stealB: number): Interval {
  const value = slowdownWithSteal(taxA.value, stealA, taxB.value, stealB);
  const lo = slowdownWithSteal(taxA.hi, stealA, taxB.lo, stealB);
  const hi = slowdownWithSteal(taxA.lo, stealA, taxB.hi, stealB);
  return { value, lo, hi, bound: lo <= 0 && 0 <= hi };
}

/**
 * Whether two intervals share a value: the prediction is consistent with the measurement once the
 * measurement's own uncertainty counts too (a precise prediction rarely covers a noisy measured median).
 */
export function intervalsOverlap(
  a: Pick<Interval, 'lo' | 'hi'> | null,
  b: Pick<Interval, 'lo' | 'hi'> | null,
): boolean | null {
  if (!a || !b || ![a.lo, a.hi, b.lo, b.hi].every(Number.isFinite)) return null;
  return a.lo <= b.hi && b.lo <= a.hi;
}
