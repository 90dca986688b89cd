// BPF run-time statistics cost every BPF program on the machine two clock
// reads per run while they are on (about 2% of a busy server's throughput
// here), so the live view samples them: on for a second in every ten. The
// cost per event they measure is exact for the sample and is carried between
// samples (src/derive/tool-cost.ts).
export interface StatsSchedule {
  onMs: number;
  everyMs: number;
}

export const DEFAULT_STATS_SCHEDULE: StatsSchedule = { onMs: 1000, everyMs: 10_000 };

export class StatsSampler {
  private every: NodeJS.Timeout | null = null;
  private off: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (on: boolean) => void,
    private readonly s: StatsSchedule = DEFAULT_STATS_SCHEDULE,
  ) {}

  /** Sampling now (between start and stop). */
  get running(): boolean {
    return this.every !== null;
  }

  /** Starts sampling; a second start while running does nothing. */
  start(): void {
    if (this.running) return;
    const sample = () => {
      this.send(true);
      this.off = setTimeout(() => {
        this.send(false);
      }, this.s.onMs);
      this.off.unref();
    };
    sample();
    this.every = setInterval(sample, this.s.everyMs);
    this.every.unref();
  }

  stop(): void {
    if (this.every) clearInterval(this.every);
    if (this.off) clearTimeout(this.off);
    this.every = this.off = null;
    this.send(false);
  }
}
