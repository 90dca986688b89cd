// The PMU path (IPC, IPQ, CPQ of clean vs disturbed periods, exactly), and
// the estimator in cycles currency: the per-interrupt figure then holds the
// direct cycles too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate } from '../../../src/attribution/estimate.js';
import { ipcFigures, summarize } from '../../../src/attribution/summary.js';
import type { BusyPeriod, EstimatorOptions } from '../../../src/attribution/types.js';
import { period, synth, zeroByKind } from './synth.js';

function hitBy(n: number): Pick<BusyPeriod, 'irqCount' | 'irqNs'> {
  const irqCount = zeroByKind();
  const irqNs = zeroByKind();
  irqCount.device = n;
  irqNs.device = n * 2_000;
  return { irqCount, irqNs };
}

test('IPC, IPQ, CPQ and IPC loss of clean vs disturbed periods, exact', () => {
  const periods: BusyPeriod[] = [
    // clean: 3 periods, 6 events, 3,000 cycles, 6,000 instructions -> IPC 2, IPQ 1000, CPQ 500
    period({ events: 1, cycles: 500, instructions: 1_000 }),
    period({ events: 2, cycles: 1_000, instructions: 2_000 }),
    period({ events: 3, cycles: 1_500, instructions: 3_000 }),
    // disturbed: 2 periods, 5 events, 4,000 cycles, 5,000 instructions -> IPC 1.25, IPQ 1000, CPQ 800
    period({ events: 2, cycles: 1_000, instructions: 1_000, ...hitBy(1) }),
    period({ events: 3, cycles: 3_000, instructions: 4_000, ...hitBy(2) }),
    // no counters: skipped
    period({ events: 9, ...hitBy(1) }),
  ];
  const f = ipcFigures(periods);
  assert.ok(f !== null);
  assert.deepEqual(f.clean, {
    periods: 3,
    events: 6,
    cycles: 3_000,
    instructions: 6_000,
    ipc: 2,
    ipq: 1_000,
    cpq: 500,
  });
  assert.deepEqual(f.disturbed, {
    periods: 2,
    events: 5,
    cycles: 4_000,
    instructions: 5_000,
    ipc: 1.25,
    ipq: 1_000,
    cpq: 800,
  });
  // IPQ flat, CPQ up: the loss is all IPC, (1 - 1.25 / 2) x 100
  assert.equal(f.ipcLossPct, 37.5);
});

test('IPC figures: null without a PMU, no loss with an empty group', () => {
  assert.equal(ipcFigures([period(), period(hitBy(1))]), null);
  assert.equal(ipcFigures([]), null);
  const f = ipcFigures([period({ cycles: 100, instructions: 300, events: 2 })]);
  assert.ok(f !== null);
  assert.equal(f.clean.ipc, 3);
  assert.deepEqual(f.disturbed, { periods: 0, events: 0, cycles: 0, instructions: 0, ipc: null, ipq: null, cpq: null });
  assert.equal(f.ipcLossPct, null);
});

test('PMU synthetic workload: exact IPC per group; cycles currency recovers cycles per interrupt', (t) => {
  const F = 2.5; // cycles per ns
  const s = synth({
    seed: 21,
    threads: 2,
    periodsPerThread: 15_000,
    kinds: [{ kind: 'device', ratePerSec: 10_000, handlerNs: 2_000, penaltyNs: 5_000 }],
    pmu: { cyclesPerNs: F, ipcClean: 2, ipcDisturbed: 1.5 },
  });
  const f = ipcFigures(s.periods);
  assert.ok(f !== null && f.clean.ipc !== null && f.disturbed.ipc !== null && f.ipcLossPct !== null);
  assert.ok(Math.abs(f.clean.ipc - 2) < 1e-12 && Math.abs(f.disturbed.ipc - 1.5) < 1e-12);
  assert.ok(Math.abs(f.ipcLossPct - 25) < 1e-9);
  assert.ok(f.clean.cpq !== null && f.clean.ipq !== null && Math.abs(f.clean.ipq / f.clean.cpq - 2) < 1e-12);

  const opts: EstimatorOptions = {
    exposureUs: 20,
    lagWindowsUs: [
      [0, 50],
      [50, 500],
    ],
    fixedEffectMs: 20,
    bootstrap: 50,
    blockLength: 50,
    warmup: 200,
    seed: 3,
    currency: 'cycles',
  };
  const est = estimate(s.periods, s.hits, opts, s.trace);
  const dev = est.indirectPerIrq.device;
  assert.ok(dev !== undefined, est.notEnoughData);
  const truth = F * (2_000 + 5_000); // handler and penalty, both in the period's cycles
  t.diagnostic(
    `device: ${Math.round(dev.value)} [${Math.round(dev.lo)}, ${Math.round(dev.hi)}] cycles per irq (true ${truth}), placebo ${Math.round(dev.placebo.value)}`,
  );
  assert.equal(est.currency, 'cycles');
  assert.ok(Math.abs(dev.value - truth) / truth < 0.05);
  assert.ok(dev.lo <= truth && truth <= dev.hi);
  assert.ok(dev.placebo.lo <= 0 && 0 <= dev.placebo.hi);

  const sum = summarize(s.periods, est, s.trace, opts);
  let cycles = 0;
  let lost = 0;
  for (const p of s.periods) {
    cycles += p.cycles ?? 0;
    lost += p.irqCount.device * truth;
  }
  assert.equal(sum.busy_cycles, cycles);
  assert.equal(sum.indirect_ns, null);
  assert.ok(sum.cost_cycles !== null && sum.tax !== null);
  t.diagnostic(
    `tax ${(sum.tax.value * 100).toFixed(2)}% [${(sum.tax.lo * 100).toFixed(2)}, ${(sum.tax.hi * 100).toFixed(2)}] (true ${((lost / cycles) * 100).toFixed(2)}%)`,
  );
  assert.ok(Math.abs(sum.tax.value - lost / cycles) / (lost / cycles) < 0.05);
  // cycles currency without counters: says so
  const none = estimate(
    s.periods.map((p) => ({ ...p, cycles: null })),
    s.hits,
    opts,
    s.trace,
  );
  assert.match(none.notEnoughData ?? '', /needs PMU cycles on every period; 29600 of 29600 clean periods have none/);
});
