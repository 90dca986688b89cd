// The one walk over an event batch's records, and the byte readers every
// decoder shares. A record's size comes from its kind (layout.ts); a batch that
// does not divide into whole records is an error, never a silent misread.
import { LAYOUT, REC } from './layout.js';
import { StreamError } from './errors.js';

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** u64 as a JS number: exact below 2^53, which counters and ns timestamps stay under. */
export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 0x100000000 + dv.getUint32(off, true);
}

export function setU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / 0x100000000), true);
}

const EVENT_KINDS = new Set<number>([REC.HARDIRQ, REC.VECTOR, REC.SOFTIRQ, REC.NAPI, REC.EPOLL, REC.DROP]);

/** Size in bytes of a record of `kind`, or 0 for a kind this version does not know. */
export function recordSize(kind: number): number {
  if (kind === REC.BURST) return LAYOUT.irqlens_burst_rec.size;
  if (kind === REC.PERIOD) return LAYOUT.irqlens_period_rec.size;
  if (EVENT_KINDS.has(kind)) return LAYOUT.irqlens_rec.size;
  return 0;
}

/**
 * Calls `fn(kind, off, dv)` for each record of the batch, in order; returns the bytes walked (the
 * batch's length unless `lenient` stopped early).
 * Strict (the default) throws on stray bytes or an unknown or cut-off record; `lenient` stops there
 * instead, for readers whose batch the reducer already reports.
 */
export function forEachRecord(
  b: Uint8Array,
  fn: (kind: number, off: number, dv: DataView) => void,
  lenient = false,
): number {
  const dv = view(b);
  let off = 0;
  while (off < b.length) {
    if (b.length - off < 2) {
      if (lenient) return off;
      throw new StreamError(`event batch: ${b.length - off} stray bytes at ${off}`);
    }
    const kind = dv.getUint16(off, true);
    const size = recordSize(kind);
    if (!size || b.length - off < size) {
      if (lenient) return off;
      throw new StreamError(
        size
          ? `event batch: record (kind ${kind}) at byte ${off} is cut off`
          : `event batch: unknown record kind ${kind} at byte ${off}`,
      );
    }
    fn(kind, off, dv);
    off += size;
  }
  return off;
}
