// The drops panel: packets the kernel dropped, per drop reason (the kernel's
// own names), with the rate now, the count since start, where and when.
import { clip, message, type Block } from './block.js';
import { dropReasonRows, type DropReasonRow } from '../../src/derive/drop-rows.js';
import { matchDrop, type Filter } from './filter.js';
import { fmtClock, fmtCount, fmtRate } from './format.js';
import { fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import type { Glyphs } from './theme.js';
import type { LiveState } from '../../src/derive/live-state.js';
import { REC } from '../../src/stream/layout.js';
import { dropProbeStatus } from '../../src/reduce/drops.js';

const COLUMNS: Column[] = [
  { key: 'reason', label: 'reason', width: 18, align: 'left', keep: 100, flex: true },
  { key: 'rate', label: 'drops/s', width: 7, align: 'right', keep: 95 },
  { key: 'total', label: 'since start', width: 11, align: 'right', keep: 90 },
  { key: 'cpus', label: 'CPUs', width: 5, align: 'left', keep: 60 },
  { key: 'where', label: 'where', width: 16, align: 'left', keep: 80 },
  { key: 'last', label: 'last', width: 12, align: 'left', keep: 70 },
];

function sortRows(rows: DropReasonRow[], key: string): DropReasonRow[] {
  switch (key) {
    case 'rate':
      return rows.sort((a, b) => b.perSec - a.perSec || b.total - a.total);
    case 'newest':
      return rows.sort((a, b) => b.lastNs - a.lastNs);
    case 'reason':
      return rows.sort((a, b) => a.name.localeCompare(b.name));
    default:
      return rows.sort((a, b) => b.total - a.total || a.reason - b.reason);
  }
}

export function whereText(live: LiveState, r: DropReasonRow): string {
  const w = r.where;
  if (!w) return '-';
  const other = w.netns && live.netns && w.netns !== live.netns;
  const dev = !w.ifindex ? 'no dev' : other ? `if${w.ifindex}@netns` : (live.devs.get(w.ifindex) ?? `if${w.ifindex}`);
  return `${dev} ${w.protocol}`;
}

export function dropsPanel(
  live: LiveState,
  width: number,
  maxLines: number,
  sort: string,
  f: Filter,
  g: Glyphs,
): Block {
  const hello = live.hello;
  if (!hello) return message('waiting for the probe...');
  const probe = dropProbeStatus(hello);
  if (probe !== 'attached' && probe !== 'missing')
    return message(`drop probe ${probe}: skb:kfree_skb with drop reasons needs Linux 5.17+`);
  const all = dropReasonRows(live.drops, live.window);
  if (!all.length)
    return message(
      live.window
        ? 'no packets dropped since start (skb:kfree_skb, real drops only)'
        : 'waiting for the first interval...',
    );
  const rows = sortRows(
    all.filter((r) => matchDrop(f, r, whereText(live, r))),
    sort,
  );
  if (!rows.length) return message(`no drop reason matches the filter (${all.length} reasons)`);
  const mono = Number(hello.monoNs);
  const real = Number(hello.realtimeNs);
  const lines = rows.map((r) =>
    rowLine(
      cols(width),
      {
        reason: r.name,
        rate: fmtRate(r.perSec),
        total: fmtCount(r.total),
        cpus: r.cpus.join(','),
        where: whereText(live, r),
        last: r.lastNs && real ? fmtClock((real + (r.lastNs - mono)) / 1e6, live.utcOffsetMin, true) : '-',
      },
      g,
    ),
  );
  const lost = live.window?.lost.get('drop/ring_full') ?? 0;
  const streamed = (hello.recordMask & (1 << REC.DROP)) !== 0;
  const note =
    lost && streamed ? [fit(`  ${lost} drop records lost this interval (counts stay exact)`, width, 'left', g)] : [];
  return clip(headerLine(cols(width), g), [...lines, ...note], maxLines, (n) =>
    fit(`  +${n} more reasons`, width, 'left', g),
  );
}

function cols(width: number) {
  return layoutColumns(COLUMNS, width);
}
