// A condition whose interrupts were too rare to estimate is priced at the
// other condition's cost per interrupt: exact arithmetic on hand-made figures,
// and the cases where that must not happen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyFigures } from '../../../src/attribution/summary.js';
import {
  PHASE_MIN_PERIODS,
  directShare,
  pairPredictions,
  phaseTaxes,
  priceWithB,
  type PassiveResult,
  type PhaseTax,
} from '../../../src/experiment/passive.js';
import { period, synth, zeroByKind } from '../attribution/synth.js';

/** A: 1 ms busy in two periods, 2 device IRQs of 2 us each and 5 timer ticks of 1 us each, no own estimate. */
function rareA(): PassiveResult {
  const irqCount = zeroByKind();
  const irqNs = zeroByKind();
  irqCount.device = 2;
  irqNs.device = 4_000;
  irqCount.local_timer = 5;
  irqNs.local_timer = 5_000;
  const periods = [
    period({ startNs: 0, endNs: 600_000, irqCount, irqNs }),
    period({ startNs: 700_000, endNs: 1_100_000 }),
  ];
  return {
    estimate: { tax: null, gain: null, note: 'too few exposed periods', lower_bound: false, tax_from: null },
    figures: busyFigures(periods),
    perIrq: {},
    currency: 'time',
    phases: [],
  };
}

/** B: a device cost of 3 us [2, 4] per interrupt, nothing for timer ticks. */
function denseB(lowerBound = false): PassiveResult {
  return {
    estimate: {
      tax: { value: 0.2, lo: 0.15, hi: 0.25, bound: false },
      gain: null,
      note: null,
      lower_bound: lowerBound,
      tax_from: 'own',
    },
    figures: null,
    perIrq: { device: { value: 3_000, lo: 2_000, hi: 4_000, bound: false } },
    currency: 'time',
    phases: [],
  };
}

test("A's rare interrupts at B's cost per interrupt: direct time plus B's cost for each, exactly", () => {
  const a = priceWithB(rareA(), denseB());
  assert.equal(a.tax_from, 'b_costs');
  assert.ok(a.tax);
  // direct 9 us + 2 x 3 us over 1 ms busy; the interval from B's [2, 4] us
  assert.ok(Math.abs(a.tax.value - 0.015) < 1e-12, String(a.tax.value));
  assert.ok(Math.abs(a.tax.lo - 0.013) < 1e-12, String(a.tax.lo));
  assert.ok(Math.abs(a.tax.hi - 0.017) < 1e-12, String(a.tax.hi));
  assert.ok(a.gain && Math.abs(a.gain.value - (1 / 0.985 - 1)) < 1e-12);
  // the reader is told where the figure came from and what it leaves out
  assert.match(a.note ?? '', /priced at B's cost per interrupt/);
  assert.match(a.note ?? '', /too few exposed periods/);
  assert.match(a.note ?? '', /local_timer 5/);
  assert.equal(a.lower_bound, false);
  // B's costs marginal ones: A's tax priced with them is a lower bound too
  assert.equal(priceWithB(rareA(), denseB(true)).lower_bound, true);
});

test('A keeps its own estimate; no B costs or another currency leave A as it was', () => {
  const own = rareA();
  own.estimate = { ...own.estimate, tax: { value: 0.01, lo: 0, hi: 0.02, bound: true }, tax_from: 'own' };
  assert.deepEqual(priceWithB(own, denseB()), own.estimate);
  const noCosts = denseB();
  noCosts.perIrq = {};
  assert.deepEqual(priceWithB(rareA(), noCosts), rareA().estimate);
  const cycles = denseB();
  cycles.currency = 'cycles';
  assert.deepEqual(priceWithB(rareA(), cycles), rareA().estimate);
});

test("one prediction per pair from the two phases' own taxes; a phase without one is priced, a pair nobody can price is left out", () => {
  const figs = rareA().figures;
  assert.ok(figs);
  const ph = (pair: number, tax: number | null): PhaseTax => ({ pair, tax, figures: figs });
  const a = rareA();
  a.phases = [ph(0, 0.1), ph(1, null), ph(2, 0.0), ph(3, 0.05)];
  const b = denseB();
  b.phases = [ph(0, 0.28), ph(1, 0.2), ph(2, null), ph(4, 0.3)];
  const r = pairPredictions(a, b);
  // pair 0: 1 - 0.72/0.9 = 0.2; pair 1: A priced at B's costs (0.015): 1 - 0.8/0.985;
  // pair 2: B priced at B's own costs (0.015): 1 - 0.985/1; pair 3: no B phase
  assert.equal(r.slowdowns.length, 3);
  assert.ok(Math.abs((r.slowdowns[0] ?? NaN) - 0.2) < 1e-12);
  assert.ok(Math.abs((r.slowdowns[1] ?? NaN) - (1 - 0.8 / 0.985)) < 1e-12);
  assert.ok(Math.abs((r.slowdowns[2] ?? NaN) - 0.015) < 1e-12);
  assert.equal(r.priced, 2);
  // no costs anywhere: the unpriceable pairs are left out, not read as zero tax
  const bare = denseB();
  bare.perIrq = {};
  bare.phases = b.phases;
  assert.equal(pairPredictions(a, bare).slowdowns.length, 1);
});

test(`a phase gets an estimate of its own from ${PHASE_MIN_PERIODS} clean periods on, below that none (its interrupts are priced later)`, () => {
  // one thread, 3,000 periods of ~45 us with device IRQs (3 us handler, 6 us indirect) at 8k/s
  const s = synth({
    seed: 3,
    threads: 1,
    periodsPerThread: 3_000,
    kinds: [{ kind: 'device', ratePerSec: 8_000, handlerNs: 3_000, penaltyNs: 6_000 }],
  });
  const starts = s.periods.map((p) => p.startNs).sort((a, b) => a - b);
  const at = (i: number) => starts[Math.min(i, starts.length - 1)] ?? 0;
  const phases = [
    { pair: 0, fromNs: at(0), toNs: at(2_999) + 1 }, // ~3,000 periods
    { pair: 1, fromNs: at(0), toNs: at(PHASE_MIN_PERIODS / 2) }, // ~500
  ];
  const input = { periods: s.periods, hits: s.hits, phases };
  const [big, small] = phaseTaxes(input, s.periods[0]?.tgid ?? 0, false);
  assert.ok(big?.tax !== null && big?.tax !== undefined && big.tax > 0, `own estimate: ${String(big?.tax)}`);
  assert.equal(small?.tax, null, 'too few clean periods for an estimate of its own');
  assert.ok((small?.figures.count.device ?? 0) > 0, 'its interrupts are still counted, for pricing');
});

test("a condition without a tax: its interrupts' handler time over busy time stands in (a lower bound); none without figures or in cycles", () => {
  // rareA: 9 us of handlers in 1 ms of busy time
  const d = directShare(rareA());
  assert.ok(d && Math.abs(d.value - 0.009) < 1e-12 && d.lo === d.value && d.hi === d.value, JSON.stringify(d));
  assert.equal(directShare(denseB()), null, 'no figures');
  assert.equal(directShare({ ...rareA(), currency: 'cycles' }), null, 'cycles: no handler share of time');
});
