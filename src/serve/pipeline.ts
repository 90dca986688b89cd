// The one path from a message source (the live Probe or a RecordingSource) to
// frames: the interval driver folds the messages and cuts an interval at each
// requested snapshot (every `intervalMs`) or recorded one; each becomes a frame.
import { IntervalFolder } from '../reduce/intervals.js';
import type { Totals } from '../reduce/totals.js';
import type { Hello, Message } from '../stream/types.js';
import type { NicQueue } from '../derive/nic-rows.js';
import type { WorkloadFeed } from '../derive/workloads.js';
import { WorkloadFeedCollector, type PeriodSampling } from '../live/workload-feed.js';
import type { EstimateFn } from '../live/estimate-runner.js';
import type { OnDemandGroups } from '../live/on-demand.js';
import { bpfNsPerEvent, toolCost } from '../derive/tool-cost.js';
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
  /**
   * While `watched()` is false (no page open), a snapshot only every `everyMs`: each one walks every
   * BPF map and builds a frame, and /metrics and the history need no more than that.
   */
  idle?: { watched: () => boolean; everyMs: number };
  /** Groups attached on demand (live serve): called at every tick, and told each snapshot edge; frames mark what they covered. */
  demand?: { groups: OnDemandGroups; tick: () => void };
  /** Busy periods sampled in the kernel (live: the Probe); the estimate's feed retunes it to the workload's rate. */
  sampling?: PeriodSampling;
}

export class Pipeline {
  private readonly folder: IntervalFolder;
  private pending = false;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private askedAt = 0;
  private feed: WorkloadFeed = { state: 'off' };
  /** The latest BPF ns per event (statistics are sampled: carried across windows without them). */
  bpfNs: ReadonlyMap<string, number> | null = null;
  /** BPF seconds per probe group since the start, from each interval's events at the latest ns per event. */
  readonly bpfSeconds = new Map<string, number>();
  private readonly collector: WorkloadFeedCollector | null;
  private readonly ring: NapiRing | null;

  constructor(
    hello: Hello,
    private readonly o: PipelineOptions,
  ) {
    // live: interval edges are requested snapshots; a recording (everySnapshotNs) has its edges in the stream already
    this.folder = new IntervalFolder(
      hello,
      o.everySnapshotNs === undefined ? 'requested' : { everyNs: o.everySnapshotNs },
    );
    this.ring = napiStreamed(this.state) ? new NapiRing() : null;
    this.collector = o.estimate
      ? new WorkloadFeedCollector(hello, o.estimate, (f) => {
          this.feed = f;
        })
      : null;
    if (o.sampling) this.collector?.sampleWith(o.sampling);
  }

  get state(): Totals {
    return this.folder.state;
  }

  /** Folds the source until it ends; a frame per interval. */
  async run(src: MessageSource): Promise<void> {
    if (this.o.everySnapshotNs === undefined) {
      const ask = () => {
        this.pending = true;
        this.askedAt = Date.now();
        src.command('snapshot');
      };
      this.timer = setInterval(() => {
        // one request at a time: a slow source is never asked twice
        this.o.demand?.tick();
        if (this.pending) return;
        const idle = this.o.idle;
        if (idle && !idle.watched() && Date.now() - this.askedAt < idle.everyMs) return;
        ask();
      }, this.o.intervalMs);
      ask();
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
    const edge = this.folder.edge(m);
    this.ring?.add(m);
    this.collector?.add(m);
    if (!edge) return;
    this.pending = false;
    this.o.demand?.groups.edge(edge.end.tsNs);
    this.collector?.mark(edge.end.tsNs, Date.now());
    const iv = edge.interval;
    if (!iv) return;
    const fresh = bpfNsPerEvent(iv.window);
    if (fresh.size) this.bpfNs = fresh;
    for (const p of toolCost(iv.window, this.bpfNs).probes)
      if (p.nsPerEvent !== null)
        this.bpfSeconds.set(
          p.probe,
          (this.bpfSeconds.get(p.probe) ?? 0) + (p.eventsPerSec * iv.window.durationNs * p.nsPerEvent) / 1e18,
        );
    this.o.onFrame(
      buildFrame(iv.start, iv.end, {
        seq: this.seq++,
        queues: this.o.queues(),
        ring: this.ring,
        feed: this.feed,
        bpfNs: this.bpfNs,
        napiCovered: this.o.demand?.groups.covers('napi', iv.start.tsNs) ?? true,
      }),
    );
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
