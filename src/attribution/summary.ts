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
 * Figures over all the periods given (busy time, events, interrupts, handler time), the indirect cost
 * from the estimate (per kind: interrupts in busy periods x cost per interrupt; its interval adds the
 * kinds' lo and hi, i.e. takes their errors as moving together, the cautious choice), the tax
 * (direct + indirect) / busy and the throughput what-if. `trace` and `opts` must be those given to
 * estimate(): they decide which periods were clean. In cycles currency the per-interrupt figure already
 * holds the direct cycles, so the tax is (interrupts x cycles per interrupt) / busy cycles.
 */
/**
 * Whether a tax reads "at least": the estimate said its costs are marginal ones (a lower bound), and the figure
 * is a point (an interval that includes zero is an upper bound and stays one). The one rule every view uses.
 */
export function taxReadsAtLeast(tax: { bound?: boolean } | null | undefined, lowerBound: boolean): boolean {
  return lowerBound && tax !== null && tax !== undefined && !tax.bound;
}

export function summarize(
  periods: readonly BusyPeriod[],
  est: Estimate,
  trace: TraceSpan,
  opts: EstimatorOptions,
): WorkloadSummary {
  const excl = excludePeriods(periods, opts, trace.startNs, trace.endNs);
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
  let disrupted = 0;
  for (const i of excl.clean) {
    const p = periods[i];
    if (p !== undefined && irqTotal(p) > 0) disrupted++;
  }
  const irqs = IRQ_KINDS.reduce((s, k) => s + count[k], 0);

  const out: WorkloadSummary = {
    currency: est.currency,
    busy_ns: busyNs,
    events,
    periods: periods.length,
    clean_periods: excl.clean.length,
    excluded: { ...excl.excluded },
    disrupted_periods: disrupted,
    irqs_in_busy: events > 0 ? (irqs / events) * 1000 : 0,
    direct_ns: directNs,
    indirect_ns: null,
    busy_cycles: est.currency === 'cycles' ? busyCycles : null,
    cost_cycles: null,
    tax: null,
    throughput_gain: null,
    unestimated: {},
  };

  /* ---- per-interrupt costs x interrupts ---- */
  let cost: Interval | null;
  if (irqs === 0) {
    cost = withBound(0, 0, 0); // nothing interrupted the busy periods: nothing to charge
  } else if (est.notEnoughData !== undefined) {
    cost = null;
    out.note = `indirect cost unknown: ${est.notEnoughData}`;
  } else {
    let v = 0;
    let lo = 0;
    let hi = 0;
    for (const k of IRQ_KINDS) {
      if (count[k] === 0) continue;
      const e = est.indirectPerIrq[k];
      if (e === undefined) {
        out.unestimated[k] = count[k];
        continue;
      }
      v += count[k] * e.value;
      lo += count[k] * e.lo;
      hi += count[k] * e.hi;
    }
    cost = withBound(v, lo, hi);
    const left = Object.entries(out.unestimated).map(([k, c]) => `${k} ${c}`);
    if (left.length) out.note = `no estimate (counted as 0 indirect cost) for: ${left.join(', ')}`;
  }

  /* ---- tax and what-if ---- */
  if (cost !== null) {
    let tax: Interval | null = null;
    if (est.currency === 'time') {
      out.indirect_ns = cost;
      if (busyNs > 0)
        tax = withBound((directNs + cost.value) / busyNs, (directNs + cost.lo) / busyNs, (directNs + cost.hi) / busyNs);
    } else {
      out.cost_cycles = cost;
      if (busyCycles !== null && busyCycles > 0)
        tax = withBound(cost.value / busyCycles, cost.lo / busyCycles, cost.hi / busyCycles);
      else out.note = [out.note, 'tax needs cycles on every period'].filter(Boolean).join('; ');
    }
    if (tax !== null) {
      out.tax = tax;
      out.throughput_gain = withBound(gain(tax.value), gain(tax.lo), gain(tax.hi));
    }
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
