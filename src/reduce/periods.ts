// Busy periods and interrupt hits from the stream's per-event records: an
// append-only fold (deterministic in stream order) that feeds attribution.
import { decodePeriod, recordSize } from '../stream/decode.js';
import { StreamError } from '../stream/errors.js';
import { LAYOUT, PERIOD_PMU, PERIOD_STEAL, REC, VECTORS } from '../stream/layout.js';
import type { Message, PeriodRec } from '../stream/types.js';
import { IRQ_KINDS, type BusyPeriod, type IrqHit, type IrqKind } from '../attribution/types.js';

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

function perKind(values: readonly number[]): Record<IrqKind, number> {
  const out = {} as Record<IrqKind, number>;
  IRQ_KINDS.forEach((k, i) => {
    out[k] = values[i] ?? 0;
  });
  return out;
}

export function toBusyPeriod(r: PeriodRec): BusyPeriod & { stealKnown: boolean } {
  const pmu = (r.flags & PERIOD_PMU) !== 0;
  return {
    tgid: r.tgid,
    tid: r.tid,
    startNs: Number(r.startNs),
    endNs: Number(r.endNs),
    cpuStart: r.cpuStart,
    cpuEnd: r.cpuEnd,
    events: r.events,
    switches: r.switches,
    offCpuNs: r.offCpuNs,
    stealNs: r.stealNs,
    stealKnown: (r.flags & PERIOD_STEAL) !== 0,
    irqCount: perKind(r.irqCount),
    irqNs: perKind(r.irqNs),
    cycles: pmu ? r.cycles : null,
    instructions: pmu ? r.instructions : null,
  };
}

export class PeriodCollector {
  readonly periods: BusyPeriod[] = [];
  readonly hits: IrqHit[] = [];
  /** Names of traced processes by tgid, filled from epoll rows. */
  readonly comms = new Map<number, string>();
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = 0;
  stealKnown = false;

  constructor(private readonly accept: (tgid: number) => boolean = () => true) {}

  add(m: Message): void {
    if (m.type === 'snapshot') {
      for (const e of m.epoll) this.comms.set(e.tgid, e.comm);
      return;
    }
    if (m.type !== 'events') return;
    // the hot path: read records in place; only periods and interrupts become objects
    const b = m.bytes;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const R = LAYOUT.irqlens_rec.fields;
    for (let off = 0; off < b.length;) {
      const kind = dv.getUint16(off, true);
      const size = recordSize(kind);
      if (!size || b.length - off < size) throw new StreamError(`event batch: bad record (kind ${kind}) at byte ${off}`);
      if (kind === REC.PERIOD) {
        const r = decodePeriod(dv, off);
        if (this.accept(r.tgid)) {
          const p = toBusyPeriod(r);
          if (p.stealKnown) this.stealKnown = true;
          this.periods.push(p);
        }
      } else if (kind === REC.HARDIRQ || kind === REC.VECTOR || (kind === REC.SOFTIRQ && dv.getUint32(off + R.arg0, true) === 1)) {
        // (synchronous softirqs are the task's own work: not interrupts)
        const ts = dv.getUint32(off + R.ts_ns + 4, true) * 0x100000000 + dv.getUint32(off + R.ts_ns, true);
        const durNs = dv.getUint32(off + R.dur_ns, true);
        const cpu = dv.getUint16(off + R.cpu, true);
        const hitKind: IrqKind = kind === REC.HARDIRQ ? 'device' : kind === REC.VECTOR ? vectorKind(dv.getUint32(off + R.id, true)) : 'softirq';
        if (ts < this.firstNs) this.firstNs = ts;
        if (ts + durNs > this.lastNs) this.lastNs = ts + durNs;
        this.hits.push({ tsNs: ts, cpu, kind: hitKind, durNs });
      }
      off += size;
    }
  }
}
