// Which busy periods the estimator may use. A period is left out when its
// time is not the thread's own work on one CPU (preempted, migrated, steal),
// when it is unrepresentative (warm-up, empty epoll return), or when the
// windows the estimator looks at are not fully traced (straddling, short).
import { EXCLUSION_REASONS, type BusyPeriod, type ExclusionReason } from './types.js';

export interface ExclusionOptions {
  /** Periods skipped at the start of each thread. */
  warmup: number;
  /** Exposure window at the start of a period, us: a shorter period cannot hold it. */
  exposureUs: number;
  /** Lag windows before the start, us: the earliest must lie inside the trace (optional). */
  lagWindowsUs?: readonly (readonly [number, number])[];
}

export interface Exclusion {
  /** Indices into the input of the clean periods, in input order. */
  clean: number[];
  /** Per input period: the reason it was left out, or null when clean. */
  reasons: (ExclusionReason | null)[];
  /** Periods left out, by reason (every reason present, 0 when none). */
  excluded: Record<ExclusionReason, number>;
}

export function emptyExclusionCounts(): Record<ExclusionReason, number> {
  const out = {} as Record<ExclusionReason, number>;
  for (const r of EXCLUSION_REASONS) out[r] = 0;
  return out;
}

/** Rank of each period within its thread (tgid, tid), by start time, ties by input order. */
function threadRanks(periods: readonly BusyPeriod[]): Int32Array {
  const order = periods.map((_, i) => i);
  order.sort((a, b) => {
    const pa = periods[a];
    const pb = periods[b];
    if (pa === undefined || pb === undefined) return a - b;
    return pa.startNs - pb.startNs || a - b;
  });
  const seen = new Map<string, number>();
  const rank = new Int32Array(periods.length);
  for (const i of order) {
    const p = periods[i];
    if (p === undefined) continue;
    const key = `${p.tgid}:${p.tid}`;
    const r = seen.get(key) ?? 0;
    rank[i] = r;
    seen.set(key, r + 1);
  }
  return rank;
}

/**
 * The reason a period is left out, trying in order: preempted (switched away or off CPU), migrated
 * (cpuStart != cpuEnd), steal (hypervisor steal > 0), warmup (among the first `warmup` periods of its
 * thread), empty (0 events), straddling (the period, or the lag windows before it, not inside
 * [traceStartNs, traceEndNs]), short (shorter than the exposure window). Null when clean.
 */
export function exclusionReason(
  p: BusyPeriod,
  threadRank: number,
  opts: ExclusionOptions,
  traceStartNs: number,
  traceEndNs: number,
): ExclusionReason | null {
  if (p.switches > 0 || p.offCpuNs > 0) return 'preempted';
  if (p.cpuStart !== p.cpuEnd) return 'migrated';
  if (p.stealNs > 0) return 'steal';
  if (threadRank < opts.warmup) return 'warmup';
  if (p.events <= 0) return 'empty';
  let lookBackNs = 0;
  for (const [, b] of opts.lagWindowsUs ?? []) lookBackNs = Math.max(lookBackNs, b * 1000);
  if (p.startNs - lookBackNs < traceStartNs || p.endNs > traceEndNs || p.endNs < p.startNs) return 'straddling';
  if (p.endNs - p.startNs < opts.exposureUs * 1000) return 'short';
  return null;
}

/** Classify every period; each excluded period is counted once, under the first reason that applies. */
export function excludePeriods(
  periods: readonly BusyPeriod[],
  opts: ExclusionOptions,
  traceStartNs: number,
  traceEndNs: number,
): Exclusion {
  const rank = threadRanks(periods);
  const excluded = emptyExclusionCounts();
  const reasons: (ExclusionReason | null)[] = [];
  const clean: number[] = [];
  periods.forEach((p, i) => {
    const r = exclusionReason(p, rank[i] ?? 0, opts, traceStartNs, traceEndNs);
    reasons.push(r);
    if (r === null) clean.push(i);
    else excluded[r] += 1;
  });
  return { clean, reasons, excluded };
}

/** "preempted 12, warmup 400" (reasons with a count, in order), or "none". */
export function describeExcluded(excluded: Record<string, number>): string {
  const parts = EXCLUSION_REASONS.filter((r) => (excluded[r] ?? 0) > 0).map((r) => `${r} ${excluded[r] ?? 0}`);
  return parts.length ? parts.join(', ') : 'none';
}
