// The totals reducer, windows (end minus start) and the snapshot JSON, on
// synthetic snapshots whose every number is known, then on the recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initialTotals,
  MAX_RECENT_BURSTS,
  reduceTotals,
  windowOf,
  type Totals,
  type Window,
} from '../../src/reduce/totals.js';
import { IntervalFolder } from '../../src/reduce/intervals.js';
import { SNAPSHOT_SCHEMA, snapshotJson } from '../../src/report/snapshot-json.js';
import { decodeRecords, decodeSnapshot, decodeStream } from '../../src/stream/decode.js';
import { FrameSplitter } from '../../src/stream/frames.js';
import { EPOLL_RET_SLOTS, HIST_SLOTS, NAPI_WORK_SLOTS, NR_REC_KINDS, REC, TABLE } from '../../src/stream/layout.js';
import type {
  BurstRec,
  EpollRow,
  EventRec,
  Events,
  HardirqRow,
  Hello,
  LostRow,
  Message,
  NapiRow,
  ProgStatRow,
  Snapshot,
  SoftirqRow,
  VectorRow,
  VictimRow,
} from '../../src/stream/types.js';
import {
  burstRec,
  concat,
  dropNameRow,
  dropRow,
  eventRec,
  snapshotPayload,
  type TableInput,
} from './support/stream-builder.js';
import { readFixture } from './support/fixture.js';

/* ---- builders for known content ---- */

/** A histogram with the given slots set, the rest 0. */
function hist(set: Record<number, number>, n = HIST_SLOTS): number[] {
  return Array.from({ length: n }, (_, i) => set[i] ?? 0);
}

const hello: Hello = {
  type: 'hello',
  version: 1,
  ncpus: 4,
  pmu: false,
  monoNs: 0n,
  realtimeNs: 0n,
  kernel: '6.1.0-test',
  host: 'box',
  windowNs: 100_000,
  burstPackets: 256,
  intervalMs: 100,
  ringBytes: 1 << 24,
  recordMask: 0x7e,
  targetTgid: 0,
  tracefsMounted: false,
  softirqAsyncOnly: false,
  progs: [
    { name: 'irql_hi_entry', tracepoint: 'irq/irq_handler_entry', status: 'attached', err: 0 },
    { name: 'irql_ep_pwait2_en', tracepoint: 'syscalls/sys_enter_epoll_pwait2', status: 'failed', err: -22 },
  ],
};

type Rows = Pick<
  Snapshot,
  'hardirq' | 'softirq' | 'vector' | 'napi' | 'epoll' | 'victim' | 'irqName' | 'lost' | 'progStat'
>;

/** A snapshot with the given rows; every other table empty (taken from the decoder, so tables added later are too). */
function snapshot(seq: number, tsNs: bigint, rows: Partial<Rows>): Snapshot {
  return { ...decodeSnapshot(snapshotPayload({ tsNs, seq, tables: [] })), ...rows };
}

function hr(
  cpu: number,
  irq: number,
  count: number,
  timeNs: number,
  maxNs: number,
  h: Record<number, number> = {},
): HardirqRow {
  return { cpu, irq, count, timeNs, maxNs, hist: hist(h) };
}

function vr(
  cpu: number,
  vector: number,
  count: number,
  timeNs: number,
  maxNs: number,
  h: Record<number, number> = {},
): VectorRow {
  return { cpu, vector, count, timeNs, maxNs, hist: hist(h) };
}

function sr(
  cpu: number,
  vec: number,
  v: Omit<SoftirqRow, 'cpu' | 'vec' | 'hist' | 'latHist'>,
  h: Record<number, number> = {},
  lat: Record<number, number> = {},
): SoftirqRow {
  return { cpu, vec, ...v, hist: hist(h), latHist: hist(lat) };
}

function nr(
  napiId: number,
  ifindex: number,
  cpu: number,
  dev: string,
  v: Pick<NapiRow, 'polls' | 'packets' | 'pollsAtBudget' | 'bursts'>,
  work: Record<number, number> = {},
): NapiRow {
  return { napiId, ifindex, cpu, dev, budget: 64, ...v, workHist: hist(work, NAPI_WORK_SLOTS) };
}

function er(
  tgid: number,
  tid: number,
  comm: string,
  v: Pick<EpollRow, 'calls' | 'waitNs' | 'busyNs' | 'events' | 'errors'>,
  ret: Record<number, number> = {},
): EpollRow {
  return { tgid, tid, comm, ...v, retHist: hist(ret, EPOLL_RET_SLOTS) };
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

function lost(kind: string, reason: string, count: number): LostRow {
  return { kind, reason, count };
}

function ps(prog: number, runCnt: number, runTimeNs: number): ProgStatRow {
  return { prog, runCnt, runTimeNs };
}

function rec(kind: EventRec['kind'], ts: number): EventRec {
  return { kind, cpu: 0, id: 1, tsNs: BigInt(ts), durNs: 100, tgid: 0, arg0: 0, arg1: 0 };
}

function br(napiId: number, start: number, packets: number): BurstRec {
  return {
    kind: 'burst',
    cpu: 1,
    napiId,
    startNs: BigInt(start),
    endNs: BigInt(start + 300_000),
    ifindex: 2,
    packets,
    peakWindowPackets: packets >> 2,
    pollsAtBudget: 3,
    windows: 4,
  };
}

function events(...rs: (EventRec | BurstRec)[]): Events {
  return { type: 'events', bytes: concat(...rs.map((r) => (r.kind === 'burst' ? burstRec(r) : eventRec(r)))) };
}

/** Freeze everything reachable (Map contents too; typed arrays cannot be frozen). */
function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  if (v instanceof Map) {
    for (const [k, x] of v as Map<unknown, unknown>) {
      deepFreeze(k);
      deepFreeze(x);
    }
  }
  Object.freeze(v);
  for (const x of Object.values(v as object) as unknown[]) deepFreeze(x);
  return v;
}

/** reduceTotals, checking it leaves both the old state and the message exactly as they were. */
function reduce(s: Totals, m: Message): Totals {
  const before = structuredClone(s);
  const msg = structuredClone(m);
  const next = reduceTotals(deepFreeze(s), deepFreeze(m));
  assert.deepEqual(s, before, `reducing a ${m.type} message changed the old state`);
  assert.deepEqual(m, msg, `reducing a ${m.type} message changed the message`);
  return next;
}

/* ---- the scenario: snapshot 1 (the window's start), 2, 3 (its end) ---- */

const B0 = br(8193, 900_000_000, 400);
const B1 = br(8193, 1_200_000_000, 512);
const B2 = br(8194, 1_700_000_000, 300);

const snap1 = snapshot(0, 1_000_000_000n, {
  hardirq: [
    hr(0, 24, 100, 50_000, 2_000, { 10: 60, 11: 40 }),
    hr(1, 24, 10, 4_000, 900, { 9: 10 }),
    hr(2, 30, 7, 700, 150, { 6: 7 }),
  ],
  softirq: [
    sr(
      0,
      3,
      {
        count: 1000,
        timeNs: 500_000,
        maxNs: 9_000,
        asyncCount: 300,
        asyncTimeNs: 120_000,
        raised: 900,
        raiseLatNs: 450_000,
      },
      { 8: 600, 9: 400 },
      { 5: 900 },
    ),
    sr(
      1,
      3,
      { count: 50, timeNs: 20_000, maxNs: 1_000, asyncCount: 5, asyncTimeNs: 2_000, raised: 40, raiseLatNs: 8_000 },
      { 8: 50 },
      { 4: 40 },
    ),
    sr(
      1,
      1,
      { count: 77, timeNs: 7_700, maxNs: 300, asyncCount: 0, asyncTimeNs: 0, raised: 77, raiseLatNs: 770 },
      { 6: 77 },
      { 3: 77 },
    ),
  ],
  vector: [vr(0, 0, 500, 250_000, 1_500, { 9: 500 }), vr(1, 1, 20, 2_000, 200, { 6: 20 })],
  napi: [
    nr(8193, 2, 0, 'eth0', { polls: 100, packets: 3_000, pollsAtBudget: 10, bursts: 1 }, { 1: 50, 30: 40, 64: 10 }),
    nr(0, 0, 1, '', { polls: 9, packets: 12, pollsAtBudget: 0, bursts: 0 }, { 1: 6, 2: 3 }),
  ],
  epoll: [
    er(
      1000,
      1001,
      'nginx',
      { calls: 500, waitNs: 900_000_000, busyNs: 100_000_000, events: 700, errors: 1 },
      { 0: 10, 1: 300, 2: 190 },
    ),
    er(2000, 2000, 'redis-server', { calls: 40, waitNs: 4_000, busyNs: 400, events: 40, errors: 0 }, { 1: 40 }),
  ],
  victim: [
    vic(0, 'hardirq', 24, 1000, 'nginx', 40, 20_000),
    vic(0, 'vector', 0, 0, 'swapper/0', 100, 50_000),
    vic(1, 'hardirq', 24, 0, 'swapper/1', 9, 3_600),
    vic(0, 'hardirq', 0, 0, 'swapper/0', 11, 1_100), // same cpu, id and tgid as the LOCAL_TIMER victim
  ],
  irqName: [
    { irq: 24, name: 'virtio0-input.0' },
    { irq: 30, name: 'ahci' },
  ],
  lost: [lost('softirq', 'ring_full', 5), lost('burst', 'ring_full', 3)],
  progStat: [ps(0, 100, 10_000), ps(1, 5, 500)],
});

const snap2 = snapshot(1, 1_500_000_000n, {
  hardirq: [hr(0, 24, 160, 80_000, 2_500, { 10: 90, 11: 50, 12: 20 }), hr(3, 31, 5, 1_000, 300, { 8: 5 })],
  lost: [lost('softirq', 'ring_full', 9), lost('napi', 'map_full', 2)],
  irqName: [{ irq: 30, name: 'ahci-renamed' }],
});

const snap3 = snapshot(2, 2_000_000_000n, {
  hardirq: [
    hr(0, 24, 190, 95_000, 2_500, { 10: 100, 11: 60, 12: 30 }),
    hr(1, 24, 25, 9_000, 900, { 9: 25 }),
    hr(0, 40, 3, 2_000, 900, { 10: 3 }),
  ],
  softirq: [
    sr(
      0,
      3,
      {
        count: 1600,
        timeNs: 800_000,
        maxNs: 12_000,
        asyncCount: 420,
        asyncTimeNs: 170_000,
        raised: 1450,
        raiseLatNs: 700_000,
      },
      { 8: 900, 9: 600, 10: 100 },
      { 5: 1300, 6: 150 },
    ),
    sr(
      1,
      3,
      { count: 80, timeNs: 35_000, maxNs: 1_000, asyncCount: 9, asyncTimeNs: 3_500, raised: 66, raiseLatNs: 13_000 },
      { 8: 80 },
      { 4: 66 },
    ),
    sr(
      2,
      9,
      { count: 12, timeNs: 2_400, maxNs: 400, asyncCount: 2, asyncTimeNs: 500, raised: 12, raiseLatNs: 1_200 },
      { 7: 12 },
      { 2: 12 },
    ),
  ],
  vector: [vr(0, 0, 750, 375_000, 1_800, { 9: 700, 10: 50 }), vr(3, 3, 4, 2_000, 800, { 9: 4 })],
  napi: [
    nr(8193, 2, 0, 'eth0', { polls: 180, packets: 5_500, pollsAtBudget: 25, bursts: 3 }, { 1: 70, 30: 70, 64: 40 }),
  ],
  epoll: [
    er(
      1000,
      1001,
      'nginx',
      { calls: 800, waitNs: 1_300_000_000, busyNs: 160_000_000, events: 1_150, errors: 4 },
      { 0: 20, 1: 450, 2: 330 },
    ),
  ],
  victim: [vic(0, 'hardirq', 24, 1000, 'nginx', 70, 35_000), vic(0, 'vector', 0, 0, 'swapper/0', 160, 80_000)],
  irqName: [{ irq: 31, name: 'nvme0q1' }],
  progStat: [ps(0, 250, 26_000)],
});

const ev0 = events(rec('hardirq', 1), rec('hardirq', 2), B0);
const ev1 = events(
  rec('softirq', 3),
  rec('softirq', 4),
  rec('softirq', 5),
  rec('napi', 6),
  rec('epoll', 7),
  rec('vector', 8),
);
const ev2 = events(rec('hardirq', 9), B1, B2);

function run(): { start: Totals; mid: Totals; end: Totals; ended: Totals } {
  let s = reduce(initialTotals(hello), hello);
  s = reduce(s, ev0);
  s = reduce(s, snap1);
  const start = s;
  s = reduce(s, ev1);
  s = reduce(s, snap2);
  const mid = s;
  s = reduce(s, ev2);
  s = reduce(s, snap3);
  const end = s;
  return { start, mid, end, ended: reduce(s, { type: 'end', tsNs: 2_100_000_000n, code: 0 }) };
}

const byKey = <T>(rows: readonly T[], key: (r: T) => string): Map<string, T> => new Map(rows.map((r) => [key(r), r]));

/* ---- reduceTotals ---- */

test('reduceTotals: a hello starts from nothing', () => {
  const s = reduce(initialTotals(hello), hello);
  assert.equal(s.hello, hello);
  assert.equal(s.snapshots, 0);
  assert.equal(s.tsNs, 0n);
  assert.equal(
    s.hardirq.size + s.softirq.size + s.vector.size + s.napi.size + s.epoll.size + s.victim.size + s.lost.size,
    0,
  );
  assert.deepEqual([...s.records], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(s.ended, false);
  // a second hello (a restarted helper) drops everything reduced before it
  const again = reduce(run().end, { ...hello, host: 'other' });
  assert.equal(again.hello.host, 'other');
  assert.equal(again.hardirq.size, 0);
  assert.equal(again.bursts, 0);
});

test('reduceTotals: rows merge by key, newer cumulative values replace older ones', () => {
  const { start, mid, end } = run();
  assert.equal(start.snapshots, 1);
  assert.equal(mid.snapshots, 2);
  assert.equal(end.snapshots, 3);
  assert.equal(start.tsNs, 1_000_000_000n);
  assert.equal(end.tsNs, 2_000_000_000n);

  // after snapshot 2: irq 24 on cpu 0 replaced, cpu 1 and cpu 2 kept from snapshot 1, cpu 3 added
  assert.deepEqual([...mid.hardirq.values()].map((r) => `${r.cpu}:${r.irq}=${r.count}`).sort(), [
    '0:24=160',
    '1:24=10',
    '2:30=7',
    '3:31=5',
  ]);
  assert.deepEqual([...end.hardirq.values()].map((r) => `${r.cpu}:${r.irq}=${r.count}`).sort(), [
    '0:24=190',
    '0:40=3',
    '1:24=25',
    '2:30=7',
    '3:31=5',
  ]);
  assert.deepEqual(end.hardirq.get('0:24')?.hist, hist({ 10: 100, 11: 60, 12: 30 }));

  assert.deepEqual([...end.softirq.values()].map((r) => `${r.cpu}:${r.vec}=${r.count}`).sort(), [
    '0:3=1600',
    '1:1=77',
    '1:3=80',
    '2:9=12',
  ]);
  assert.deepEqual([...end.vector.values()].map((r) => `${r.cpu}:${r.vector}=${r.count}`).sort(), [
    '0:0=750',
    '1:1=20',
    '3:3=4',
  ]);
  assert.deepEqual([...end.napi.values()].map((r) => `${r.napiId}:${r.ifindex}:${r.cpu}=${r.polls}`).sort(), [
    '0:0:1=9',
    '8193:2:0=180',
  ]);
  assert.deepEqual([...end.epoll.values()].map((r) => `${r.tgid}:${r.tid}=${r.calls}`).sort(), [
    '1000:1001=800',
    '2000:2000=40',
  ]);
  // a hardirq and a vector with the same cpu, id and tgid are different victims
  assert.deepEqual([...end.victim.values()].map((r) => `${r.cpu}:${r.kind}:${r.id}:${r.tgid}=${r.count}`).sort(), [
    '0:hardirq:0:0=11',
    '0:hardirq:24:1000=70',
    '0:vector:0:0=160',
    '1:hardirq:24:0=9',
  ]);
  assert.deepEqual([...end.progStat.values()].map((r) => `${r.prog}=${r.runCnt}`).sort(), ['0=250', '1=5']);

  assert.deepEqual(
    new Map(end.irqNames),
    new Map([
      [24, 'virtio0-input.0'],
      [30, 'ahci-renamed'],
      [31, 'nvme0q1'],
    ]),
  );
  assert.deepEqual(
    new Map(start.lost),
    new Map([
      ['softirq/ring_full', 5],
      ['burst/ring_full', 3],
    ]),
  );
  assert.deepEqual(
    new Map(end.lost),
    new Map([
      ['softirq/ring_full', 9],
      ['burst/ring_full', 3],
      ['napi/map_full', 2],
    ]),
  );
});

test('reduceTotals: counts event records per kind and keeps burst records', () => {
  const { start, end, ended } = run();
  assert.deepEqual([...start.records], [0, 2, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual([...end.records], [0, 3, 1, 3, 1, 1, 3, 0, 0]);
  assert.equal(end.bursts, 3);
  assert.deepEqual(end.recentBursts, [B0, B1, B2]);
  assert.equal(end.ended, false);
  assert.equal(ended.ended, true);
  assert.equal(ended.hardirq, end.hardirq, 'the end frame keeps the rows');
});

test('reduceTotals: only the most recent MAX_RECENT_BURSTS bursts are kept, all are counted', () => {
  let s = reduce(initialTotals(hello), hello);
  const n = MAX_RECENT_BURSTS + 7;
  const all = Array.from({ length: n }, (_, i) => br(i, i * 1000, i));
  for (let i = 0; i < n; i += 250) s = reduce(s, events(...all.slice(i, i + 250)));
  assert.equal(s.bursts, n);
  assert.equal(s.records[REC.BURST], n);
  assert.equal(s.recentBursts.length, MAX_RECENT_BURSTS);
  assert.deepEqual(s.recentBursts, all.slice(-MAX_RECENT_BURSTS));
});

test('reduceTotals: an events frame with a bad record is a StreamError, the state untouched', () => {
  const s = run().end;
  const bad: Events = {
    type: 'events',
    bytes: concat(eventRec(rec('napi', 1)), new Uint8Array([0xe7, 0x03]), new Uint8Array(30)),
  }; // kind 999
  assert.throws(() => reduce(s, bad), { name: 'StreamError' });
  assert.deepEqual([...s.records], [0, 3, 1, 3, 1, 1, 3, 0, 0]);
});

/* ---- windowOf ---- */

test('windowOf: end minus start for counts, times and histograms; unchanged rows omitted', () => {
  const { start, end } = run();
  const before = structuredClone({ start, end });
  const w = windowOf(start, end);
  assert.deepEqual({ start, end }, before, 'windowOf changed its inputs');

  assert.equal(w.hello, hello);
  assert.equal(w.durationNs, 1_000_000_000);

  const h = byKey(w.hardirq, (r) => `${r.cpu}:${r.irq}`);
  assert.deepEqual([...h.keys()].sort(), ['0:24', '0:40', '1:24', '3:31'], 'cpu 2 irq 30 did not change: omitted');
  // max grew in the window: the window max is the cumulative max
  assert.deepEqual(h.get('0:24'), hr(0, 24, 90, 45_000, 2_500, { 10: 40, 11: 20, 12: 30 }));
  const b = h.get('1:24');
  assert.ok(b);
  assert.deepEqual({ ...b, maxNs: 0 }, hr(1, 24, 15, 5_000, 0, { 9: 15 }));
  assert.ok(b.maxNs <= 900, 'a window max never exceeds the cumulative max');
  // rows first seen in the window count whole
  assert.deepEqual(h.get('3:31'), hr(3, 31, 5, 1_000, 300, { 8: 5 }));
  assert.deepEqual(h.get('0:40'), hr(0, 40, 3, 2_000, 900, { 10: 3 }));

  const s = byKey(w.softirq, (r) => `${r.cpu}:${r.vec}`);
  assert.deepEqual([...s.keys()].sort(), ['0:3', '1:3', '2:9']);
  assert.deepEqual(
    s.get('0:3'),
    sr(
      0,
      3,
      {
        count: 600,
        timeNs: 300_000,
        maxNs: 12_000,
        asyncCount: 120,
        asyncTimeNs: 50_000,
        raised: 550,
        raiseLatNs: 250_000,
      },
      { 8: 300, 9: 200, 10: 100 },
      { 5: 400, 6: 150 },
    ),
  );
  const s13 = s.get('1:3');
  assert.ok(s13);
  assert.deepEqual(
    { ...s13, maxNs: 0 },
    sr(
      1,
      3,
      { count: 30, timeNs: 15_000, maxNs: 0, asyncCount: 4, asyncTimeNs: 1_500, raised: 26, raiseLatNs: 5_000 },
      { 8: 30 },
      { 4: 26 },
    ),
  );
  assert.equal(s.get('2:9')?.count, 12);

  const v = byKey(w.vector, (r) => `${r.cpu}:${r.vector}`);
  assert.deepEqual([...v.keys()].sort(), ['0:0', '3:3']);
  assert.deepEqual(v.get('0:0'), vr(0, 0, 250, 125_000, 1_800, { 9: 200, 10: 50 }));
  assert.deepEqual(v.get('3:3'), vr(3, 3, 4, 2_000, 800, { 9: 4 }));

  assert.deepEqual(w.napi, [
    nr(8193, 2, 0, 'eth0', { polls: 80, packets: 2_500, pollsAtBudget: 15, bursts: 2 }, { 1: 20, 30: 30, 64: 30 }),
  ]);
  assert.deepEqual(w.epoll, [
    er(
      1000,
      1001,
      'nginx',
      { calls: 300, waitNs: 400_000_000, busyNs: 60_000_000, events: 450, errors: 3 },
      { 0: 10, 1: 150, 2: 140 },
    ),
  ]);
  assert.deepEqual(
    byKey(w.victim, (r) => `${r.cpu}:${r.kind}:${r.id}:${r.tgid}`),
    new Map([
      ['0:hardirq:24:1000', vic(0, 'hardirq', 24, 1000, 'nginx', 30, 15_000)],
      ['0:vector:0:0', vic(0, 'vector', 0, 0, 'swapper/0', 60, 30_000)],
    ]),
  );
  assert.deepEqual(w.progStat, [ps(0, 150, 16_000)]);
});

test('windowOf: lost counters are differenced, records counted per kind, bursts that arrived in the window kept', () => {
  const { start, end } = run();
  const w = windowOf(start, end);
  assert.deepEqual(
    w.lost,
    new Map([
      ['softirq/ring_full', 4],
      ['napi/map_full', 2],
    ]),
    'burst/ring_full did not grow: omitted',
  );
  assert.deepEqual(w.records, [0, 1, 1, 3, 1, 1, 2, 0, 0]);
  assert.deepEqual(w.bursts, [B1, B2]);
  assert.equal(w.burstsTotal, 2);
  assert.deepEqual(
    new Map(w.irqNames),
    new Map([
      [24, 'virtio0-input.0'],
      [30, 'ahci-renamed'],
      [31, 'nvme0q1'],
    ]),
  );
});

test('windowOf: an empty window (same state twice) has no rows', () => {
  const { end } = run();
  const w = windowOf(end, end);
  assert.equal(w.durationNs, 0);
  for (const rows of [w.hardirq, w.softirq, w.vector, w.napi, w.epoll, w.victim, w.progStat, w.bursts])
    assert.deepEqual(rows, []);
  assert.equal(w.lost.size, 0);
  assert.deepEqual(w.records, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(w.burstsTotal, 0);
});

/* ---- snapshotJson ---- */

function windowJson(): { w: Window; j: ReturnType<typeof snapshotJson> } {
  const { start, end } = run();
  const w = windowOf(start, end);
  return { w, j: snapshotJson(w) };
}

test('snapshotJson: schema, header and programs', () => {
  const { j } = windowJson();
  assert.equal(j.schema, 'irqlens.snapshot/1');
  assert.equal(SNAPSHOT_SCHEMA, 'irqlens.snapshot/1');
  assert.equal(j.host, 'box');
  assert.equal(j.kernel, '6.1.0-test');
  assert.equal(j.ncpus, 4);
  assert.equal(j.pmu, false);
  assert.equal(j.duration_ns, 1_000_000_000);
  assert.deepEqual(j.programs, [
    { name: 'irql_hi_entry', tracepoint: 'irq/irq_handler_entry', status: 'attached' },
    { name: 'irql_ep_pwait2_en', tracepoint: 'syscalls/sys_enter_epoll_pwait2', status: 'failed', err: -22 },
  ]);
  // plain JSON: no bigint, no Map, survives a round trip unchanged
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});

test("snapshotJson: cpus[] hardirq totals are the sums of each CPU's rows", () => {
  const { w, j } = windowJson();
  assert.deepEqual(
    j.cpus.map((c) => c.cpu),
    [0, 1, 2, 3],
  );
  // cpu 0: irq 24 (90, 45 us) + irq 40 (3, 2 us); cpu 2 had nothing in the window
  assert.deepEqual(
    j.cpus.map((c) => c.hardirq),
    [
      { count: 93, time_ns: 47_000 },
      { count: 15, time_ns: 5_000 },
      { count: 0, time_ns: 0 },
      { count: 5, time_ns: 1_000 },
    ],
  );
  for (const c of j.cpus) {
    const rows = w.hardirq.filter((r) => r.cpu === c.cpu);
    assert.equal(
      c.hardirq.count,
      rows.reduce((a, r) => a + r.count, 0),
    );
    assert.equal(
      c.hardirq.time_ns,
      rows.reduce((a, r) => a + r.timeNs, 0),
    );
  }
  assert.deepEqual(j.cpus[0]?.vectors, { LOCAL_TIMER: { count: 250, time_ns: 125_000 } });
  assert.deepEqual(j.cpus[3]?.vectors, { CALL_FUNCTION_SINGLE: { count: 4, time_ns: 2_000 } });
  assert.deepEqual(j.cpus[0]?.softirq, {
    NET_RX: { count: 600, time_ns: 300_000, async_count: 120, async_time_ns: 50_000 },
  });
  assert.deepEqual(j.cpus[2]?.softirq, { RCU: { count: 12, time_ns: 2_400, async_count: 2, async_time_ns: 500 } });
});

test('snapshotJson: irqs[] carry irqName names and per-CPU entries, by time', () => {
  const { j } = windowJson();
  assert.deepEqual(
    j.irqs.map((i) => [i.irq, i.name, i.count, i.time_ns]),
    [
      [24, 'virtio0-input.0', 105, 50_000],
      [40, 'irq40', 3, 2_000], // no irqName row: a fallback name
      [31, 'nvme0q1', 5, 1_000],
    ],
  );
  const i24 = j.irqs[0];
  assert.ok(i24);
  assert.equal(i24.max_ns, 2_500);
  assert.deepEqual(
    i24.per_cpu.map((p) => [p.cpu, p.count, p.time_ns]),
    [
      [0, 90, 45_000],
      [1, 15, 5_000],
    ],
  );
  assert.equal(i24.per_cpu[0]?.max_ns, 2_500);
  assert.deepEqual(j.irqs.find((i) => i.irq === 31)?.per_cpu, [{ cpu: 3, count: 5, time_ns: 1_000, max_ns: 300 }]);
});

test('snapshotJson: softirqs[] and vectors[] by name, lost_records is the total', () => {
  const { w, j: full } = windowJson();
  // histograms are the element-wise sums of the CPUs' rows
  const sum = (rows: { hist: number[] }[]) =>
    rows.reduce<number[]>((acc, r) => r.hist.map((v, i) => v + (acc[i] ?? 0)), []);
  assert.deepEqual(full.softirqs[0]?.hist, sum(w.softirq.filter((r) => r.vec === 3)));
  assert.deepEqual(full.vectors[0]?.hist, sum(w.vector.filter((r) => r.vector === 0)));
  assert.deepEqual(full.irqs[0]?.hist, sum(w.hardirq.filter((r) => r.irq === full.irqs[0]?.irq)));
  const omit = (o: object, ...keys: string[]) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
  const j = {
    ...full,
    softirqs: full.softirqs.map((r) => omit(r, 'hist', 'raise_to_run_hist')),
    vectors: full.vectors.map((r) => omit(r, 'hist')),
  };
  assert.deepEqual(j.softirqs, [
    {
      vector: 'NET_RX',
      count: 630,
      time_ns: 315_000,
      async_count: 124,
      async_time_ns: 51_500,
      raise_to_run_ns: 255_000,
      raised: 576,
    },
    {
      vector: 'RCU',
      count: 12,
      time_ns: 2_400,
      async_count: 2,
      async_time_ns: 500,
      raise_to_run_ns: 1_200,
      raised: 12,
    },
  ]);
  assert.deepEqual(j.vectors, [
    { vector: 'LOCAL_TIMER', count: 250, time_ns: 125_000, max_ns: 1_800 },
    { vector: 'CALL_FUNCTION_SINGLE', count: 4, time_ns: 2_000, max_ns: 800 },
  ]);
  assert.equal(j.lost_records, 6);
  assert.deepEqual(j.lost, { 'softirq/ring_full': 4, 'napi/map_full': 2 });
});

test('snapshotJson: napi, epoll, victims and bursts', () => {
  const { j } = windowJson();
  assert.deepEqual(j.napi, [
    {
      napi_id: 8193,
      ifindex: 2,
      dev: 'eth0',
      cpu: 0,
      polls: 80,
      packets: 2_500,
      polls_at_budget: 15,
      budget: 64,
      bursts: 2,
      work_hist: hist({ 1: 20, 30: 30, 64: 30 }, NAPI_WORK_SLOTS),
    },
  ]);
  assert.deepEqual(j.epoll, [
    {
      tgid: 1000,
      tid: 1001,
      comm: 'nginx',
      calls: 300,
      wait_ns: 400_000_000,
      busy_ns: 60_000_000,
      events: 450,
      errors: 3,
      ret_hist: hist({ 0: 10, 1: 150, 2: 140 }, EPOLL_RET_SLOTS),
    },
  ]);
  assert.deepEqual(j.victims, [
    { cpu: 0, source: 'LOCAL_TIMER', kind: 'vector', tgid: 0, comm: '(idle)', count: 60, time_ns: 30_000 },
    { cpu: 0, source: 'virtio0-input.0', kind: 'hardirq', tgid: 1000, comm: 'nginx', count: 30, time_ns: 15_000 },
  ]);
  assert.equal(j.bursts_total, 2);
  assert.deepEqual(
    j.bursts.map((b) => [b.napi_id, b.start_ns, b.end_ns, b.packets, b.peak_window_packets]),
    [
      [8193, 1_200_000_000, 1_200_300_000, 512, 128],
      [8194, 1_700_000_000, 1_700_300_000, 300, 75],
    ],
  );
});

/* ---- the recording, end to end ---- */

test('the fixture reduces to a consistent window and snapshot JSON', () => {
  const msgs = decodeStream(readFixture(), new FrameSplitter());
  const first = msgs[0];
  assert.ok(first?.type === 'hello');
  let s = initialTotals(first);
  let start: Totals | undefined;
  const counted = new Array<number>(NR_REC_KINDS).fill(0);
  let burstsAfterStart = 0;
  for (const m of msgs) {
    s = reduce(s, m);
    if (m.type === 'snapshot' && !start) {
      start = s;
      continue;
    }
    if (start && m.type === 'events') {
      for (const r of decodeRecords(m.bytes)) {
        const k = REC[r.kind.toUpperCase() as keyof typeof REC];
        counted[k] = (counted[k] ?? 0) + 1;
        if (r.kind === 'burst') burstsAfterStart++;
      }
    }
  }
  assert.ok(start);
  assert.equal(s.ended, true);
  const w = windowOf(start, s);
  assert.deepEqual(w.records, counted, 'window record counts are the records decoded after the start');
  assert.equal(w.burstsTotal, burstsAfterStart);
  assert.ok(w.durationNs > 0);
  const j = snapshotJson(w);
  assert.equal(j.cpus.length, first.ncpus);
  const perCpu = new Map<number, number>();
  for (const i of j.irqs) for (const p of i.per_cpu) perCpu.set(p.cpu, (perCpu.get(p.cpu) ?? 0) + p.count);
  for (const c of j.cpus)
    assert.equal(c.hardirq.count, perCpu.get(c.cpu) ?? 0, `cpu ${c.cpu}: cpus[] and irqs[].per_cpu agree`);
  for (const v of j.vectors) assert.match(v.vector, /^[A-Z_]+$/);
  for (const x of j.softirqs)
    assert.match(x.vector, /^(HI|TIMER|NET_TX|NET_RX|BLOCK|IRQ_POLL|TASKLET|SCHED|HRTIMER|RCU)$/);
  for (const r of [...w.hardirq, ...w.softirq, ...w.vector])
    assert.ok(r.count > 0 && r.hist.every((x) => x >= 0), 'window rows are positive');
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});

test('drop rows: names from the stream, windows difference counts, groups per reason', () => {
  const names: TableInput = {
    table: TABLE.DROPNAME,
    rows: [dropNameRow({ reason: 6, name: 'SOCKET_RCVBUFF' }), dropNameRow({ reason: 71, name: 'CPU_BACKLOG' })],
  };
  const row = (cpu: number, reason: number, count: number, l4 = 17) =>
    dropRow({
      cpu,
      reason,
      ifindex: 1,
      ethProto: 0x0800,
      l4Proto: l4,
      netns: 4026531840,
      count,
      lastNs: BigInt(count),
    });
  const snap = (seq: number, tables: TableInput[]) =>
    decodeSnapshot(snapshotPayload({ tsNs: BigInt(seq + 1) * 1_000_000_000n, seq, tables }));
  const s0 = reduce(initialTotals(hello), hello);
  const s1 = reduce(s0, snap(0, [names, { table: TABLE.DROP, rows: [row(0, 6, 10), row(1, 71, 4)] }]));
  const s2 = reduce(s1, snap(1, [{ table: TABLE.DROP, rows: [row(0, 6, 25), row(1, 6, 5), row(1, 99, 2, 6)] }]));
  assert.equal(s2.dropNames.get(6), 'SOCKET_RCVBUFF');
  assert.equal(s2.drop.size, 4);
  const w = windowOf(s1, s2);
  // CPU_BACKLOG did not change in the window, so it is not in it
  assert.deepEqual(
    w.drop.map((r) => [r.cpu, r.reason, r.count]).sort(),
    [
      [0, 6, 15],
      [1, 6, 5],
      [1, 99, 2],
    ].sort(),
  );
  const j = snapshotJson(w);
  assert.equal(j.drops_total, 22);
  assert.deepEqual(
    j.drops.map((d) => [d.reason, d.count]),
    [
      ['SOCKET_RCVBUFF', 20],
      ['reason 99', 2],
    ],
  );
  assert.deepEqual(j.drops[0]?.per_cpu, { 0: 15, 1: 5 });
  assert.deepEqual(j.drops[1]?.devices, [{ ifindex: 1, netns: 4026531840, protocol: 'ipv4/tcp', count: 2 }]);
});

test('interval driver: requested edges skip periodic snapshots; everyNs joins short intervals; each interval is end minus start', () => {
  const { start, mid, end } = run();
  const stream: Message[] = [hello, ev0, { ...snap1, requested: true }, ev1, snap2, ev2, { ...snap3, requested: true }];
  const live = new IntervalFolder(hello, 'requested');
  const edges = stream.map((m) => live.edge(m)).filter((e) => e !== undefined);
  assert.equal(edges.length, 2, 'the periodic snap2 is not an edge');
  assert.equal(edges[0]?.interval, null, 'the first edge opens the first interval');
  assert.equal(edges[0]?.end.tsNs, 1_000_000_000n);
  const iv = edges[1]?.interval;
  assert.ok(iv);
  assert.deepEqual(iv.window, windowOf(start, end));
  assert.equal(iv.start.tsNs, start.tsNs);
  assert.deepEqual(iv.end.lost, end.lost, 'the end carries the cumulative lost counts');
  assert.equal(live.state.snapshots, 3, 'every snapshot is folded, edge or not');

  const every = (ns: number) => {
    const f = new IntervalFolder(hello, { everyNs: ns });
    return [hello, ev0, snap1, ev1, snap2, ev2, snap3].map((m) => f.add(m)).filter((i) => i !== undefined);
  };
  assert.deepEqual(
    every(0).map((i) => [i.startS, i.endS]),
    [
      [1, 1.5],
      [1.5, 2],
    ],
  );
  assert.deepEqual(every(0)[0]?.window, windowOf(start, mid));
  const joined = every(800_000_000);
  assert.equal(joined.length, 1, 'a 0.5 s interval is joined with the next when 0.8 s is asked');
  assert.deepEqual(joined[0]?.window, windowOf(start, end));
});
