// The live layer between the probe and the UI, with fakes for the probe:
// the interval loop, workload epochs and their bounds, and the estimate
// (directly and through its worker thread) on synthetic busy periods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTotals, windowOf, type Totals } from '../../src/reduce/totals.js';
import type { Edge } from '../../src/reduce/intervals.js';
import { LAYOUT, PERIOD_STEAL, REC } from '../../src/stream/layout.js';
import type { Message } from '../../src/stream/types.js';
import { LiveStore } from '../../src/live/store.js';
import { Sampler, type MarkSource } from '../../src/live/sampler.js';
import { periodEvery, WorkloadFeedCollector, type FeedOptions } from '../../src/live/workload-feed.js';
import { estimateWorkloads, newestPeriods, type EstimateInput } from '../../src/live/estimate.js';
import { columnsToHits } from '../../src/reduce/hit-log.js';
import { PeriodCollector } from '../../src/reduce/periods.js';
import type { IrqHit } from '../../src/attribution/types.js';
import { EstimateRunner } from '../../src/live/estimate-runner.js';
import type { WorkloadEstimate, WorkloadFeed } from '../../src/derive/workloads.js';
import { StructWriter, concat, eventRec } from '../unit/support/stream-builder.js';
import { synth } from '../unit/attribution/synth.js';
import { hello, hist } from './fixtures.js';

/** A tracker whose every mark is 10 ms of monotonic time later and adds 100 disk IRQs on CPU 1. */
class FakeTracker implements MarkSource {
  marks = 0;
  failAt = Infinity;
  private state: Totals = initialTotals(hello);
  edge(): Promise<Edge> {
    if (++this.marks >= this.failAt) return Promise.reject(new Error('the helper was killed by SIGKILL'));
    const n = this.marks;
    const prev = this.state;
    this.state = {
      ...this.state,
      tsNs: BigInt(n) * 10_000_000n,
      snapshots: n,
      hardirq: new Map([
        ['1:36', { cpu: 1, irq: 36, count: 100 * n, timeNs: 300_000 * n, maxNs: 5_000, hist: hist({ 11: 100 * n }) }],
      ]),
    };
    const end = this.state;
    const interval =
      n === 1
        ? null
        : {
            startS: 0,
            endS: 0,
            startNs: Number(prev.tsNs),
            endNs: Number(end.tsNs),
            window: windowOf(prev, end),
            start: prev,
            end,
          };
    return Promise.resolve({ end, interval });
  }
}

test('sampler: one window per interval from two marks, the UI process CPU per interval, warnings when they change; --count stops it', async () => {
  const tracker = new FakeTracker();
  const store = new LiveStore();
  const marks: bigint[] = [];
  let micros = 0;
  const warnings: string[] = [];
  const s = new Sampler({
    tracker,
    store,
    intervalS: 0.01,
    count: 3,
    onMark: (ts) => marks.push(ts),
    warnings: () => warnings,
    cpuMicros: () => (micros += 500),
  });
  warnings.push('something to say');
  await s.run();
  const st = store.getState();
  assert.equal(st.intervals, 3);
  assert.equal(st.window?.durationNs, 10_000_000);
  assert.deepEqual(
    st.window?.hardirq.map((r) => r.count),
    [100],
  );
  assert.equal(st.uiCpuFrac, 0.05, '500 us of CPU over a 10 ms window');
  assert.deepEqual(marks, [10_000_000n, 20_000_000n, 30_000_000n, 40_000_000n]);
  assert.deepEqual(st.warnings, ['something to say']);
});

test('sampler: a shorter interval re-times the pending wait; stop() ends a long wait at once', async () => {
  const tracker = new FakeTracker();
  const store = new LiveStore();
  const s = new Sampler({ tracker, store, intervalS: 60 });
  const t0 = Date.now();
  const running = s.run();
  await new Promise((r) => setTimeout(r, 50));
  s.setIntervalS(0.05);
  while (store.getState().intervals < 1 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
  assert.ok(store.getState().intervals >= 1, 'the new interval applied to the wait already under way');
  s.setIntervalS(60);
  await new Promise((r) => setTimeout(r, 100));
  s.stop();
  await running;
  assert.ok(Date.now() - t0 < 5000);
});

test('sampler: a failing mark (the helper died) rejects run() with its error', async () => {
  const tracker = new FakeTracker();
  tracker.failAt = 3;
  const s = new Sampler({ tracker, store: new LiveStore(), intervalS: 0.01 });
  await assert.rejects(s.run(), /killed by SIGKILL/);
});

function periodRec(tgid: number, tid: number, startNs: number, endNs: number, cpu: number): Uint8Array {
  const f = LAYOUT.irqlens_period_rec.fields;
  return new StructWriter(LAYOUT.irqlens_period_rec.size)
    .u16(f.kind, REC.PERIOD)
    .u16(f.cpu_start, cpu)
    .u32(f.tid, tid)
    .u64(f.start_ns, startNs)
    .u64(f.end_ns, endNs)
    .u32(f.tgid, tgid)
    .u16(f.cpu_end, cpu)
    .u16(f.flags, PERIOD_STEAL)
    .u32(f.events, 1).bytes;
}

function periodsMsg(fromNs: number, n: number): Message {
  const recs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) recs.push(periodRec(1200, 1201, fromNs + i * 100_000, fromNs + i * 100_000 + 50_000, 2));
  recs.push(
    eventRec({
      kind: 'hardirq',
      cpu: 2,
      id: 36,
      tsNs: BigInt(fromNs + n * 100_000),
      durNs: 2_000,
      tgid: 0,
      arg0: 0,
      arg1: 0,
    }),
  );
  return { type: 'events', bytes: concat(...recs) };
}

const SEC = 1_000_000_000;

/** A feed whose estimator keeps its inputs and returns no estimates, with what it published. */
function recordingFeed(o: FeedOptions): {
  feed: WorkloadFeedCollector;
  inputs: EstimateInput[];
  feeds: WorkloadFeed[];
} {
  const inputs: EstimateInput[] = [];
  const feeds: WorkloadFeed[] = [];
  const feed = new WorkloadFeedCollector(
    hello,
    (input) => {
      inputs.push(input);
      return Promise.resolve([]);
    },
    (f) => feeds.push(f),
    o,
  );
  return { feed, inputs, feeds };
}

test('workload feed: measuring until the first epoch ends, then one estimate over the epoch span with its periods and hits', async () => {
  const feeds: WorkloadFeed[] = [];
  const inputs: EstimateInput[] = [];
  const est: WorkloadEstimate = {
    tgid: 1200,
    comm: 'nginx',
    periods: 10,
    cleanPeriods: 9,
    disruptedPeriods: 1,
    tax: null,
    gain: null,
    notEnoughData: 'too few',
    note: null,
    mainCpu: 2,
  };
  const feed = new WorkloadFeedCollector(
    hello,
    (input) => {
      inputs.push(input);
      return Promise.resolve([est]);
    },
    (f) => feeds.push(f),
    { everyS: 5, epochs: 2, maxPeriods: 1000, maxSeen: 1000, maxHits: 1000 },
  );
  feed.add(periodsMsg(0, 5)); // before the first mark: not in any epoch
  feed.mark(1n * BigInt(SEC), 1000);
  feed.add(periodsMsg(2 * SEC, 10));
  feed.mark(3n * BigInt(SEC), 3000);
  assert.deepEqual(
    feeds.map((f) => f.state),
    ['measuring', 'measuring'],
  );
  assert.equal(feeds[1]?.state === 'measuring' ? feeds[1].collectedS : -1, 2);
  feed.mark(6n * BigInt(SEC), 6000);
  await new Promise((r) => setImmediate(r));
  assert.equal(inputs.length, 1);
  assert.deepEqual(
    [inputs[0]?.fromNs, inputs[0]?.toNs, inputs[0]?.periods.length, inputs[0]?.hits.length],
    [SEC, 6 * SEC, 10, 1],
  );
  assert.deepEqual(feeds.at(-1), {
    state: 'ready',
    atMs: 6000,
    spanS: 5,
    estimates: [est],
    periodsDecoded: 10,
    periodsUsed: 10,
    sampledOneIn: { min: 1, max: 1 },
  });
});

test('workload feed: busy periods beyond the bound are thinned to every k-th, evenly over the epoch', async () => {
  const { feed, inputs, feeds } = recordingFeed({
    everyS: 5,
    epochs: 1,
    maxPeriods: 100,
    maxSeen: 10_000,
    maxHits: 10_000,
  });
  feed.mark(0n, 0);
  for (let i = 0; i < 10; i++) feed.add(periodsMsg(i * 400_000_000, 70)); // 700 periods
  feed.mark(5n * BigInt(SEC), 5000);
  await new Promise((r) => setImmediate(r));
  const starts = inputs[0]?.periods.map((p) => p.startNs) ?? [];
  assert.equal(starts.length, 88, '700 periods at stride 8 keep periods 0, 8, ..., 696');
  assert.equal(starts[1], 8 * 100_000);
  assert.ok((starts.at(-1) ?? 0) > 3.6 * SEC, 'the sample reaches the end of the epoch');
  assert.equal(inputs[0]?.hits.length, 10, 'interrupts are never thinned');
  const ready = feeds.at(-1);
  assert.deepEqual(ready?.state === 'ready' ? [ready.periodsDecoded, ready.periodsUsed] : [], [700, 88]);
});

test('period sampling: the power of 2 that brings the rate under the target, 1 when it fits', () => {
  assert.equal(periodEvery(0, 5000), 1);
  assert.equal(periodEvery(5000, 5000), 1);
  assert.equal(periodEvery(5001, 5000), 2);
  assert.equal(periodEvery(500_000, 5000), 128, '500k/s -> 3,906/s decoded');
  assert.equal(periodEvery(1e12, 5000), 1 << 20, 'capped at what the helper takes');
});

/** A feed that samples in the kernel (at `current` so far), its requests in `asked`; by default the target is 20 periods a second. */
function sampledFeed(o: Partial<FeedOptions> = {}, current = 1) {
  const asked: number[] = [];
  const r = recordingFeed({ everyS: 5, epochs: 1, maxPeriods: 1000, maxSeen: 200, maxHits: 10_000, ...o });
  r.feed.sampleWith({
    periodEvery: current,
    setPeriodEvery: (n) => {
      asked.push(n);
    },
  });
  return { ...r, asked };
}

/** Hits as the columns the feed hands the estimator. */
const hitColumnsOf = (hits: readonly IrqHit[]) => PeriodCollector.of({ periods: [], hits, comms: [] }).hitColumns();

test('workload feed: each epoch asks the kernel for the sampling its rate needs, and counts only what it decoded', async () => {
  // budget 200 decoded per 5 s epoch: the target is half, 20 a second (fewer than the 1000 kept)
  const { feed, inputs, feeds, asked } = sampledFeed();
  feed.mark(0n, 0);
  for (let i = 0; i < 5; i++) feed.add(periodsMsg(i * SEC, 30)); // 150 periods in 5 s: 30/s, over 20/s
  feed.mark(5n * BigInt(SEC), 5000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [2], '30/s needs every 2nd call for 20/s');
  // the kernel now opens every 2nd period: 15 decoded a second
  for (let i = 5; i < 10; i++) feed.add(periodsMsg(i * SEC, 15));
  feed.mark(10n * BigInt(SEC), 10_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [2], 'the same rate keeps the same sampling (nothing asked)');
  const ready = feeds.at(-1);
  assert.deepEqual(ready?.state === 'ready' ? [ready.periodsDecoded, ready.periodsUsed, ready.sampledOneIn] : [], [
    75,
    75,
    { min: 2, max: 2 },
  ]);
  assert.equal(inputs[1]?.periods.length, 75);
  // the workload slows to 2 decoded a second (4/s before sampling): back to every call
  for (let i = 10; i < 15; i++) feed.add(periodsMsg(i * SEC, 2));
  feed.mark(15n * BigInt(SEC), 15_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [2, 1]);
});

test('workload feed: the sampling aims at the periods an epoch keeps when they are fewer than half the budget', async () => {
  // 50 kept per 5 s epoch: 10 a second, though the budget would decode 1000 a second
  const { feed, asked } = sampledFeed({ maxPeriods: 50, maxSeen: 10_000 });
  feed.mark(0n, 0);
  for (let i = 0; i < 5; i++) feed.add(periodsMsg(i * SEC, 30));
  feed.mark(5n * BigInt(SEC), 5000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [4], '30/s needs every 4th call for 10/s');
});

test('workload feed: a sampling already in force (the probe started with it) is counted, and a second in the rate sets it', async () => {
  const { feed, inputs, feeds, asked } = sampledFeed({}, 64);
  feed.mark(0n, 0);
  feed.add(periodsMsg(0, 1)); // 1 of every 64 calls: 64/s, over the target of 20/s
  feed.mark(1n * BigInt(SEC), 1000);
  assert.deepEqual(asked, [4]);
  for (let i = 1; i < 6; i++) feed.add(periodsMsg(i * SEC, 15));
  feed.mark(6n * BigInt(SEC), 6000);
  await new Promise((r) => setImmediate(r));
  assert.equal(inputs[0]?.fromNs, SEC);
  const ready = feeds.at(-1);
  assert.deepEqual(ready?.state === 'ready' ? [ready.periodsDecoded, ready.periodsUsed, ready.sampledOneIn] : [], [
    75,
    75,
    { min: 4, max: 4 },
  ]);
});

test('workload feed: a first epoch over the target restarts with sampling after a second, once', async () => {
  const { feed, inputs, feeds, asked } = sampledFeed();
  feed.mark(0n, 0);
  feed.add(periodsMsg(0, 60)); // 60/s in the first second: every 4th call brings it to 15/s
  feed.mark(1n * BigInt(SEC), 1000);
  assert.deepEqual(asked, [4], 'asked a second in, not at the end of the epoch');
  assert.equal(feeds.at(-1)?.state, 'measuring');
  feed.add(periodsMsg(1 * SEC, 40)); // the rate swings: no second restart
  feed.mark(2n * BigInt(SEC), 2000);
  assert.deepEqual(asked, [4]);
  for (let i = 2; i < 6; i++) feed.add(periodsMsg(i * SEC, 15));
  feed.mark(5n * BigInt(SEC), 5000);
  assert.equal(inputs.length, 0, 'the restarted epoch runs its whole 5 s');
  feed.mark(6n * BigInt(SEC), 6000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    [inputs[0]?.fromNs, inputs[0]?.toNs],
    [SEC, 6 * SEC],
    'the periods decoded before sampling are left out',
  );
  const ready = feeds.at(-1);
  assert.deepEqual(ready?.state === 'ready' ? [ready.periodsDecoded, ready.periodsUsed, ready.sampledOneIn] : [], [
    100,
    100,
    { min: 4, max: 4 },
  ]);
});

test('workload feed: an epoch that has decoded its budget of busy periods stops there', async () => {
  const { feed, inputs } = recordingFeed({ everyS: 5, epochs: 1, maxPeriods: 100, maxSeen: 140, maxHits: 10_000 });
  feed.mark(0n, 0);
  for (let i = 0; i < 10; i++) feed.add(periodsMsg(i * 400_000_000, 70));
  feed.mark(5n * BigInt(SEC), 5000);
  await new Promise((r) => setImmediate(r));
  assert.equal(inputs[0]?.periods.length, 70, 'two frames decoded (140 periods), every second one kept');
  assert.equal(inputs[0]?.toNs, 400_000_000 + 70 * 100_000 + 2_000 - 20_000_000);
});

test('workload feed: an epoch whose interrupts fill up stops collecting there, and an estimate never spans the gap it leaves', async () => {
  const o: FeedOptions = { everyS: 5, epochs: 2, maxPeriods: 1000, maxSeen: 1000, maxHits: 1 };
  const { feed, inputs } = recordingFeed(o);
  feed.mark(0n, 0);
  feed.add(periodsMsg(1 * SEC, 30)); // its interrupt reaches the cap: this epoch stops after this frame
  feed.add(periodsMsg(2 * SEC, 30)); // ignored
  feed.mark(5n * BigInt(SEC), 5000);
  await new Promise((r) => setImmediate(r));
  const first = inputs[0];
  assert.ok(first);
  assert.equal(first.periods.length, 30);
  assert.equal(
    first.toNs,
    SEC + 30 * 100_000 + 2_000 - 20_000_000,
    'ends at the last record seen less the flush margin',
  );
  // the next epoch has busy periods and no interrupts: it does not stop
  const later = [6, 7, 8, 8.5, 9].map((t) => periodRec(1200, 1201, t * SEC, t * SEC + 50_000, 2));
  feed.add({ type: 'events', bytes: concat(...later) });
  feed.mark(10n * BigInt(SEC), 10_000);
  await new Promise((r) => setImmediate(r));
  const second = inputs[1];
  assert.ok(second);
  assert.deepEqual(
    [second.fromNs, second.toNs, second.periods.length],
    [5 * SEC, 10 * SEC, 5],
    'the stopped epoch before it is left out',
  );
});

test('workload feed: a failing estimate is reported, not thrown', async () => {
  const feeds: WorkloadFeed[] = [];
  const feed = new WorkloadFeedCollector(
    hello,
    () => Promise.reject(new Error('singular design')),
    (f) => feeds.push(f),
    { everyS: 1, epochs: 1, maxPeriods: 10, maxSeen: 10, maxHits: 10 },
  );
  feed.mark(0n, 0);
  feed.mark(2n * BigInt(SEC), 2000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(feeds.at(-1), { state: 'failed', message: 'singular design' });
});

function synthInput(): EstimateInput {
  const s = synth({
    periodsPerThread: 1500,
    kinds: [{ kind: 'device', ratePerSec: 5_000, handlerNs: 3_000, penaltyNs: 6_000 }],
  });
  return {
    hello,
    periods: s.periods,
    hits: hitColumnsOf(s.hits),
    comms: [[1000, 'echo']],
    fromNs: s.trace.startNs,
    toNs: s.trace.endNs,
  };
}

test('estimate: the tax of a synthetic workload with a known penalty, with its interval, name and main CPU', () => {
  const [e] = estimateWorkloads(synthInput());
  assert.ok(e);
  assert.equal(e.comm, 'echo');
  assert.equal(e.periods, 3000);
  assert.ok(e.tax && !e.tax.bound && e.tax.lo < e.tax.value && e.tax.value < e.tax.hi, JSON.stringify(e.tax));
  assert.ok(e.gain && e.gain.value > e.tax.value, 'gain = 1/(1 - tax) - 1 is above the tax');
  assert.ok(e.mainCpu === 0 || e.mainCpu === 1);
  assert.deepEqual(estimateWorkloads({ ...synthInput(), periods: [] }), []);
});

test('estimate: a full epoch budget of interrupts (200,000 hits) is taken, past what a spread call can pass', () => {
  const input = synthInput();
  const far = Math.min(...input.periods.map((p) => p.startNs)) - 1e9;
  // hits outside the traced span change nothing in the estimate; they only have to get in
  const filler = Array.from({ length: 200_000 }, (_, i) => ({
    tsNs: far + i,
    cpu: 0,
    kind: 'device' as const,
    durNs: 1,
  }));
  const hits = hitColumnsOf([...columnsToHits(input.hits), ...filler]);
  assert.deepEqual(estimateWorkloads({ ...input, hits }), estimateWorkloads(input));
});

test('estimate: at most the newest periods of each workload are used', () => {
  const { periods } = synthInput();
  const kept = newestPeriods([...periods, ...periods.map((p) => ({ ...p, tgid: 7 }))], 100);
  assert.equal(kept.length, 200);
  const newest = Math.max(...periods.map((p) => p.startNs));
  assert.ok(kept.some((p) => p.startNs === newest));
});

test('estimate runner: the worker thread gives what the direct call gives, the hits moved to it, not copied', async () => {
  const runner = new EstimateRunner();
  try {
    const direct = estimateWorkloads(synthInput());
    const input = synthInput();
    assert.deepEqual(await runner.run(input), direct);
    assert.equal(input.hits.tsNs.length, 0, 'the columns were transferred: detached here');
  } finally {
    await runner.close();
  }
});
