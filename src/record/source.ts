// A recording as a live message source: the same messages a Probe delivers,
// paced by the recording's snapshot timestamps (speed x real time), so a live
// view (the per-interval summary now, the terminal UI later) can run on a
// recording unchanged. Its shape follows Probe: hello, messages(), warnings,
// command() ("snapshot" marks the next snapshot as requested) and stop().
import type { Hello, Message } from '../stream/types.js';
import type { RecordingHeader } from './format.js';
import { Recording } from './reader.js';

export interface SourceOptions {
  /** Times real time; Infinity (or 0) for as fast as possible. */
  speed?: number;
  /** Seconds from the recording's start to skip to without pacing (the state still folds everything before). */
  fromS?: number;
  /** Overrides the clock and the sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RecordingSource {
  readonly warnings: string[];
  readonly hello: Hello;
  readonly header: RecordingHeader;
  private stopped = false;
  private markNext = false;

  constructor(
    readonly rec: Recording,
    private readonly o: SourceOptions = {},
  ) {
    this.hello = rec.hello;
    this.header = rec.header;
    this.warnings = [...rec.notes];
  }

  static open(path: string, o: SourceOptions = {}): RecordingSource {
    return new RecordingSource(Recording.open(path), o);
  }

  /** Every message after the hello, in stream order, released at the pace of the snapshots. */
  async *messages(): AsyncGenerator<Message> {
    const speed = this.o.speed && Number.isFinite(this.o.speed) ? this.o.speed : Infinity;
    const now = this.o.now ?? (() => performance.now());
    const sleep = this.o.sleep ?? realSleep;
    const fromNs = Number(this.hello.monoNs) + (this.o.fromS ?? 0) * 1e9;
    let wall0 = 0;
    let ts0 = -1;
    const batch: Message[] = [];
    for (const m of this.rec.messages()) {
      if (this.stopped) return;
      if (m.type === 'hello') continue;
      if (m.type !== 'snapshot') {
        batch.push(m);
        continue;
      }
      const ts = Number(m.tsNs);
      if (ts >= fromNs && speed !== Infinity) {
        if (ts0 < 0) {
          ts0 = ts;
          wall0 = now();
        } else {
          const due = wall0 + (ts - ts0) / 1e6 / speed;
          const wait = due - now();
          if (wait > 0) await sleep(wait);
          if (this.stopped) return;
        }
      }
      for (const b of batch) yield b;
      batch.length = 0;
      if (this.markNext) {
        this.markNext = false;
        yield { ...m, requested: true };
      } else yield m;
    }
    for (const b of batch) yield b;
  }

  /**
   * As a Probe's: "snapshot" marks the next snapshot as requested (so a
   * Tracker's mark() resolves with it), "stop" stops; others are ignored.
   */
  command(cmd: string): void {
    if (cmd === 'snapshot') this.markNext = true;
    else if (cmd === 'stop') this.stopped = true;
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.rec.close();
    return Promise.resolve();
  }
}
