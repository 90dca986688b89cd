// Busy periods and interrupt hits from the stream's per-event records: an
// append-only fold (deterministic in stream order) that feeds attribution.
import { forEachRecord, u64 } from '../stream/records.js';
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
    const R = LAYOUT.irqlens_rec.fields;
    forEachRecord(m.bytes, (kind, off, dv) => {
      if (kind === REC.PERIOD) {
        if (this.accept(dv.getUint32(off + P.tgid, true))) {
          const p = busyPeriodAt(dv, off);
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
        const hitKind: IrqKind =
          kind === REC.HARDIRQ
            ? 'device'
            : kind === REC.VECTOR
              ? vectorKind(dv.getUint32(off + R.id, true))
              : 'softirq';
        if (ts < this.firstNs) this.firstNs = ts;
        if (ts + durNs > this.lastNs) this.lastNs = ts + durNs;
        this.hits.push({ tsNs: ts, cpu, kind: hitKind, durNs });
      }
    });
  }
}
