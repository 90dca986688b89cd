// Column layout for fixed-width tables: columns that do not fit are dropped
// (least important first) and one flexible column takes the spare width.
import type { Glyphs } from './theme.js';

export interface Column {
  key: string;
  label: string;
  /** Minimum width; a flexible column grows beyond it. */
  width: number;
  align: 'left' | 'right';
  /** Higher survives longer when the terminal is narrow (default 10). */
  keep?: number;
  flex?: boolean;
}

/** The first `n` characters (code points: names and figures here are plain text). */
export function cut(s: string, n: number): string {
  return Array.from(s).slice(0, Math.max(0, n)).join('');
}

/** Pads or cuts `s` to exactly `width` characters (cut text ends with an ellipsis). */
export function fit(s: string, width: number, align: 'left' | 'right', g: Glyphs): string {
  if (width <= 0) return '';
  const len = Array.from(s).length;
  if (len > width) return width === 1 ? g.ellipsis : cut(s, width - 1) + g.ellipsis;
  const pad = ' '.repeat(width - len);
  return align === 'left' ? s + pad : pad + s;
}

/** The columns that fit in `total` characters (one space between columns), flexible ones widened. */
export function layoutColumns(cols: readonly Column[], total: number): Column[] {
  const shown = [...cols];
  const need = (cs: readonly Column[]) => cs.reduce((n, c) => n + c.width, 0) + Math.max(0, cs.length - 1);
  while (shown.length > 1 && need(shown) > total) {
    // drop the least important column; among equals, the rightmost
    let drop = shown.length - 1;
    for (let i = shown.length - 1; i >= 0; i--) {
      const c = shown[i];
      const d = shown[drop];
      if (c && d && (c.keep ?? 10) < (d.keep ?? 10)) drop = i;
    }
    shown.splice(drop, 1);
  }
  const spare = total - need(shown);
  const flex = shown.findIndex((c) => c.flex);
  const f = shown[flex];
  if (spare > 0 && f) shown[flex] = { ...f, width: f.width + spare };
  return shown;
}

export function headerLine(cols: readonly Column[], g: Glyphs): string {
  return cols.map((c) => fit(c.label, c.width, c.align, g)).join(' ');
}

export function rowLine(cols: readonly Column[], cells: Readonly<Record<string, string>>, g: Glyphs): string {
  return cols.map((c) => fit(cells[c.key] ?? '', c.width, c.align, g)).join(' ');
}
