// Fixture state for the UI tests: a 4-CPU machine with a disk IRQ, a NIC
// queue, loopback traffic, two epoll workloads, bursts and BPF statistics,
// as windows whose every number is chosen, fed through the live reducer.
import type { StatsMode } from '../../src/derive/live-state.js';
import { initialTotals, keys, type Totals, type Window } from '../../src/reduce/totals.js';
import { HIST_SLOTS, NAPI_WORK_SLOTS, EPOLL_RET_SLOTS, REC, type ProbeGroup } from '../../src/stream/layout.js';
import type {
  BurstRec,
  EpollRow,
  HardirqRow,
  Hello,
  NapiRow,
  SoftirqRow,
  VectorRow,
  VictimRow,
} from '../../src/stream/types.js';
import { initialLiveState, liveReducer, type LiveEvent, type LiveState } from '../../src/derive/live-state.js';
import type { NicQueue } from '../../src/derive/nic-rows.js';
import type { WorkloadFeed } from '../../src/derive/workloads.js';

export const SEC = 1_000_000_000;
/** 2026-11-22 03:00:00 UTC: frames show UTC (offset 0), so they do not depend on the machine's zone. */
export const T0_MS = Date.UTC(2026, 10, 22, 3, 0, 0);

const PROGS = [
  'irql_hi_entry',
  'irql_hi_exit',
  'irql_si_raise',
  'irql_si_entry',
  'irql_si_exit',
  'irql_v_loc_en',
  'irql_v_loc_ex',
  'irql_napi_poll',
  'irql_ep_wait_en',
  'irql_ep_wait_ex',
];
/** Each program's probe group, as the helper's attach policy gives it. */
const GROUPS: ProbeGroup[] = [
  'hardirq',
  'hardirq',
  'softirq-raise',
  'softirq',
  'softirq',
  'vectors',
  'vectors',
  'napi',
  'epoll',
  'epoll',
];
const TRACEPOINTS = [
  'irq_handler_entry',
  'irq_handler_exit',
  'softirq_raise',
  'softirq_entry',
  'softirq_exit',
  'local_timer_entry',
  'local_timer_exit',
  'napi_poll',
  'syscalls/sys_enter_epoll_wait',
  'syscalls/sys_exit_epoll_wait',
];

export const hello: Hello = {
  type: 'hello',
  version: 1,
  ncpus: 4,
  pmu: false,
  monoNs: 100n * BigInt(SEC),
  realtimeNs: BigInt(T0_MS) * 1_000_000n,
  kernel: '6.1.0-test',
  host: 'box',
  windowNs: 100_000,
  burstPackets: 256,
  intervalMs: 60_000,
  ringBytes: 1 << 24,
  recordMask: 1 << REC.BURST,
  targetTgid: 0,
  tracefsMounted: false,
  softirqAsyncOnly: false,
  progs: PROGS.map((name, i) => ({
    name,
    tracepoint: TRACEPOINTS[i] ?? name,
    status: 'attached' as const,
    err: 0,
    group: GROUPS[i],
  })),
};

export function hist(set: Record<number, number>, n = HIST_SLOTS): number[] {
  return Array.from({ length: n }, (_, i) => set[i] ?? 0);
}

function hr(
  cpu: number,
  irq: number,
  count: number,
  timeNs: number,
  maxNs: number,
  h: Record<number, number>,
): HardirqRow {
  return { cpu, irq, count, timeNs, maxNs, hist: hist(h) };
}

function vr(
  cpu: number,
  vector: number,
  count: number,
  timeNs: number,
  maxNs: number,
  h: Record<number, number>,
): VectorRow {
  return { cpu, vector, count, timeNs, maxNs, hist: hist(h) };
}

function sr(cpu: number, vec: number, count: number, timeNs: number): SoftirqRow {
  return {
    cpu,
    vec,
    count,
    timeNs,
    maxNs: 0,
    hist: hist({}),
    asyncCount: count,
    asyncTimeNs: timeNs,
    raised: count,
    raiseLatNs: 0,
    latHist: hist({}),
  };
}

function nr(
  napiId: number,
  ifindex: number,
  cpu: number,
  dev: string,
  polls: number,
  packets: number,
  pollsAtBudget: number,
  bursts: number,
): NapiRow {
  return {
    napiId,
    ifindex,
    cpu,
    dev,
    polls,
    packets,
    pollsAtBudget,
    bursts,
    budget: 64,
    workHist: hist({}, NAPI_WORK_SLOTS),
  };
}

function er(
  tgid: number,
  tid: number,
  comm: string,
  calls: number,
  waitNs: number,
  busyNs: number,
  events: number,
): EpollRow {
  return { tgid, tid, comm, calls, waitNs, busyNs, events, errors: 0, retHist: hist({}, EPOLL_RET_SLOTS) };
}

function vic(
  cpu: number,
  kind: VictimRow['kind'],
  id: number,
  tgid: number,
  comm: string,
  count: number,
  timeNs: number,
): VictimRow {
  return { cpu, kind, id, tgid, comm, count, timeNs };
}

export function burst(
  cpu: number,
  napiId: number,
  ifindex: number,
  startS: number,
  packets: number,
  peak: number,
): BurstRec {
  const startNs = hello.monoNs + BigInt(Math.round(startS * SEC));
  return {
    kind: 'burst',
    cpu,
    napiId,
    startNs,
    endNs: startNs + 250_000n,
    ifindex,
    packets,
    peakWindowPackets: peak,
    pollsAtBudget: 2,
    windows: 3,
  };
}

/** The busy window: disk IRQs on CPU 1, NIC RX on CPU 0, loopback on CPUs 2 and 3. */
export function busyWindow(over: Partial<Window> = {}): Window {
  return {
    hello,
    durationNs: SEC,
    hardirq: [
      hr(1, 36, 5000, 15_000_000, 41_000, { 11: 4900, 12: 80, 15: 20 }),
      hr(0, 38, 800, 2_400_000, 9_000, { 11: 790, 13: 10 }),
      hr(0, 39, 40, 80_000, 3_000, { 10: 40 }),
    ],
    vector: [
      vr(0, 0, 250, 1_000_000, 12_000, { 12: 250 }),
      vr(1, 0, 250, 900_000, 11_000, { 12: 250 }),
      vr(2, 0, 250, 800_000, 9_000, { 11: 250 }),
      vr(3, 0, 250, 700_000, 8_000, { 11: 250 }),
      vr(2, 1, 1200, 1_200_000, 5_000, { 9: 1000, 10: 200 }),
    ],
    softirq: [
      sr(0, 3, 900, 9_000_000),
      sr(0, 1, 250, 250_000),
      sr(1, 4, 5000, 6_000_000),
      sr(2, 3, 40_000, 30_000_000),
      sr(2, 2, 300, 300_000),
      sr(3, 3, 38_000, 25_000_000),
      sr(3, 9, 200, 100_000),
      sr(3, 7, 100, 50_000),
    ],
    napi: [
      nr(8193, 4, 0, 'eth0', 700, 12_000, 15, 2),
      nr(0, 0, 2, '(backlog)', 40_000, 40_000, 0, 0),
      nr(0, 0, 3, '(backlog)', 38_000, 38_000, 0, 1),
    ],
    epoll: [
      er(1200, 1201, 'nginx', 20_000, 600_000_000, 350_000_000, 40_000),
      er(1200, 1202, 'nginx', 18_000, 650_000_000, 300_000_000, 36_000),
      er(900, 900, 'memcached', 5_000, 900_000_000, 50_000_000, 5_000),
    ],
    victim: [
      vic(1, 'hardirq', 36, 0, 'swapper/1', 3000, 9_000_000),
      vic(1, 'hardirq', 36, 1200, 'nginx', 2000, 6_000_000),
      vic(0, 'hardirq', 38, 900, 'memcached', 800, 2_400_000),
      vic(2, 'vector', 1, 1200, 'nginx', 1200, 1_200_000),
      vic(0, 'vector', 0, 0, 'swapper/0', 250, 1_000_000),
    ],
    irqNames: new Map([
      [36, 'virtio1-req.0'],
      [38, 'virtio2-input.0'],
      [39, 'virtio2-output.0'],
    ]),
    lost: new Map(),
    records: [0, 0, 0, 0, 0, 0, 2, 0],
    progStat: [
      { prog: 0, runCnt: 5840, runTimeNs: 584_000 },
      { prog: 1, runCnt: 5840, runTimeNs: 876_000 },
      { prog: 2, runCnt: 84_750, runTimeNs: 5_500_000 },
      { prog: 3, runCnt: 84_750, runTimeNs: 5_340_000 },
      { prog: 4, runCnt: 84_750, runTimeNs: 6_700_000 },
      // the fixture has one vector program pair, run once per vector event of the window
      { prog: 5, runCnt: 2200, runTimeNs: 200_000 },
      { prog: 6, runCnt: 2200, runTimeNs: 400_000 },
      { prog: 7, runCnt: 78_700, runTimeNs: 8_700_000 },
      { prog: 8, runCnt: 43_000, runTimeNs: 4_300_000 },
      { prog: 9, runCnt: 43_000, runTimeNs: 6_450_000 },
    ],
    cpuTime: [],
    bursts: [burst(0, 8193, 4, 7.25, 420, 300), burst(3, 0, 0, 7.5, 300, 260)],
    burstsTotal: 2,
    drop: [],
    dropNames: new Map(),
    ...over,
  };
}

/** An interval with nothing in it (a quiet machine, or a filter's worst case). */
export function emptyWindow(): Window {
  return busyWindow({
    hardirq: [],
    vector: [],
    softirq: [],
    napi: [],
    epoll: [],
    victim: [],
    progStat: [],
    bursts: [],
    burstsTotal: 0,
    records: [0, 0, 0, 0, 0, 0, 0, 0],
  });
}

export const queues: NicQueue[] = [
  {
    dev: 'eth0',
    ifindex: 4,
    queue: 'rx-0',
    irq: 38,
    irqName: 'virtio2-input.0',
    affinity: [0, 1, 2, 3],
    effective: [0],
  },
  {
    dev: 'eth0',
    ifindex: 4,
    queue: 'tx-0',
    irq: 39,
    irqName: 'virtio2-output.0',
    affinity: [0, 1, 2, 3],
    effective: [0],
  },
];

/** Scales a window's time figures (for a history that varies). */
function scaled(w: Window, f: number): Window {
  return {
    ...w,
    hardirq: w.hardirq.map((r) => ({ ...r, timeNs: Math.round(r.timeNs * f) })),
    vector: w.vector.map((r) => ({ ...r, timeNs: Math.round(r.timeNs * f) })),
    softirq: w.softirq.map((r) => ({ ...r, timeNs: Math.round(r.timeNs * f) })),
    bursts: [],
  };
}

export const estimates: Extract<WorkloadFeed, { state: 'ready' }> = {
  state: 'ready',
  atMs: T0_MS + 5_000,
  spanS: 10,
  periodsDecoded: 40_500,
  periodsUsed: 20_250,
  sampledOneIn: { min: 8, max: 8 },
  estimates: [
    {
      tgid: 1200,
      comm: 'nginx',
      periods: 76_000,
      cleanPeriods: 70_000,
      disruptedPeriods: 9_100,
      notEnoughData: null,
      note: null,
      mainCpu: 2,
      tax: { value: 0.041, lo: 0.032, hi: 0.05, bound: false },
      gain: { value: 0.0428, lo: 0.0331, hi: 0.0526, bound: false },
    },
    {
      tgid: 900,
      comm: 'memcached',
      periods: 5_000,
      cleanPeriods: 4_600,
      disruptedPeriods: 800,
      notEnoughData: null,
      note: null,
      mainCpu: 0,
      tax: { value: 0.004, lo: -0.002, hi: 0.012, bound: true },
      gain: { value: 0.004, lo: -0.002, hi: 0.0121, bound: true },
    },
  ],
};

export interface FixtureOptions {
  workloads?: WorkloadFeed;
  intervals?: number;
  last?: Window;
  stats?: StatsMode;
}

/**
 * The interval event that follows `s` with window `w`: its end totals carry what the live reducer reads of
 * them, the drops and lost counts so far (earlier lost counts under one key: only their sum is kept).
 */
export function intervalAfter(s: LiveState, w: Window, atMs: number, uiCpuFrac: number | null): LiveEvent {
  const drop = new Map(s.drops);
  for (const r of w.drop) {
    const old = drop.get(keys.drop(r));
    drop.set(keys.drop(r), old ? { ...r, count: old.count + r.count } : r);
  }
  const lost = new Map(s.lostTotal ? [['earlier/lost', s.lostTotal]] : []);
  for (const [k, v] of w.lost) lost.set(k, (lost.get(k) ?? 0) + v);
  const end: Totals = { ...initialTotals(w.hello), drop, lost };
  return { type: 'interval', window: w, end, atMs, uiCpuFrac };
}

/** The live state after `intervals` intervals (the last one busyWindow, unless given). */
export function liveFixture(o: FixtureOptions = {}): LiveState {
  const n = o.intervals ?? 12;
  const events: LiveEvent[] = [
    { type: 'started', hello, stats: o.stats ?? 'on', workloads: o.workloads !== undefined, utcOffsetMin: 0 },
    { type: 'queues', queues },
  ];
  let s = events.reduce(liveReducer, initialLiveState());
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const w = last ? (o.last ?? busyWindow()) : scaled(busyWindow(), [0.01, 0.05, 0.2, 1, 3, 8][i % 6] ?? 1);
    s = liveReducer(s, intervalAfter(s, w, T0_MS + (i + 1) * 1000, 0.012));
  }
  if (o.workloads) s = liveReducer(s, { type: 'workloads', feed: o.workloads });
  return s;
}
