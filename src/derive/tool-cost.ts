// What irqlens itself costs, from the kernel's BPF run-time statistics
// (PROGSTAT deltas per program) and the interval's event counts.
import type { Window } from '../reduce/totals.js';

export interface ProbeCost {
  /** hardirq, softirq, vectors, napi, epoll, or a program name. */
  probe: string;
  eventsPerSec: number;
  /** BPF run time of the probe's programs per event it handled; null without stats or events. */
  nsPerEvent: number | null;
}

export interface ToolCost {
  /** Events the probes handled per second (IRQs, vectors, softirq runs, NAPI polls, epoll calls). */
  eventsPerSec: number;
  /** BPF run time over the interval as a share of one CPU; null when statistics are off. */
  bpfFrac: number | null;
  probes: ProbeCost[];
  /** Records lost in this interval, and which kinds. */
  lost: number;
  lostKinds: string[];
  /** Per-event records that reached the UI per second. */
  recordsPerSec: number;
}

const GROUPS: [RegExp, string][] = [
  [/^irql_hi_/, 'hardirq'],
  [/^irql_si_/, 'softirq'],
  [/^irql_v_/, 'vectors'],
  [/^irql_napi/, 'napi'],
  [/^irql_ep_/, 'epoll'],
  [/^irql_sched/, 'sched'],
];

export function probeGroup(prog: string): string {
  for (const [re, g] of GROUPS) if (re.test(prog)) return g;
  return prog.replace(/^irql_/, '');
}

export function toolCost(w: Window, statsOn: boolean): ToolCost {
  const secs = w.durationNs / 1e9;
  const perSec = (n: number) => (secs > 0 ? n / secs : 0);
  const sum = <T>(rows: readonly T[], f: (r: T) => number) => rows.reduce((a, r) => a + f(r), 0);
  // events per probe from the window's own counts: an entry/exit pair is one event
  const events = new Map<string, number>([
    ['hardirq', sum(w.hardirq, (r) => r.count)],
    ['vectors', sum(w.vector, (r) => r.count)],
    ['softirq', sum(w.softirq, (r) => r.count)],
    ['napi', sum(w.napi, (r) => r.polls)],
    ['epoll', sum(w.epoll, (r) => r.calls)],
  ]);
  const runNs = new Map<string, number>();
  const runs = new Map<string, number>();
  let bpfNs = 0;
  for (const p of w.progStat) {
    const g = probeGroup(w.hello.progs[p.prog]?.name ?? `prog${p.prog}`);
    runNs.set(g, (runNs.get(g) ?? 0) + p.runTimeNs);
    runs.set(g, Math.max(runs.get(g) ?? 0, p.runCnt));
    bpfNs += p.runTimeNs;
  }
  const names = new Set([...events.keys(), ...runNs.keys()]);
  const probes: ProbeCost[] = [];
  for (const g of names) {
    const n = events.get(g) ?? runs.get(g) ?? 0;
    const t = runNs.get(g);
    if (n <= 0 && !t) continue;
    probes.push({ probe: g, eventsPerSec: perSec(n), nsPerEvent: statsOn && t !== undefined && n > 0 ? t / n : null });
  }
  let lost = 0;
  const lostKinds: string[] = [];
  for (const [k, v] of w.lost) {
    lost += v;
    if (v > 0) lostKinds.push(k);
  }
  return {
    eventsPerSec: perSec([...events.values()].reduce((a, b) => a + b, 0)),
    bpfFrac: statsOn && w.durationNs > 0 ? bpfNs / w.durationNs : null,
    probes,
    lost,
    lostKinds,
    recordsPerSec: perSec(w.records.reduce((a, b) => a + b, 0)),
  };
}
