// The interval timer: asks the probe for a mark each interval and hands the
// interval it closes (cut by src/reduce/intervals.ts) to the store. The
// interval can change while it runs; stopping ends the wait at once.
import type { Edge } from '../reduce/intervals.js';
import type { LiveStore } from './store.js';

/** What the sampler needs of a Tracker (src/probe/tracker.ts). */
export interface MarkSource {
  edge(): Promise<Edge>;
}

export interface SamplerOptions {
  tracker: MarkSource;
  store: LiveStore;
  intervalS: number;
  /** Stop after this many intervals (--count). */
  count?: number;
  /** Called at every interval edge with the mark's monotonic time (workload epochs). */
  onMark?: (tsNs: bigint, atMs: number) => void;
  /** The probe's warnings so far (shown on the message line). */
  warnings?: () => readonly string[];
  now?: () => number;
  /** This process's CPU time in microseconds. */
  cpuMicros?: () => number;
}

export class Sampler {
  private intervalMs: number;
  private stopped = false;
  private wake: (() => void) | null = null;
  private sleepStart = 0;

  constructor(private readonly o: SamplerOptions) {
    this.intervalMs = o.intervalS * 1000;
  }

  setIntervalS(s: number): void {
    this.intervalMs = s * 1000;
    // a pending wait is re-timed from when it started
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async sleep(): Promise<void> {
    const now = this.o.now ?? Date.now;
    this.sleepStart = now();
    while (!this.stopped) {
      const left = this.sleepStart + this.intervalMs - now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
  }

  /** Runs until stop() or --count intervals; rejects when the probe fails. */
  async run(): Promise<void> {
    const now = this.o.now ?? Date.now;
    const cpu =
      this.o.cpuMicros ??
      (() => {
        const u = process.cpuUsage();
        return u.user + u.system;
      });
    const first = await this.o.tracker.edge();
    this.o.onMark?.(first.end.tsNs, now());
    let cpu0 = cpu();
    let warned = 0;
    for (let i = 0; !this.stopped && (this.o.count === undefined || i < this.o.count); i++) {
      await this.sleep();
      if (this.stopped) break;
      const cur = await this.o.tracker.edge();
      // the sampler is its tracker's only marker, so every mark after the first closes an interval
      if (!cur.interval) throw new Error('a mark closed no interval: the tracker has another marker');
      const w = cur.interval.window;
      const cpu1 = cpu();
      const atMs = now();
      this.o.store.dispatch({
        type: 'interval',
        window: w,
        end: cur.end,
        atMs,
        uiCpuFrac: w.durationNs > 0 ? ((cpu1 - cpu0) * 1000) / w.durationNs : null,
      });
      this.o.onMark?.(cur.end.tsNs, atMs);
      const warnings = this.o.warnings?.() ?? [];
      if (warnings.length !== warned) {
        warned = warnings.length;
        this.o.store.dispatch({ type: 'warnings', warnings: [...warnings] });
      }
      cpu0 = cpu1;
    }
  }
}
