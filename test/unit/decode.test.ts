// Frame payloads -> messages: every field round-trips through a synthetic
// stream laid out like bpf/events.h; bad input is always a StreamError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSplitter } from '../../src/stream/frames.js';
import { countRecords, decodeFrame, decodeRecords, decodeSnapshot, decodeStream } from '../../src/stream/decode.js';
import { StreamError } from '../../src/stream/errors.js';
import {
  EPOLL_RET_SLOTS,
  FRAME,
  HIST_SLOTS,
  LAYOUT,
  NAPI_WORK_SLOTS,
  REC,
  SNAP_FULL,
  SNAP_REQUESTED,
  TABLE,
} from '../../src/stream/layout.js';
import type {
  BurstRec,
  EpollRow,
  EventRec,
  HardirqRow,
  Hello,
  IrqNameRow,
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
  durStats,
  endFrame,
  epollRow,
  eventRec,
  eventsFrame,
  frame,
  hardirqRow,
  helloFrame,
  helloPayload,
  irqNameRow,
  lostRow,
  napiRow,
  progStatRow,
  slots,
  snapshotFrame,
  snapshotPayload,
  softirqRow,
  table,
  vectorRow,
  victimRow,
  type HelloInput,
} from './support/stream-builder.js';
import { prng, randInt, readFixture } from './support/fixture.js';

function decodeAll(bytes: Uint8Array): Message[] {
  return decodeStream(bytes, new FrameSplitter());
}

/** assert.throws that insists on a StreamError whose message matches. */
function throwsStreamError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StreamError, `expected a StreamError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.equal(e.name, 'StreamError');
    return true;
  });
}

/** A snapshot with no rows, from the decoder itself, so tables added later start out empty here too. */
function emptySnapshot(tsNs: bigint, seq: number, requested: boolean): Snapshot {
  const s = decodeSnapshot(snapshotPayload({ tsNs, seq, tables: [] }), requested ? SNAP_REQUESTED : 0);
  for (const v of Object.values(s)) if (Array.isArray(v)) assert.equal(v.length, 0);
  return s;
}

/* ---- distinctive values: every field differs from every other ---- */

const helloIn: HelloInput = {
  magic: 'IRQLENS',
  version: 1,
  ncpus: 96,
  pmu: 1,
  monoNs: 0x0123_4567_89ab_cdefn,
  realtimeNs: 0xfedc_ba98_7654_3210n, // above 2^63: must stay a bigint, exactly
  kernel: '6.12.9-irqlens+rt',
  host: 'x'.repeat(63), // uname -n at its longest, NUL at the last byte
  windowNs: 123_457,
  burstPackets: 311,
  intervalMs: 250,
  ringBytes: 1 << 22,
  recordMask: (1 << REC.HARDIRQ) | (1 << REC.NAPI) | (1 << REC.BURST),
  targetTgid: 4242,
  tracefsMounted: 1,
  flags: 1,
  progs: [
    { name: 'irql_hi_entry', tracepoint: 'irq/irq_handler_entry', err: 0, status: 0, group: 1 },
    { name: 'irql_ep_pwait2_en', tracepoint: 'syscalls/sys_enter_epoll_pwait2', err: 0, status: 1, group: 6 },
    { name: 'irql_v_trm_en', tracepoint: 'irq_vectors/thermal_apic_entry', err: 0, status: 2 },
    { name: 'a'.repeat(32), tracepoint: 'b'.repeat(48), err: -22, status: 3 }, // names filling their arrays
    { name: 'irql_future', tracepoint: 'x/y', err: -1, status: 17, group: 99 }, // a status and group this irqlens does not know
  ],
};

const hardirq: HardirqRow = { cpu: 3, irq: 129, ...durStats(11) };
const vector: VectorRow = { cpu: 95, vector: 8, ...durStats(12) };
const softirq: SoftirqRow = {
  cpu: 7,
  vec: 3,
  count: 0x7_0000_0001,
  timeNs: Number.MAX_SAFE_INTEGER,
  maxNs: 64_001,
  asyncCount: 5_003,
  asyncTimeNs: 6_000_007,
  raised: 7_011,
  raiseLatNs: 8_000_013,
  hist: slots(HIST_SLOTS, 13),
  latHist: slots(HIST_SLOTS, 14),
};
const napi: NapiRow = {
  napiId: 8193,
  ifindex: 4,
  cpu: 1,
  polls: 90_001,
  packets: 0x2_0000_0003,
  pollsAtBudget: 17,
  bursts: 5,
  budget: 64,
  dev: 'veth1234567890ab', // 16 bytes, no NUL
  workHist: slots(NAPI_WORK_SLOTS, 15),
};
const epoll: EpollRow = {
  tgid: 31337,
  tid: 31340,
  comm: 'nginx: worker p',
  calls: 1_000_003,
  waitNs: 2_000_000_017,
  busyNs: 3_000_000_019,
  events: 4_000_021,
  errors: 23,
  retHist: slots(EPOLL_RET_SLOTS, 16),
};
const victimIrq: VictimRow = {
  cpu: 2,
  kind: 'hardirq',
  id: 129,
  tgid: 777,
  comm: 'postgres',
  count: 29,
  timeNs: 31_000,
};
const victimVec: VictimRow = { cpu: 1, kind: 'vector', id: 4, tgid: 0, comm: 'swapper/1', count: 37, timeNs: 41_000 };
const irqName: IrqNameRow = { irq: 129, name: 'nvme0q1' };
const irqNameLong: IrqNameRow = { irq: 130, name: 'n'.repeat(56) };
const progStat: ProgStatRow = { prog: 4, runCnt: 0x3_0000_0005, runTimeNs: 43_000_047 };

const recs: EventRec[] = [
  { kind: 'hardirq', cpu: 1, id: 129, tsNs: 0x0000_1234_5678_9abcn, durNs: 3_001, tgid: 101, arg0: 0, arg1: 0 },
  { kind: 'vector', cpu: 65535, id: 0, tsNs: 0xffff_ffff_ffff_fff0n, durNs: 4_294_967_295, tgid: 0, arg0: 0, arg1: 0 },
  { kind: 'softirq', cpu: 2, id: 3, tsNs: 5_000_003n, durNs: 5_007, tgid: 103, arg0: 1, arg1: 0 },
  { kind: 'napi', cpu: 3, id: 8193, tsNs: 6_000_005n, durNs: 6_011, tgid: 0, arg0: 64, arg1: 64 },
  { kind: 'epoll', cpu: 4, id: 31340, tsNs: 7_000_007n, durNs: 7_013, tgid: 31337, arg0: 0xffff_fffc, arg1: 1 },
];
const burst: BurstRec = {
  kind: 'burst',
  cpu: 5,
  napiId: 8194,
  startNs: 8_000_000_011n,
  endNs: 8_000_900_013n,
  ifindex: 6,
  packets: 4_099,
  peakWindowPackets: 517,
  pollsAtBudget: 19,
  windows: 9,
};

function fullSnapshot(): Uint8Array {
  return snapshotPayload({
    tsNs: 0x0abc_def0_1234_5678n,
    seq: 0xfffe_fffd,
    tables: [
      { table: TABLE.HARDIRQ, rows: [hardirqRow(hardirq)] },
      { table: TABLE.SOFTIRQ, rows: [softirqRow(softirq)] },
      { table: TABLE.VECTOR, rows: [vectorRow(vector)] },
      { table: TABLE.NAPI, rows: [napiRow(napi, 0xa5a5a5a5)] },
      { table: TABLE.EPOLL, rows: [epollRow(epoll, 0x5a5a5a5a)] },
      { table: TABLE.VICTIM, rows: [victimRow(victimIrq), victimRow(victimVec)] },
      { table: TABLE.IRQNAME, rows: [irqNameRow(irqName), irqNameRow(irqNameLong)] },
      {
        table: TABLE.LOST,
        rows: [lostRow(REC.SOFTIRQ, 0, 0x1_0000_0009), lostRow(REC.BURST, 1, 3), lostRow(99, 7, 1)],
      },
      { table: TABLE.PROGSTAT, rows: [progStatRow(progStat)] },
      { table: TABLE.HARDIRQ, rows: [] }, // an empty table is legal
    ],
  });
}

test('hello: every field round-trips', () => {
  const m = decodeFrame({ type: FRAME.HELLO, flags: 0, offset: 0, payload: helloPayload(helloIn) });
  const want: Hello = {
    type: 'hello',
    version: 1,
    ncpus: 96,
    pmu: true,
    monoNs: helloIn.monoNs,
    realtimeNs: helloIn.realtimeNs,
    kernel: helloIn.kernel,
    host: helloIn.host,
    windowNs: 123_457,
    burstPackets: 311,
    intervalMs: 250,
    ringBytes: 1 << 22,
    recordMask: helloIn.recordMask,
    targetTgid: 4242,
    tracefsMounted: true,
    softirqAsyncOnly: true,
    progs: [
      { name: 'irql_hi_entry', tracepoint: 'irq/irq_handler_entry', err: 0, status: 'attached', group: 'hardirq' },
      {
        name: 'irql_ep_pwait2_en',
        tracepoint: 'syscalls/sys_enter_epoll_pwait2',
        err: 0,
        status: 'unsupported',
        group: 'epoll',
      },
      { name: 'irql_v_trm_en', tracepoint: 'irq_vectors/thermal_apic_entry', err: 0, status: 'disabled' },
      { name: 'a'.repeat(32), tracepoint: 'b'.repeat(48), err: -22, status: 'failed' },
      { name: 'irql_future', tracepoint: 'x/y', err: -1, status: 'failed' },
    ],
  };
  assert.deepEqual(m, want);
});

test('hello: pmu and tracefs_mounted are false when 0', () => {
  const m = decodeFrame({
    type: FRAME.HELLO,
    flags: 0,
    offset: 0,
    payload: helloPayload({ pmu: 0, tracefsMounted: 0 }),
  });
  assert.equal(m.type, 'hello');
  if (m.type !== 'hello') return;
  assert.equal(m.pmu, false);
  assert.equal(m.tracefsMounted, false);
  assert.deepEqual(m.progs, []);
});

test('snapshot: every table kind round-trips, flags give requested', () => {
  const s = decodeSnapshot(fullSnapshot(), SNAP_FULL | SNAP_REQUESTED);
  const want: Snapshot = {
    ...emptySnapshot(0x0abc_def0_1234_5678n, 0xfffe_fffd, true),
    hardirq: [hardirq],
    softirq: [softirq],
    vector: [vector],
    napi: [napi],
    epoll: [epoll],
    victim: [victimIrq, victimVec],
    irqName: [irqName, irqNameLong],
    lost: [
      { kind: 'softirq', reason: 'ring_full', count: 0x1_0000_0009 },
      { kind: 'burst', reason: 'map_full', count: 3 },
      { kind: 'unknown', reason: 'unknown', count: 1 },
    ],
    progStat: [progStat],
  };
  assert.deepEqual(s, want);
  assert.equal(
    decodeSnapshot(fullSnapshot(), SNAP_FULL).requested,
    false,
    'SNAP_FULL alone is not a requested snapshot',
  );
  assert.equal(decodeSnapshot(fullSnapshot()).requested, false);
});

test('snapshot: several rows per table keep their order', () => {
  const rows = [0, 1, 2, 3].map((i): HardirqRow => ({ cpu: i, irq: 200 + i, ...durStats(100 + i) }));
  const s = decodeSnapshot(
    snapshotPayload({ tsNs: 1n, seq: 1, tables: [{ table: TABLE.HARDIRQ, rows: rows.map(hardirqRow) }] }),
  );
  assert.deepEqual(s.hardirq, rows);
});

test('u64 counters are exact up to 2^53 - 1', () => {
  const big: HardirqRow = {
    cpu: 0,
    irq: 1,
    count: Number.MAX_SAFE_INTEGER,
    timeNs: 2 ** 52 + 1,
    maxNs: 2 ** 32,
    hist: slots(HIST_SLOTS, 1).map((v, i) => v + 2 ** (20 + i)),
  };
  const s = decodeSnapshot(
    snapshotPayload({ tsNs: 1n, seq: 1, tables: [{ table: TABLE.HARDIRQ, rows: [hardirqRow(big)] }] }),
  );
  assert.deepEqual(s.hardirq[0], big);
});

test('events: irqlens_rec of every kind and irqlens_burst_rec round-trip, mixed in one batch', () => {
  const order = [recs[0], burst, recs[1], recs[2], recs[3], burst, recs[4]].filter((r) => r !== undefined);
  const bytes = concat(...order.map((r) => (r.kind === 'burst' ? burstRec(r) : eventRec(r))));
  assert.equal(bytes.length, 5 * LAYOUT.irqlens_rec.size + 2 * LAYOUT.irqlens_burst_rec.size);
  assert.deepEqual(decodeRecords(bytes), order);
  const counts = new Float64Array(8);
  countRecords(bytes, counts);
  assert.deepEqual([...counts], [0, 1, 1, 1, 1, 1, 2, 0]);
  countRecords(bytes, counts);
  assert.deepEqual([...counts], [0, 2, 2, 2, 2, 2, 4, 0], 'countRecords adds to the counts it is given');
  assert.deepEqual(decodeRecords(new Uint8Array(0)), []);
});

test('end: ts and a negative exit code round-trip', () => {
  const msgs = decodeAll(concat(helloFrame(), endFrame(0xdead_beef_0000_0001n, -5)));
  assert.deepEqual(msgs[1], { type: 'end', tsNs: 0xdead_beef_0000_0001n, code: -5 });
});

test('decodeStream: a whole synthetic stream gives its messages in order', () => {
  const stream = concat(
    helloFrame(helloIn),
    snapshotFrame({ tsNs: 10n, seq: 0, tables: [{ table: TABLE.HARDIRQ, rows: [hardirqRow(hardirq)] }] }, SNAP_FULL),
    eventsFrame(eventRec(recs[0] ?? assert.fail()), burstRec(burst)),
    snapshotFrame({ tsNs: 20n, seq: 1, tables: [] }, SNAP_REQUESTED),
    endFrame(30n, 0),
  );
  const msgs = decodeAll(stream);
  assert.deepEqual(
    msgs.map((m) => m.type),
    ['hello', 'snapshot', 'events', 'snapshot', 'end'],
  );
  const ev = msgs[2];
  assert.ok(ev?.type === 'events');
  assert.deepEqual(decodeRecords(ev.bytes), [recs[0], burst]);
  const s0 = msgs[1];
  const s1 = msgs[3];
  assert.ok(s0?.type === 'snapshot' && s1?.type === 'snapshot');
  assert.equal(s0.requested, false);
  assert.equal(s1.requested, true);
  assert.deepEqual(s0.hardirq, [hardirq]);
});

/* ---- bad input: always a StreamError with a useful message ---- */

test('wrong magic', () => {
  throwsStreamError(() => decodeAll(helloFrame({ magic: 'IRQLENZ' })), /not an irqlens stream.*magic/);
  throwsStreamError(
    () => decodeAll(concat(frame(FRAME.HELLO, new TextEncoder().encode('GET / HTTP/1.1\r\n'.repeat(20))))),
    /magic/,
  );
});

test('a newer stream version names both versions', () => {
  throwsStreamError(() => decodeAll(helloFrame({ version: 2 })), /version 2 is not supported.*version 1/);
  throwsStreamError(() => decodeAll(helloFrame({ version: 0 })), /version 0/);
});

test('a hello too short for itself or its program list', () => {
  throwsStreamError(
    () => decodeAll(frame(FRAME.HELLO, helloPayload().subarray(0, 100))),
    /hello frame: 100 bytes, expected at least 200/,
  );
  throwsStreamError(
    () => decodeAll(frame(FRAME.HELLO, helloPayload({ progs: helloIn.progs, nprogs: 6 }))),
    /hello frame programs/,
  );
});

test('a frame length over the limit', () => {
  const bad = concat(helloFrame(), frame(FRAME.EVENTS, new Uint8Array(0), 0, 0xffff_fff0));
  throwsStreamError(() => decodeAll(bad), /claims 4294967280 bytes.*corrupt/);
});

test('a table with the wrong row size', () => {
  const p = snapshotPayload({
    tsNs: 1n,
    seq: 9,
    tables: [{ table: TABLE.SOFTIRQ, rowSize: LAYOUT.irqlens_hardirq_row.size, rows: [hardirqRow(hardirq)] }],
  });
  throwsStreamError(() => decodeSnapshot(p), /snapshot 9: table 2 rows are 288 bytes, expected 576/);
});

test('an unknown table (from a newer helper) is skipped by its header; a broken one is an error', () => {
  const p = snapshotPayload({
    tsNs: 1n,
    seq: 4,
    tables: [{ table: 42, rowSize: 16, rows: [new Uint8Array(16), new Uint8Array(16)] }],
  });
  const s = decodeSnapshot(p);
  assert.equal(s.seq, 4);
  assert.deepEqual(
    [s.hardirq, s.softirq, s.vector, s.napi, s.epoll, s.victim, s.irqName, s.lost, s.progStat].map((t) => t.length),
    [0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
  throwsStreamError(
    () => decodeSnapshot(snapshotPayload({ tsNs: 1n, seq: 4, tables: [{ table: 0, rowSize: 0, rows: [] }] })),
    /unknown table 0 is cut off/,
  );
});

test('a snapshot cut inside a table or before a table header', () => {
  const rows = table({ table: TABLE.VICTIM, rows: [victimRow(victimIrq)], count: 2 }); // claims 2 rows, has 1
  throwsStreamError(
    () => decodeSnapshot(concat(snapshotPayload({ tsNs: 1n, seq: 5, tables: [], ntables: 1 }), rows)),
    /snapshot 5: table 6 is cut off/,
  );
  throwsStreamError(
    () => decodeSnapshot(snapshotPayload({ tsNs: 1n, seq: 6, tables: [], ntables: 3 })),
    /snapshot 6: table 0 header is cut off/,
  );
  throwsStreamError(() => decodeSnapshot(new Uint8Array(15)), /snapshot frame: 15 bytes, expected at least 16/);
});

test('a record of unknown kind', () => {
  const bytes = concat(eventRec(recs[0] ?? assert.fail()), new Uint8Array([0xe7, 0x03]), new Uint8Array(30)); // kind 999
  throwsStreamError(() => decodeRecords(bytes), /unknown record kind 999 at byte 32/);
  throwsStreamError(() => decodeRecords(new Uint8Array(32)), /unknown record kind 0 at byte 0/);
  throwsStreamError(() => {
    countRecords(bytes, new Float64Array(8));
  }, /unknown record kind 999 at byte 32/);
});

test('a truncated record', () => {
  const rec = eventRec(recs[2] ?? assert.fail());
  throwsStreamError(() => decodeRecords(rec.subarray(0, 31)), /record \(kind \d+\) at byte 0 is cut off/);
  const b = burstRec(burst);
  throwsStreamError(() => decodeRecords(concat(rec, b.subarray(0, 40))), /record \(kind 6\) at byte 32 is cut off/);
  throwsStreamError(() => decodeRecords(concat(rec, new Uint8Array([1]))), /1 stray bytes at 32/);
  throwsStreamError(() => {
    countRecords(concat(rec, b.subarray(0, 40)), new Float64Array(8));
  }, /record \(kind 6\) at byte 32 is cut off/);
});

test('an unknown frame type', () => {
  throwsStreamError(
    () => decodeAll(concat(helloFrame(), frame(9, new Uint8Array(4)))),
    /unknown frame type 9 at byte 208/,
  );
});

test('an end frame too short', () => {
  throwsStreamError(
    () => decodeAll(concat(helloFrame(), frame(FRAME.END, new Uint8Array(8)))),
    /end frame: 8 bytes, expected at least 16/,
  );
});

test('decodeStream on a stream cut in the middle of a frame', () => {
  const stream = concat(
    helloFrame(),
    snapshotFrame({ tsNs: 1n, seq: 0, tables: [{ table: TABLE.HARDIRQ, rows: [hardirqRow(hardirq)] }] }),
    endFrame(),
  );
  const snapEnd = stream.length - 24; // the end frame is 8 + 16 bytes
  // the snapshot frame is 8 + 16 + 8 + 288 = 320 bytes: cut 100 short, 220 of them wait for the rest
  throwsStreamError(
    () => decodeAll(stream.subarray(0, snapEnd - 100)),
    /stream ends inside a frame \(220 bytes left over\)/,
  );
  throwsStreamError(
    () => decodeAll(stream.subarray(0, stream.length - 1)),
    /ends inside a frame \(23 bytes left over\)/,
  );
  throwsStreamError(() => decodeAll(stream.subarray(0, 3)), /ends inside a frame \(3 bytes left over\)/);
  assert.equal(
    decodeAll(stream.subarray(0, snapEnd)).length,
    2,
    'cut exactly between frames is a shorter valid stream',
  );
});

/* ---- the recorded fixture: decodes, and corrupting it only ever gives StreamError ---- */

/** Decode everything a consumer would: frames, then the records of every events batch. */
function decodeDeep(bytes: Uint8Array): number {
  let n = 0;
  for (const m of decodeAll(bytes)) n += m.type === 'events' ? decodeRecords(m.bytes).length : 1;
  return n;
}

test('the fixture decodes deeply: records of every kind, rows of most tables', () => {
  const msgs = decodeAll(readFixture());
  const kinds = new Set<string>();
  for (const m of msgs) if (m.type === 'events') for (const r of decodeRecords(m.bytes)) kinds.add(r.kind);
  assert.deepEqual([...kinds].sort(), ['burst', 'epoll', 'hardirq', 'napi', 'softirq', 'vector']);
  const hello = msgs[0];
  assert.ok(hello?.type === 'hello');
  assert.equal(hello.version, 1);
  assert.ok(hello.ncpus >= 1);
  assert.ok(hello.progs.length > 0 && hello.progs.every((p) => p.name.startsWith('irql_')), 'program names decode');
  const snaps = msgs.filter((m) => m.type === 'snapshot');
  for (const k of ['hardirq', 'softirq', 'vector', 'napi', 'epoll', 'victim', 'irqName', 'progStat'] as const) {
    assert.ok(
      snaps.some((s) => s[k].length > 0),
      `the fixture has ${k} rows`,
    );
  }
  for (const s of snaps) {
    for (const r of s.hardirq)
      assert.ok(r.cpu < hello.ncpus && r.count > 0 && r.timeNs >= r.maxNs, 'hardirq rows are sane');
    for (const r of s.softirq) assert.ok(r.vec < 10 && r.cpu < hello.ncpus, 'softirq rows are sane');
  }
});

/** Offsets of every frame-header and snapshot table-header byte of a valid stream. */
function headerBytes(b: Uint8Array): number[] {
  const out: number[] = [];
  const T = LAYOUT.irqlens_table_hdr;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const f of new FrameSplitter().push(b)) {
    for (let i = 0; i < LAYOUT.irqlens_frame_hdr.size; i++) out.push(f.offset + i);
    if (f.type !== FRAME.SNAPSHOT) continue;
    const base = f.offset + LAYOUT.irqlens_frame_hdr.size;
    const ntables = dv.getUint32(base + LAYOUT.irqlens_snap_hdr.fields.ntables, true);
    for (let t = 0, off = base + LAYOUT.irqlens_snap_hdr.size; t < ntables; t++) {
      for (let i = 0; i < T.size; i++) out.push(off + i);
      off += T.size + dv.getUint16(off + T.fields.row_size, true) * dv.getUint32(off + T.fields.rows, true);
    }
  }
  return out;
}

test('fuzz: 2,000 random corruptions of the fixture only ever throw StreamError', () => {
  const orig = readFixture();
  const headers = headerBytes(orig);
  const rand = prng(0xf022);
  const t0 = performance.now();
  let threw = 0;
  for (let i = 0; i < 2000; i++) {
    const b = orig.slice();
    const what = randInt(rand, 0, 4);
    let desc = '';
    if (what !== 1) {
      // flip 1..8 bytes: in the hello, in a frame or table header (lengths, types, counts), or anywhere
      const n = randInt(rand, 1, 9);
      for (let j = 0; j < n; j++) {
        const where = rand();
        const at =
          where < 0.3
            ? randInt(rand, 0, 512)
            : where < 0.7
              ? (headers[randInt(rand, 0, headers.length)] ?? 0)
              : randInt(rand, 0, b.length);
        b[at] = (b[at] ?? 0) ^ randInt(rand, 1, 256);
        desc += ` flip@${at}`;
      }
    }
    let cut = b.length;
    if (what === 1 || what === 3) {
      cut = randInt(rand, 0, b.length);
      desc += ` cut@${cut}`;
    }
    try {
      decodeDeep(b.subarray(0, cut));
    } catch (e) {
      if (!(e instanceof StreamError)) assert.fail(`case ${i} (${desc.trim()}): ${String(e)} is not a StreamError`);
      assert.ok(e.message.length > 10, `case ${i}: a useful message`);
      threw++;
    }
  }
  assert.ok(threw > 500, `corruption is detected (${threw} of 2000 threw)`);
  // speed is for benchmarks, not a pass/fail: reported only
  process.stdout.write(`# fuzz: 2000 cases in ${(performance.now() - t0).toFixed(0)} ms\n`);
});
