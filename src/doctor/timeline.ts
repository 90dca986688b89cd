// When drops happened: per reason, the first and last drop and a bounded
// sample of times, folded from per-event drop records, so a finding can say
// when and whether the drops sat inside micro-bursts.
import { LAYOUT, REC } from '../stream/layout.js';
import { forEachRecord, u64 } from '../stream/records.js';
import type { BurstRec } from '../stream/types.js';

export const MAX_TIMES = 20_000;

export interface ReasonTimes {
  count: number;
  firstNs: number;
  lastNs: number;
  /** up to MAX_TIMES drop times (the first ones), ns */
  times: number[];
}

export type DropTimeline = Map<number, ReasonTimes>;

/** Adds the drop records of one events batch (from `sinceNs` on) to the timeline. */
export function foldDropRecords(t: DropTimeline, bytes: Uint8Array, sinceNs = 0): void {
  const R = LAYOUT.irqlens_rec.fields;
  // lenient: the reducer reports a bad batch
  forEachRecord(
    bytes,
    (kind, off, dv) => {
      if (kind === REC.DROP) {
        const ts = u64(dv, off + R.ts_ns);
        if (ts >= sinceNs) {
          const reason = dv.getUint32(off + R.id, true);
          let r = t.get(reason);
          if (!r) t.set(reason, (r = { count: 0, firstNs: ts, lastNs: ts, times: [] }));
          r.count++;
          if (ts < r.firstNs) r.firstNs = ts;
          if (ts > r.lastNs) r.lastNs = ts;
          if (r.times.length < MAX_TIMES) r.times.push(ts);
        }
      }
    },
    true,
  );
}

/** Share of sampled drop times within `slackNs` of a micro-burst. */
export function nearBursts(times: readonly number[], bursts: readonly BurstRec[], slackNs = 1_000_000): number {
  if (!times.length || !bursts.length) return 0;
  const spans = bursts
    .map((b) => [Number(b.startNs) - slackNs, Number(b.endNs) + slackNs] as const)
    .sort((a, b) => a[0] - b[0]);
  let near = 0;
  for (const t of times) if (spans.some(([a, b]) => t >= a && t <= b)) near++;
  return near / times.length;
}
