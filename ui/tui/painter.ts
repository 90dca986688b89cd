// Draws frames on the terminal: only the rows that changed since the last frame,
// each by moving the cursor to it. ink's own output pipeline tokenised and re-laid
// every styled character of every frame, most of what `top` cost a loaded server
// (BENCHMARKS.md); the rows come ready from ui/model/frame.ts.
import { rowAnsi, type Row } from '../model/frame.js';

const HOME_CLEAR = '\x1b[H\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';

export class Painter {
  private shown: string[] = [];
  private cols = -1;
  private rows = -1;

  constructor(private readonly write: (s: string) => void) {}

  paint(frame: readonly Row[], size: { cols: number; rows: number }): void {
    const lines = frame.map(rowAnsi);
    let out = '';
    // a new size (or the first frame) redraws everything: the terminal may have reflowed
    if (size.cols !== this.cols || size.rows !== this.rows) {
      this.cols = size.cols;
      this.rows = size.rows;
      this.shown = [];
      out += HIDE_CURSOR + HOME_CLEAR;
    }
    const n = Math.max(lines.length, this.shown.length);
    for (let i = 0; i < n; i++) {
      const l = lines[i] ?? '';
      if (l === this.shown[i]) continue;
      out += `\x1b[${i + 1};1H${l}\x1b[K`;
    }
    this.shown = lines;
    if (out) this.write(out);
  }
}
