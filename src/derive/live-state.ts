// Everything the UI shows, as reduced state: the latest interval's window,
// histories and logs built from past intervals, the workload estimates and
// the probe's health. Changed only through liveReducer, from the sampler.
import { bpfNsPerEvent } from './tool-cost.js';

/**
 * off: never (--no-prog-stats); on: throughout (--prog-stats-always); sampled: a second in every ten;
 * on-demand: off until the user asks for the BPF cost (top's default: statistics slow every BPF program
 * on the machine while on), then sampled while it is shown.
 */
export type StatsMode = 'off' | 'on' | 'sampled' | 'on-demand';
import type { Totals, Window } from '../reduce/totals.js';
import type { DropRow, Hello } from '../stream/types.js';
import { appendBursts, devNames, type BurstEntry } from './burst-log.js';
import { cpuRows } from './cpu-rows.js';
import { pushHistory } from './history.js';
import type { NicQueue } from './nic-rows.js';
import type { WorkloadFeed } from './workloads.js';

export interface LiveState {
  hello: Hello | null;
  /** The latest interval; null until the first one ends. */
  window: Window | null;
  /** Wall-clock Unix ms at the end of the latest interval. */
  atMs: number;
  /** Offset of local time from UTC, minutes (fixed per run so frames are reproducible). */
  utcOffsetMin: number;
  intervals: number;
  /** Interrupt time share per CPU, oldest first. */
  history: ReadonlyMap<number, readonly number[]>;
  bursts: readonly BurstEntry[];
  devs: ReadonlyMap<number, string>;
  /** drops since the probe started: the cumulative totals' rows */
  drops: ReadonlyMap<string, DropRow>;
  /** inode of the viewer's network namespace (0 unknown): other namespaces' ifindexes get no name */
  netns: number;
  queues: readonly NicQueue[];
  workloads: WorkloadFeed;
  /** BPF run-time statistics: off, on throughout, or sampled (on for a second now and then). */
  stats: StatsMode;
  /** The latest measured BPF ns per event per probe group (from the last window with statistics). */
  bpfNs: ReadonlyMap<string, number> | null;
  /** This process's CPU over the latest interval, as a share of one CPU. */
  uiCpuFrac: number | null;
  lostTotal: number;
  warnings: readonly string[];
  /** Set when the probe stopped with an error. */
  fatal: string | null;
  /** Probe groups attached now; null: all of them (a recording, or a live run that never changes them). */
  probes: readonly string[] | null;
  /** Wall-clock Unix ms when each group was last attached during the run (absent: since the start). */
  attachedAtMs: ReadonlyMap<string, number>;
}

export type LiveEvent =
  | {
      type: 'started';
      hello: Hello;
      stats: StatsMode;
      workloads: boolean;
      probes?: readonly string[];
      utcOffsetMin: number;
      netns?: number;
      ifNames?: ReadonlyMap<number, string>;
    }
  /** An interval closed: its window and the cumulative totals at its end (drops and lost since the start). */
  | { type: 'interval'; window: Window; end: Totals; atMs: number; uiCpuFrac: number | null }
  | { type: 'queues'; queues: readonly NicQueue[] }
  | { type: 'workloads'; feed: WorkloadFeed }
  | { type: 'probes'; groups: readonly string[]; atMs: number }
  /** The statistics mode changed while running (top's b key: on-demand <-> sampled). */
  | { type: 'stats'; stats: StatsMode }
  | { type: 'warnings'; warnings: readonly string[] }
  | { type: 'fatal'; message: string };

export function initialLiveState(): LiveState {
  return {
    hello: null,
    window: null,
    atMs: 0,
    utcOffsetMin: 0,
    intervals: 0,
    history: new Map(),
    bursts: [],
    devs: new Map(),
    drops: new Map(),
    netns: 0,
    queues: [],
    workloads: { state: 'off' },
    stats: 'off',
    bpfNs: null,
    uiCpuFrac: null,
    lostTotal: 0,
    warnings: [],
    fatal: null,
    probes: null,
    attachedAtMs: new Map(),
  };
}

export function liveReducer(s: LiveState, e: LiveEvent): LiveState {
  switch (e.type) {
    case 'started':
      return {
        ...s,
        hello: e.hello,
        stats: e.stats,
        utcOffsetMin: e.utcOffsetMin,
        netns: e.netns ?? 0,
        devs: e.ifNames ? new Map([...s.devs, ...e.ifNames]) : s.devs,
        workloads: e.workloads ? { state: 'measuring', collectedS: 0, needS: 0 } : { state: 'off' },
        probes: e.probes ?? null,
      };
    case 'interval': {
      const w = e.window;
      const devs = devNames(s.devs, w, s.queues);
      const freshNs = bpfNsPerEvent(w);
      let lostTotal = 0;
      for (const v of e.end.lost.values()) lostTotal += v;
      return {
        ...s,
        hello: w.hello,
        window: w,
        atMs: e.atMs,
        intervals: s.intervals + 1,
        history: pushHistory(s.history, new Map(cpuRows(w).map((r) => [r.cpu, r.totalFrac]))),
        bursts: appendBursts(s.bursts, w, devs),
        devs,
        drops: e.end.drop,
        uiCpuFrac: e.uiCpuFrac,
        lostTotal,
        bpfNs: freshNs.size ? freshNs : s.bpfNs,
      };
    }
    case 'queues':
      return { ...s, queues: e.queues };
    case 'stats':
      return { ...s, stats: e.stats };
    case 'workloads':
      return { ...s, workloads: e.feed };
    case 'probes': {
      const was = new Set(s.probes ?? []);
      const attachedAtMs = new Map(s.attachedAtMs);
      for (const g of e.groups) if (!was.has(g)) attachedAtMs.set(g, e.atMs);
      return { ...s, probes: e.groups, attachedAtMs };
    }
    case 'warnings':
      return { ...s, warnings: e.warnings };
    case 'fatal':
      return { ...s, fatal: e.message };
  }
}

/**
 * Why a panel fed by this probe group has no figures for the latest interval, or null when it has:
 * the group is detached, or was attached during the interval (its counts cover only part of it).
 */
export function probeGap(s: LiveState, group: string): { state: 'detached' } | { state: 'since'; atMs: number } | null {
  if (s.probes === null) return null;
  if (!s.probes.includes(group)) return { state: 'detached' };
  const at = s.attachedAtMs.get(group);
  if (at === undefined) return null;
  const intervalStartMs = s.window ? s.atMs - s.window.durationNs / 1e6 : Infinity;
  return at > intervalStartMs ? { state: 'since', atMs: at } : null;
}
