// Per-interval windows from a message stream: the totals folded as live, and
// one window per snapshot interval (or per `minNs`, joining short intervals),
// which the CSV export, the Perfetto counters, compare and replay all use.
import { initialTotals, reduceTotals, windowOf, type Totals, type Window } from '../reduce/totals.js';
import type { Hello, Message } from '../stream/types.js';

export interface Interval {
  /** Seconds from the recording's start (the hello). */
  startS: number;
  endS: number;
  startNs: number;
  endNs: number;
  window: Window;
  /** The cumulative state at the interval's end. */
  end: Totals;
}

export class IntervalFolder {
  state: Totals;
  private prev: Totals | undefined;
  private readonly t0: number;

  constructor(
    hello: Hello,
    private readonly minNs = 0,
  ) {
    this.state = initialTotals(hello);
    this.t0 = Number(hello.monoNs);
  }

  /** Folds one message; returns the interval it closes, if it is a snapshot that closes one. */
  add(m: Message): Interval | undefined {
    if (m.type === 'hello') return undefined;
    this.state = reduceTotals(this.state, m);
    if (m.type !== 'snapshot') return undefined;
    const prev = this.prev;
    if (!prev) {
      this.prev = this.state;
      return undefined;
    }
    if (Number(this.state.tsNs - prev.tsNs) < this.minNs) return undefined;
    this.prev = this.state;
    const startNs = Number(prev.tsNs);
    const endNs = Number(this.state.tsNs);
    return {
      startS: (startNs - this.t0) / 1e9,
      endS: (endNs - this.t0) / 1e9,
      startNs,
      endNs,
      window: windowOf(prev, this.state),
      end: this.state,
    };
  }
}

export function* intervalsOf(messages: Iterable<Message>, hello: Hello, minNs = 0): Generator<Interval> {
  const f = new IntervalFolder(hello, minNs);
  for (const m of messages) {
    const i = f.add(m);
    if (i) yield i;
  }
}
