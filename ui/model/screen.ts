// The whole frame as data: title, CPU table, tab bar, the panel below it (or
// help), a message line and the status line, laid out for a terminal size.
// Components only draw this; everything here is pure and tested as text.
import { message, type Block } from './block.js';
import { burstPanel } from './burst-panel.js';
import { cpuPanel } from './cpu-panel.js';
import { dropsPanel } from './drops-panel.js';
import { parseFilter, type Filter } from './filter.js';
import { fmtClock, fmtSeconds } from './format.js';
import { helpLines } from './help.js';
import { irqPanel } from './irq-panel.js';
import type { LiveState } from '../../src/derive/live-state.js';
import { nicPanel } from './nic-panel.js';
import { statusLine, type StatusLine } from './status-line.js';
import { cut, fit } from './table.js';
import { glyphsOf, type Glyphs, type Theme } from './theme.js';
import { PANEL_TITLES, PANELS, sortKey, type LowerPanelId, type PanelId, type UiState } from './ui-state.js';
import { workloadsPanel } from './workloads-panel.js';

export interface Size {
  cols: number;
  rows: number;
}

/** The smallest terminal the layout is made for. */
export const MIN_SIZE: Size = { cols: 60, rows: 14 };

export interface Tab {
  id: PanelId;
  label: string;
  focused: boolean;
  /** Drawn below the CPU table right now. */
  shown: boolean;
}

export type Tone = 'info' | 'warn' | 'prompt';

export interface Screen {
  width: number;
  /** Lines the frame takes (one less than the terminal, so the terminal never scrolls). */
  height: number;
  title: string;
  paused: boolean;
  cpu: Block & { focused: boolean };
  tabs: Tab[];
  tabsInfo: string;
  body: { kind: 'panel'; block: Block; focused: boolean } | { kind: 'help'; lines: string[] };
  message: { text: string; tone: Tone } | null;
  status: StatusLine;
  /** Blank lines after the body so every frame has the same height. */
  padding: number;
  /** Set instead of everything else when the terminal is too small. */
  tooSmall: string | null;
  /** Set when the probe stopped with an error. */
  fatal: string | null;
}

function titleLine(live: LiveState, ui: UiState, width: number, g: Glyphs): string {
  const h = live.hello;
  const left = h
    ? `irqlens  ${h.host}  ${h.kernel}  ${h.ncpus} CPUs  PMU ${h.pmu ? 'yes' : 'none'}`
    : 'irqlens  starting...';
  const clock = live.window ? fmtClock(live.atMs, live.utcOffsetMin) : '--:--:--';
  const right = `${ui.paused ? 'PAUSED  ' : ''}${clock}  every ${fmtSeconds(ui.intervalS)}  ? help`;
  const room = width - right.length - 2;
  return room >= 10 ? `${fit(left, room, 'left', g)}  ${right}` : fit(right, width, 'right', g);
}

function lowerBlock(
  id: LowerPanelId,
  live: LiveState,
  ui: UiState,
  width: number,
  lines: number,
  f: Filter,
  g: Glyphs,
): Block {
  const sort = sortKey(ui, id);
  switch (id) {
    case 'irqs':
      return irqPanel(live, width, lines, sort, f, g);
    case 'nic':
      return nicPanel(live, width, lines, sort, f, g);
    case 'bursts':
      return burstPanel(live, width, lines, sort, f, g);
    case 'drops':
      return dropsPanel(live, width, lines, sort, f, g);
    case 'workloads':
      return workloadsPanel(live, width, lines, sort, f, g);
  }
}

function messageLine(live: LiveState, ui: UiState, filterErrors: string[]): Screen['message'] {
  if (ui.editing !== null)
    return {
      text: `filter> ${ui.editing}_   enter applies, esc cancels (cpu:N irq:X dev:X proc:X text)`,
      tone: 'prompt',
    };
  if (ui.notice) return { text: ui.notice, tone: 'info' };
  if (filterErrors.length)
    return { text: `filter: not understood: ${filterErrors.join(' ')} (f to change)`, tone: 'warn' };
  if (ui.filter) return { text: `filter: ${ui.filter}   (f to change, empty clears)`, tone: 'info' };
  const off = live.hello?.progs.filter((p) => p.status === 'unsupported' || p.status === 'failed') ?? [];
  if (off.length)
    return { text: `not attached: ${off.map((p) => `${p.tracepoint} (${p.status})`).join(', ')}`, tone: 'warn' };
  const warn = live.warnings[live.warnings.length - 1];
  if (warn) return { text: `helper: ${warn}`, tone: 'warn' };
  return null;
}

function fitStatus(st: StatusLine, width: number, g: Glyphs): StatusLine {
  return { ...st, text: fit(st.text, width, 'left', g) };
}

function fitMessage(m: Screen['message'], width: number, g: Glyphs): Screen['message'] {
  return m && { ...m, text: fit(m.text, width, 'left', g) };
}

export function buildScreen(live: LiveState, ui: UiState, size: Size, theme: Theme): Screen {
  const g = glyphsOf(theme);
  const width = Math.max(1, size.cols);
  const height = Math.max(1, size.rows - 1);
  const { filter, errors } = parseFilter(ui.filter);
  const base = {
    width,
    height,
    title: titleLine(live, ui, width, g),
    paused: ui.paused,
    tabs: [] as Tab[],
    tabsInfo: '',
    message: null,
    status: fitStatus(statusLine(live), width, g),
    padding: 0,
    fatal: live.fatal,
  };
  if (size.cols < MIN_SIZE.cols || size.rows < MIN_SIZE.rows) {
    return {
      ...base,
      cpu: { ...message(), focused: false },
      body: { kind: 'help', lines: [] },
      tooSmall: `terminal ${size.cols}x${size.rows} is too small: need ${MIN_SIZE.cols}x${MIN_SIZE.rows} (q quits)`,
    };
  }
  if (ui.help) {
    // help takes everything between the title and the message line
    const lines = helpLines(g)
      .slice(0, height - 3)
      .map((l) => fit(l, width, 'left', g));
    return {
      ...base,
      cpu: { ...message(), focused: false },
      body: { kind: 'help', lines },
      message: fitMessage(messageLine(live, ui, errors), width, g),
      padding: Math.max(0, height - 3 - lines.length),
      tooSmall: null,
    };
  }
  // fixed lines: title, CPU header, tab bar, panel header, message, status
  const free = height - 6;
  const ncpus = live.hello?.ncpus ?? 1;
  const wanted = live.window ? ncpus + (ncpus > 1 ? 1 : 0) : 1;
  const cpuLines = Math.min(wanted, Math.max(2, free - 4));
  const bodyLines = Math.max(0, free - cpuLines);
  const cpu = cpuPanel(live, width, cpuLines, sortKey(ui, 'cpus'), filter, g);
  const tabs = PANELS.map((id): Tab => ({
    id,
    label: PANEL_TITLES[id],
    focused: ui.panel === id,
    shown: id === ui.lower,
  }));
  const block = lowerBlock(ui.lower, live, ui, width, bodyLines, filter, g);
  block.lines = block.lines.map((l) => fit(l, width, 'left', g));
  const used = (block.header === null ? 0 : 1) + block.lines.length;
  return {
    ...base,
    cpu: { ...cpu, focused: ui.panel === 'cpus' },
    tabs,
    tabsInfo: `sort: ${sortKey(ui, ui.panel)}`,
    body: { kind: 'panel', block, focused: ui.panel === ui.lower },
    message: fitMessage(messageLine(live, ui, errors), width, g),
    padding: Math.max(0, bodyLines + 1 - used) + Math.max(0, cpuLines - cpu.lines.length),
    tooSmall: null,
  };
}

/** One tab as the bar shows it: the focused one in brackets. */
export function tabLabel(t: Tab): string {
  return t.focused ? `[${t.label}]` : ` ${t.label} `;
}

/** The tab bar as text: the focused panel in brackets. */
export function tabsText(s: Screen): string {
  const tabs = s.tabs.map(tabLabel).join(' ');
  const room = s.width - tabs.length - 1;
  if (s.tabsInfo && room >= s.tabsInfo.length) return `${tabs}${' '.repeat(room - s.tabsInfo.length + 1)}${s.tabsInfo}`;
  return cut(tabs, s.width);
}

/** The frame as plain lines: what a terminal without colour shows (tests compare these). */
export function screenLines(s: Screen): string[] {
  if (s.tooSmall) return [s.tooSmall];
  if (s.fatal) return [s.title, '', `irqlens stopped: ${s.fatal}`].map((l) => cut(l, s.width));
  const out = [s.title];
  if (s.body.kind === 'help') out.push(...s.body.lines);
  else
    out.push(
      s.cpu.header ?? '',
      ...s.cpu.lines,
      tabsText(s),
      ...(s.body.block.header === null ? [] : [s.body.block.header]),
      ...s.body.block.lines,
    );
  for (let i = 0; i < s.padding; i++) out.push('');
  out.push(s.message?.text ?? '', s.status.text);
  return out.map((l) => l.trimEnd());
}
