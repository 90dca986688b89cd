// What irqlens itself costs, from the kernel's BPF run-time statistics
// (PROGSTAT deltas per program) and the interval's event counts.
import type { Window } from '../reduce/totals.js';
import type { ProgStatus } from '../stream/types.js';

export interface ProbeCost {
  /** A probe group (hardirq, softirq, softirq-raise, vectors, napi, epoll, sched, drops), or a program name in older recordings. */
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

/** The program's probe group from the hello; streams written before groups were recorded show the program's own name. */
export function probeGroup(prog: ProgStatus | undefined, index: number): string {
  return prog?.group ?? prog?.name.replace(/^irql_/, '') ?? `prog${index}`;
}

/** The tracepoint that starts an event (its exit, and a softirq's raise, belong to the same event). */
function opensEvent(tp: string): boolean {
  return /_entry$|^softirq_raise$|^napi_poll$|sys_enter_|^sched_switch$|^kfree_skb$/.test(tp);
}

/**
 * BPF ns per event of each probe group, from the programs' run-time statistics of this window: run
 * time over runs (an entry/exit pair is one run of the group's busiest program). Exact for whatever
 * part of the window the statistics were on, so a window sampled for one second of ten still gives
 * the true cost per event. Empty when they were off throughout.
 */
export function bpfNsPerEvent(w: Window): Map<string, number> {
  const runNs = new Map<string, number>();
  const runs = new Map<string, number>();
  for (const p of w.progStat) {
    const prog = w.hello.progs[p.prog];
    const g = probeGroup(prog, p.prog);
    runNs.set(g, (runNs.get(g) ?? 0) + p.runTimeNs);
    // one event = one run of its opening tracepoint (each vector has its own entry program)
    // (without groups, in older recordings, each program is its own line and counts its own runs)
    if (!prog?.group || opensEvent(prog.tracepoint)) runs.set(g, (runs.get(g) ?? 0) + p.runCnt);
  }
  const out = new Map<string, number>();
  for (const [g, n] of runs) if (n > 0) out.set(g, (runNs.get(g) ?? 0) / n);
  return out;
}

/**
 * The window's tool cost. `nsPerEvent` is the latest measured BPF cost per event per probe group
 * (bpfNsPerEvent of a window with statistics on), or null when there is none: BPF time is then that
 * cost times the window's own event counts, so it holds between samples.
 */
export function toolCost(w: Window, nsPerEvent: ReadonlyMap<string, number> | null): ToolCost {
  const secs = w.durationNs / 1e9;
  const perSec = (n: number) => (secs > 0 ? n / secs : 0);
  const sum = <T>(rows: readonly T[], f: (r: T) => number) => rows.reduce((a, r) => a + f(r), 0);
  // events per probe from the window's own counts: an entry/exit pair is one event
  const events = new Map<string, number>([
    ['hardirq', sum(w.hardirq, (r) => r.count)],
    ['vectors', sum(w.vector, (r) => r.count)],
    ['softirq', sum(w.softirq, (r) => r.count)],
    // raises are counted where they were timed; untimed (--no-raise-latency), a run stands for its raise
    ['softirq-raise', sum(w.softirq, (r) => (w.hello.raiseLatency === false ? r.count : r.raised))],
    ['napi', sum(w.napi, (r) => r.polls)],
    ['epoll', sum(w.epoll, (r) => r.calls)],
  ]);
  const runs = new Map<string, number>();
  for (const p of w.progStat) {
    const g = probeGroup(w.hello.progs[p.prog], p.prog);
    runs.set(g, Math.max(runs.get(g) ?? 0, p.runCnt));
  }
  const names = new Set([...events.keys(), ...(nsPerEvent?.keys() ?? [])]);
  const probes: ProbeCost[] = [];
  let bpfNs = 0;
  for (const g of names) {
    // groups without a count of their own (sched) are counted by their runs when sampled
    const n = events.get(g) ?? runs.get(g) ?? 0;
    const ns = nsPerEvent?.get(g);
    // a probe with no events in this window has nothing to show, whatever it cost before
    if (n <= 0) continue;
    if (ns !== undefined) bpfNs += ns * n;
    probes.push({ probe: g, eventsPerSec: perSec(n), nsPerEvent: ns ?? null });
  }
  let lost = 0;
  const lostKinds: string[] = [];
  for (const [k, v] of w.lost) {
    lost += v;
    if (v > 0) lostKinds.push(k);
  }
  return {
    eventsPerSec: perSec([...events.values()].reduce((a, b) => a + b, 0)),
    bpfFrac: nsPerEvent !== null && nsPerEvent.size > 0 && w.durationNs > 0 ? bpfNs / w.durationNs : null,
    probes,
    lost,
    lostKinds,
    recordsPerSec: perSec(w.records.reduce((a, b) => a + b, 0)),
  };
}
