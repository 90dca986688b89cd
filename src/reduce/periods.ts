// Busy periods and interrupt hits from the stream's per-event records: an
// append-only fold (deterministic in stream order) that feeds attribution.
import { decodeRecords } from '../stream/decode.js';
import { PERIOD_PMU, PERIOD_STEAL, VECTORS } from '../stream/layout.js';
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
    for (const r of decodeRecords(m.bytes)) {
      if (r.kind === 'period') {
        if (!this.accept(r.tgid)) continue;
        const p = toBusyPeriod(r);
        if (p.stealKnown) this.stealKnown = true;
        this.periods.push(p);
        continue;
      }
      if (r.kind === 'burst' || r.kind === 'napi' || r.kind === 'epoll') continue;
      const ts = Number(r.tsNs);
      this.firstNs = Math.min(this.firstNs, ts);
      this.lastNs = Math.max(this.lastNs, ts + r.durNs);
      if (r.kind === 'hardirq') this.hits.push({ tsNs: ts, cpu: r.cpu, kind: 'device', durNs: r.durNs });
      else if (r.kind === 'vector') this.hits.push({ tsNs: ts, cpu: r.cpu, kind: vectorKind(r.id), durNs: r.durNs });
      else if (r.arg0 === 1) this.hits.push({ tsNs: ts, cpu: r.cpu, kind: 'softirq', durNs: r.durNs }); // async softirqs only
    }
  }
}
