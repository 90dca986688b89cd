// Consumes a probe's messages through the interval driver and lets callers take
// a consistent mark: the state right after a requested snapshot, and the
// interval since the previous requested one.
import type { Probe } from './client.js';
import { IntervalFolder, type Edge } from '../reduce/intervals.js';
import type { Totals } from '../reduce/totals.js';
import type { Message } from '../stream/types.js';

/** What a Tracker reads: the live Probe, or anything that streams like it. */
export type TrackedSource = Pick<Probe, 'hello' | 'messages' | 'command'>;

interface PendingMark {
  resolve: (e: Edge) => void;
  reject: (e: unknown) => void;
}

export class Tracker {
  readonly done: Promise<void>;
  private readonly folder: IntervalFolder;
  private marks: PendingMark[] = [];
  private listeners: ((t: Totals, m: Message) => void)[] = [];
  /** Why the stream ended, once it has: later marks fail at once. */
  private ended: { why: unknown } | null = null;

  constructor(private readonly probe: TrackedSource) {
    this.folder = new IntervalFolder(probe.hello, 'requested');
    this.done = this.run();
    // one handler for the stream's end, not one per mark: a reaction per mark on this long-lived promise kept
    // every resolved mark (and its interval's window) alive for the whole run
    this.done.then(
      () => {
        this.end(new Error('the probe stream ended before the snapshot arrived'));
      },
      (e: unknown) => {
        this.end(e);
      },
    );
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
        for (const w of waiting) w.resolve(edge);
      }
      for (const l of this.listeners) l(this.state, m);
    }
  }

  private end(why: unknown): void {
    this.ended = { why };
    const waiting = this.marks;
    this.marks = [];
    for (const w of waiting) w.reject(why);
  }

  /** Called after every message is reduced. */
  onMessage(l: (t: Totals, m: Message) => void): void {
    this.listeners.push(l);
  }

  /** Asks the helper for a snapshot and resolves with the edge it makes (the interval since the previous mark). */
  edge(): Promise<Edge> {
    const ended = this.ended?.why;
    if (this.ended) return Promise.reject(ended instanceof Error ? ended : new Error(String(ended)));
    return new Promise((resolve, reject) => {
      this.marks.push({ resolve, reject });
      this.probe.command('snapshot');
    });
  }

  /** The state that includes a fresh snapshot (for callers that pair marks themselves). */
  async mark(): Promise<Totals> {
    return (await this.edge()).end;
  }
}
