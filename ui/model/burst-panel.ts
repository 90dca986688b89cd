// The micro-burst log: newest first (or by size), from the burst records.
import { clip, message, type Block } from './block.js';
import type { BurstEntry } from '../../src/derive/burst-log.js';
import { matchBurst, type Filter } from './filter.js';
import { fmtClock, fmtCount, fmtDur } from './format.js';
import { fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import type { Glyphs } from './theme.js';
import { attachedSinceLine } from './probe-note.js';
import type { LiveState } from '../../src/derive/live-state.js';
import { REC } from '../../src/stream/layout.js';

function columns(windowUs: number): Column[] {
  return [
    { key: 'time', label: 'time', width: 12, align: 'left', keep: 100 },
    { key: 'dev', label: 'device', width: 9, align: 'left', keep: 90, flex: true },
    { key: 'napi', label: 'NAPI', width: 5, align: 'right', keep: 70 },
    { key: 'cpu', label: 'CPU', width: 3, align: 'right', keep: 85 },
    { key: 'packets', label: 'packets', width: 7, align: 'right', keep: 95 },
    {
      key: 'peak',
      label: `peak/${windowUs}us`,
      width: Math.max(7, `peak/${windowUs}us`.length),
      align: 'right',
      keep: 94,
    },
    { key: 'len', label: 'length', width: 7, align: 'right', keep: 60 },
    { key: 'budget', label: 'budget', width: 6, align: 'right', keep: 50 },
  ];
}

function sortRows(rows: BurstEntry[], key: string): BurstEntry[] {
  switch (key) {
    case 'packets':
      return rows.sort((a, b) => b.packets - a.packets || b.atMs - a.atMs);
    case 'peak':
      return rows.sort((a, b) => b.peak - a.peak || b.atMs - a.atMs);
    default:
      return rows.sort((a, b) => b.atMs - a.atMs);
  }
}

export function burstPanel(
  live: LiveState,
  width: number,
  maxLines: number,
  sort: string,
  f: Filter,
  g: Glyphs,
): Block {
  const hello = live.hello;
  if (!hello) return message('waiting for the probe...');
  const windowUs = Math.round(hello.windowNs / 1000);
  const cols = layoutColumns(columns(windowUs), width);
  if (!(hello.recordMask & (1 << REC.BURST)))
    return message('burst records are off (start with --records including burst)');
  const what = `a burst: >= ${hello.burstPackets} packets in ${windowUs} us on one NAPI instance`;
  const since = attachedSinceLine(live, 'napi');
  if (!live.bursts.length)
    return since ? message(`no micro-bursts yet (${what})`, since) : message(`no micro-bursts yet (${what})`);
  const rows = sortRows(
    live.bursts.filter((b) => matchBurst(f, b)),
    sort,
  );
  if (!rows.length) return message(`no burst matches the filter (${live.bursts.length} in the log)`);
  const lines = rows.map((b) =>
    rowLine(
      cols,
      {
        time: fmtClock(b.atMs, live.utcOffsetMin, true),
        dev: b.dev,
        napi: String(b.napiId),
        cpu: String(b.cpu),
        packets: fmtCount(b.packets),
        peak: fmtCount(b.peak),
        len: fmtDur(b.durNs),
        budget: fmtCount(b.atBudget),
      },
      g,
    ),
  );
  if (since) lines.unshift(fit(since, width, 'left', g));
  return clip(headerLine(cols, g), lines, maxLines, (n) => fit(`  +${n} more bursts`, width, 'left', g));
}
