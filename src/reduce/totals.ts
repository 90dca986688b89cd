// Pure reducer: the stream's messages -> the latest cumulative value of every
// row. A window's totals are the difference of two such states.
import type {
  BurstRec,
  CpuTimeRow,
  DropRow,
  DurStats,
  EpollRow,
  HardirqRow,
  Hello,
  Message,
  NapiRow,
  ProgStatRow,
  SoftirqRow,
  VectorRow,
  VictimRow,
} from '../stream/types.js';
import { countRecords, decodeBursts } from '../stream/decode.js';
import { NR_REC_KINDS, REC } from '../stream/layout.js';

export interface Totals {
  hello: Hello;
  /** Monotonic ns of the latest snapshot (0n before the first). */
  tsNs: bigint;
  snapshots: number;
  hardirq: ReadonlyMap<string, HardirqRow>;
  softirq: ReadonlyMap<string, SoftirqRow>;
  vector: ReadonlyMap<string, VectorRow>;
  napi: ReadonlyMap<string, NapiRow>;
  epoll: ReadonlyMap<string, EpollRow>;
  victim: ReadonlyMap<string, VictimRow>;
  irqNames: ReadonlyMap<number, string>;
  /** Cumulative lost records/keys, by "kind/reason". */
  lost: ReadonlyMap<string, number>;
  progStat: ReadonlyMap<number, ProgStatRow>;
  /** Kernel CPU time per CPU (cumulative, /proc/stat). */
  cpuTime: ReadonlyMap<number, CpuTimeRow>;
  /** Dropped packets per CPU x reason x device x protocol (cumulative). */
  drop: ReadonlyMap<string, DropRow>;
  /** The kernel's drop reason names (enum skb_drop_reason), by value. */
  dropNames: ReadonlyMap<number, string>;
  /** Per-event records received, indexed by IRQLENS_REC_* kind. */
  records: readonly number[];
  bursts: number;
  /** The most recent burst records (bounded; `bursts` counts them all). */
  recentBursts: readonly BurstRec[];
  ended: boolean;
}

export const MAX_RECENT_BURSTS = 1000;

export function initialTotals(hello: Hello): Totals {
  return {
    hello,
    tsNs: 0n,
    snapshots: 0,
    hardirq: new Map(),
    softirq: new Map(),
    vector: new Map(),
    napi: new Map(),
    epoll: new Map(),
    victim: new Map(),
    irqNames: new Map(),
    lost: new Map(),
    progStat: new Map(),
    cpuTime: new Map(),
    drop: new Map(),
    dropNames: new Map(),
    records: new Array<number>(NR_REC_KINDS).fill(0),
    bursts: 0,
    recentBursts: [],
    ended: false,
  };
}

function merged<K, V>(prev: ReadonlyMap<K, V>, rows: readonly V[], key: (r: V) => K): ReadonlyMap<K, V> {
  if (!rows.length) return prev;
  const m = new Map(prev);
  for (const r of rows) m.set(key(r), r);
  return m;
}

export const keys = {
  hardirq: (r: HardirqRow) => `${r.cpu}:${r.irq}`,
  softirq: (r: SoftirqRow) => `${r.cpu}:${r.vec}`,
  vector: (r: VectorRow) => `${r.cpu}:${r.vector}`,
  napi: (r: NapiRow) => `${r.napiId}:${r.ifindex}:${r.cpu}`,
  epoll: (r: EpollRow) => `${r.tgid}:${r.tid}`,
  victim: (r: VictimRow) => `${r.cpu}:${r.kind}:${r.id}:${r.tgid}`,
  drop: (r: DropRow) => `${r.cpu}:${r.reason}:${r.ifindex}:${r.ethProto}:${r.l4Proto}:${r.netns}`,
};

export function reduceTotals(s: Totals, m: Message): Totals {
  switch (m.type) {
    case 'hello':
      return initialTotals(m);
    case 'events': {
      const counts = new Float64Array(NR_REC_KINDS);
      countRecords(m.bytes, counts);
      const records = s.records.map((n, i) => n + (counts[i] ?? 0));
      const nb = counts[REC.BURST] ?? 0;
      if (!nb) return { ...s, records };
      const fresh = decodeBursts(m.bytes);
      const recentBursts = [...s.recentBursts, ...fresh].slice(-MAX_RECENT_BURSTS);
      return { ...s, records, bursts: s.bursts + nb, recentBursts };
    }
    case 'snapshot': {
      const names = m.irqName.length ? new Map(s.irqNames) : s.irqNames;
      for (const n of m.irqName) (names as Map<number, string>).set(n.irq, n.name);
      const lost = m.lost.length ? new Map(s.lost) : s.lost;
      const dropNames = m.dropName.length ? new Map(s.dropNames) : s.dropNames;
      for (const n of m.dropName) (dropNames as Map<number, string>).set(n.reason, n.name);
      for (const l of m.lost) (lost as Map<string, number>).set(`${l.kind}/${l.reason}`, l.count);
      return {
        ...s,
        tsNs: m.tsNs,
        snapshots: s.snapshots + 1,
        hardirq: merged(s.hardirq, m.hardirq, keys.hardirq),
        softirq: merged(s.softirq, m.softirq, keys.softirq),
        vector: merged(s.vector, m.vector, keys.vector),
        napi: merged(s.napi, m.napi, keys.napi),
        epoll: merged(s.epoll, m.epoll, keys.epoll),
        victim: merged(s.victim, m.victim, keys.victim),
        irqNames: names,
        lost,
        progStat: merged(s.progStat, m.progStat, (r) => r.prog),
        cpuTime: merged(s.cpuTime, m.cpuTime, (r) => r.cpu),
        drop: merged(s.drop, m.drop, keys.drop),
        dropNames,
      };
    }
    case 'end':
      return { ...s, ended: true };
  }
}

/* ---- windows: end minus start ---- */

function subArr(a: readonly number[], b: readonly number[] | undefined): number[] {
  return a.map((v, i) => v - (b?.[i] ?? 0));
}

export function subDur<T extends DurStats>(a: T, b: T | undefined): T {
  if (!b) return a;
  // max cannot be differenced: the window max is the cumulative one when it grew
  return {
    ...a,
    count: a.count - b.count,
    timeNs: a.timeNs - b.timeNs,
    maxNs: a.maxNs > b.maxNs ? a.maxNs : a.count > b.count ? a.maxNs : 0,
    hist: subArr(a.hist, b.hist),
  };
}

function subMap<V>(
  end: ReadonlyMap<string, V>,
  start: ReadonlyMap<string, V>,
  sub: (a: V, b: V | undefined) => V,
  nonEmpty: (v: V) => boolean,
): V[] {
  const out: V[] = [];
  for (const [k, v] of end) {
    const d = sub(v, start.get(k));
    if (nonEmpty(d)) out.push(d);
  }
  return out;
}

export interface Window {
  hello: Hello;
  durationNs: number;
  hardirq: HardirqRow[];
  softirq: SoftirqRow[];
  vector: VectorRow[];
  napi: NapiRow[];
  epoll: EpollRow[];
  victim: VictimRow[];
  irqNames: ReadonlyMap<number, string>;
  lost: Map<string, number>;
  records: number[];
  progStat: ProgStatRow[];
  /** Kernel CPU time per CPU over the window. */
  cpuTime: CpuTimeRow[];
  /** Packets dropped inside the window (lastNs: the latest drop, cumulative). */
  drop: DropRow[];
  dropNames: ReadonlyMap<number, string>;
  /** Burst records that arrived inside the window (at most MAX_RECENT_BURSTS). */
  bursts: BurstRec[];
  burstsTotal: number;
}

/** A window with nothing in it: no rows, no records, no names. */
export function emptyWindow(hello: Hello, durationNs: number): Window {
  return {
    hello,
    durationNs,
    hardirq: [],
    softirq: [],
    vector: [],
    napi: [],
    epoll: [],
    victim: [],
    irqNames: new Map(),
    lost: new Map(),
    records: [],
    progStat: [],
    cpuTime: [],
    bursts: [],
    burstsTotal: 0,
    drop: [],
    dropNames: new Map(),
  };
}

export function windowOf(start: Totals, end: Totals): Window {
  const lost = new Map<string, number>();
  for (const [k, v] of end.lost) {
    const d = v - (start.lost.get(k) ?? 0);
    if (d) lost.set(k, d);
  }
  return {
    hello: end.hello,
    durationNs: Number(end.tsNs - start.tsNs),
    hardirq: subMap(end.hardirq, start.hardirq, subDur, (r) => r.count > 0),
    vector: subMap(end.vector, start.vector, subDur, (r) => r.count > 0),
    softirq: subMap(
      end.softirq,
      start.softirq,
      (a, b) =>
        !b
          ? a
          : {
              ...subDur(a, b),
              asyncCount: a.asyncCount - b.asyncCount,
              asyncTimeNs: a.asyncTimeNs - b.asyncTimeNs,
              raised: a.raised - b.raised,
              raiseLatNs: a.raiseLatNs - b.raiseLatNs,
              latHist: subArr(a.latHist, b.latHist),
            },
      (r) => r.count > 0,
    ),
    napi: subMap(
      end.napi,
      start.napi,
      (a, b) =>
        !b
          ? a
          : {
              ...a,
              polls: a.polls - b.polls,
              packets: a.packets - b.packets,
              pollsAtBudget: a.pollsAtBudget - b.pollsAtBudget,
              bursts: a.bursts - b.bursts,
              workHist: subArr(a.workHist, b.workHist),
            },
      (r) => r.polls > 0,
    ),
    epoll: subMap(
      end.epoll,
      start.epoll,
      (a, b) =>
        !b
          ? a
          : {
              ...a,
              calls: a.calls - b.calls,
              waitNs: a.waitNs - b.waitNs,
              busyNs: a.busyNs - b.busyNs,
              events: a.events - b.events,
              errors: a.errors - b.errors,
              retHist: subArr(a.retHist, b.retHist),
            },
      (r) => r.calls > 0,
    ),
    victim: subMap(
      end.victim,
      start.victim,
      (a, b) => (!b ? a : { ...a, count: a.count - b.count, timeNs: a.timeNs - b.timeNs }),
      (r) => r.count > 0,
    ),
    irqNames: end.irqNames,
    drop: subMap(
      end.drop,
      start.drop,
      (a, b) => (!b ? a : { ...a, count: a.count - b.count }),
      (r) => r.count > 0,
    ),
    dropNames: end.dropNames,
    lost,
    records: subArr(end.records, start.records),
    bursts: ((old) => end.recentBursts.filter((b) => !old.has(b)))(new Set(start.recentBursts)),
    burstsTotal: end.bursts - start.bursts,
    cpuTime: [...end.cpuTime.values()]
      .map((r) => {
        const b = start.cpuTime.get(r.cpu);
        return !b
          ? r
          : {
              cpu: r.cpu,
              userNs: r.userNs - b.userNs,
              niceNs: r.niceNs - b.niceNs,
              systemNs: r.systemNs - b.systemNs,
              idleNs: r.idleNs - b.idleNs,
              iowaitNs: r.iowaitNs - b.iowaitNs,
              irqNs: r.irqNs - b.irqNs,
              softirqNs: r.softirqNs - b.softirqNs,
              stealNs: r.stealNs - b.stealNs,
            };
      })
      .sort((a, b) => a.cpu - b.cpu),
    progStat: [...end.progStat.values()]
      .map((r) => {
        const b = start.progStat.get(r.prog);
        return { prog: r.prog, runCnt: r.runCnt - (b?.runCnt ?? 0), runTimeNs: r.runTimeNs - (b?.runTimeNs ?? 0) };
      })
      .filter((r) => r.runCnt > 0),
  };
}
