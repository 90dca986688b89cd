// Inputs and outputs of the disruption-attribution estimator. Inputs come from
// the probe stream (busy-period records and per-interrupt records), so the
// same code runs on a live stream, a recording, or synthetic data.

import { PERIOD_KINDS, type PeriodKind } from '../stream/layout.js';

/** Interrupt kinds charged to a workload: the busy-period record's (`softirq` = asynchronous softirqs only). */
export const IRQ_KINDS = PERIOD_KINDS;
export type IrqKind = PeriodKind;

/** One busy period of a traced thread: from epoll returning >= 1 event to its next epoll call. */
export interface BusyPeriod {
  tgid: number;
  tid: number;
  /** CLOCK_MONOTONIC ns. */
  startNs: number;
  endNs: number;
  cpuStart: number;
  cpuEnd: number;
  /** Ready events epoll returned at the start. */
  events: number;
  /** Context switches away from the thread during the period, and the time it spent off CPU. */
  switches: number;
  offCpuNs: number;
  /** Hypervisor steal time accounted on the CPU during the period (0 where not exposed). */
  stealNs: number;
  /** Interrupts that hit the thread during the period: count and handler ns per kind (nested time not counted twice). */
  irqCount: Record<IrqKind, number>;
  irqNs: Record<IrqKind, number>;
  /** PMU counters over the period, or null without a PMU. */
  cycles: number | null;
  instructions: number | null;
}

/** One interrupt on a CPU (from the per-event records), used for exposure windows. */
export interface IrqHit {
  tsNs: number;
  cpu: number;
  kind: IrqKind;
  durNs: number;
}

export interface EstimatorOptions {
  /** Exposure window at the start of a period, in us (must be below typical period length). */
  exposureUs: number;
  /** Fixed windows before the period start, in us, e.g. [0-50], [50-200], [200-1000]. */
  lagWindowsUs: [number, number][];
  /** Length of the time fixed-effect blocks, in ms. */
  fixedEffectMs: number;
  /** Bootstrap resamples and block length (periods per block). */
  bootstrap: number;
  blockLength: number;
  /**
   * What the bootstrap resamples: 'clusters' (default) whole fixed-effect blocks when there are at least
   * MIN_CLUSTERS of them, else moving blocks of blockLength periods; 'blocks' always moving blocks.
   */
  resample?: 'clusters' | 'blocks';
  /** Periods skipped at the start (warm-up). */
  warmup: number;
  /** Deterministic RNG seed (placebo times and bootstrap). */
  seed: number;
  /** 'time' without a PMU, 'cycles' with one. */
  currency: 'time' | 'cycles';
  /** Exposed clean periods a kind needs before it gets an estimate (default 30). */
  minExposed?: number;
  /** Clean periods needed at all (default 200). */
  minPeriods?: number;
  /**
   * Remove the cascade (default true): an interrupt lengthens its period, the longer period catches more
   * interrupts, and their cost would land on the first one's coefficient. The outcome then also has the
   * estimated cost of the interrupts after the exposure window subtracted, iterated to a fixed point.
   * False: the plain exposure coefficient.
   */
  cascadeCorrection?: boolean;
  /**
   * Charge each interrupt also its after-effect on the periods that start 50 us to 1 ms after it (the lag
   * windows past the first, weighted by how many periods each interrupt precedes). Off by default.
   */
  afterEffects?: boolean;
  /**
   * Count each interrupt in the windows by when it arrived, its handler time minus the kind's delivery
   * lag read off the data (default true; see delivery-lag.ts). False: by handler time.
   */
  deliveryLag?: boolean;
}

/** The traced span: periods and windows must lie inside it. CLOCK_MONOTONIC ns. */
export interface TraceSpan {
  startNs: number;
  endNs: number;
}

/** Why a period was left out, in the order the reasons are tried (a period counts under the first that applies). */
export const EXCLUSION_REASONS = ['preempted', 'migrated', 'steal', 'warmup', 'empty', 'straddling', 'short'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface Interval {
  value: number;
  lo: number;
  hi: number;
  /** True when the interval includes zero: report `hi` as an upper bound, not `value` as a point. */
  bound: boolean;
}

export interface KindEstimate extends Interval {
  /** Periods in which this kind appeared in the exposure window. */
  exposed: number;
  /** The same pipeline on placebo interrupt times (should be ~0). */
  placebo: Interval;
  /** Sum of the lag-window coefficients (cost of earlier interrupts landing on this period), real minus placebo. */
  spillover?: Interval;
  /** The after-effect per interrupt on later periods (see EstimatorOptions.afterEffects), real minus placebo. */
  after?: Interval;
  /** The exposure coefficient, real minus placebo, without the cascade correction (equals the value when it is off). */
  uncorrected?: number;
  /** Kinds that come together with this one (itself included): estimated as one cost per interrupt of any of them. */
  together?: IrqKind[];
}

export interface Estimate {
  currency: 'time' | 'cycles';
  /** Indirect cost per interrupt, per kind, as real minus placebo (ns or cycles per interrupt). */
  indirectPerIrq: Partial<Record<IrqKind, KindEstimate>>;
  /** Periods used, and excluded by reason (preempted, migrated, steal, warmup, empty, straddling). */
  periods: number;
  excluded: Record<string, number>;
  /** Set when there were too few clean periods; says why. Other fields are then empty. */
  notEnoughData?: string;
  /**
   * Share of clean periods with no interrupt at all in their exposure window and lag windows: the
   * undisturbed baseline the costs are measured against. Near 0, every period sits in the wake of
   * interrupts, and what the fit measures is the cost of one more at this rate.
   */
  undisturbed?: number;
  /** Set when `undisturbed` is below FEW_UNDISTURBED: the costs are marginal ones, so a tax from them is a lower bound. */
  lowerBound?: true;
  /**
   * Per kind, ns from an interrupt's arrival to its handler's start, as read off the data (a VM's host
   * takes that long to deliver it; the thread is stopped meanwhile). Kinds absent were not shifted.
   */
  deliveryLagNs?: Partial<Record<IrqKind, number>>;
  /** Things a reader should know about this estimate (kinds left out, many short periods, ...). */
  warnings?: string[];
}

/** Per-workload figures from the periods and an estimate (see summarize()). */
export interface WorkloadSummary {
  currency: 'time' | 'cycles';
  /** On-CPU time of all busy periods (duration minus off-CPU time), ns. */
  busy_ns: number;
  events: number;
  /** All periods given, the clean ones the estimate used, and the excluded ones by reason. */
  periods: number;
  clean_periods: number;
  excluded: Record<string, number>;
  /** Clean periods with >= 1 interrupt of any kind inside them. */
  disrupted_periods: number;
  /** Interrupts inside busy periods per 1000 events. */
  irqs_in_busy: number;
  /** Handler time inside busy periods, ns. */
  direct_ns: number;
  /** Time currency: sum over kinds of (interrupts in busy periods x indirect ns per interrupt); null when unknown. */
  indirect_ns: Interval | null;
  /** Cycles currency: busy cycles and sum over kinds of (interrupts x cycles per interrupt, direct and indirect). */
  busy_cycles: number | null;
  cost_cycles: Interval | null;
  /** Share of busy time (or cycles) lost to interrupts: (direct + indirect) / busy. */
  tax: Interval | null;
  /** What-if: throughput gain if busy periods were not interrupted, 1/(1 - tax) - 1. */
  throughput_gain: Interval | null;
  /** Interrupts in busy periods of kinds without an estimate (counted as 0 indirect cost). */
  unestimated: Partial<Record<IrqKind, number>>;
  /** Why indirect/tax are null, or what they leave out. */
  note?: string;
}

/** One group of periods for the PMU path. */
export interface IpcGroup {
  periods: number;
  events: number;
  cycles: number;
  instructions: number;
  /** instructions / cycles, instructions per event, cycles per event; null for an empty group. */
  ipc: number | null;
  ipq: number | null;
  cpq: number | null;
}

export interface IpcFigures {
  /** Periods without any interrupt, and those with >= 1. */
  clean: IpcGroup;
  disturbed: IpcGroup;
  /** (1 - ipc_disturbed / ipc_clean) x 100; null when a group is empty. */
  ipcLossPct: number | null;
}
