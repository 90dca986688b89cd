// Busy periods and interrupt hits from the stream's per-event records: an
// append-only fold (deterministic in stream order) that feeds attribution.
import { recordSize } from '../stream/decode.js';
import { StreamError } from '../stream/errors.js';
import { LAYOUT, PERIOD_PMU, PERIOD_STEAL, REC, VECTORS } from '../stream/layout.js';
import type { Message } from '../stream/types.js';
import type { BusyPeriod, IrqHit, IrqKind } from '../attribution/types.js';

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

/** u64 at `off` as a number (exact below 2^53: ns timestamps and counters). */
function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 0x100000000 + dv.getUint32(off, true);
}

function kindsAt(dv: DataView, off: number): Record<IrqKind, number> {
  return {
    device: dv.getUint32(off, true),
    local_timer: dv.getUint32(off + 4, true),
    reschedule: dv.getUint32(off + 8, true),
    call_function: dv.getUint32(off + 12, true),
    irq_work: dv.getUint32(off + 16, true),
    other_vector: dv.getUint32(off + 20, true),
    softirq: dv.getUint32(off + 24, true),
  };
}

/** A busy period straight from its record bytes (the hot path: no BigInt, no intermediate record). */
export function busyPeriodAt(dv: DataView, off: number): BusyPeriod & { stealKnown: boolean } {
  const flags = dv.getUint16(off + P.flags, true);
  const pmu = (flags & PERIOD_PMU) !== 0;
  return {
    tgid: dv.getUint32(off + P.tgid, true),
    tid: dv.getUint32(off + P.tid, true),
    startNs: u64(dv, off + P.start_ns),
    endNs: u64(dv, off + P.end_ns),
    cpuStart: dv.getUint16(off + P.cpu_start, true),
    cpuEnd: dv.getUint16(off + P.cpu_end, true),
    events: dv.getUint32(off + P.events, true),
    switches: dv.getUint32(off + P.switches, true),
    offCpuNs: u64(dv, off + P.offcpu_ns),
    stealNs: u64(dv, off + P.steal_ns),
    stealKnown: (flags & PERIOD_STEAL) !== 0,
    irqCount: kindsAt(dv, off + P.irq_count),
    irqNs: kindsAt(dv, off + P.irq_ns),
    cycles: pmu ? u64(dv, off + P.cycles) : null,
    instructions: pmu ? u64(dv, off + P.instructions) : null,
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
        if (this.accept(dv.getUint32(off + P.tgid, true))) {
          const p = busyPeriodAt(dv, off);
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
