// The one interval driver: folds messages into the cumulative totals and cuts
// an interval at each edge, a snapshot chosen by the edge policy. Live views
// (requested snapshots), the web pipeline, CSV, Perfetto, compare and replay
// (every recorded snapshot, joining short ones) all cut their windows here.
import { initialTotals, reduceTotals, windowOf, type Totals, type Window } from './totals.js';
import type { Hello, Message } from '../stream/types.js';

/** requested: only snapshots someone asked for (live marks); everyNs: any snapshot at least that long after the last edge. */
export type EdgePolicy = 'requested' | { everyNs: number };

export interface Interval {
  /** Seconds from the recording's start (the hello). */
  startS: number;
  endS: number;
  startNs: number;
  endNs: number;
  window: Window;
  /** The cumulative state at the interval's start and end. */
  start: Totals;
  end: Totals;
}

/** A snapshot the policy cut at; the first edge opens the first interval and closes none. */
export interface Edge {
  end: Totals;
  interval: Interval | null;
}

export class IntervalFolder {
  state: Totals;
  private prev: Totals | undefined;
  private readonly t0: number;

  constructor(
    hello: Hello,
    private readonly edges: EdgePolicy = { everyNs: 0 },
  ) {
    this.state = initialTotals(hello);
    this.t0 = Number(hello.monoNs);
  }

  /** Folds one message; returns the edge it is, if it is a snapshot the policy cuts at. */
  edge(m: Message): Edge | undefined {
    if (m.type === 'hello') return undefined;
    this.state = reduceTotals(this.state, m);
    if (m.type !== 'snapshot') return undefined;
    const prev = this.prev;
    if (this.edges === 'requested') {
      if (!m.requested) return undefined;
    } else if (prev && Number(this.state.tsNs - prev.tsNs) < this.edges.everyNs) return undefined;
    this.prev = this.state;
    if (!prev) return { end: this.state, interval: null };
    const startNs = Number(prev.tsNs);
    const endNs = Number(this.state.tsNs);
    return {
      end: this.state,
      interval: {
        startS: (startNs - this.t0) / 1e9,
        endS: (endNs - this.t0) / 1e9,
        startNs,
        endNs,
        window: windowOf(prev, this.state),
        start: prev,
        end: this.state,
      },
    };
  }

  /** Folds one message; returns the interval it closes, if any. */
  add(m: Message): Interval | undefined {
    return this.edge(m)?.interval ?? undefined;
  }
}

export function* intervalsOf(messages: Iterable<Message>, hello: Hello, minNs = 0): Generator<Interval> {
  const f = new IntervalFolder(hello, { everyNs: minNs });
  for (const m of messages) {
    const i = f.add(m);
    if (i) yield i;
  }
}
