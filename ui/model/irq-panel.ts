// The top-IRQs panel: device IRQs and system vectors of the interval.
import { clip, message, type Block } from './block.js';
import { matchIrq, type Filter } from './filter.js';
import { fmtDur, fmtPct, fmtRate } from './format.js';
import { cpuList, irqRows, type IrqRow } from '../../src/derive/irq-rows.js';
import { fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import type { Glyphs } from './theme.js';
import type { LiveState } from '../../src/derive/live-state.js';

const COLUMNS: Column[] = [
  { key: 'name', label: 'IRQ', width: 16, align: 'left', keep: 100 },
  { key: 'irq', label: 'no', width: 3, align: 'right', keep: 30 },
  { key: 'cpus', label: 'CPUs', width: 5, align: 'left', keep: 60 },
  { key: 'rate', label: 'rate/s', width: 6, align: 'right', keep: 95 },
  { key: 'time', label: 'time%', width: 5, align: 'right', keep: 70 },
  { key: 'mean', label: 'mean', width: 6, align: 'right', keep: 90 },
  { key: 'p99', label: 'p99', width: 7, align: 'right', keep: 80 },
  { key: 'max', label: 'max', width: 6, align: 'right', keep: 85 },
  { key: 'victims', label: 'interrupts', width: 12, align: 'left', keep: 50, flex: true },
];

function sortRows(rows: IrqRow[], key: string): IrqRow[] {
  const tie = (a: IrqRow, b: IrqRow) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key);
  switch (key) {
    case 'rate':
      return rows.sort((a, b) => b.perSec - a.perSec || tie(a, b));
    case 'max':
      return rows.sort((a, b) => b.maxNs - a.maxNs || tie(a, b));
    case 'p99':
      return rows.sort((a, b) => (b.p99Ns ?? 0) - (a.p99Ns ?? 0) || tie(a, b));
    case 'name':
      return rows.sort(tie);
    default:
      return rows.sort((a, b) => b.frac - a.frac || tie(a, b));
  }
}

/** "echo 61% (idle) 30%": who the IRQ interrupted, most often first. */
function victims(r: IrqRow): string {
  return r.victims
    .slice(0, 3)
    .map((v) => `${v.comm} ${Math.round(v.share * 100)}%`)
    .join(' ');
}

export function irqPanel(live: LiveState, width: number, maxLines: number, sort: string, f: Filter, g: Glyphs): Block {
  const cols = layoutColumns(COLUMNS, width);
  const header = headerLine(cols, g);
  const w = live.window;
  if (!w) return message('waiting for the first interval...');
  const all = irqRows(w, f.cpus);
  if (!all.length) return message('no interrupts in this interval');
  const rows = sortRows(
    all.filter((r) => matchIrq(f, r)),
    sort,
  );
  if (!rows.length) return message(`no IRQ matches the filter (${all.length} IRQs in this interval)`);
  const lines = rows.map((r) =>
    rowLine(
      cols,
      {
        name: r.name,
        irq: r.irq === null ? 'vec' : String(r.irq),
        cpus: cpuList(r.cpus),
        rate: fmtRate(r.perSec),
        time: fmtPct(r.frac),
        mean: fmtDur(r.meanNs),
        p99: r.p99Ns === null ? '-' : `<${fmtDur(r.p99Ns)}`,
        max: fmtDur(r.maxNs),
        victims: victims(r),
      },
      g,
    ),
  );
  return clip(header, lines, maxLines, (n) => fit(`  +${n} more IRQs`, width, 'left', g));
}
