// The one path from a message source (the live Probe or a RecordingSource) to
// frames: messages fold into the totals, every `intervalMs` a requested
// snapshot closes an interval, and each interval becomes a frame.
import { initialTotals, reduceTotals, type Totals } from '../reduce/totals.js';
import type { Hello, Message } from '../stream/types.js';
import type { NicQueue } from '../derive/nic-rows.js';
import type { WorkloadFeed } from '../derive/workloads.js';
import { WorkloadFeedCollector } from '../live/workload-feed.js';
import type { EstimateFn } from '../live/estimate-runner.js';
import { NapiRing } from './bursts.js';
import { buildFrame, napiStreamed } from './frame.js';
import type { Frame } from './wire.js';

/** What Probe (src/probe/client.ts) and RecordingSource (src/record/source.ts) both are. */
export interface MessageSource {
  readonly hello: Hello;
  readonly warnings: readonly string[];
  messages(): AsyncIterable<Message>;
  command(cmd: string): void;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  intervalMs: number;
  queues: () => readonly NicQueue[];
  /** The workload estimator (a worker); null leaves attribution off. */
  estimate: EstimateFn | null;
  onFrame: (f: Frame) => void;
  /** A recording: a frame at every recorded snapshot at least this many ns (stream time) after the last, instead of requested ones. */
  everySnapshotNs?: number;
}

export class Pipeline {
  state: Totals;
  private prev: Totals | null = null;
  private pending = false;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private feed: WorkloadFeed = { state: 'off' };
  private readonly collector: WorkloadFeedCollector | null;
  private readonly ring: NapiRing | null;

  constructor(
    hello: Hello,
    private readonly o: PipelineOptions,
  ) {
    this.state = initialTotals(hello);
    this.ring = napiStreamed(this.state) ? new NapiRing() : null;
    this.collector = o.estimate
      ? new WorkloadFeedCollector(hello, o.estimate, (f) => {
          this.feed = f;
        })
      : null;
  }

  /** Folds the source until it ends; a frame per requested snapshot. */
  async run(src: MessageSource): Promise<void> {
    // live: interval edges are requested snapshots; a recording (everySnapshotNs) has its edges in the stream already
    if (this.o.everySnapshotNs === undefined) {
      this.timer = setInterval(() => {
        // one request at a time: a slow source is never asked twice
        if (this.pending) return;
        this.pending = true;
        src.command('snapshot');
      }, this.o.intervalMs);
      src.command('snapshot');
      this.pending = true;
    }
    try {
      for await (const m of src.messages()) {
        this.add(m);
        // a source behind its schedule yields without waiting: let the interval timer (and sockets) run between snapshots
        if (m.type === 'snapshot') await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.stopTimer();
    }
  }

  add(m: Message): void {
    if (m.type === 'hello') return;
    this.state = reduceTotals(this.state, m);
    this.ring?.add(m);
    this.collector?.add(m);
    if (m.type !== 'snapshot') return;
    const every = this.o.everySnapshotNs;
    if (every === undefined ? !m.requested : this.prev !== null && Number(m.tsNs - this.prev.tsNs) < every) return;
    this.pending = false;
    const prev = this.prev;
    this.prev = this.state;
    this.collector?.mark(m.tsNs, Date.now());
    if (prev)
      this.o.onFrame(
        buildFrame(prev, this.state, { seq: this.seq++, queues: this.o.queues(), ring: this.ring, feed: this.feed }),
      );
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
