// Busy periods and interrupt hits, collected in epochs of a few seconds, and
// an estimate over the newest complete epochs at most every `everyS`
// seconds. Memory and CPU stay bounded: busy periods are thinned
// systematically (every k-th, k doubling as needed), and an epoch that has
// decoded its budget of periods or interrupts stops at that moment, its span
// saying so, so no estimate mixes complete and missing data. Where the
// probe can sample (live), the feed also asks the kernel to open a period on
// every n-th epoll call only, n chosen per epoch so that about the periods an
// epoch keeps arrive: the estimate then spans the whole epoch, and the
// records that would have been thinned are never written or decoded.
import { PeriodCollector } from '../reduce/periods.js';
import { concatHits } from '../reduce/hit-log.js';
import type { Hello, Message } from '../stream/types.js';
import { MAX_PERIOD_EVERY } from '../stream/layout.js';
import type { WorkloadFeed } from '../derive/workloads.js';
import type { EstimateFn } from './estimate-runner.js';

export interface FeedOptions {
  /** Seconds between estimates (and the epoch length). */
  everyS: number;
  /** Epochs an estimate may span. */
  epochs: number;
  /** Per epoch: busy periods kept (more are thinned). */
  maxPeriods: number;
  /** Per epoch: busy periods and interrupts decoded, after which the epoch stops collecting (decoding is the cost). */
  maxSeen: number;
  maxHits: number;
}

// at most ~10k decoded periods a second whatever the workload's rate, and 8000 kept: enough for
// about 30 periods hit by a 250 Hz timer in their first 25 us, which the estimator needs; it
// takes ~0.1 ms per period in its worker, so ~0.8 s of CPU per 10 s at most
export const DEFAULT_FEED: FeedOptions = {
  everyS: 10,
  epochs: 1,
  maxPeriods: 8_000,
  maxSeen: 100_000,
  maxHits: 200_000,
};

/** Busy-period sampling in the kernel, as a live Probe offers it ("period-every N"). */
export interface PeriodSampling {
  /** The sampling in force: a period on every n-th epoll call of a thread. */
  readonly periodEvery: number;
  setPeriodEvery(n: number): void;
}

/**
 * The sampling for the next epoch: the power of 2 that brings `periodsPerS` (all calls' periods, before
 * sampling) to at most `targetPerS` decoded a second; 1 when they already fit.
 */
export function periodEvery(periodsPerS: number, targetPerS: number): number {
  if (!(periodsPerS > targetPerS) || !(targetPerS > 0)) return 1;
  return Math.min(MAX_PERIOD_EVERY, 2 ** Math.ceil(Math.log2(periodsPerS / targetPerS)));
}

/**
 * A record still in the ring when the budget fills was written after the last one read, but may carry an
 * earlier time (an interrupt's entry, written at its exit): a stopped epoch ends this much before it.
 */
const FLUSH_MARGIN_NS = 20e6;

/** How long the first epoch runs before its rate may restart it with sampling. */
const FIRST_RETUNE_NS = 1e9;

interface Epoch {
  collector: PeriodCollector;
  fromNs: number;
  toNs: number | null;
  /** Where collection stopped early (CLOCK_MONOTONIC ns), or null. */
  stoppedNs: number | null;
  /** Every `stride`-th decoded busy period is kept; `seen` counts the decoded ones. */
  stride: number;
  seen: number;
  /** The kernel opened a period on every `every`-th epoll call while this epoch collected. */
  every: number;
}

export class WorkloadFeedCollector {
  private current: Epoch | null = null;
  private closed: Epoch[] = [];
  private running = false;
  private firstNs: number | null = null;
  private every = 1;
  private restarted = false;
  private sample: ((every: number) => void) | null = null;

  constructor(
    private readonly hello: Hello,
    private readonly estimate: EstimateFn,
    private readonly publish: (f: WorkloadFeed) => void,
    private readonly o: FeedOptions = DEFAULT_FEED,
  ) {}

  /** Lets the feed sample busy periods in the kernel (a live Probe), starting from the sampling in force. */
  sampleWith(kernel: PeriodSampling): void {
    this.sample = (n) => {
      kernel.setPeriodEvery(n);
    };
    this.every = kernel.periodEvery;
  }

  /** Every stream message (from Tracker.onMessage). */
  add(m: Message): void {
    const e = this.current;
    if (!e || e.stoppedNs !== null) return;
    if (m.type !== 'events' && m.type !== 'snapshot') return;
    const before = e.collector.periods.length;
    e.collector.add(m);
    this.thin(e, before);
    if (e.seen >= this.o.maxSeen || e.collector.hitCount >= this.o.maxHits) e.stoppedNs = this.stopAt(e);
  }

  /** Where a stopped epoch ends: its last interrupt less the flush margin, or its last period's end. */
  private stopAt(e: Epoch): number {
    const lastPeriod = e.collector.periods.reduce((m, p) => Math.max(m, p.endNs), e.fromNs);
    const last = e.collector.hitCount ? e.collector.lastNs : lastPeriod;
    return Math.max(e.fromNs, last - FLUSH_MARGIN_NS);
  }

  /**
   * Keeps every stride-th busy period in arrival order. The choice does not depend on what interrupted
   * a period, so the sample's exposure statistics are those of all periods, just with fewer of them.
   */
  private thin(e: Epoch, from: number): void {
    const ps = e.collector.periods;
    let w = from;
    for (let i = from; i < ps.length; i++) {
      const p = ps[i];
      if (p && e.seen++ % e.stride === 0) ps[w++] = p;
    }
    ps.length = w;
    while (ps.length > this.o.maxPeriods) {
      // position k holds period k x stride: the even positions are the multiples of 2 x stride
      let k = 0;
      for (let i = 0; i < ps.length; i += 2) {
        const p = ps[i];
        if (p) ps[k++] = p;
      }
      ps.length = k;
      e.stride *= 2;
    }
  }

  /** At every interval edge (a requested snapshot at `tsNs`). */
  mark(tsNs: bigint, atMs: number): void {
    const now = Number(tsNs);
    this.firstNs ??= now;
    const e = this.current;
    if (!e) {
      this.current = this.fresh(now);
      this.publishMeasuring(now);
      return;
    }
    if (now - e.fromNs < this.o.everyS * 1e9) {
      if (this.closed.length) return;
      // the first epoch, a second in and over the target: sample from now on and start it again, rather
      // than decode ten seconds of every call first (once: a rate that swings must not keep it from ending)
      if (!this.restarted && now - e.fromNs >= FIRST_RETUNE_NS && this.retune(e, (e.stoppedNs ?? now) - e.fromNs)) {
        this.restarted = true;
        this.current = this.fresh(now);
      }
      this.publishMeasuring(now);
      return;
    }
    e.toNs = e.stoppedNs ?? now;
    this.closed = [...this.closed, e].slice(-this.o.epochs);
    this.retune(e, e.toNs - e.fromNs);
    this.current = this.fresh(now);
    if (!this.running) void this.run(atMs);
  }

  private fresh(fromNs: number): Epoch {
    return {
      collector: new PeriodCollector(),
      fromNs,
      toNs: null,
      stoppedNs: null,
      stride: 1,
      seen: 0,
      every: this.every,
    };
  }

  /**
   * Sampling for the next epoch from this one's rate: about the periods an epoch keeps, since decoding more
   * only to thin them away is the cost; never over half the decode budget, so an epoch rarely stops early.
   */
  private retune(e: Epoch, spanNs: number): boolean {
    if (!this.sample) return false;
    // an epoch that filled its budget at once still gives a rate (a floor keeps it finite)
    const spanS = Math.max(spanNs / 1e9, 0.01);
    const target = Math.min(this.o.maxPeriods, this.o.maxSeen / 2) / this.o.everyS;
    const next = periodEvery((e.seen * e.every) / spanS, target);
    if (next === this.every) return false;
    this.every = next;
    this.sample(next);
    return true;
  }

  private publishMeasuring(now: number): void {
    this.publish({ state: 'measuring', collectedS: (now - (this.firstNs ?? now)) / 1e9, needS: this.o.everyS });
  }

  /** The newest closed epochs that join without a gap (an epoch that stopped early ends the run). */
  private span(): Epoch[] {
    const out: Epoch[] = [];
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const e = this.closed[i];
      if (!e) break;
      if (out.length && e.stoppedNs !== null) break;
      out.unshift(e);
    }
    return out;
  }

  private async run(atMs: number): Promise<void> {
    const epochs = this.span();
    const first = epochs[0];
    const last = epochs[epochs.length - 1];
    if (!first || !last || last.toNs === null) return;
    this.running = true;
    try {
      const fromNs = first.fromNs;
      const toNs = last.toNs;
      const comms = new Map<number, string>();
      for (const e of epochs) for (const [k, v] of e.collector.comms) comms.set(k, v);
      const estimates = await this.estimate({
        hello: this.hello,
        periods: epochs.flatMap((e) => e.collector.periods),
        hits: concatHits(epochs.map((e) => e.collector.hitColumns())),
        comms: [...comms],
        fromNs,
        toNs,
      });
      const decoded = epochs.reduce((n, e) => n + e.seen, 0);
      const kept = epochs.reduce((n, e) => n + e.collector.periods.length, 0);
      this.publish({
        state: 'ready',
        atMs,
        spanS: (toNs - fromNs) / 1e9,
        estimates,
        periodsDecoded: decoded,
        periodsUsed: kept,
        sampledOneIn: { min: Math.min(...epochs.map((e) => e.every)), max: Math.max(...epochs.map((e) => e.every)) },
      });
    } catch (err) {
      this.publish({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running = false;
    }
  }
}
