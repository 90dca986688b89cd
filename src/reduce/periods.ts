// Busy periods and interrupt hits from the stream's per-event records: an
// append-only fold (deterministic in stream order) that feeds attribution.
import { forEachRecord, u64 } from '../stream/records.js';
import { LAYOUT, REC, VECTORS } from '../stream/layout.js';
import { decodePeriod } from '../stream/decode.js';
import type { Message } from '../stream/types.js';
import type { BusyPeriod, IrqHit, IrqKind } from '../attribution/types.js';
import { columnsToHits, HitLog, kindIndex, type HitColumns } from './hit-log.js';

/** IRQLENS_VEC_* -> the kind a busy period is charged with (mirrors vectors.bpf.c). */
export function vectorKind(vec: number): IrqKind {
  switch (VECTORS[vec]?.name) {
    case 'LOCAL_TIMER':
      return 'local_timer';
    case 'RESCHEDULE':
      return 'reschedule';
    case 'CALL_FUNCTION':
    case 'CALL_FUNCTION_SINGLE':
      return 'call_function';
    case 'IRQ_WORK':
      return 'irq_work';
    default:
      return 'other_vector';
  }
}

const P = LAYOUT.irqlens_period_rec.fields;

const KIND = {
  device: kindIndex('device'),
  softirq: kindIndex('softirq'),
  vector: VECTORS.map((_, vec) => kindIndex(vectorKind(vec))),
  otherVector: kindIndex('other_vector'),
};

export class PeriodCollector {
  readonly periods: BusyPeriod[] = [];
  private readonly hitLog = new HitLog();
  private hitObjects: IrqHit[] | null = null;
  /** Names of traced processes by tgid, filled from epoll rows. */
  readonly comms = new Map<number, string>();
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = 0;
  stealKnown = false;

  constructor(private readonly accept: (tgid: number) => boolean = () => true) {}

  /**
   * A collector holding periods and hits gathered elsewhere (a worker's input). Loops, not push(...xs): a
   * run holds hundreds of thousands of them, past the arguments a spread call can take.
   */
  static of(d: {
    periods: Iterable<BusyPeriod>;
    hits: Iterable<IrqHit> | HitColumns;
    comms: Iterable<[number, string]>;
    stealKnown?: boolean;
  }): PeriodCollector {
    const c = new PeriodCollector();
    for (const p of d.periods) c.periods.push(p);
    const h = d.hits;
    if ('tsNs' in h) {
      for (let i = 0; i < h.length; i++) c.hitLog.push(h.tsNs[i] ?? 0, h.cpu[i] ?? 0, h.kind[i] ?? 0, h.durNs[i] ?? 0);
    } else {
      for (const x of h) c.hitLog.push(x.tsNs, x.cpu, kindIndex(x.kind), x.durNs);
    }
    for (const [k, v] of d.comms) c.comms.set(k, v);
    c.stealKnown = d.stealKnown ?? false;
    return c;
  }

  add(m: Message): void {
    if (m.type === 'snapshot') {
      for (const e of m.epoll) this.comms.set(e.tgid, e.comm);
      return;
    }
    if (m.type !== 'events') return;
    // the hot path: read records in place; only periods become objects, interrupts columns
    this.hitObjects = null;
    const R = LAYOUT.irqlens_rec.fields;
    forEachRecord(m.bytes, (kind, off, dv) => {
      if (kind === REC.PERIOD) {
        if (this.accept(dv.getUint32(off + P.tgid, true))) {
          const p = decodePeriod(dv, off);
          if (p.stealKnown) this.stealKnown = true;
          this.periods.push(p);
        }
      } else if (
        kind === REC.HARDIRQ ||
        kind === REC.VECTOR ||
        (kind === REC.SOFTIRQ && dv.getUint32(off + R.arg0, true) === 1)
      ) {
        // (synchronous softirqs are the task's own work: not interrupts)
        const ts = u64(dv, off + R.ts_ns);
        const durNs = dv.getUint32(off + R.dur_ns, true);
        const cpu = dv.getUint16(off + R.cpu, true);
        const hitKind =
          kind === REC.HARDIRQ
            ? KIND.device
            : kind === REC.VECTOR
              ? (KIND.vector[dv.getUint32(off + R.id, true)] ?? KIND.otherVector)
              : KIND.softirq;
        if (ts < this.firstNs) this.firstNs = ts;
        if (ts + durNs > this.lastNs) this.lastNs = ts + durNs;
        this.hitLog.push(ts, cpu, hitKind, durNs);
      }
    });
  }

  /** Interrupt hits received so far. */
  get hitCount(): number {
    return this.hitLog.length;
  }

  /** The hits as columns (a view, valid until the next add). */
  hitColumns(): HitColumns {
    return this.hitLog.view();
  }

  /** The hits as objects, made once per change (the estimator's input). */
  get hits(): readonly IrqHit[] {
    return (this.hitObjects ??= columnsToHits(this.hitLog.view()));
  }
}
