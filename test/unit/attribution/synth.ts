// Synthetic busy periods and interrupts whose right answer is known. Each
// thread runs on its own CPU: a gap (waiting in epoll), then a busy period
// that needs `base` ns of work. Interrupts on the CPU are a Poisson process
// independent of the periods; one that arrives while the period still has
// work stalls it for its handler time plus an injected penalty. So a period
// that is long anyway catches more interrupts (length bias), and every hit
// costs exactly `penaltyNs` beyond its handler time.
import { Rng } from '../../../src/attribution/rng.js';
import {
  IRQ_KINDS,
  type BusyPeriod,
  type IrqHit,
  type IrqKind,
  type TraceSpan,
} from '../../../src/attribution/types.js';

export interface SynthKind {
  kind: IrqKind;
  /** Poisson rate per CPU, interrupts per second. */
  ratePerSec: number;
  handlerNs: number;
  /** Indirect cost per hit, added to the period's duration. */
  penaltyNs: number;
  /**
   * The penalty varies between time blocks of `blockNs`: each block's is penaltyNs x (1 + sd x z), z
   * standard normal and drawn once per block (the VM's speed, a neighbour's cache use), mean penaltyNs.
   */
  penaltyJitter?: { sd: number; blockNs: number };
  /** An after-effect: every period that starts `fromNs`..`toNs` after a hit of this kind is `ns` longer (a cache refilling). */
  after?: { ns: number; fromNs: number; toNs: number };
  /**
   * Time from the interrupt's arrival to its handler (a VM's host delivering it): the thread is stalled
   * from the arrival, and the hit is recorded at the handler's start.
   */
  deliveryNs?: number;
  /** A kind every hit of this one brings right after its handler (a device IRQ and the softirq it raises). */
  then?: { kind: IrqKind; handlerNs: number; penaltyNs: number };
}

export interface SynthOptions {
  seed: number;
  /** One thread per CPU, CPUs 0..threads-1. */
  threads: number;
  periodsPerThread: number;
  kinds: SynthKind[];
  /** Work per period: floorNs + perEventNs x events + lognormal(median, sigma) + drift + outlier. */
  floorNs: number;
  perEventNs: number;
  lognormalMedianNs: number;
  lognormalSigma: number;
  /** Rare huge stalls unrelated to interrupts (a page fault, a cold path): probability per period and size. */
  outlierProb: number;
  outlierNs: number;
  /** Slow drift of the work (a sine), to be absorbed by the time fixed effects. */
  driftAmplitudeNs: number;
  driftPeriodNs: number;
  /** Gap between periods: gapFloorNs + exponential(mean gapMeanNs). */
  gapFloorNs: number;
  gapMeanNs: number;
  /** Events per period: 1 + uniform integer in [0, maxExtraEvents]. */
  maxExtraEvents: number;
  /** Time before the first period and after the last, inside the trace. */
  leadNs: number;
  /** PMU counters: cycles at this rate per ns and instructions = cycles x ipc (clean) or x ipcDisturbed. */
  pmu?: { cyclesPerNs: number; ipcClean: number; ipcDisturbed: number };
}

export const DEFAULT_SYNTH: SynthOptions = {
  seed: 1,
  threads: 2,
  periodsPerThread: 1000,
  kinds: [],
  floorNs: 25_000,
  perEventNs: 4_000,
  lognormalMedianNs: 8_000,
  lognormalSigma: 0.5,
  outlierProb: 0.005,
  outlierNs: 300_000,
  driftAmplitudeNs: 8_000,
  driftPeriodNs: 300e6,
  gapFloorNs: 2_000,
  gapMeanNs: 15_000,
  maxExtraEvents: 3,
  leadNs: 2e6,
};

export interface Synth {
  periods: BusyPeriod[];
  hits: IrqHit[];
  trace: TraceSpan;
}

export function zeroByKind(): Record<IrqKind, number> {
  const r = {} as Record<IrqKind, number>;
  for (const k of IRQ_KINDS) r[k] = 0;
  return r;
}

/** A clean, interrupt-free period with the given overrides (for hand-made cases). */
export function period(over: Partial<BusyPeriod> = {}): BusyPeriod {
  return {
    tgid: 1000,
    tid: 1000,
    startNs: 0,
    endNs: 50_000,
    cpuStart: 0,
    cpuEnd: 0,
    events: 1,
    switches: 0,
    offCpuNs: 0,
    stealNs: 0,
    irqCount: zeroByKind(),
    irqNs: zeroByKind(),
    cycles: null,
    instructions: null,
    ...over,
  };
}

/** Poisson interrupts of all kinds on one CPU, generated on demand in time order. */
class CpuIrqs {
  readonly hits: IrqHit[] = [];
  private t = 0;
  private readonly total: number;

  constructor(
    private readonly cpu: number,
    private readonly kinds: SynthKind[],
    private readonly rng: Rng,
  ) {
    this.total = kinds.reduce((s, k) => s + k.ratePerSec / 1e9, 0);
  }

  /** The i-th hit, generating as needed; undefined when there are no interrupts at all. */
  at(i: number): IrqHit | undefined {
    if (this.total <= 0) return undefined;
    while (this.hits.length <= i) {
      this.t += this.rng.exponential(this.total);
      let u = this.rng.next() * this.total;
      let kind = this.kinds[this.kinds.length - 1];
      for (const k of this.kinds) {
        u -= k.ratePerSec / 1e9;
        if (u < 0) {
          kind = k;
          break;
        }
      }
      if (kind === undefined) return undefined;
      this.t += kind.deliveryNs ?? 0;
      this.hits.push({ tsNs: this.t, cpu: this.cpu, kind: kind.kind, durNs: kind.handlerNs });
      if (kind.then) {
        this.t += kind.handlerNs;
        this.hits.push({ tsNs: this.t, cpu: this.cpu, kind: kind.then.kind, durNs: kind.then.handlerNs });
      }
    }
    return this.hits[i];
  }
}

export function synth(over: Partial<SynthOptions> = {}): Synth {
  const o: SynthOptions = { ...DEFAULT_SYNTH, ...over };
  const rng = new Rng(o.seed);
  const byKind = new Map<IrqKind, { penaltyNs: number; penaltyJitter?: { sd: number; blockNs: number } }>(
    o.kinds.map((k) => [k.kind, k]),
  );
  const jitter = new Map<string, number>();
  const penaltyAt = (k: { penaltyNs: number; penaltyJitter?: { sd: number; blockNs: number } }, t: number) => {
    const j = k.penaltyJitter;
    if (!j) return k.penaltyNs;
    const b = Math.floor(t / j.blockNs);
    const key = `${k.penaltyNs}/${b}`;
    let f = jitter.get(key);
    if (f === undefined) {
      f = 1 + j.sd * new Rng(o.seed * 104_729 + b * 31 + k.penaltyNs).normal();
      jitter.set(key, f);
    }
    return k.penaltyNs * f;
  };
  for (const k of o.kinds) if (k.then) byKind.set(k.then.kind, k.then);
  const delivery = new Map(o.kinds.map((k) => [k.kind, k.deliveryNs ?? 0]));
  // when a hit reached the thread: its handler's start minus the delivery
  const arrival = (h: IrqHit | undefined): number =>
    h === undefined ? Infinity : h.tsNs - (delivery.get(h.kind) ?? 0);
  const afterOf = new Map(o.kinds.flatMap((k) => (k.after ? [[k.kind, k.after] as const] : [])));
  const maxAfterNs = Math.max(0, ...[...afterOf.values()].map((a) => a.toNs));
  const periods: BusyPeriod[] = [];
  const cpus: CpuIrqs[] = [];
  let lastEnd = 0;
  for (let c = 0; c < o.threads; c++) {
    const irqs = new CpuIrqs(c, o.kinds, new Rng(o.seed * 7919 + c + 1));
    cpus.push(irqs);
    let t = o.leadNs;
    let next = 0; // first hit not yet consumed
    for (let n = 0; n < o.periodsPerThread; n++) {
      let start = t + o.gapFloorNs + rng.exponential(1 / o.gapMeanNs);
      // skip hits during the gap; one still being delivered when the period would start holds the
      // thread in the kernel until its handler is done (the period starts after it, and after the
      // softirq that handler raised)
      for (let h = irqs.at(next); arrival(h) < start || (h !== undefined && h.tsNs === start); h = irqs.at(++next)) {
        if (h !== undefined && h.tsNs >= start) start = h.tsNs + h.durNs;
      }
      // after-effects of earlier hits (in [start - to, start - from)) on this period
      let afterNs = 0;
      for (let i = next - 1; i >= 0; i--) {
        const h = irqs.at(i);
        if (h === undefined || h.tsNs < start - maxAfterNs) break;
        const a = afterOf.get(h.kind);
        if (a && h.tsNs >= start - a.toNs && h.tsNs < start - a.fromNs) afterNs += a.ns;
      }
      const events = 1 + rng.int(o.maxExtraEvents + 1);
      const drift = o.driftAmplitudeNs * Math.sin((2 * Math.PI * start) / o.driftPeriodNs);
      const outlier = rng.next() < o.outlierProb ? o.outlierNs : 0;
      const base =
        o.floorNs +
        o.perEventNs * events +
        o.lognormalMedianNs * Math.exp(o.lognormalSigma * rng.normal()) +
        drift +
        outlier +
        afterNs;
      const count = zeroByKind();
      const ns = zeroByKind();
      let cur = start;
      let remaining = base;
      for (;;) {
        const h = irqs.at(next);
        const at = arrival(h);
        if (h === undefined || at >= cur + remaining) break;
        if (at > cur) {
          remaining -= at - cur;
          cur = at;
        }
        const k = byKind.get(h.kind);
        // stalled: the delivery (up to the handler's start), the handler, then the indirect cost
        cur = Math.max(cur, h.tsNs) + h.durNs + (k ? penaltyAt(k, h.tsNs) : 0);
        count[h.kind] += 1;
        ns[h.kind] += h.durNs;
        next++;
      }
      const end = cur + remaining;
      const disturbed = IRQ_KINDS.some((k) => count[k] > 0);
      let cycles: number | null = null;
      let instructions: number | null = null;
      if (o.pmu !== undefined) {
        cycles = Math.round((end - start) * o.pmu.cyclesPerNs);
        instructions = cycles * (disturbed ? o.pmu.ipcDisturbed : o.pmu.ipcClean);
      }
      periods.push({
        tgid: 1000,
        tid: 1000 + c,
        startNs: start,
        endNs: end,
        cpuStart: c,
        cpuEnd: c,
        events,
        switches: 0,
        offCpuNs: 0,
        stealNs: 0,
        irqCount: count,
        irqNs: ns,
        cycles,
        instructions,
      });
      t = end;
    }
    lastEnd = Math.max(lastEnd, t);
  }
  const trace = { startNs: 0, endNs: lastEnd + o.leadNs };
  const hits: IrqHit[] = [];
  for (const c of cpus) {
    // make sure each CPU's process covers the whole trace, then keep what lies inside it
    let i = 0;
    while ((c.at(i)?.tsNs ?? Infinity) < trace.endNs) i++;
    for (const h of c.hits) if (h.tsNs < trace.endNs) hits.push(h);
  }
  periods.sort((a, b) => a.startNs - b.startNs);
  return { periods, hits, trace };
}
