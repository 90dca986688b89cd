// Consumes a probe's messages through the totals reducer and lets callers take
// a consistent mark (the state right after a requested snapshot).
import type { Probe } from './client.js';
import { initialTotals, reduceTotals, type Totals } from '../reduce/totals.js';
import type { Message } from '../stream/types.js';

export class Tracker {
  state: Totals;
  readonly done: Promise<void>;
  private marks: ((t: Totals) => void)[] = [];
  private listeners: ((t: Totals, m: Message) => void)[] = [];

  constructor(private readonly probe: Probe) {
    this.state = initialTotals(probe.hello);
    this.done = this.run();
  }

  private async run(): Promise<void> {
    for await (const m of this.probe.messages()) {
      this.state = reduceTotals(this.state, m);
      if (m.type === 'snapshot' && m.requested) {
        const waiting = this.marks;
        this.marks = [];
        for (const w of waiting) w(this.state);
      }
      for (const l of this.listeners) l(this.state, m);
    }
  }

  /** Called after every message is reduced. */
  onMessage(l: (t: Totals, m: Message) => void): void {
    this.listeners.push(l);
  }

  /** Asks the helper for a snapshot and resolves with the state that includes it. */
  mark(): Promise<Totals> {
    return new Promise((resolve, reject) => {
      this.marks.push(resolve);
      this.done.then(() => {
        reject(new Error('the probe stream ended before the snapshot arrived'));
      }, reject);
      this.probe.command('snapshot');
    });
  }
}
