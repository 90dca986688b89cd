// The estimator on synthetic data whose right answer is known: every
// interrupt that hits a period adds a fixed penalty beyond its handler time,
// period lengths are heavy-tailed, and interrupts are a Poisson process
// independent of the periods, so longer periods catch more of them (length
// bias). The estimator must recover the penalty, find ~0 for placebo times,
// and beat the naive regression on whole-period counts, which must fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate } from '../../../src/attribution/estimate.js';
import { excludePeriods } from '../../../src/attribution/exclude.js';
import { buildHitIndex, lowerBound, placeboIndex } from '../../../src/attribution/exposure.js';
import { huberFit, olsFit } from '../../../src/attribution/huber.js';
import { Rng } from '../../../src/attribution/rng.js';
import { summarize } from '../../../src/attribution/summary.js';
import {
  IRQ_KINDS,
  type BusyPeriod,
  type Estimate,
  type EstimatorOptions,
  type KindEstimate,
} from '../../../src/attribution/types.js';
import { synth, type Synth, type SynthKind } from './synth.js';

const P_DEVICE = 5_000;
const P_TIMER = 10_000;
const KINDS: SynthKind[] = [
  { kind: 'device', ratePerSec: 10_000, handlerNs: 2_000, penaltyNs: P_DEVICE },
  { kind: 'local_timer', ratePerSec: 250, handlerNs: 15_000, penaltyNs: P_TIMER },
];

const OPTS: EstimatorOptions = {
  exposureUs: 20, // below the shortest period (>= 21 us of work)
  lagWindowsUs: [
    [0, 50],
    [50, 200],
    [200, 1000],
  ],
  fixedEffectMs: 20,
  bootstrap: 100,
  blockLength: 50,
  warmup: 200,
  seed: 1,
  currency: 'time',
};

/** 2 threads x 20,000 periods, ~28k interrupts; computed once, shared by the tests below. */
let memo: { s: Synth; est: Estimate } | undefined;
function scenario(): { s: Synth; est: Estimate } {
  if (memo === undefined) {
    const s = synth({ seed: 1, threads: 2, periodsPerThread: 20_000, kinds: KINDS });
    memo = { s, est: estimate(s.periods, s.hits, OPTS, s.trace) };
  }
  return memo;
}

function kind(est: Estimate, k: 'device' | 'local_timer'): KindEstimate {
  const e = est.indirectPerIrq[k];
  assert.ok(e !== undefined, `no estimate for ${k}: ${est.notEnoughData ?? ''}`);
  return e;
}

const fmt = (i: { value: number; lo: number; hi: number }): string =>
  `${Math.round(i.value)} [${Math.round(i.lo)}, ${Math.round(i.hi)}]`;

function outcome(p: BusyPeriod): number {
  return p.endNs - p.startNs - IRQ_KINDS.reduce((s, k) => s + p.irqNs[k], 0);
}

/**
 * The naive method: regress duration minus handler time on the interrupts counted inside the whole
 * period (plus events and an intercept), by least squares or by Huber.
 */
function naive(
  periods: readonly BusyPeriod[],
  count: (p: BusyPeriod) => [number, number],
): { ols: number; huber: number } {
  const n = periods.length;
  const p = 4;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  periods.forEach((q, i) => {
    const [dev, tick] = count(q);
    X.set([1, dev, tick, q.events], i * p);
    y[i] = outcome(q);
  });
  const d = { X, y, n, p };
  return { ols: olsFit(d).beta[1] ?? NaN, huber: huberFit(d).beta[1] ?? NaN };
}

test('recovers an injected 5 us penalty per device interrupt despite length bias; placebo ~0', (t) => {
  const { est } = scenario();
  assert.equal(est.notEnoughData, undefined);
  const dev = kind(est, 'device');
  t.diagnostic(`clean periods ${est.periods}, excluded ${JSON.stringify(est.excluded)}`);
  t.diagnostic(`device: ${fmt(dev)} ns per irq (true ${P_DEVICE}), exposed ${dev.exposed}`);
  t.diagnostic(`device placebo: ${fmt(dev.placebo)}, spillover ${fmt(dev.spillover ?? dev)}`);
  assert.ok(Math.abs(dev.value - P_DEVICE) / P_DEVICE < 0.05, `device ${dev.value} not within 5% of ${P_DEVICE}`);
  assert.ok(dev.lo <= P_DEVICE && P_DEVICE <= dev.hi, `interval ${fmt(dev)} misses ${P_DEVICE}`);
  assert.equal(dev.bound, false);
  assert.ok(dev.exposed > 5000);
  // placebo times through the identical pipeline: nothing
  assert.ok(dev.placebo.lo <= 0 && 0 <= dev.placebo.hi, `placebo ${fmt(dev.placebo)} excludes 0`);
  assert.ok(Math.abs(dev.placebo.value) < 0.05 * P_DEVICE);
  assert.equal(dev.placebo.bound, true);
  // no spill-over was injected
  assert.ok(dev.spillover !== undefined && dev.spillover.lo <= 0 && 0 <= dev.spillover.hi, 'spillover excludes 0');
});

test('without the cascade correction the exposure coefficient overshoots (a hit lengthens the period, which catches more hits)', (t) => {
  const { est } = scenario();
  const dev = kind(est, 'device');
  const raw = dev.uncorrected;
  assert.ok(raw !== undefined);
  // in expectation: b = P + (d + P) * sum(l P) / (1 - sum(l (d + P))), l = rate per ns
  const mu = 1e-5 * P_DEVICE + 2.5e-7 * P_TIMER;
  const rho = 1e-5 * (2_000 + P_DEVICE) + 2.5e-7 * (15_000 + P_TIMER);
  const expected = P_DEVICE + ((2_000 + P_DEVICE) * mu) / (1 - rho);
  t.diagnostic(
    `uncorrected ${Math.round(raw)}, expected from the cascade ${Math.round(expected)}, corrected ${Math.round(dev.value)}`,
  );
  assert.ok(raw > 1.05 * P_DEVICE, 'the uncorrected coefficient should overshoot by more than 5%');
  assert.ok(Math.abs(raw - expected) / expected < 0.05);
  // switched off, the value is the plain coefficient
  const s = synth({ seed: 7, periodsPerThread: 3_000, kinds: KINDS });
  const off = estimate(s.periods, s.hits, { ...OPTS, bootstrap: 0, cascadeCorrection: false }, s.trace);
  const on = estimate(s.periods, s.hits, { ...OPTS, bootstrap: 0 }, s.trace);
  assert.equal(off.indirectPerIrq.device?.value, off.indirectPerIrq.device?.uncorrected);
  assert.equal(on.indirectPerIrq.device?.uncorrected, off.indirectPerIrq.device?.value);
  assert.ok((on.indirectPerIrq.device?.value ?? NaN) < (off.indirectPerIrq.device?.value ?? NaN));
});

test('a rare kind (250/s timer ticks, ~200 exposed periods) still gets an honest interval', (t) => {
  const { est } = scenario();
  const tick = kind(est, 'local_timer');
  t.diagnostic(
    `local_timer: ${fmt(tick)} ns per tick (true ${P_TIMER}), exposed ${tick.exposed}, placebo ${fmt(tick.placebo)}`,
  );
  assert.ok(tick.exposed >= 30 && tick.exposed < 400);
  assert.ok(tick.lo <= P_TIMER && P_TIMER <= tick.hi, `interval ${fmt(tick)} misses ${P_TIMER}`);
  assert.ok(tick.placebo.lo <= 0 && 0 <= tick.placebo.hi);
  assert.ok(tick.hi - tick.lo > dev(est).hi - dev(est).lo, 'fewer exposed periods, wider interval');
  function dev(e: Estimate): KindEstimate {
    return kind(e, 'device');
  }
});

test('the naive estimator (interrupts counted over the whole period) is biased by more than 5%', (t) => {
  const { s, est } = scenario();
  const ex = excludePeriods(s.periods, OPTS, s.trace.startNs, s.trace.endNs);
  const clean = ex.clean.map((i) => s.periods[i]).filter((p): p is BusyPeriod => p !== undefined);
  assert.equal(clean.length, est.periods);
  const real = naive(clean, (p) => [p.irqCount.device, p.irqCount.local_timer]);
  // the same naive count on placebo times (no effect at all) still finds a "cost": pure length bias
  const index = placeboIndex(buildHitIndex(s.hits), s.trace.startNs, s.trace.endNs, new Rng(99));
  const inside = (p: BusyPeriod, k: 'device' | 'local_timer'): number => {
    const arr = index.get(p.cpuStart)?.get(k) ?? new Float64Array(0);
    return lowerBound(arr, p.endNs) - lowerBound(arr, p.startNs);
  };
  const plac = naive(clean, (p) => [inside(p, 'device'), inside(p, 'local_timer')]);
  t.diagnostic(
    `naive device cost: least squares ${Math.round(real.ols)}, Huber ${Math.round(real.huber)} (true ${P_DEVICE}); ` +
      `naive on placebo times: least squares ${Math.round(plac.ols)}, Huber ${Math.round(plac.huber)} (true 0)`,
  );
  for (const v of [real.ols, real.huber])
    assert.ok(Math.abs(v - P_DEVICE) / P_DEVICE > 0.05, `naive ${v} within 5%: the test would not tell`);
  assert.ok(real.huber > P_DEVICE * 1.15 && real.ols > P_DEVICE * 1.15, 'length bias pushes the naive cost up');
  assert.ok(plac.ols > 0.1 * P_DEVICE && plac.huber > 0.1 * P_DEVICE, 'naive placebo should show a spurious cost');
  // the estimator's placebo does not
  assert.ok(Math.abs(kind(est, 'device').placebo.value) < 0.05 * P_DEVICE);
});

test('summary: tax and what-if match the injected truth', (t) => {
  const { s, est } = scenario();
  const sum = summarize(s.periods, est, s.trace, OPTS);
  // truth: every hit costs handler + penalty; busy time is all period time (no off-CPU time here)
  let busy = 0;
  let lost = 0;
  let direct = 0;
  let irqs = 0;
  let events = 0;
  for (const p of s.periods) {
    busy += p.endNs - p.startNs;
    events += p.events;
    for (const k of KINDS) {
      lost += p.irqCount[k.kind] * (k.handlerNs + k.penaltyNs);
      direct += p.irqNs[k.kind];
      irqs += p.irqCount[k.kind];
    }
  }
  const tax = lost / busy;
  const tx = sum.tax;
  assert.ok(tx !== null && sum.indirect_ns !== null && sum.throughput_gain !== null);
  t.diagnostic(
    `tax ${(tx.value * 100).toFixed(2)}% [${(tx.lo * 100).toFixed(2)}, ${(tx.hi * 100).toFixed(2)}] (true ${(tax * 100).toFixed(2)}%), ` +
      `gain ${(sum.throughput_gain.value * 100).toFixed(2)}% (true ${((1 / (1 - tax) - 1) * 100).toFixed(2)}%), ` +
      `disrupted ${sum.disrupted_periods} of ${sum.clean_periods} clean periods, ${sum.irqs_in_busy.toFixed(1)} irqs per 1000 events`,
  );
  assert.equal(sum.busy_ns, busy);
  assert.equal(sum.events, events);
  assert.equal(sum.direct_ns, direct);
  assert.ok(Math.abs(sum.irqs_in_busy - (irqs / events) * 1000) < 1e-9);
  assert.equal(sum.periods, s.periods.length);
  assert.equal(sum.clean_periods, est.periods);
  assert.ok(Math.abs(tx.value - tax) / tax < 0.05, `tax ${tx.value} vs ${tax}`);
  assert.ok(tx.lo <= tax && tax <= tx.hi);
  assert.ok(Math.abs(sum.throughput_gain.value - (1 / (1 - tx.value) - 1)) < 1e-12);
  assert.ok(sum.throughput_gain.lo <= sum.throughput_gain.value && sum.throughput_gain.value <= sum.throughput_gain.hi);
  assert.deepEqual(sum.unestimated, {});
  const ex = excludePeriods(s.periods, OPTS, s.trace.startNs, s.trace.endNs);
  const hit = ex.clean.filter((i) => IRQ_KINDS.some((k) => (s.periods[i]?.irqCount[k] ?? 0) > 0)).length;
  assert.equal(sum.disrupted_periods, hit);
  assert.ok(hit > 0 && hit < sum.clean_periods);
});

test('no interrupts at all: no indirect estimate, zero direct cost, tax 0', () => {
  const s = synth({ seed: 2, periodsPerThread: 600, kinds: [] });
  assert.equal(s.hits.length, 0);
  const opts = { ...OPTS, bootstrap: 10 };
  const est = estimate(s.periods, s.hits, opts, s.trace);
  assert.match(est.notEnoughData ?? '', /no interrupt kind hit the first 20 us .*no interrupts traced/);
  assert.deepEqual(est.indirectPerIrq, {});
  assert.equal(est.periods, 2 * (600 - 200));
  const sum = summarize(s.periods, est, s.trace, opts);
  assert.equal(sum.direct_ns, 0);
  assert.equal(sum.disrupted_periods, 0);
  assert.equal(sum.irqs_in_busy, 0);
  assert.deepEqual(sum.indirect_ns, { value: 0, lo: 0, hi: 0, bound: true });
  assert.deepEqual(sum.tax, { value: 0, lo: 0, hi: 0, bound: true });
  assert.deepEqual(sum.throughput_gain, { value: 0, lo: 0, hi: 0, bound: true });
});

test('too few clean periods: notEnoughData says how many and what was excluded', () => {
  const s = synth({ seed: 3, periodsPerThread: 300, kinds: KINDS });
  const preempted = s.periods.map((p) => ({ ...p, switches: 1 }));
  const est = estimate(preempted, s.hits, OPTS, s.trace);
  assert.equal(est.notEnoughData, 'only 0 clean periods of 600 (need 200); excluded: preempted 600');
  assert.equal(est.periods, 0);
  assert.equal(est.excluded.preempted, 600);
  assert.deepEqual(est.indirectPerIrq, {});
  // warm-up alone can leave too few: 2 x (300 - 200) = 200 would pass, 2 x (300 - 250) = 100 does not
  const warm = estimate(s.periods, s.hits, { ...OPTS, warmup: 250 }, s.trace);
  assert.match(warm.notEnoughData ?? '', /^only 100 clean periods of 600 \(need 200\); excluded: warmup 500$/);
  // the summary keeps direct figures but cannot price indirect cost
  const sum = summarize(preempted, est, s.trace, OPTS);
  assert.equal(sum.indirect_ns, null);
  assert.equal(sum.tax, null);
  assert.match(sum.note ?? '', /indirect cost unknown: only 0 clean periods/);
  assert.ok(sum.direct_ns > 0);
});

test('a kind with too little exposure gets no estimate, and says so', () => {
  const s = synth({
    seed: 4,
    periodsPerThread: 1500,
    kinds: [KINDS[0] as SynthKind, { kind: 'reschedule', ratePerSec: 20, handlerNs: 1_200, penaltyNs: 0 }],
  });
  const est = estimate(s.periods, s.hits, { ...OPTS, bootstrap: 20 }, s.trace);
  assert.ok(est.indirectPerIrq.device !== undefined);
  assert.equal(est.indirectPerIrq.reschedule, undefined);
  assert.ok(
    est.warnings?.some((w) =>
      /^reschedule: \d+ clean periods exposed in their first 20 us \(need 30\); no estimate$/.test(w),
    ),
  );
  const sum = summarize(s.periods, est, s.trace, { ...OPTS, bootstrap: 20 });
  assert.ok((sum.unestimated.reschedule ?? 0) > 0);
  assert.match(sum.note ?? '', /no estimate \(counted as 0 indirect cost\) for: reschedule \d+/);
});

test('deterministic: the same seed gives the same output, another seed other placebo and bootstrap draws', () => {
  const s = synth({ seed: 5, periodsPerThread: 2_500, kinds: KINDS });
  const opts = { ...OPTS, bootstrap: 20, seed: 42 };
  const a = estimate(s.periods, s.hits, opts, s.trace);
  const b = estimate(s.periods, s.hits, opts, s.trace);
  assert.equal(a.notEnoughData, undefined);
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const c = estimate(s.periods, s.hits, { ...opts, seed: 43 }, s.trace);
  assert.notDeepEqual(c.indirectPerIrq.device?.placebo, a.indirectPerIrq.device?.placebo);
  // input order does not matter
  const d = estimate([...s.periods].reverse(), [...s.hits].reverse(), opts, s.trace);
  assert.deepEqual(d, a);
});

test('without time fixed effects the estimate still recovers the penalty', () => {
  const s = synth({ seed: 8, periodsPerThread: 5_000, kinds: KINDS, driftAmplitudeNs: 0 });
  const est = estimate(s.periods, s.hits, { ...OPTS, fixedEffectMs: 0, bootstrap: 0 }, s.trace);
  const dev = kind(est, 'device');
  assert.ok(Math.abs(dev.value - P_DEVICE) / P_DEVICE < 0.1, `device ${dev.value}`);
  assert.deepEqual([dev.lo, dev.hi, dev.bound], [-Infinity, Infinity, true], 'no bootstrap, no interval');
});

test('bad options are rejected', () => {
  const s = synth({ seed: 6, periodsPerThread: 10, kinds: [] });
  assert.throws(() => estimate(s.periods, s.hits, { ...OPTS, exposureUs: 0 }, s.trace), /exposureUs must be > 0/);
  assert.throws(
    () => estimate(s.periods, s.hits, { ...OPTS, lagWindowsUs: [[50, 10]] }, s.trace),
    /lag window \[50, 10\]/,
  );
  assert.throws(
    () => estimate(s.periods, s.hits, { ...OPTS, bootstrap: 1.5 }, s.trace),
    /bootstrap must be an integer/,
  );
});

test('a cost below zero with certainty is a warning that names the kind; the injected positive costs raise none', () => {
  // a kind whose hits shorten the period (what a fit shows when it splits one cost between two kinds
  // that always come together): its interval lies below zero and the estimate must say so
  const s = synth({
    seed: 3,
    threads: 2,
    periodsPerThread: 8_000,
    kinds: [{ kind: 'device', ratePerSec: 10_000, handlerNs: 2_000, penaltyNs: -3_000 }],
  });
  const est = estimate(s.periods, s.hits, OPTS, s.trace);
  const dev = kind(est, 'device');
  assert.ok(dev.hi < 0, `device ${fmt(dev)} should lie below zero`);
  assert.ok(
    (est.warnings ?? []).some((w) => w.startsWith('device: indirect cost') && w.includes('below zero with certainty')),
    JSON.stringify(est.warnings),
  );
  assert.ok(
    !(scenario().est.warnings ?? []).some((w) => w.includes('below zero')),
    'no such warning for positive costs',
  );
});

/** Device interrupts (5 us indirect cost) each followed, after their handler, by the softirq they raise (3 us). */
function deviceChain(handlerNs: number): SynthKind {
  return {
    kind: 'device',
    ratePerSec: 10_000,
    handlerNs,
    penaltyNs: 5_000,
    then: { kind: 'softirq', handlerNs: 1_000, penaltyNs: 3_000 },
  };
}

test('a device IRQ and the softirq it raises are told apart when some periods see one without the other', (t) => {
  // the softirq runs 2 us after the device hit: at the end of the 20 us window it falls outside (phi ~0.89)
  const s = synth({ seed: 5, threads: 2, periodsPerThread: 20_000, kinds: [deviceChain(2_000)] });
  const est = estimate(s.periods, s.hits, OPTS, s.trace);
  const dev = kind(est, 'device');
  const soft = est.indirectPerIrq.softirq;
  assert.ok(soft !== undefined, 'softirq has an estimate');
  t.diagnostic(`device ${fmt(dev)} (true 5000), softirq ${fmt(soft)} (true 3000)`);
  assert.equal(dev.together, undefined);
  assert.ok(dev.lo <= 5_000 && 5_000 <= dev.hi && soft.lo <= 3_000 && 3_000 <= soft.hi);
});

test('kinds that always come together (a device IRQ and its softirq) get one cost per interrupt each, and the tax matches the truth', (t) => {
  // every device hit brings a softirq run 100 ns later, so both land in the same exposure window
  // of the same periods (phi ~0.99): 5 us + 3 us of indirect cost per pair, which no fit can split
  const chain: SynthKind[] = [
    deviceChain(100),
    { kind: 'local_timer', ratePerSec: 250, handlerNs: 15_000, penaltyNs: P_TIMER },
  ];
  const s = synth({ seed: 5, threads: 2, periodsPerThread: 20_000, kinds: chain });
  const est = estimate(s.periods, s.hits, OPTS, s.trace);
  const dev = kind(est, 'device');
  const soft = est.indirectPerIrq.softirq;
  assert.ok(soft !== undefined, 'softirq has an estimate');
  t.diagnostic(
    `device ${fmt(dev)}, softirq ${fmt(soft)} (true 4000 per interrupt of either), warnings ${JSON.stringify(est.warnings)}`,
  );
  assert.deepEqual(dev.together, ['device', 'softirq']);
  assert.deepEqual(soft.together, ['device', 'softirq']);
  assert.equal(soft.value, dev.value);
  assert.ok(dev.lo <= 4_000 && 4_000 <= dev.hi, `device+softirq ${fmt(dev)} covers 4000`);
  assert.ok((est.warnings ?? []).some((w) => w.startsWith('device and softirq come together')));
  assert.ok(!(est.warnings ?? []).some((w) => w.includes('below zero')), 'no opposite-signed split');
  // the independent timer is estimated on its own
  assert.equal(kind(est, 'local_timer').together, undefined);
  // the tax charges every interrupt: the sum over the pair is what matters
  const sum = summarize(s.periods, est, s.trace, OPTS);
  let busy = 0;
  let lost = 0;
  const cost = { device: 100 + 5_000, softirq: 1_000 + 3_000, local_timer: 15_000 + P_TIMER };
  for (const p of s.periods) {
    busy += p.endNs - p.startNs;
    lost +=
      p.irqCount.device * cost.device + p.irqCount.softirq * cost.softirq + p.irqCount.local_timer * cost.local_timer;
  }
  const tax = lost / busy;
  assert.ok(sum.tax !== null && Math.abs(sum.tax.value - tax) / tax < 0.05, `tax ${sum.tax?.value} vs ${tax}`);
  // independent kinds are not merged
  assert.ok(!Object.values(scenario().est.indirectPerIrq).some((e) => e.together), 'no merge without a chain');
});

test('a cost that varies between fixed-effect blocks: whole blocks are resampled, so the interval covers the mean cost', (t) => {
  // the per-interrupt cost drifts from one 20 ms block to the next (sd 40%): a run holds one draw of
  // those blocks, and only resampling whole blocks lets the interval carry that draw's uncertainty
  const drift: SynthKind[] = [
    {
      kind: 'device',
      ratePerSec: 10_000,
      handlerNs: 2_000,
      penaltyNs: P_DEVICE,
      penaltyJitter: { sd: 0.4, blockNs: 20e6 },
    },
  ];
  let coveredClusters = 0;
  let coveredBlocks = 0;
  const widths: [number, number][] = [];
  const seeds = [1, 2, 3, 4, 5, 6];
  for (const seed of seeds) {
    const s = synth({ seed, threads: 2, periodsPerThread: 15_000, kinds: drift });
    const c = kind(estimate(s.periods, s.hits, { ...OPTS, seed }, s.trace), 'device');
    const b = kind(estimate(s.periods, s.hits, { ...OPTS, seed, resample: 'blocks' }, s.trace), 'device');
    if (c.lo <= P_DEVICE && P_DEVICE <= c.hi) coveredClusters++;
    if (b.lo <= P_DEVICE && P_DEVICE <= b.hi) coveredBlocks++;
    widths.push([c.hi - c.lo, b.hi - b.lo]);
    t.diagnostic(`seed ${seed}: clusters ${fmt(c)}, moving blocks ${fmt(b)} (true mean ${P_DEVICE})`);
  }
  t.diagnostic(`covered: clusters ${coveredClusters}/${seeds.length}, moving blocks ${coveredBlocks}/${seeds.length}`);
  assert.ok(
    coveredClusters >= seeds.length - 1,
    `cluster intervals cover the mean in ${coveredClusters} of ${seeds.length}`,
  );
  // the clusters carry the between-block spread the short blocks average away
  for (const [c, b] of widths) assert.ok(c > b, `cluster interval ${c} not wider than the moving-block one ${b}`);
});

test('periods that never see a quiet moment: the estimate says its costs are marginal ones, a lower bound', () => {
  // 10,000 device IRQs/s: ~10 in the 1 ms before each period starts, so no period is undisturbed
  const busy = scenario().est;
  assert.ok(busy.undisturbed !== undefined && busy.undisturbed < 0.01, `undisturbed ${busy.undisturbed}`);
  assert.equal(busy.lowerBound, true);
  assert.ok(busy.warnings?.some((w) => /no interrupt in the \d+ us around their start.*lower bound/.test(w)));
  // 250 ticks/s alone: most periods have a quiet millisecond before them, and no such warning
  const s = synth({ seed: 3, threads: 2, periodsPerThread: 20_000, kinds: [KINDS[1] as SynthKind] });
  const quiet = estimate(s.periods, s.hits, OPTS, s.trace);
  assert.ok(quiet.undisturbed !== undefined && quiet.undisturbed > 0.6, `undisturbed ${quiet.undisturbed}`);
  assert.equal(quiet.lowerBound, undefined);
  assert.ok(!(quiet.warnings ?? []).some((w) => /lower bound/.test(w)), JSON.stringify(quiet.warnings));
});

test('a heavy interrupt load (the cascade steeper than one for one) still settles on the injected cost, not a runaway', () => {
  // 40k interrupts/s of 5 us handler + 15 us penalty take 80% of busy time: a hit in the window lengthens the
  // period enough to catch several more, so plain fixed-point iteration of the correction runs away
  const s = synth({
    seed: 3,
    threads: 1,
    periodsPerThread: 6000,
    kinds: [{ kind: 'call_function', ratePerSec: 40_000, handlerNs: 5_000, penaltyNs: 15_000 }],
  });
  const est = estimate(s.periods, s.hits, { ...OPTS, bootstrap: 0 }, s.trace);
  const k = est.indirectPerIrq.call_function;
  assert.ok(k !== undefined, est.notEnoughData);
  assert.ok(Math.abs(k.value - 15_000) / 15_000 < 0.1, `corrected ${Math.round(k.value)} vs the injected 15000`);
  assert.ok((k.uncorrected ?? 0) > 2 * 15_000, `uncorrected ${Math.round(k.uncorrected ?? NaN)} overshoots`);
  assert.ok(!(est.warnings ?? []).some((w) => /did not settle/.test(w)), (est.warnings ?? []).join('; '));
});

test("an interrupt's after-effect on the periods that start 50 us to 1 ms after it is measured per interrupt; without one it is ~0", (t) => {
  const AFTER = 400; // ns added to every period that starts 50..1000 us after a device interrupt
  const kinds: SynthKind[] = [
    { ...KINDS[0], after: { ns: AFTER, fromNs: 50_000, toNs: 1_000_000 } } as SynthKind,
    KINDS[1] as SynthKind,
  ];
  const s = synth({ seed: 3, threads: 2, periodsPerThread: 20_000, kinds });
  // the truth per interrupt inside a period: all after-effect time over the device interrupts inside periods
  const dev = s.hits.filter((h) => h.kind === 'device').map((h) => h.tsNs);
  const byCpu = new Map<number, number[]>();
  for (const h of s.hits) if (h.kind === 'device') (byCpu.get(h.cpu) ?? byCpu.set(h.cpu, []).get(h.cpu))?.push(h.tsNs);
  let total = 0;
  let inside = 0;
  for (const p of s.periods) {
    const ts = byCpu.get(p.cpuStart) ?? [];
    total += AFTER * ts.filter((x) => x >= p.startNs - 1_000_000 && x < p.startNs - 50_000).length;
    inside += p.irqCount.device;
  }
  assert.ok(dev.length > 0 && inside > 0);
  const truth = total / inside;
  const e = kind(estimate(s.periods, s.hits, OPTS, s.trace), 'device');
  assert.ok(e.after, 'the after-effect is reported');
  t.diagnostic(
    `after ${e.after.value.toFixed(0)} [${e.after.lo.toFixed(0)}, ${e.after.hi.toFixed(0)}] ns per interrupt, truth ${truth.toFixed(0)}`,
  );
  assert.ok(Math.abs(e.after.value - truth) < 0.25 * truth, `after ${e.after.value} vs truth ${truth}`);
  // the in-period cost is still the injected penalty
  assert.ok(Math.abs(e.value - P_DEVICE) < 0.1 * P_DEVICE, `in-period ${e.value}`);
  // with afterEffects on, each interrupt is charged both
  const both = kind(estimate(s.periods, s.hits, { ...OPTS, afterEffects: true }, s.trace), 'device');
  assert.ok(Math.abs(both.value - (P_DEVICE + truth)) < 0.1 * (P_DEVICE + truth), `both ${both.value}`);
  // no after-effect injected: its interval holds 0
  const none = kind(scenario().est, 'device');
  assert.ok(none.after && none.after.lo <= 0 && none.after.hi >= 0, JSON.stringify(none.after));
});
