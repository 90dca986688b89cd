// A recording folded by the same reducers the live commands use: the totals
// state after every message, busy periods and interrupt hits, and the window
// edges a live measurement would have taken (src/cost/measure.ts).
import type { Measurement } from '../cost/measure.js';
import { PeriodCollector } from '../reduce/periods.js';
import { initialTotals, reduceTotals, windowOf, type Totals } from '../reduce/totals.js';
import { StreamError } from '../stream/errors.js';
import type { Message } from '../stream/types.js';
import { RecordError } from './errors.js';
import type { Recording } from './reader.js';

/** Runs `fn` over every message; a recorded stream that does not decode becomes a RecordError. */
export function eachMessage(rec: Recording, fn: (m: Message) => void): void {
  try {
    for (const m of rec.messages()) fn(m);
  } catch (e) {
    if (e instanceof StreamError)
      throw new RecordError(`${rec.path}: the recorded stream does not decode: ${e.message}`, undefined, { cause: e });
    throw e;
  }
}

export interface Edges {
  first?: Totals;
  last?: Totals;
  firstRequested?: Totals;
  lastRequested?: Totals;
}

/**
 * The window of a recording: between the first and last requested snapshot
 * when there are two (a live `report`/`cost` run marks its window so), else
 * between the first and last snapshot.
 */
export function windowEdges(e: Edges, path: string): { start: Totals; end: Totals } {
  if (e.firstRequested && e.lastRequested && e.firstRequested !== e.lastRequested)
    return { start: e.firstRequested, end: e.lastRequested };
  if (!e.first || !e.last || e.first === e.last) {
    throw new RecordError(
      `${path}: the recording holds ${e.first ? 'one snapshot' : 'no snapshots'}: a window needs two (record for longer than one snapshot interval)`,
    );
  }
  return { start: e.first, end: e.last };
}

/** The recording as one Measurement, exactly as `measure()` builds it live from the same stream. */
export function measurementOf(rec: Recording, accept?: (tgid: number) => boolean): Measurement {
  let state = initialTotals(rec.hello);
  const collector = new PeriodCollector(accept);
  const edges: Edges = {};
  eachMessage(rec, (m) => {
    if (m.type === 'hello') return; // the live tracker starts from it too (initialTotals)
    state = reduceTotals(state, m);
    collector.add(m);
    if (m.type !== 'snapshot') return;
    edges.first ??= state;
    edges.last = state;
    if (m.requested) {
      edges.firstRequested ??= state;
      edges.lastRequested = state;
    }
  });
  const { start, end } = windowEdges(edges, rec.path);
  return {
    window: windowOf(start, end),
    collector,
    fromNs: Number(start.tsNs),
    toNs: Number(end.tsNs),
    warnings: [...rec.notes],
  };
}
