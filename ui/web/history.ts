// The frames the page holds (bounded) and the columns its charts draw, built
// from them: x = each frame's end time, one typed array per series.
import type { Frame } from '../../src/serve/wire.js';

export class FrameHistory {
  readonly frames: Frame[] = [];

  constructor(private readonly max: number) {}

  push(f: Frame): void {
    this.frames.push(f);
    if (this.frames.length > this.max) this.frames.splice(0, this.frames.length - this.max);
  }

  get last(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  times(): Float64Array {
    return Float64Array.from(this.frames, (f) => f.tS);
  }

  /**
   * Per key (IRQ, queue, reason) a column over the frames; keys with the highest mean first, at most `top`.
   * A frame `pick` returns null for has no figure: NaN in every column (a gap, not a zero).
   */
  columns(
    pick: (f: Frame) => { keys: readonly string[]; values: Float64Array } | null,
    top: number,
  ): { keys: string[]; cols: Float64Array[] } {
    const n = this.frames.length;
    const index = new Map<string, Float64Array>();
    const gaps: number[] = [];
    this.frames.forEach((f, i) => {
      const picked = pick(f);
      if (!picked) {
        gaps.push(i);
        return;
      }
      picked.keys.forEach((k, j) => {
        let col = index.get(k);
        if (!col) index.set(k, (col = new Float64Array(n)));
        col[i] = picked.values[j] ?? 0;
      });
    });
    for (const col of index.values()) for (const i of gaps) col[i] = NaN;
    const mean = (c: Float64Array) => c.reduce((a, b) => (Number.isNaN(b) ? a : a + b), 0);
    const keys = [...index.keys()]
      .sort(
        (a, b) =>
          mean(index.get(b) ?? new Float64Array()) - mean(index.get(a) ?? new Float64Array()) || a.localeCompare(b),
      )
      .slice(0, top);
    return { keys, cols: keys.map((k) => index.get(k) ?? new Float64Array(n)) };
  }

  /** The newest frames covering at least `seconds` (all of them when they cover less). */
  recent(seconds: number): Frame[] {
    let covered = 0;
    let i = this.frames.length;
    while (i > 0 && covered < seconds) covered += this.frames[--i]?.durS ?? 0;
    return this.frames.slice(i);
  }
}

export interface CpuShares {
  /** Component names, bottom of the stack first. */
  names: string[];
  /** shares[component][cpu], time-weighted means over the frames; NaN when no frame had the figure. */
  shares: Float64Array[];
  seconds: number;
}

/** Per-CPU shares averaged over frames, weighted by each frame's length. */
export function cpuShares(frames: readonly Frame[]): CpuShares {
  const first = frames[0];
  const n = first?.ncpus ?? 0;
  const soft = [...new Set(frames.flatMap((f) => Object.keys(f.cpu.soft)))].sort();
  const names = ['hardirq', 'vectors', ...soft.map((s) => `softirq ${s}`), 'tasks', 'idle'];
  const shares = names.map(() => new Float64Array(n));
  const weight = names.map(() => new Float64Array(n));
  let seconds = 0;
  for (const f of frames) {
    seconds += f.durS;
    const comps = [f.cpu.hardirq, f.cpu.vector, ...soft.map((s) => f.cpu.soft[s]), f.cpu.tasks, f.cpu.idle];
    comps.forEach((c, k) => {
      const s = shares[k];
      const w = weight[k];
      if (!s || !w) return;
      for (let cpu = 0; cpu < n; cpu++) {
        const v = c ? (c[cpu] ?? 0) : 0;
        if (Number.isNaN(v)) continue;
        s[cpu] = (s[cpu] ?? 0) + v * f.durS;
        w[cpu] = (w[cpu] ?? 0) + f.durS;
      }
    });
  }
  shares.forEach((s, k) => {
    const w = weight[k];
    for (let cpu = 0; cpu < n; cpu++) s[cpu] = w && (w[cpu] ?? 0) > 0 ? (s[cpu] ?? 0) / (w[cpu] ?? 1) : NaN;
  });
  return { names, shares, seconds };
}
