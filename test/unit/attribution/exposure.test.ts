// Exposure windows: counts per kind in [start, start+X) and in each lag window
// [start-b, start-a) on the period's CPU, checked against brute force; the
// galloping lower bound against a linear scan; placebo times; and the size the
// estimator must handle (1M interrupts, 500k periods) in well under a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildHitIndex,
  exposureMatrix,
  hitCounts,
  lowerBound,
  placeboIndex,
  rangeCounts,
} from '../../../src/attribution/exposure.js';
import { blockResample, percentileInterval } from '../../../src/attribution/bootstrap.js';
import { Rng } from '../../../src/attribution/rng.js';
import type { IrqHit, IrqKind } from '../../../src/attribution/types.js';

test('lowerBound from any hint matches a linear scan', () => {
  const rng = new Rng(11);
  for (let round = 0; round < 200; round++) {
    const n = rng.int(40);
    const arr = Float64Array.from({ length: n }, () => rng.int(30)).sort(); // with duplicates
    for (let q = 0; q < 20; q++) {
      const x = rng.int(34) - 2;
      const want = arr.findIndex((v) => v >= x);
      const got = lowerBound(arr, x, rng.int(n + 3) - 1);
      assert.equal(got, want < 0 ? n : want, `x=${x} in [${arr.join(',')}]`);
    }
  }
});

test('window edges are half-open: [start, start+X) and [start-b, start-a)', () => {
  const start = 1_000_000;
  const hits: IrqHit[] = [
    { tsNs: start, cpu: 0, kind: 'device', durNs: 1 }, // in the exposure window
    { tsNs: start + 20_000, cpu: 0, kind: 'device', durNs: 1 }, // just past it
    { tsNs: start - 1, cpu: 0, kind: 'device', durNs: 1 }, // lag [0, 50 us]: [start-50us, start)
    { tsNs: start - 50_000, cpu: 0, kind: 'device', durNs: 1 }, // start-b of that lag: included there, not in the next
    { tsNs: start - 200_000, cpu: 0, kind: 'local_timer', durNs: 1 }, // lag [50, 200 us]: [start-200us, start-50us)
    { tsNs: start - 200_001, cpu: 0, kind: 'local_timer', durNs: 1 }, // before every window
    { tsNs: start + 5, cpu: 1, kind: 'device', durNs: 1 }, // other CPU
  ];
  const m = exposureMatrix(buildHitIndex(hits), ['device', 'local_timer'], [0], [start], 20_000, [
    [0, 50_000],
    [50_000, 200_000],
  ]);
  assert.equal(m.windows, 3);
  assert.equal(m.stride, 6);
  // device: exposure 1, first lag 2, second lag 0; local_timer: second lag 1
  assert.deepEqual([...m.counts], [1, 2, 0, 0, 0, 1]);
  // a row on a CPU without interrupts is all zero
  const none = exposureMatrix(buildHitIndex(hits), ['device'], [7], [start], 20_000, []);
  assert.deepEqual([...none.counts], [0]);
});

test('exposure counts match brute force on random data, in any row order', () => {
  const rng = new Rng(12);
  const kinds: IrqKind[] = ['device', 'local_timer', 'softirq'];
  const hits: IrqHit[] = [];
  for (let i = 0; i < 3_000; i++) {
    hits.push({ tsNs: Math.floor(rng.next() * 1e7), cpu: rng.int(3), kind: kinds[rng.int(2)] ?? 'device', durNs: 100 });
  }
  const rows = 2_000;
  const cpus = Int32Array.from({ length: rows }, () => rng.int(4)); // CPU 3 has no interrupts
  const starts = Float64Array.from({ length: rows }, () => Math.floor(rng.next() * 1e7));
  const X = 20_000;
  const lags: [number, number][] = [
    [0, 50_000],
    [50_000, 200_000],
    [200_000, 1_000_000],
  ];
  const m = exposureMatrix(buildHitIndex(hits), kinds, cpus, starts, X, lags);
  const windows: [number, number][] = [[0, X], ...lags.map(([a, b]): [number, number] => [-b, -a])];
  for (let i = 0; i < rows; i++) {
    kinds.forEach((k, ki) => {
      windows.forEach(([lo, hi], w) => {
        const s = starts[i] ?? 0;
        const want = hits.filter(
          (h) => h.cpu === cpus[i] && h.kind === k && h.tsNs >= s + lo && h.tsNs < s + hi,
        ).length;
        assert.equal(m.counts[i * m.stride + ki * m.windows + w], want);
      });
    });
  }
  assert.equal(hitCounts(buildHitIndex(hits)).softirq, 0);
  // per-row ranges [from, to): the hits after the exposure window of a period
  const ends = starts.map((st) => st + rng.int(300_000) - 50_000); // some empty or reversed ranges
  const r = rangeCounts(buildHitIndex(hits), kinds, cpus, starts, ends);
  for (let i = 0; i < rows; i++) {
    kinds.forEach((k, ki) => {
      const want = hits.filter(
        (h) => h.cpu === cpus[i] && h.kind === k && h.tsNs >= (starts[i] ?? 0) && h.tsNs < (ends[i] ?? 0),
      ).length;
      assert.equal(r[i * kinds.length + ki], want);
    });
  }
});

test('placebo times: same count per CPU and kind, inside the trace, sorted, seeded', () => {
  const rng = new Rng(13);
  const hits: IrqHit[] = Array.from({ length: 5_000 }, () => ({
    tsNs: 1e6 + rng.next() * 1e6,
    cpu: rng.int(2),
    kind: rng.next() < 0.8 ? 'device' : 'local_timer',
    durNs: 1,
  }));
  const index = buildHitIndex(hits);
  const a = placeboIndex(index, 0, 1e7, new Rng(5));
  const b = placeboIndex(index, 0, 1e7, new Rng(5));
  assert.deepEqual(a, b);
  for (const [cpu, byKind] of index) {
    for (const [kind, arr] of byKind) {
      const p = a.get(cpu)?.get(kind);
      assert.ok(p !== undefined);
      assert.equal(p.length, arr.length);
      for (let i = 0; i < p.length; i++) {
        const v = p[i] ?? NaN;
        assert.ok(v >= 0 && v < 1e7);
        if (i > 0) assert.ok(v >= (p[i - 1] ?? NaN));
      }
      // spread over the whole span, not where the real ones were
      assert.ok(p.filter((v) => v > 2e6).length > 0.7 * p.length);
    }
  }
  assert.notDeepEqual(placeboIndex(index, 0, 1e7, new Rng(6)), a);
});

test('1M interrupts and 500k periods: exposure in well under a second', (t) => {
  const rng = new Rng(14);
  const span = 10e9; // 10 s, 2 CPUs, ~50k irq/s each
  const hits: IrqHit[] = new Array<IrqHit>(1_000_000);
  for (let i = 0; i < hits.length; i++) {
    hits[i] = { tsNs: rng.next() * span, cpu: i & 1, kind: rng.next() < 0.9 ? 'device' : 'local_timer', durNs: 2_000 };
  }
  const rows = 500_000;
  const cpus = new Int32Array(rows);
  const starts = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    cpus[i] = i & 1;
    starts[i] = 2e6 + (i / rows) * (span - 4e6); // start order, as the estimator passes them
  }
  const t0 = performance.now();
  const index = buildHitIndex(hits);
  const t1 = performance.now();
  const m = exposureMatrix(index, ['device', 'local_timer'], cpus, starts, 20_000, [
    [0, 50_000],
    [50_000, 200_000],
    [200_000, 1_000_000],
  ]);
  const t2 = performance.now();
  t.diagnostic(
    `index ${(t1 - t0).toFixed(0)} ms, exposure ${(t2 - t1).toFixed(0)} ms for ${rows} periods x 2 kinds x 4 windows`,
  );
  assert.equal(m.rows, rows);
  // ~50k/s x 0.9 x 20 us = 0.9 device interrupts per exposure window on average
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += m.counts[i * m.stride] ?? 0;
  assert.ok(Math.abs(sum / rows - 0.9) < 0.02, `mean exposure ${sum / rows}`);
});

test('block bootstrap rows and percentile intervals', () => {
  const rows = blockResample(103, 10, new Rng(1));
  assert.equal(rows.length, 103);
  // consecutive runs of (mostly) 10
  let runs = 1;
  for (let i = 1; i < rows.length; i++) if (rows[i] !== (rows[i - 1] ?? 0) + 1) runs++;
  assert.ok(runs <= 11);
  assert.ok(rows.every((r) => r >= 0 && r < 103));
  assert.deepEqual(blockResample(5, 10, new Rng(1)), Int32Array.from([0, 1, 2, 3, 4]));
  const iv = percentileInterval(
    5,
    Array.from({ length: 1001 }, (_, i) => i / 100),
  ); // 0 .. 10
  assert.ok(Math.abs(iv.lo - 0.25) < 1e-9 && Math.abs(iv.hi - 9.75) < 1e-9);
  assert.equal(iv.bound, false);
  assert.equal(percentileInterval(5, [-1, 2, 3, NaN]).bound, true);
  assert.deepEqual(percentileInterval(1, []), { value: 1, lo: -Infinity, hi: Infinity, bound: true });
});

test('seeded generator: replayable, independent streams, sane moments', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 10_000 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 10_000 }, () => b.next()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01);
  assert.notEqual(Rng.stream(7, 'placebo').next(), Rng.stream(7, 'bootstrap').next());
  assert.notEqual(new Rng(7).next(), new Rng(8).next());
  const g = new Rng(9);
  const zs = Array.from({ length: 20_000 }, () => g.normal());
  const zm = zs.reduce((s, z) => s + z, 0) / zs.length;
  const zv = zs.reduce((s, z) => s + (z - zm) ** 2, 0) / zs.length;
  assert.ok(Math.abs(zm) < 0.03 && Math.abs(zv - 1) < 0.05);
});
