// Per-event NAPI polls kept in a fixed ring (typed arrays, bounded memory) so
// that each micro-burst can be shown as packets per 100 us bin around it.
import type { BurstRec, Message } from '../stream/types.js';
import { forEachRecord, u64 } from '../stream/records.js';
import { LAYOUT, REC } from '../stream/layout.js';
import type { BurstView } from './wire.js';

export const BIN_US = 100;
/** Bins shown before and after a burst. */
const MARGIN_BINS = 10;
/** At most this many bins per burst (a long burst is cut at its end, never spread wider). */
const MAX_BINS = 2000;

const R = LAYOUT.irqlens_rec.fields;

export class NapiRing {
  private readonly ts: Float64Array;
  private readonly cpu: Int32Array;
  private readonly napiId: Uint32Array;
  private readonly work: Uint32Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity = 200_000) {
    this.ts = new Float64Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.napiId = new Uint32Array(capacity);
    this.work = new Uint32Array(capacity);
  }

  get size(): number {
    return this.filled;
  }

  /** Reads NAPI records straight from an events batch (no objects: this is the hot path). */
  add(m: Message): void {
    if (m.type !== 'events') return;
    // lenient: the reducer reports a bad batch
    forEachRecord(
      m.bytes,
      (kind, off, dv) => {
        if (kind === REC.NAPI)
          this.push(
            dv.getUint16(off + R.cpu, true),
            dv.getUint32(off + R.id, true),
            u64(dv, off + R.ts_ns),
            dv.getUint32(off + R.arg0, true),
          );
      },
      true,
    );
  }

  push(cpu: number, napiId: number, tsNs: number, work: number): void {
    const i = this.next;
    this.ts[i] = tsNs;
    this.cpu[i] = cpu;
    this.napiId[i] = napiId;
    this.work[i] = work;
    this.next = (i + 1) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + 1);
  }

  /** Packets per 100 us bin on the burst's CPU and NAPI instance, from MARGIN_BINS before its start to after its end. */
  bins(b: BurstRec, t0Ns: number): { binStartS: number; bins: Float64Array } {
    const binNs = BIN_US * 1000;
    const start = Number(b.startNs) - MARGIN_BINS * binNs;
    const n = Math.min(MAX_BINS, Math.ceil((Number(b.endNs) - start) / binNs) + MARGIN_BINS);
    const out = new Float64Array(n);
    for (let k = 0; k < this.filled; k++) {
      if (this.cpu[k] !== b.cpu || this.napiId[k] !== b.napiId) continue;
      const at = Math.floor(((this.ts[k] ?? 0) - start) / binNs);
      if (at >= 0 && at < n) out[at] = (out[at] ?? 0) + (this.work[k] ?? 0);
    }
    return { binStartS: (start - t0Ns) / 1e9, bins: out };
  }
}

/** The bursts of an interval, newest last, at most `max` (each with its bins when NAPI records are streamed). */
export function burstViews(
  bursts: readonly BurstRec[],
  ring: NapiRing | null,
  t0Ns: number,
  devOf: (ifindex: number) => string,
  max = 20,
): BurstView[] {
  return bursts.slice(-max).map((b) => {
    const binned = ring
      ? ring.bins(b, t0Ns)
      : { binStartS: (Number(b.startNs) - t0Ns) / 1e9, bins: new Float64Array(0) };
    return {
      cpu: b.cpu,
      napiId: b.napiId,
      dev: devOf(b.ifindex),
      startS: (Number(b.startNs) - t0Ns) / 1e9,
      endS: (Number(b.endNs) - t0Ns) / 1e9,
      packets: b.packets,
      peakWindowPackets: b.peakWindowPackets,
      binUs: BIN_US,
      ...binned,
    };
  });
}
