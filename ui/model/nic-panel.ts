// The NIC-queues panel: queue -> IRQ -> CPU -> NAPI instance with packet
// rates, polls that used their whole budget, and micro-bursts.
import { clip, message, type Block } from './block.js';
import { matchNic, type Filter } from './filter.js';
import { fmtCount, fmtRate } from './format.js';
import { nicRows, type NicRow } from '../../src/derive/nic-rows.js';
import { fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import type { Glyphs } from './theme.js';
import { probeGapLine } from './probe-note.js';
import type { LiveState } from '../../src/derive/live-state.js';

const COLUMNS: Column[] = [
  { key: 'dev', label: 'device', width: 9, align: 'left', keep: 100 },
  { key: 'queue', label: 'queue', width: 5, align: 'left', keep: 90 },
  { key: 'irq', label: 'IRQ', width: 20, align: 'left', keep: 80, flex: true },
  { key: 'cpu', label: 'CPU', width: 3, align: 'right', keep: 85 },
  { key: 'napi', label: 'NAPI', width: 5, align: 'right', keep: 70 },
  { key: 'irqs', label: 'IRQs/s', width: 6, align: 'right', keep: 50 },
  { key: 'pkts', label: 'pkt/s', width: 6, align: 'right', keep: 95 },
  { key: 'polls', label: 'polls/s', width: 7, align: 'right', keep: 45 },
  { key: 'budget', label: 'budget', width: 6, align: 'right', keep: 75 },
  { key: 'bursts', label: 'bursts', width: 6, align: 'right', keep: 74 },
];

function sortRows(rows: NicRow[], key: string): NicRow[] {
  const tie = (a: NicRow, b: NicRow) => a.key.localeCompare(b.key);
  switch (key) {
    case 'at budget':
      return rows.sort((a, b) => b.atBudget - a.atBudget || tie(a, b));
    case 'bursts':
      return rows.sort((a, b) => b.bursts - a.bursts || tie(a, b));
    case 'device':
      return rows.sort(tie);
    default:
      return rows.sort((a, b) => b.pktPerSec - a.pktPerSec || tie(a, b));
  }
}

export function nicPanel(live: LiveState, width: number, maxLines: number, sort: string, f: Filter, g: Glyphs): Block {
  const cols = layoutColumns(COLUMNS, width);
  const header = headerLine(cols, g);
  const w = live.window;
  if (!w) return message('waiting for the first interval...');
  const gap = probeGapLine(live, 'napi');
  if (gap) return message(gap);
  const all = nicRows(w, live.queues);
  if (!all.length) return message('no NIC queues and no NAPI polls in this interval (virtual devices have no queues)');
  const rows = sortRows(
    all.filter((r) => matchNic(f, r)),
    sort,
  );
  if (!rows.length) return message(`no NIC queue matches the filter (${all.length} queues and NAPI instances)`);
  const lines = rows.map((r) =>
    rowLine(
      cols,
      {
        dev: r.dev,
        queue: r.queue ?? '-',
        irq: r.irqName ? `${r.irqName} (${r.irq ?? '?'})` : '-',
        cpu: r.cpu === null ? '-' : String(r.cpu),
        napi: r.napiId === null ? '-' : String(r.napiId),
        irqs: r.irq === null ? '-' : fmtRate(r.irqsPerSec),
        pkts: r.napiId === null ? '-' : fmtRate(r.pktPerSec),
        polls: r.napiId === null ? '-' : fmtRate(r.pollsPerSec),
        budget: r.napiId === null ? '-' : fmtCount(r.atBudget),
        bursts: r.napiId === null ? '-' : fmtCount(r.bursts),
      },
      g,
    ),
  );
  return clip(header, lines, maxLines, (n) => fit(`  +${n} more queues`, width, 'left', g));
}
