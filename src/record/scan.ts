// Cheap facts about one frame without decoding it: records per kind and the
// time range it covers. Every record kind has its timestamp at byte 8
// (irqlens_rec.ts_ns, irqlens_burst_rec.start_ns, irqlens_period_rec.start_ns).
import { forEachRecord, u64 } from '../stream/records.js';
import { FRAME, LAYOUT } from '../stream/layout.js';

export const REC_TS = 8;

export interface FrameFacts {
  events: number;
  minTs: number;
  maxTs: number;
  /** False when the bytes do not walk as records (the decoder will say why). */
  ok: boolean;
}

/** Walks an EVENTS payload: records per kind into `counts` (indexed by IRQLENS_REC_*), and min/max timestamp. */
export function eventFacts(p: Uint8Array, counts?: Float64Array): FrameFacts {
  let events = 0;
  let minTs = 0;
  let maxTs = 0;
  const walked = forEachRecord(
    p,
    (kind, off, dv) => {
      const ts = u64(dv, off + REC_TS);
      if (!events || ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
      if (counts) counts[kind] = (counts[kind] ?? 0) + 1;
      events++;
    },
    true,
  );
  return { events, minTs, maxTs, ok: walked === p.length };
}

/** The one timestamp a non-events frame carries (0 when it has none). */
export function frameTs(type: number, p: Uint8Array): number {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (type === FRAME.SNAPSHOT && p.length >= LAYOUT.irqlens_snap_hdr.size)
    return u64(dv, LAYOUT.irqlens_snap_hdr.fields.ts_ns);
  if (type === FRAME.END && p.length >= LAYOUT.irqlens_end.size) return u64(dv, LAYOUT.irqlens_end.fields.ts_ns);
  if (type === FRAME.HELLO && p.length >= LAYOUT.irqlens_hello.size)
    return u64(dv, LAYOUT.irqlens_hello.fields.mono_ns);
  return 0;
}
