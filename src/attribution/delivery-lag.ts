// When an interrupt really reached the thread. The handler's timestamp is not that moment: on a VM the
// host first takes the interrupt, works and injects it, and the guest's handler starts only then. The
// thread is stopped all that time, so the gap is part of what the interrupt costs it, but no guest
// tracepoint marks it. Measured here (2026-12-07, virtio-blk under dd): handlers of hits inside ~12 us
// busy periods start 12..24 us into them, uniformly, never before ~12 us; timer interrupts 16 us on.
// A 9 us exposure window on handler times then sees no hit at all. So the lag per kind is read off the
// data (the low edge of where its handlers start inside busy periods) and every hit is placed at its
// handler time minus the lag: the exposure and lag windows then count interrupts by when they arrived.
// Only a sharp edge counts as a lag: on bare metal handlers start anywhere in a period, and shifting by
// a low quantile of their positions would move the window past the end of short periods.
import { buildHitIndex, lowerBound } from './exposure.js';
import { IRQ_KINDS, type BusyPeriod, type IrqHit, type IrqKind } from './types.js';

/** Hits inside periods a kind needs before its lag is read (fewer: no shift). */
export const MIN_LAG_HITS = 200;
/**
 * The low quantile of handler positions taken as the lag: low enough to sit on the edge (a 12 us
 * period puts the 1% quantile 0.12 us above it), high enough that the rare hit that arrived during the
 * syscall before the period and landed at its start does not set it.
 */
export const LAG_QUANTILE = 0.01;
/**
 * An edge: of the positions below the LAG_QUANTILE, at most this share lie below half of it (handlers
 * that start anywhere from 0 put about half there; behind a delivery lag they bunch up just below it).
 */
export const EDGE_SHARE = 0.1;

/**
 * Per kind, ns from an interrupt's arrival to its handler's start: the LAG_QUANTILE of where the
 * kind's handlers start inside the given periods (each on its start CPU; use periods the thread spent
 * whole on one CPU), for kinds with at least MIN_LAG_HITS such hits whose positions have a sharp low
 * edge (EDGE_SHARE). Kinds absent: no shift.
 */
export function deliveryLags(
  periods: readonly BusyPeriod[],
  hits: readonly IrqHit[],
): Partial<Record<IrqKind, number>> {
  const index = buildHitIndex(hits);
  const pos = new Map<IrqKind, number[]>();
  for (const p of periods) {
    for (const [kind, times] of index.get(p.cpuStart) ?? []) {
      const from = lowerBound(times, p.startNs);
      const to = lowerBound(times, p.endNs, from);
      if (to === from) continue;
      const a = pos.get(kind) ?? [];
      for (let i = from; i < to; i++) a.push((times[i] ?? 0) - p.startNs);
      pos.set(kind, a);
    }
  }
  const out: Partial<Record<IrqKind, number>> = {};
  for (const k of IRQ_KINDS) {
    const a = pos.get(k);
    if (a === undefined || a.length < MIN_LAG_HITS) continue;
    const sorted = Float64Array.from(a).sort();
    const qi = Math.floor(LAG_QUANTILE * sorted.length);
    const q = sorted[qi] ?? 0;
    let below = 0;
    while (below < qi && (sorted[below] ?? 0) < q / 2) below++;
    if (q > 0 && below <= EDGE_SHARE * qi) out[k] = q;
  }
  return out;
}

/** The hits at their arrival: handler time minus the kind's lag. */
export function atArrival(hits: readonly IrqHit[], lags: Partial<Record<IrqKind, number>>): readonly IrqHit[] {
  if (Object.keys(lags).length === 0) return hits;
  return hits.map((h) => {
    const lag = lags[h.kind];
    return lag === undefined ? h : { ...h, tsNs: h.tsNs - lag };
  });
}
