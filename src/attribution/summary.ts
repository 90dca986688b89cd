// Per-workload figures: what interrupts cost the workload's busy time, with
// the estimator's intervals carried through, and the PMU view (IPC of clean
// vs disturbed periods, after Cai & Karsten: CPQ = IPQ / IPC).
import { excludePeriods } from './exclude.js';
import { withBound } from './estimate.js';
import {
  IRQ_KINDS,
  type BusyPeriod,
  type Estimate,
  type EstimatorOptions,
  type Interval,
  type IpcFigures,
  type IpcGroup,
  type IrqKind,
  type TraceSpan,
  type WorkloadSummary,
} from './types.js';

function irqTotal(p: BusyPeriod): number {
  let s = 0;
  for (const k of IRQ_KINDS) s += p.irqCount[k];
  return s;
}

/** 1/(1 - tax) - 1, the throughput gain if busy periods were not interrupted (monotone in tax). */
function gain(tax: number): number {
  return tax < 1 ? 1 / (1 - tax) - 1 : Infinity;
}

/**
 * Whether a tax reads "at least": the estimate said its costs are marginal ones (a lower bound), and the figure
 * is a point (an interval that includes zero is an upper bound and stays one). The one rule every view uses.
 */
export function taxReadsAtLeast(tax: { bound?: boolean } | null | undefined, lowerBound: boolean): boolean {
  return lowerBound && tax !== null && tax !== undefined && !tax.bound;
}

/** What a set of busy periods holds: on-CPU time, events, handler time, cycles and interrupts per kind. */
export interface BusyFigures {
  busyNs: number;
  events: number;
  directNs: number;
  /** null when a period has no cycles (no PMU). */
  busyCycles: number | null;
  count: Record<IrqKind, number>;
}

export function busyFigures(periods: readonly BusyPeriod[]): BusyFigures {
  let busyNs = 0;
  let events = 0;
  let directNs = 0;
  let busyCycles: number | null = 0;
  const count = {} as Record<IrqKind, number>;
  for (const k of IRQ_KINDS) count[k] = 0;
  for (const p of periods) {
    busyNs += Math.max(0, p.endNs - p.startNs - p.offCpuNs);
    events += p.events;
    for (const k of IRQ_KINDS) {
      count[k] += p.irqCount[k];
      directNs += p.irqNs[k];
    }
    busyCycles = busyCycles === null || p.cycles === null ? null : busyCycles + p.cycles;
  }
  return { busyNs, events, directNs, busyCycles, count };
}

/** The indirect cost and tax of these periods' interrupts at the given cost per interrupt of each kind. */
export interface Priced {
  cost: Interval;
  tax: Interval | null;
  /** Interrupts of kinds without a cost (counted as 0 indirect cost). */
  unestimated: Partial<Record<IrqKind, number>>;
  /** Why the tax is null (cycles currency without cycles on every period). */
  note?: string;
}

/**
 * Charges every interrupt its kind's cost (the interval adds the kinds' lo and hi, i.e. takes their
 * errors as moving together, the cautious choice); the tax is (direct + indirect) / busy time, or in
 * cycles currency (interrupts x cycles per interrupt) / busy cycles, the direct cycles being inside.
 */
export function priceInterrupts(
  f: BusyFigures,
  perIrq: Partial<Record<IrqKind, Interval>>,
  currency: 'time' | 'cycles',
): Priced {
  let v = 0;
  let lo = 0;
  let hi = 0;
  const unestimated: Partial<Record<IrqKind, number>> = {};
  for (const k of IRQ_KINDS) {
    if (f.count[k] === 0) continue;
    const e = perIrq[k];
    if (e === undefined) {
      unestimated[k] = f.count[k];
      continue;
    }
    v += f.count[k] * e.value;
    lo += f.count[k] * e.lo;
    hi += f.count[k] * e.hi;
  }
  const cost = withBound(v, lo, hi);
  if (currency === 'time') {
    const b = f.busyNs;
    const tax = b > 0 ? withBound((f.directNs + v) / b, (f.directNs + lo) / b, (f.directNs + hi) / b) : null;
    return { cost, tax, unestimated };
  }
  const c = f.busyCycles;
  if (c === null || c <= 0) return { cost, tax: null, unestimated, note: 'tax needs cycles on every period' };
  return { cost, tax: withBound(v / c, lo / c, hi / c), unestimated };
}

/** The throughput what-if of a tax, with its interval. */
export const gainOf = (tax: Interval): Interval => withBound(gain(tax.value), gain(tax.lo), gain(tax.hi));

/**
 * Figures over all the periods given (busy time, events, interrupts, handler time), the indirect cost
 * from the estimate, the tax and the throughput what-if (priceInterrupts). `trace` and `opts` must be
 * those given to estimate(): they decide which periods were clean.
 */
export function summarize(
  periods: readonly BusyPeriod[],
  est: Estimate,
  trace: TraceSpan,
  opts: EstimatorOptions,
): WorkloadSummary {
  const excl = excludePeriods(periods, opts, trace.startNs, trace.endNs);
  const f = busyFigures(periods);
  let disrupted = 0;
  for (const i of excl.clean) {
    const p = periods[i];
    if (p !== undefined && irqTotal(p) > 0) disrupted++;
  }
  const irqs = IRQ_KINDS.reduce((s, k) => s + f.count[k], 0);

  const out: WorkloadSummary = {
    currency: est.currency,
    busy_ns: f.busyNs,
    events: f.events,
    periods: periods.length,
    clean_periods: excl.clean.length,
    excluded: { ...excl.excluded },
    disrupted_periods: disrupted,
    irqs_in_busy: f.events > 0 ? (irqs / f.events) * 1000 : 0,
    direct_ns: f.directNs,
    indirect_ns: null,
    busy_cycles: est.currency === 'cycles' ? f.busyCycles : null,
    cost_cycles: null,
    tax: null,
    throughput_gain: null,
    unestimated: {},
  };
  if (irqs > 0 && est.notEnoughData !== undefined) {
    out.note = `indirect cost unknown: ${est.notEnoughData}`;
    return out;
  }
  // nothing interrupted the busy periods: nothing to charge (the empty estimate prices every kind at 0)
  const priced = priceInterrupts(f, est.indirectPerIrq, est.currency);
  out.unestimated = priced.unestimated;
  const left = Object.entries(priced.unestimated).map(([k, c]) => `${k} ${c}`);
  if (left.length) out.note = `no estimate (counted as 0 indirect cost) for: ${left.join(', ')}`;
  if (est.currency === 'time') out.indirect_ns = priced.cost;
  else out.cost_cycles = priced.cost;
  if (priced.note) out.note = [out.note, priced.note].filter(Boolean).join('; ');
  if (priced.tax !== null) {
    out.tax = priced.tax;
    out.throughput_gain = gainOf(priced.tax);
  }
  return out;
}

function group(ps: readonly BusyPeriod[]): IpcGroup {
  let events = 0;
  let cycles = 0;
  let instructions = 0;
  for (const p of ps) {
    events += p.events;
    cycles += p.cycles ?? 0;
    instructions += p.instructions ?? 0;
  }
  return {
    periods: ps.length,
    events,
    cycles,
    instructions,
    ipc: cycles > 0 ? instructions / cycles : null,
    ipq: events > 0 ? instructions / events : null,
    cpq: events > 0 ? cycles / events : null,
  };
}

/**
 * The PMU path: IPC (sum of instructions / sum of cycles), IPQ and CPQ (per event) of periods without
 * any interrupt against those with at least one, and the IPC loss in percent. Pass the clean periods
 * (excludePeriods): this only groups by interrupts. Periods without counters are skipped; null when
 * no period has cycles and instructions.
 */
export function ipcFigures(periods: readonly BusyPeriod[]): IpcFigures | null {
  const withPmu = periods.filter((p) => p.cycles !== null && p.instructions !== null);
  if (withPmu.length === 0) return null;
  const clean = group(withPmu.filter((p) => irqTotal(p) === 0));
  const disturbed = group(withPmu.filter((p) => irqTotal(p) > 0));
  const ipcLossPct =
    clean.ipc !== null && disturbed.ipc !== null && clean.ipc > 0 ? (1 - disturbed.ipc / clean.ipc) * 100 : null;
  return { clean, disturbed, ipcLossPct };
}
