// Short, fixed-width figures for table cells: every number fits its column
// and zero is shown as "0", never as a misleading "0.00".
import type { IntervalFigure } from '../../src/derive/workloads.js';

/** Events per second: 0, 0.5, 42, 950, 1.2k, 12k, 1.2M. */
export function fmtRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec >= 1e7) return `${(perSec / 1e6).toFixed(0)}M`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)}M`;
  if (perSec >= 1e4) return `${(perSec / 1e3).toFixed(0)}k`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k`;
  if (perSec >= 10) return perSec.toFixed(0);
  return perSec.toFixed(1);
}

/** A share (0..1, or above 1 for several CPUs) as a percentage without the sign: 0, <0.01, 0.42, 12.3, 150. */
export function fmtPct(frac: number): string {
  if (!Number.isFinite(frac) || frac <= 0) return '0';
  const p = frac * 100;
  if (p < 0.01) return '<0.01';
  if (p < 10) return p.toFixed(2);
  if (p < 100) return p.toFixed(1);
  return p.toFixed(0);
}

/** A duration: 0, 850ns, 1.23us, 12.3us, 123us, 1.23ms, 12.3ms, 1.23s. */
export function fmtDur(ns: number): string {
  if (!Number.isFinite(ns) || ns <= 0) return '0';
  const scaled = (v: number, unit: string) => `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}${unit}`;
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return scaled(ns / 1e3, 'us');
  if (ns < 1e9) return scaled(ns / 1e6, 'ms');
  return scaled(ns / 1e9, 's');
}

/** Count without thousands noise: 0..9999 as is, then 12k, 1.2M. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  if (n < 1e4) return String(Math.round(n));
  return fmtRate(n);
}

/** Refresh interval: 0.25s, 1s, 10s. */
export function fmtSeconds(s: number): string {
  return `${Number.isInteger(s) ? s.toFixed(0) : String(s)}s`;
}

/** Wall-clock time of `ms` (Unix ms) at a fixed UTC offset, so frames are reproducible: HH:MM:SS or HH:MM:SS.mmm. */
export function fmtClock(ms: number, utcOffsetMin: number, withMs = false): string {
  const d = new Date(ms + utcOffsetMin * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const base = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return withMs ? `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}` : base;
}

/** Like fmtPct, keeping the sign of a negative estimate (an interval can lie below zero). */
export function fmtSignedPct(frac: number): string {
  return frac < 0 ? `-${fmtPct(-frac)}` : fmtPct(frac);
}

/** "4.10% (3.20..5.00)" or "<=5.00%" when the interval includes zero. */
export function fmtInterval(v: IntervalFigure, sign = ''): string {
  if (v.bound) return `<=${sign}${fmtPct(Math.max(0, v.hi))}%`;
  return `${sign}${fmtSignedPct(v.value)}% (${fmtSignedPct(v.lo)}..${fmtSignedPct(v.hi)})`;
}
