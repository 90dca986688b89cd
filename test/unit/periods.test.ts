// Busy-period records and interrupt hits from the stream, and the per-CPU split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUT, REC, PERIOD_PMU, PERIOD_STEAL } from '../../src/stream/layout.js';
import { decodeRecords } from '../../src/stream/decode.js';
import { columnsToHits, concatHits } from '../../src/reduce/hit-log.js';
import { PeriodCollector, vectorKind } from '../../src/reduce/periods.js';
import { cpuSplit, imbalance } from '../../src/reduce/cpu-split.js';
import { emptyWindow, type Window } from '../../src/reduce/totals.js';
import type { Hello } from '../../src/stream/types.js';
import { StructWriter, concat, eventRec } from './support/stream-builder.js';

function periodRec(p: {
  tgid: number;
  tid: number;
  start: bigint;
  end: bigint;
  cpu: number;
  cpuEnd?: number;
  flags?: number;
  events: number;
  counts?: number[];
  ns?: number[];
  cycles?: number;
}): Uint8Array {
  const f = LAYOUT.irqlens_period_rec.fields;
  const w = new StructWriter(LAYOUT.irqlens_period_rec.size)
    .u16(f.kind, REC.PERIOD)
    .u16(f.cpu_start, p.cpu)
    .u32(f.tid, p.tid)
    .u64(f.start_ns, p.start)
    .u64(f.end_ns, p.end)
    .u32(f.tgid, p.tgid)
    .u16(f.cpu_end, p.cpuEnd ?? p.cpu)
    .u16(f.flags, p.flags ?? PERIOD_STEAL)
    .u32(f.events, p.events)
    .u64(f.cycles, BigInt(p.cycles ?? 0))
    .u64(f.instructions, BigInt((p.cycles ?? 0) * 2));
  (p.counts ?? []).forEach((c, i) => w.u32(f.irq_count + 4 * i, c));
  (p.ns ?? []).forEach((c, i) => w.u32(f.irq_ns + 4 * i, c));
  return w.bytes;
}

test('period records decode field by field and become busy periods; PMU counters only when flagged', () => {
  const bytes = concat(
    periodRec({
      tgid: 10,
      tid: 11,
      start: 1_000n,
      end: 51_000n,
      cpu: 1,
      events: 3,
      counts: [2, 1, 0, 0, 0, 0, 4],
      ns: [900, 12_000, 0, 0, 0, 0, 3_000],
    }),
    periodRec({
      tgid: 10,
      tid: 12,
      start: 60_000n,
      end: 70_000n,
      cpu: 0,
      cpuEnd: 1,
      flags: PERIOD_PMU,
      events: 1,
      cycles: 5000,
    }),
  );
  const recs = decodeRecords(bytes);
  assert.equal(recs.length, 2);
  const c = new PeriodCollector();
  c.add({ type: 'events', bytes });
  assert.equal(c.periods.length, 2);
  const [a, b] = c.periods;
  assert.ok(a && b);
  assert.deepEqual([a.tgid, a.tid, a.startNs, a.endNs, a.cpuStart, a.cpuEnd, a.events], [10, 11, 1000, 51000, 1, 1, 3]);
  assert.deepEqual(a.irqCount, {
    device: 2,
    local_timer: 1,
    reschedule: 0,
    call_function: 0,
    irq_work: 0,
    other_vector: 0,
    softirq: 4,
  });
  assert.equal(a.irqNs.local_timer, 12_000);
  assert.equal(a.cycles, null, 'no PMU flag: no cycles');
  assert.equal(b.cpuEnd, 1);
  assert.equal(b.cycles, 5000);
  assert.equal(b.instructions, 10000);
  assert.equal(c.stealKnown, true);
});

test('interrupt hits: device IRQs, vectors by kind, and only asynchronous softirqs', () => {
  const bytes = concat(
    eventRec({ kind: 'hardirq', cpu: 1, id: 36, tsNs: 100n, durNs: 2000, tgid: 10, arg0: 0, arg1: 0 }),
    eventRec({ kind: 'vector', cpu: 1, id: 0, tsNs: 200n, durNs: 15000, tgid: 10, arg0: 0, arg1: 0 }),
    eventRec({ kind: 'vector', cpu: 0, id: 3, tsNs: 300n, durNs: 800, tgid: 0, arg0: 0, arg1: 0 }),
    eventRec({ kind: 'softirq', cpu: 1, id: 3, tsNs: 400n, durNs: 5000, tgid: 10, arg0: 1, arg1: 0 }),
    eventRec({ kind: 'softirq', cpu: 1, id: 3, tsNs: 500n, durNs: 5000, tgid: 10, arg0: 0, arg1: 0 }),
  );
  const c = new PeriodCollector();
  c.add({ type: 'events', bytes });
  assert.deepEqual(
    c.hits.map((h) => `${h.kind}@${h.cpu}:${h.tsNs}`),
    ['device@1:100', 'local_timer@1:200', 'call_function@0:300', 'softirq@1:400'],
  );
  assert.equal(vectorKind(1), 'reschedule');
  assert.equal(vectorKind(4), 'irq_work');
  assert.equal(vectorKind(8), 'other_vector');
});

test('interrupt hits are kept as columns: past the first growth, joined, as objects again, and fresh after each add', () => {
  const rec = (i: number) =>
    eventRec({
      kind: i % 3 ? 'hardirq' : 'vector',
      cpu: i % 4,
      id: i % 3 ? 36 : 200,
      tsNs: BigInt(1000 + i),
      durNs: i,
      tgid: 0,
      arg0: 0,
      arg1: 0,
    });
  const c = new PeriodCollector();
  c.add({ type: 'events', bytes: concat(...Array.from({ length: 1500 }, (_, i) => rec(i))) });
  assert.equal(c.hitCount, 1500);
  assert.equal(c.hits.length, 1500);
  assert.deepEqual(c.hits[1499], { tsNs: 2499, cpu: 3, kind: 'device', durNs: 1499 });
  assert.equal(c.hits[0]?.kind, 'other_vector', 'a vector past the known ones');
  c.add({ type: 'events', bytes: rec(1500) });
  assert.equal(c.hits.length, 1501, 'the objects are made again after an add');
  const joined = concatHits([
    c.hitColumns(),
    PeriodCollector.of({ periods: [], hits: c.hits.slice(0, 2), comms: [] }).hitColumns(),
  ]);
  assert.equal(joined.length, 1503);
  assert.deepEqual(columnsToHits(joined).slice(1500), [c.hits[1500], c.hits[0], c.hits[1]]);
  assert.deepEqual(PeriodCollector.of({ periods: [], hits: joined, comms: [] }).hits, columnsToHits(joined));
});

test('a collector that accepts some processes drops the others', () => {
  const c = new PeriodCollector((tgid) => tgid === 7);
  c.add({
    type: 'events',
    bytes: concat(
      periodRec({ tgid: 7, tid: 7, start: 0n, end: 10n, cpu: 0, events: 1 }),
      periodRec({ tgid: 8, tid: 8, start: 0n, end: 10n, cpu: 0, events: 1 }),
    ),
  });
  assert.deepEqual(
    c.periods.map((p) => p.tgid),
    [7],
  );
});

const hello = { ncpus: 2 } as Hello;

function window(over: Partial<Window>): Window {
  return {
    ...emptyWindow(hello, 1_000_000_000),
    ...over,
  };
}

const dur = { maxNs: 0, hist: [] };

test('per-CPU split adds up: interrupts, async/own softirqs, workload, idle, other', () => {
  const w = window({
    hardirq: [{ cpu: 1, irq: 36, count: 1000, timeNs: 10_000_000, ...dur }],
    vector: [{ cpu: 1, vector: 0, count: 250, timeNs: 5_000_000, ...dur }],
    softirq: [
      {
        cpu: 1,
        vec: 3,
        count: 100,
        timeNs: 20_000_000,
        asyncCount: 40,
        asyncTimeNs: 8_000_000,
        raised: 0,
        raiseLatNs: 0,
        latHist: [],
        ...dur,
      },
    ],
    cpuTime: [
      {
        cpu: 0,
        userNs: 0,
        niceNs: 0,
        systemNs: 0,
        idleNs: 900_000_000,
        iowaitNs: 0,
        irqNs: 0,
        softirqNs: 0,
        stealNs: 0,
      },
      {
        cpu: 1,
        userNs: 0,
        niceNs: 0,
        systemNs: 0,
        idleNs: 100_000_000,
        iowaitNs: 50_000_000,
        irqNs: 0,
        softirqNs: 0,
        stealNs: 0,
      },
    ],
  });
  const periods = [
    {
      tgid: 1,
      tid: 1,
      startNs: 0,
      endNs: 400_000_000,
      cpuStart: 1,
      cpuEnd: 1,
      events: 1,
      switches: 0,
      offCpuNs: 0,
      stealNs: 0,
      irqCount: {
        device: 0,
        local_timer: 0,
        reschedule: 0,
        call_function: 0,
        irq_work: 0,
        other_vector: 0,
        softirq: 0,
      },
      irqNs: {
        device: 4_000_000,
        local_timer: 0,
        reschedule: 0,
        call_function: 0,
        irq_work: 0,
        other_vector: 0,
        softirq: 0,
      },
      cycles: null,
      instructions: null,
    },
  ];
  const [c0, c1] = cpuSplit(w, periods, 0, 1_000_000_000);
  assert.ok(c0 && c1);
  assert.equal(c1.hardirq_ns, 10_000_000);
  assert.equal(c1.vectors_ns, 5_000_000);
  assert.equal(c1.softirq_async_ns, 8_000_000);
  assert.equal(c1.softirq_own_ns, 12_000_000);
  assert.equal(c1.workload_ns, 396_000_000);
  assert.equal(c1.idle_ns, 150_000_000);
  assert.equal(c1.other_ns, 1_000_000_000 - 10_000_000 - 5_000_000 - 20_000_000 - 396_000_000 - 150_000_000);
  assert.equal(c1.irqs_per_s, 1250);
  assert.equal(c0.workload_ns, 0);
  assert.equal(c0.other_ns, 100_000_000);
  assert.deepEqual(
    imbalance(w).map((i) => `${i.what}@${i.cpu}`),
    ['net_rx@1', 'device_irqs@1'],
  );
});
