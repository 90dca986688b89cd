// The CPU table: one row per CPU (and one for the whole machine) with
// interrupt time by source, softirq time by vector, IRQs/s, the tax of the
// workload running there and a sparkline of recent intervals.
import { allCpusRow, cpuRows, type CpuRow } from '../../src/derive/cpu-rows.js';
import { clip, message, type Block } from './block.js';
import { matchCpu, type Filter } from './filter.js';
import { cut, fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import { fmtPct, fmtRate } from './format.js';
import { sparkline } from './history.js';
import type { Glyphs } from './theme.js';
import type { LiveState } from '../../src/derive/live-state.js';
import { taxByCpu, taxIsAtLeast, type WorkloadEstimate } from '../../src/derive/workloads.js';

/** Softirq vectors with a column of their own in the wide layout; the rest add up under "other". */
const VECTOR_COLUMNS = ['NET_RX', 'NET_TX', 'TIMER', 'BLOCK', 'RCU', 'SCHED'] as const;

const pct = (f: number) => fmtPct(f);

const WIDE: Column[] = [
  { key: 'cpu', label: 'CPU', width: 3, align: 'right', keep: 100 },
  { key: 'dev', label: 'irq%', width: 5, align: 'right', keep: 95 },
  { key: 'vec', label: 'vec%', width: 5, align: 'right', keep: 94 },
  { key: 'soft', label: 'soft%', width: 5, align: 'right', keep: 93 },
  { key: 'NET_RX', label: 'NET_RX', width: 6, align: 'right', keep: 70 },
  { key: 'NET_TX', label: 'NET_TX', width: 6, align: 'right', keep: 62 },
  { key: 'TIMER', label: 'TIMER', width: 5, align: 'right', keep: 66 },
  { key: 'BLOCK', label: 'BLOCK', width: 5, align: 'right', keep: 64 },
  { key: 'RCU', label: 'RCU', width: 5, align: 'right', keep: 60 },
  { key: 'SCHED', label: 'SCHED', width: 5, align: 'right', keep: 58 },
  { key: 'other', label: 'other', width: 5, align: 'right', keep: 56 },
  { key: 'irqs', label: 'IRQs/s', width: 6, align: 'right', keep: 90 },
  { key: 'tax', label: 'tax', width: 12, align: 'left', keep: 80 },
  { key: 'hist', label: 'interrupt time', width: 10, align: 'left', keep: 75, flex: true },
];

const COMPACT: Column[] = [
  { key: 'cpu', label: 'CPU', width: 3, align: 'right', keep: 100 },
  { key: 'dev', label: 'irq%', width: 5, align: 'right', keep: 95 },
  { key: 'vec', label: 'vec%', width: 5, align: 'right', keep: 94 },
  { key: 'soft', label: 'soft%', width: 5, align: 'right', keep: 93 },
  { key: 'top', label: 'top softirqs %', width: 22, align: 'left', keep: 70 },
  { key: 'irqs', label: 'IRQs/s', width: 6, align: 'right', keep: 90 },
  { key: 'tax', label: 'tax', width: 12, align: 'left', keep: 80 },
  { key: 'hist', label: 'interrupt time', width: 8, align: 'left', keep: 75, flex: true },
];

const need = (cols: readonly Column[]) => cols.reduce((n, c) => n + c.width, 0) + cols.length - 1;

/** The whole items "NET_RX 1.20 TIMER 0.05" that fit in `width`. */
function topSoftirqs(r: CpuRow, width: number): string {
  let out = '';
  for (const s of r.soft) {
    if (s.frac <= 0) continue;
    const item = `${s.vec} ${pct(s.frac)}`;
    const next = out ? `${out} ${item}` : item;
    if (next.length > width) break;
    out = next;
  }
  return out;
}

/** The tax cell: the estimate of the workload whose busy periods ran mostly on this CPU. */
function taxCell(live: LiveState, est: WorkloadEstimate | undefined, width: number): string {
  const feed = live.workloads;
  if (feed.state === 'off') return '-';
  if (feed.state === 'failed') return 'failed';
  if (feed.state === 'measuring') return 'measuring...';
  if (!est) return '-';
  if (!est.tax) return est.notEnoughData ? 'measuring...' : 'unknown';
  const figure = est.tax.bound
    ? `<=${pct(Math.max(0, est.tax.hi))}%`
    : `${taxIsAtLeast(est) ? '>=' : ''}${pct(est.tax.value)}%`;
  const room = width - figure.length - 1;
  return room >= 3 ? `${cut(est.comm, room)} ${figure}` : figure;
}

function sortRows(rows: CpuRow[], key: string): CpuRow[] {
  switch (key) {
    case 'irq time':
      return rows.sort((a, b) => b.totalFrac - a.totalFrac || a.cpu - b.cpu);
    case 'IRQs/s':
      return rows.sort((a, b) => b.irqsPerSec - a.irqsPerSec || a.cpu - b.cpu);
    case 'softirq':
      return rows.sort((a, b) => b.softFrac - a.softFrac || a.cpu - b.cpu);
    default:
      return rows.sort((a, b) => a.cpu - b.cpu);
  }
}

function meanHistory(h: ReadonlyMap<number, readonly number[]>, cpus: readonly number[]): number[] {
  const len = Math.max(0, ...cpus.map((c) => h.get(c)?.length ?? 0));
  const out: number[] = [];
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (const c of cpus) {
      const xs = h.get(c) ?? [];
      s += xs[xs.length - len + i] ?? 0;
    }
    out.push(s / Math.max(1, cpus.length));
  }
  return out;
}

export function cpuPanel(live: LiveState, width: number, maxLines: number, sort: string, f: Filter, g: Glyphs): Block {
  const cols = layoutColumns(need(WIDE) <= width ? WIDE : COMPACT, width);
  const header = headerLine(cols, g);
  const w = live.window;
  if (!w) return { header, lines: [fit('waiting for the first interval...', width, 'left', g)], hidden: 0 };
  const all = cpuRows(w);
  const rows = sortRows(
    all.filter((r) => matchCpu(f, r.cpu)),
    sort,
  );
  if (!rows.length)
    return { ...message(`no CPU matches the filter (this machine has CPUs 0-${w.hello.ncpus - 1})`), header };
  const taxes = taxByCpu(live.workloads);
  const widthOf = (key: string) => cols.find((c) => c.key === key)?.width ?? 0;
  const line = (r: CpuRow, hist: readonly number[]): string => {
    const cells: Record<string, string> = {
      cpu: r.cpu < 0 ? 'all' : String(r.cpu),
      dev: pct(r.deviceFrac),
      vec: pct(r.vectorFrac),
      soft: pct(r.softFrac),
      irqs: fmtRate(r.irqsPerSec),
      top: topSoftirqs(r, widthOf('top')),
      tax: r.cpu < 0 ? '' : taxCell(live, taxes.get(r.cpu), widthOf('tax')),
      hist: sparkline(hist, widthOf('hist'), g),
    };
    let other = 0;
    for (const s of r.soft) {
      if ((VECTOR_COLUMNS as readonly string[]).includes(s.vec)) cells[s.vec] = pct(s.frac);
      else other += s.frac;
    }
    for (const v of VECTOR_COLUMNS) cells[v] ??= '0';
    cells.other = pct(other);
    return rowLine(cols, cells, g);
  };
  const lines = rows.map((r) => line(r, live.history.get(r.cpu) ?? []));
  // the machine row stays visible when CPU rows are cut: it is the summary
  const showAll = w.hello.ncpus > 1 && f.cpus === null;
  const budget = showAll ? maxLines - 1 : maxLines;
  const block = clip(header, lines, budget, (n) => fit(`  +${n} more CPUs (s sorts, f cpu:N picks)`, width, 'left', g));
  if (showAll)
    block.lines.push(
      line(
        allCpusRow(all),
        meanHistory(
          live.history,
          all.map((r) => r.cpu),
        ),
      ),
    );
  return block;
}
