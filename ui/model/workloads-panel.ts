// The workloads panel: busy and idle time per epoll process every interval;
// disrupted periods, the interrupt tax and the what-if gain from the
// estimator when busy periods are traced (--workloads).
import { clip, message, type Block } from './block.js';
import { matchWorkload, type Filter } from './filter.js';
import { fmtClock, fmtCount, fmtInterval, fmtPct, fmtRate } from './format.js';
import { fit, headerLine, layoutColumns, rowLine, type Column } from './table.js';
import type { Glyphs } from './theme.js';
import { probeGapLine } from './probe-note.js';
import type { LiveState } from '../../src/derive/live-state.js';
import {
  periodsUsedText,
  taxIsAtLeast,
  workloadRows,
  type WorkloadFeed,
  type WorkloadRow,
} from '../../src/derive/workloads.js';

const COLUMNS: Column[] = [
  { key: 'pid', label: 'PID', width: 7, align: 'right', keep: 40 },
  { key: 'comm', label: 'process', width: 12, align: 'left', keep: 100, flex: true },
  { key: 'thr', label: 'thr', width: 3, align: 'right', keep: 20 },
  { key: 'busy', label: 'busy%', width: 5, align: 'right', keep: 90 },
  { key: 'idle', label: 'idle%', width: 5, align: 'right', keep: 80 },
  { key: 'events', label: 'events/s', width: 8, align: 'right', keep: 50 },
  { key: 'irqs', label: 'IRQs/s', width: 6, align: 'right', keep: 60 },
  { key: 'disrupted', label: 'disrupted', width: 9, align: 'right', keep: 70 },
  { key: 'tax', label: 'tax', width: 19, align: 'left', keep: 85 },
  { key: 'gain', label: 'what-if', width: 20, align: 'left', keep: 65 },
];

const MEASURING = 'measuring...';

function taxText(feed: WorkloadFeed, r: WorkloadRow): { tax: string; gain: string; disrupted: string } {
  if (feed.state === 'off') return { tax: 'not traced', gain: '-', disrupted: '-' };
  if (feed.state === 'failed') return { tax: 'failed', gain: '-', disrupted: '-' };
  if (feed.state === 'measuring') return { tax: MEASURING, gain: '-', disrupted: '-' };
  const e = r.estimate;
  if (!e) return { tax: 'no busy periods', gain: '-', disrupted: '-' };
  // a share of clean periods: the estimate may have used a sample of them, so a count would mislead
  const disrupted = e.cleanPeriods > 0 ? `${fmtPct(e.disruptedPeriods / e.cleanPeriods)}%` : '-';
  if (!e.tax) return { tax: e.notEnoughData ? MEASURING : 'unknown', gain: '-', disrupted };
  // a lower bound (no quiet moment between interrupts) reads as "at least"
  const atLeast = taxIsAtLeast(e) ? '>=' : '';
  return {
    tax: atLeast + fmtInterval(e.tax),
    gain: e.gain ? atLeast + fmtInterval(e.gain, '+') : '-',
    disrupted,
  };
}

function sortRows(rows: WorkloadRow[], key: string): WorkloadRow[] {
  const tie = (a: WorkloadRow, b: WorkloadRow) => a.comm.localeCompare(b.comm) || a.tgid - b.tgid;
  const tax = (r: WorkloadRow) => r.estimate?.tax?.value ?? -1;
  switch (key) {
    case 'tax':
      return rows.sort((a, b) => tax(b) - tax(a) || tie(a, b));
    case 'IRQs':
      return rows.sort((a, b) => b.irqsPerSec - a.irqsPerSec || tie(a, b));
    case 'name':
      return rows.sort(tie);
    default:
      return rows.sort((a, b) => b.busyFrac - a.busyFrac || tie(a, b));
  }
}

/** One line on where the tax figures stand. */
export function feedNote(live: LiveState): string {
  const feed = live.workloads;
  switch (feed.state) {
    case 'off':
      return 'tax not traced: start with --workloads (limit with --pid) to trace busy periods and estimate it';
    case 'measuring':
      return `tax measuring... (${feed.collectedS.toFixed(0)} s of busy periods so far; an estimate every ${feed.needS.toFixed(0)} s)`;
    case 'failed':
      return `tax estimate failed: ${feed.message}`;
    case 'ready': {
      const bounds = feed.estimates.some((e) => e.taxLowerBound) ? '<= upper, >= lower bound' : '<= upper bound';
      return `tax over ${feed.spanS.toFixed(1)} s to ${fmtClock(feed.atMs, live.utcOffsetMin)} (${periodsUsedText(feed, fmtCount)}); 95% CI, ${bounds} (? explains)`;
    }
  }
}

export function workloadsPanel(
  live: LiveState,
  width: number,
  maxLines: number,
  sort: string,
  f: Filter,
  g: Glyphs,
): Block {
  const cols = layoutColumns(COLUMNS, width);
  const w = live.window;
  const note = fit(feedNote(live), width, 'left', g);
  if (!w) return message('waiting for the first interval...');
  const gap = probeGapLine(live, 'epoll');
  if (gap) return message(gap, note);
  const all = workloadRows(w, live.workloads);
  if (!all.length) return message('no process used epoll in this interval', note);
  const rows = sortRows(
    all.filter((r) => matchWorkload(f, r)),
    sort,
  );
  if (!rows.length) return message(`no workload matches the filter (${all.length} processes use epoll)`, note);
  const lines = rows.map((r) => {
    const t = taxText(live.workloads, r);
    return rowLine(
      cols,
      {
        pid: String(r.tgid),
        comm: r.comm,
        thr: String(r.threads),
        busy: fmtPct(r.busyFrac),
        idle: fmtPct(r.waitFrac),
        events: fmtRate(r.eventsPerSec),
        irqs: fmtRate(r.irqsPerSec),
        ...t,
      },
      g,
    );
  });
  // why a workload's tax is still measuring, in the estimator's words
  const waiting = rows.find((r) => r.estimate && !r.estimate.tax && r.estimate.notEnoughData);
  const why = waiting?.estimate?.notEnoughData
    ? [fit(`${waiting.comm} measuring: ${waiting.estimate.notEnoughData}`, width, 'left', g)]
    : [];
  const block = clip(headerLine(cols, g), lines, Math.max(0, maxLines - 1 - why.length), (n) =>
    fit(`  +${n} more processes`, width, 'left', g),
  );
  block.lines.push(note, ...why);
  return block;
}
