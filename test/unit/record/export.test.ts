// export: the Perfetto JSON parses, has a named track per CPU for hardirq,
// softirq and NAPI slices, busy periods on thread tracks, counters and
// instants, with every record's time exactly as recorded; CSV per interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Recording } from '../../../src/record/reader.js';
import { exportPerfetto, IRQ_PID, RATE_PID, usJson } from '../../../src/record/perfetto.js';
import { exportCsv } from '../../../src/record/csv.js';
import { eachMessage } from '../../../src/record/offline.js';
import { intervalsOf } from '../../../src/reduce/intervals.js';
import { writeRecording } from '../../../src/record/writer.js';
import { decodeRecords } from '../../../src/stream/decode.js';
import { LAYOUT, REC, TABLE } from '../../../src/stream/layout.js';
import type { BurstRec, EventRec, PeriodRec } from '../../../src/stream/types.js';
import { fixtureRecording, scratch, testHeader } from './support.js';
import {
  concat,
  endFrame,
  eventsFrame,
  helloFrame,
  lostRow,
  snapshotFrame,
  StructWriter,
} from '../support/stream-builder.js';

const dir = scratch();
const src = join(dir, 'fixture.irqrec');
fixtureRecording(src);

interface TraceEvent {
  ph: string;
  name: string;
  cat?: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  s?: string;
  args: Record<string, unknown>;
}

function perfetto(path: string): { events: TraceEvent[]; origin: number } {
  const out = `${path}.json`;
  const rec = Recording.open(path);
  exportPerfetto(rec, out);
  rec.close();
  const j = JSON.parse(readFileSync(out, 'utf8')) as {
    traceEvents: TraceEvent[];
    displayTimeUnit: string;
    otherData: { origin_mono_ns: number };
  };
  assert.equal(j.displayTimeUnit, 'ns');
  return { events: j.traceEvents, origin: j.otherData.origin_mono_ns };
}

function records(path: string): (EventRec | BurstRec | PeriodRec)[] {
  const rec = Recording.open(path);
  const out: (EventRec | BurstRec | PeriodRec)[] = [];
  eachMessage(rec, (m) => {
    if (m.type === 'events') out.push(...decodeRecords(m.bytes));
  });
  rec.close();
  return out;
}

test('usJson writes ns as exact microseconds', () => {
  assert.equal(usJson(0), '0');
  assert.equal(usJson(1500), '1.5');
  assert.equal(usJson(123_456_789_012), '123456789.012');
  assert.equal(usJson(-2001), '-2.001');
  assert.equal(Number(usJson(987_654_321_123)) * 1000, 987_654_321_123);
});

test('perfetto: a named track per CPU for hardirq + vectors, softirq and NAPI', () => {
  const { events } = perfetto(src);
  const names = events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === IRQ_PID)
    .map((e) => e.args.name as string)
    .sort();
  for (const cpu of [0, 1]) {
    assert.ok(names.includes(`CPU ${cpu} hardirq + vectors`), names.join(', '));
    assert.ok(names.includes(`CPU ${cpu} softirq`), names.join(', '));
  }
  assert.ok(
    names.some((n) => /^CPU \d napi$/.test(n)),
    names.join(', '),
  );
  const procs = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid);
  assert.ok(procs.includes(IRQ_PID) && procs.includes(RATE_PID));
});

test('perfetto: one slice per record with its recorded start and duration, exact to the ns', () => {
  const { events, origin } = perfetto(src);
  const recs = records(src);
  for (const kind of ['hardirq', 'vector', 'softirq', 'napi', 'epoll'] as const) {
    const want = recs
      .filter((r): r is EventRec => r.kind === kind)
      .map((r) => `${r.cpu}/${Number(r.tsNs) - origin}/${r.durNs}`)
      .sort();
    const got = events
      .filter((e) => e.ph === 'X' && e.cat === kind)
      .map((e) => {
        const cpu = kind === 'epoll' ? (e.args.cpu as number) : Math.floor((e.tid ?? 0) / 4);
        return `${cpu}/${Math.round((e.ts ?? 0) * 1000)}/${Math.round((e.dur ?? 0) * 1000)}`;
      })
      .sort();
    assert.ok(want.length > 0, `${kind}: the fixture has records`);
    assert.deepEqual(got, want, kind);
  }
  assert.ok(
    events.filter((e) => e.ts !== undefined).every((e) => (e.ts ?? -1) >= 0),
    'no negative times',
  );
});

test('perfetto: slices are named by IRQ name, vector and softirq', () => {
  const { events } = perfetto(src);
  const by = (cat: string) => new Set(events.filter((e) => e.cat === cat).map((e) => e.name));
  const hard = [...by('hardirq')];
  assert.ok(hard.length && hard.every((n) => !/^irq\d+$/.test(n)), hard.join(', '));
  assert.ok([...by('vector')].every((n) => /^[A-Z_]+$/.test(n)));
  assert.ok(
    [...by('softirq')].every((n) =>
      ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'].includes(n),
    ),
  );
});

test('perfetto: micro-bursts are instants at their start; counters give per-interval rates', () => {
  const { events, origin } = perfetto(src);
  const bursts = records(src).filter((r): r is BurstRec => r.kind === 'burst');
  const inst = events.filter((e) => e.ph === 'i' && e.cat === 'burst');
  assert.ok(bursts.length > 0);
  assert.deepEqual(
    inst.map((e) => Math.round((e.ts ?? 0) * 1000)).sort(),
    bursts.map((b) => Number(b.startNs) - origin).sort(),
  );
  assert.deepEqual(inst.map((e) => e.args.packets).sort(), bursts.map((b) => b.packets).sort());
  const rec = Recording.open(src);
  const ivs = [...intervalsOf(rec.messages(), rec.hello)];
  rec.close();
  const c = events.filter((e) => e.ph === 'C' && e.name === 'hardirq/s');
  assert.equal(c.length, ivs.length);
  for (const [i, iv] of ivs.entries()) {
    const e = c[i];
    assert.ok(e);
    assert.equal(Math.round((e.ts ?? 0) * 1000), iv.startNs - origin);
    const want =
      iv.window.hardirq.filter((r) => r.cpu === 1).reduce((a, r) => a + r.count, 0) / (iv.window.durationNs / 1e9);
    assert.ok(Math.abs((e.args['cpu 1'] as number) - want) < 1e-6);
  }
  for (const name of ['vectors/s', 'softirq/s', 'NET_RX/s', 'interrupt time %'])
    assert.ok(
      events.some((e) => e.ph === 'C' && e.name === name),
      name,
    );
});

function periodRec(tgid: number, tid: number, start: bigint, end: bigint, events: number): Uint8Array {
  const f = LAYOUT.irqlens_period_rec.fields;
  return new StructWriter(LAYOUT.irqlens_period_rec.size)
    .u16(f.kind, REC.PERIOD)
    .u16(f.cpu_start, 1)
    .u32(f.tid, tid)
    .u64(f.start_ns, start)
    .u64(f.end_ns, end)
    .u32(f.tgid, tgid)
    .u16(f.cpu_end, 1)
    .u32(f.events, events)
    .u32(f.irq_count, 2).bytes;
}

test("perfetto: busy periods on their thread's track, named processes, lost records as instants", () => {
  const t0 = 1_000_000_000n;
  const stream = concat(
    helloFrame({ monoNs: t0 }),
    snapshotFrame({ tsNs: t0 + 1_000_000n, seq: 0, tables: [] }, 1),
    eventsFrame(
      periodRec(4242, 4243, t0 + 2_000_000n, t0 + 2_050_000n, 3),
      periodRec(4242, 4243, t0 + 3_000_000n, t0 + 3_020_500n, 1),
    ),
    snapshotFrame({
      tsNs: t0 + 100_000_000n,
      seq: 1,
      tables: [{ table: TABLE.LOST, rows: [lostRow(REC.HARDIRQ, 0, 17)] }],
    }),
    endFrame(t0 + 101_000_000n),
  );
  const path = join(dir, 'periods.irqrec');
  writeRecording(path, testHeader(), stream);
  const { events } = perfetto(path);
  const busy = events.filter((e) => e.cat === 'busy');
  assert.deepEqual(
    busy.map((e) => [e.pid, e.tid, e.ts, e.dur, e.args.events]),
    [
      [4242, 4243, 2000, 50, 3],
      [4242, 4243, 3000, 20.5, 1],
    ],
  );
  assert.deepEqual(busy[0]?.args.irqs, { device: 2 });
  assert.ok(events.some((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === 4242));
  const lost = events.filter((e) => e.cat === 'lost');
  assert.equal(lost.length, 1);
  assert.deepEqual(lost[0]?.args, { 'hardirq/ring_full': 17 });
  assert.equal(lost[0]?.ts, 100_000);
});

test("csv: one row per interval and CPU, the interval's rates", () => {
  const out = join(dir, 'cpus.csv');
  const rec = Recording.open(src);
  const rows = exportCsv(rec, out, 'cpus', 0);
  const ivs = [...intervalsOf(rec.messages(), rec.hello)];
  rec.close();
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0]?.split(',').slice(0, 5).join(','), 'start_s,end_s,cpu,hardirq_count,hardirq_per_s');
  assert.equal(rows, ivs.length * 2);
  assert.equal(lines.length, rows + 1);
  const first = lines[1]?.split(',');
  const iv = ivs[0];
  assert.ok(first && iv);
  assert.equal(Number(first[2]), 0);
  assert.equal(
    Number(first[3]),
    iv.window.hardirq.filter((r) => r.cpu === 0).reduce((a, r) => a + r.count, 0),
  );
  const irqRows = exportCsv(Recording.open(src), join(dir, 'irqs.csv'), 'irqs', 0.1e9);
  assert.ok(irqRows > 0);
  assert.match(
    readFileSync(join(dir, 'irqs.csv'), 'utf8'),
    /^start_s,end_s,cpu,irq,name,count,per_s,time_ns,mean_ns,max_ns\n/,
  );
});
