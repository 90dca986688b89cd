// Consumes a probe's messages through the interval driver and lets callers take
// a consistent mark: the state right after a requested snapshot, and the
// interval since the previous requested one.
import type { Probe } from './client.js';
import { IntervalFolder, type Edge } from '../reduce/intervals.js';
import type { Totals } from '../reduce/totals.js';
import type { Message } from '../stream/types.js';

export class Tracker {
  readonly done: Promise<void>;
  private readonly folder: IntervalFolder;
  private marks: ((e: Edge) => void)[] = [];
  private listeners: ((t: Totals, m: Message) => void)[] = [];

  constructor(private readonly probe: Probe) {
    this.folder = new IntervalFolder(probe.hello, 'requested');
    this.done = this.run();
  }

  get state(): Totals {
    return this.folder.state;
  }

  private async run(): Promise<void> {
    for await (const m of this.probe.messages()) {
      const edge = this.folder.edge(m);
      if (edge) {
        const waiting = this.marks;
        this.marks = [];
        for (const w of waiting) w(edge);
      }
      for (const l of this.listeners) l(this.state, m);
    }
  }

  /** Called after every message is reduced. */
  onMessage(l: (t: Totals, m: Message) => void): void {
    this.listeners.push(l);
  }

  /** Asks the helper for a snapshot and resolves with the edge it makes (the interval since the previous mark). */
  edge(): Promise<Edge> {
    return new Promise((resolve, reject) => {
      this.marks.push(resolve);
      this.done.then(() => {
        reject(new Error('the probe stream ended before the snapshot arrived'));
      }, reject);
      this.probe.command('snapshot');
    });
  }

  /** The state that includes a fresh snapshot (for callers that pair marks themselves). */
  async mark(): Promise<Totals> {
    return (await this.edge()).end;
  }
}
