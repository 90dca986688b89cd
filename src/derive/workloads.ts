// Workloads (processes that use epoll): busy and idle time from the kernel's
// epoll counters every interval, and, when busy periods are traced, the
// estimator's interrupt tax over the last few seconds. Nothing is invented:
// a figure the data cannot give yet is shown as measuring or absent.
import type { Window } from '../reduce/totals.js';
import { taxReadsAtLeast } from '../attribution/summary.js';

/** An estimate with its interval; an interval that includes zero is only an upper bound. */
export interface IntervalFigure {
  value: number;
  lo: number;
  hi: number;
  bound: boolean;
}

/** The estimator's figures for one process (from buildReport over recent busy periods). */
export interface WorkloadEstimate {
  tgid: number;
  comm: string;
  periods: number;
  cleanPeriods: number;
  disruptedPeriods: number;
  tax: IntervalFigure | null;
  gain: IntervalFigure | null;
  /** The tax (and gain) are lower bounds: no busy period had a quiet moment before it (tax_lower_bound). */
  taxLowerBound?: boolean;
  /** Why there is no estimate yet (too few clean periods, ...). */
  notEnoughData: string | null;
  note: string | null;
  /** The CPU most of its busy time ran on, and that share. */
  mainCpu: number | null;
}

/**
 * The tax (and gain) read as "at least": the estimate said its costs are marginal ones, and the figure is
 * a point (an interval that includes zero is an upper bound and stays one).
 */
export function taxIsAtLeast(e: Pick<WorkloadEstimate, 'tax' | 'taxLowerBound'>): boolean {
  return taxReadsAtLeast(e.tax, e.taxLowerBound ?? false);
}

/** Where the workload estimates stand. */
export type WorkloadFeed =
  | { state: 'off' }
  | { state: 'measuring'; collectedS: number; needS: number }
  /**
   * Busy periods decoded over the span and those the estimate used (a systematic sample when fewer). The kernel
   * opened a period on one in `sampledOneIn` epoll calls (per epoch, so a range); how many calls found work is
   * not counted, so no total of busy periods is given.
   */
  | {
      state: 'ready';
      atMs: number;
      spanS: number;
      estimates: WorkloadEstimate[];
      periodsDecoded: number;
      periodsUsed: number;
      sampledOneIn: { min: number; max: number };
    }
  | { state: 'failed'; message: string };

export interface WorkloadRow {
  tgid: number;
  comm: string;
  threads: number;
  /** Time between epoll returning events and the next epoll call, as a share of one CPU. */
  busyFrac: number;
  /** Time blocked in epoll, as a share of one CPU (per thread it adds up). */
  waitFrac: number;
  eventsPerSec: number;
  /** Interrupts that landed on its threads per second, and their handler time as a share of one CPU. */
  irqsPerSec: number;
  handlerFrac: number;
  estimate: WorkloadEstimate | null;
}

/** Which busy periods an estimate used: "88 of 700 decoded busy periods, 1 in 8 epoll calls" (the kernel's sampling). */
export function periodsUsedText(
  feed: Extract<WorkloadFeed, { state: 'ready' }>,
  count: (n: number) => string = String,
): string {
  const used =
    feed.periodsUsed < feed.periodsDecoded
      ? `${count(feed.periodsUsed)} of ${count(feed.periodsDecoded)} decoded busy periods`
      : `${count(feed.periodsUsed)} busy periods`;
  const { min, max } = feed.sampledOneIn;
  if (max <= 1) return used;
  return `${used}, 1 in ${min === max ? min : `${min}-${max}`} epoll calls`;
}

export function workloadRows(w: Window, feed: WorkloadFeed): WorkloadRow[] {
  const ns = w.durationNs;
  const secs = ns / 1e9;
  const by = new Map<number, WorkloadRow>();
  const row = (tgid: number, comm: string): WorkloadRow => {
    let r = by.get(tgid);
    if (!r)
      by.set(
        tgid,
        (r = {
          tgid,
          comm,
          threads: 0,
          busyFrac: 0,
          waitFrac: 0,
          eventsPerSec: 0,
          irqsPerSec: 0,
          handlerFrac: 0,
          estimate: null,
        }),
      );
    return r;
  };
  // a wait is charged when it ends, so a long one can exceed the interval: no thread is more than 100% of it
  const share = (t: number) => (ns > 0 ? Math.min(1, t / ns) : 0);
  for (const e of w.epoll) {
    const r = row(e.tgid, e.comm);
    r.threads++;
    r.busyFrac += share(e.busyNs);
    r.waitFrac += share(e.waitNs);
    r.eventsPerSec += secs > 0 ? e.events / secs : 0;
  }
  for (const v of w.victim) {
    const r = by.get(v.tgid);
    if (!r) continue; // only processes that use epoll are workloads here
    r.irqsPerSec += secs > 0 ? v.count / secs : 0;
    r.handlerFrac += ns > 0 ? v.timeNs / ns : 0;
  }
  // estimates join the processes of this interval; one that made no epoll call in it is not running here
  if (feed.state === 'ready') {
    for (const e of feed.estimates) {
      const r = by.get(e.tgid);
      if (r) r.estimate = e;
    }
  }
  return [...by.values()];
}

/** The workload whose busy periods ran mostly on each CPU, with its estimate. */
export function taxByCpu(feed: WorkloadFeed): Map<number, WorkloadEstimate> {
  const m = new Map<number, WorkloadEstimate>();
  if (feed.state !== 'ready') return m;
  for (const e of feed.estimates) {
    if (e.mainCpu === null) continue;
    const cur = m.get(e.mainCpu);
    if (!cur || e.periods > cur.periods) m.set(e.mainCpu, e);
  }
  return m;
}
