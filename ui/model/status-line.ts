// The always-visible status line: what irqlens itself costs (events/s, BPF
// time per event per probe, the UI's own CPU) and any lost records.
import { fmtCount, fmtPct, fmtRate } from './format.js';
import type { LiveState } from '../../src/derive/live-state.js';
import { toolCost } from '../../src/derive/tool-cost.js';

export interface StatusLine {
  text: string;
  /** Lost records in this interval: show it as a warning. */
  warn: boolean;
}

const ORDER = ['hardirq', 'softirq', 'softirq-raise', 'vectors', 'napi', 'epoll', 'sched', 'drops'];
/** Short probe names: the line must keep its figures visible at 80 columns. */
const SHORT: Record<string, string> = { hardirq: 'irq', softirq: 'soft', 'softirq-raise': 'raise', vectors: 'vec' };
/** Records into the UI matter for its cost only when there are many. */
const RECORDS_WORTH_SHOWING = 1000;

export function statusLine(live: LiveState): StatusLine {
  const w = live.window;
  if (!w) return { text: 'cost: waiting for the first interval...', warn: false };
  const measured = live.stats === 'on' || live.stats === 'sampled';
  const c = toolCost(w, measured ? live.bpfNs : null);
  const parts = [`cost: ${fmtRate(c.eventsPerSec)} ev/s`];
  parts.push(c.bpfFrac === null ? 'BPF n/a' : `BPF ${fmtPct(c.bpfFrac)}%`);
  if (live.uiCpuFrac !== null) parts.push(`ui ${fmtPct(live.uiCpuFrac)}%`);
  if (c.recordsPerSec >= RECORDS_WORTH_SHOWING) parts.push(`${fmtRate(c.recordsPerSec)} rec/s`);
  parts.push(c.lost > 0 ? `LOST ${fmtCount(c.lost)} (${c.lostKinds.join(',')})` : `lost ${fmtCount(live.lostTotal)}`);
  const probes = [...c.probes]
    .filter((p) => p.nsPerEvent !== null)
    .sort(
      (a, b) =>
        (ORDER.indexOf(a.probe) + 1 || 99) - (ORDER.indexOf(b.probe) + 1 || 99) || a.probe.localeCompare(b.probe),
    )
    .map((p) => `${SHORT[p.probe] ?? p.probe} ${Math.round(p.nsPerEvent ?? 0)}`);
  const ns =
    live.stats === 'off'
      ? ' | ns/ev: BPF stats off'
      : live.stats === 'on-demand'
        ? ' | b: BPF cost'
        : probes.length
          ? ` | ns/ev ${probes.join(' ')}${live.stats === 'sampled' ? ' (sampled)' : ''}`
          : '';
  return { text: parts.join('  ') + ns, warn: c.lost > 0 };
}
