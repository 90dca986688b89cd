// The frame as styled rows: what each terminal line shows and how it is emphasised.
// Without colour (NO_COLOR) every row is one plain segment and the text is exactly
// screenLines(screen); with colour the same text carries bold, inverse, dim and colours.
import type { Screen } from './screen.js';
import { screenLines, tabLabel, tabsText } from './screen.js';
import { cut } from './table.js';
import type { Theme } from './theme.js';

export type Colour = 'cyan' | 'yellow' | 'red';

export interface Segment {
  text: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
  underline?: boolean;
  colour?: Colour;
}

export type Row = Segment[];

type Style = Omit<Segment, 'text'>;

function line(text: string, style: Style = {}): Row {
  return [{ text: text.trimEnd(), ...style }];
}

function tabRow(s: Screen): Row {
  const plain = tabsText(s);
  const tabsOnly = s.tabs.map(tabLabel).join(' ');
  const row: Row = [];
  s.tabs.forEach((t, i) => {
    if (i > 0) row.push({ text: ' ' });
    row.push({ text: tabLabel(t), inverse: t.focused, underline: t.shown && !t.focused });
  });
  const rest = plain.slice(tabsOnly.length).trimEnd();
  if (rest) row.push({ text: rest, dim: true });
  return row;
}

/** The row cut to `width` characters (a row wider than the terminal would wrap and push the frame down). */
function cutRow(r: Row, width: number): Row {
  let room = width;
  const out: Row = [];
  for (const seg of r) {
    if (room <= 0) break;
    const n = Array.from(seg.text).length;
    out.push(n <= room ? seg : { ...seg, text: cut(seg.text, room) });
    room -= Math.min(room, n);
  }
  return out;
}

/** The rows of one frame, top to bottom, none wider than the screen. */
export function frameRows(s: Screen, theme: Theme): Row[] {
  return styledRows(s, theme).map((r) => cutRow(r, s.width));
}

function styledRows(s: Screen, theme: Theme): Row[] {
  if (s.tooSmall || s.fatal || !theme.color)
    return screenLines(s).map((l, i) => line(l, s.fatal && i === 2 ? { colour: 'red' } : {}));
  const rows: Row[] = [line(s.title, { inverse: true, ...(s.paused ? { colour: 'yellow' } : {}) })];
  const body = s.body;
  if (body.kind === 'help') {
    for (const l of body.lines) rows.push(line(l, { bold: !l.startsWith(' ') }));
  } else {
    rows.push(line(s.cpu.header ?? '', { bold: true, ...(s.cpu.focused ? { colour: 'cyan' } : {}) }));
    for (const l of s.cpu.lines) rows.push(line(l));
    rows.push(tabRow(s));
    if (body.block.header !== null)
      rows.push(line(body.block.header, { bold: true, ...(body.focused ? { colour: 'cyan' } : {}) }));
    for (const l of body.block.lines) rows.push(line(l));
  }
  for (let i = 0; i < s.padding; i++) rows.push(line(''));
  const tone = s.message?.tone;
  rows.push(
    line(s.message?.text ?? '', tone === 'warn' ? { colour: 'yellow' } : tone === 'prompt' ? { colour: 'cyan' } : {}),
  );
  rows.push(line(s.status.text, s.status.warn ? { colour: 'red' } : { dim: true }));
  return rows;
}

/** A row's text without styles. */
export function rowText(r: Row): string {
  return r.map((s) => s.text).join('');
}

const SGR: Record<Colour, number> = { red: 31, yellow: 33, cyan: 36 };

/** One segment with its SGR codes, reset after it. */
function segmentAnsi(s: Segment): string {
  const codes: number[] = [];
  if (s.bold) codes.push(1);
  if (s.dim) codes.push(2);
  if (s.underline) codes.push(4);
  if (s.inverse) codes.push(7);
  if (s.colour) codes.push(SGR[s.colour]);
  return codes.length ? `\x1b[${codes.join(';')}m${s.text}\x1b[0m` : s.text;
}

/** A row as the terminal gets it. */
export function rowAnsi(r: Row): string {
  return r.map(segmentAnsi).join('');
}
