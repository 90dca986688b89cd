// The A/B arithmetic on phases whose answer is known, and the IRQ-to-CPU
// reading on a fixed /proc/interrupts text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapMedian,
  pairSlowdowns,
  phaseOrder,
  predictedSlowdown,
  predictedWithSteal,
  slowdownWithSteal,
  intervalsOverlap,
  stealShare,
  stealSlowdown,
  type Phase,
} from '../../../src/experiment/stats.js';
import { irqCpus } from '../../../src/experiment/switches.js';

const phase = (pair: number, condition: 'A' | 'B', events: number): Phase => ({
  pair,
  condition,
  fromNs: 0,
  toNs: 1e9,
  events,
});

test('pair slowdowns: 1 - B/A per pair; a pair missing a side or with A = 0 is left out', () => {
  const phases = [
    phase(0, 'A', 1000),
    phase(0, 'B', 750),
    phase(1, 'B', 900),
    phase(1, 'A', 1000),
    phase(2, 'A', 1000),
    phase(3, 'A', 0),
    phase(3, 'B', 5),
  ];
  assert.deepEqual(
    pairSlowdowns(phases).map((x) => Math.round(x * 1000) / 1000),
    [0.25, 0.1],
  );
});

test('bootstrap median: the median of the pairs, an interval around it, unbounded below two pairs', () => {
  const xs = [0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.25];
  const m = bootstrapMedian(xs, 1);
  assert.equal(m.value, 0.25);
  assert.ok(m.lo >= 0.2 && m.lo <= 0.25 && m.hi >= 0.25 && m.hi <= 0.3 && !m.bound, JSON.stringify(m));
  assert.deepEqual(bootstrapMedian(xs, 1), m, 'seeded: the same interval again');
  const one = bootstrapMedian([0.3], 1);
  assert.equal(one.lo, -Infinity);
  assert.equal(one.bound, true);
});

test('phase order: each pair holds one A and one B, seeded, both orders occur', () => {
  const o = phaseOrder(40, 7);
  assert.ok(o.every((p) => [...p].sort().join('') === 'AB'));
  assert.deepEqual(phaseOrder(40, 7), o);
  assert.ok(o.some((p) => p[0] === 'A') && o.some((p) => p[0] === 'B'));
});

test('predicted slowdown: 1 - (1 - taxB)/(1 - taxA), its interval from the taxes at their extremes', () => {
  const p = predictedSlowdown({ value: 0, lo: 0, hi: 0, bound: true }, { value: 0.25, lo: 0.2, hi: 0.3, bound: false });
  assert.ok(Math.abs(p.value - 0.25) < 1e-12 && Math.abs(p.lo - 0.2) < 1e-12 && Math.abs(p.hi - 0.3) < 1e-12);
  const q = predictedSlowdown(
    { value: 0.1, lo: 0.1, hi: 0.1, bound: false },
    { value: 0.1, lo: 0.1, hi: 0.1, bound: false },
  );
  assert.ok(Math.abs(q.value) < 1e-12 && q.bound);
});

const INTERRUPTS = `           CPU0       CPU1
 36:          0    1713888 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
 38:       5000       4000 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
 39:          0          0 PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0
LOC:     123456     234567   Local timer interrupts
`;

test('steal: its share of a phase, the slowdown it alone explains, and the prediction with it on top', () => {
  assert.equal(stealShare({ ...phase(0, 'B', 10), stealNs: 5e7 }), 0.05);
  assert.equal(stealShare(phase(0, 'A', 10)), 0, 'unknown steal counts as none');
  // 10% of B's wall time stolen, none of A's: B keeps 90% of the CPU, a 10% slowdown
  assert.ok(Math.abs(stealSlowdown(0, 0.1) - 0.1) < 1e-12);
  assert.equal(stealSlowdown(0.02, 0.02), 0);
  // B: 10% of the wall time stolen and 20% of the (steal-including) busy time to interrupts; A: 2% to interrupts.
  // B keeps 1 - 0.1 - 0.2 = 70%, A 98%: a slowdown of 1 - 0.7/0.98
  assert.ok(Math.abs(slowdownWithSteal(0.02, 0, 0.2, 0.1) - (1 - 0.7 / 0.98)) < 1e-12);
  assert.ok(Number.isNaN(slowdownWithSteal(0.6, 0.5, 0.1, 0)), 'nothing left in A: no slowdown');
  const iv = (value: number, lo: number, hi: number) => ({ value, lo, hi, bound: false });
  const p = predictedWithSteal(iv(0.02, 0.01, 0.03), 0, iv(0.2, 0.15, 0.25), 0.1);
  assert.ok(Math.abs(p.value - (1 - 0.7 / 0.98)) < 1e-12);
  // lo: A's tax at its high end, B's at its low end; hi the other way
  assert.ok(Math.abs(p.lo - (1 - 0.75 / 0.97)) < 1e-12 && Math.abs(p.hi - (1 - 0.65 / 0.99)) < 1e-12);
  assert.equal(p.bound, false);
  // no steal: the slowdown of the taxes alone
  assert.ok(Math.abs(slowdownWithSteal(0.02, 0, 0.2, 0) - (1 - 0.8 / 0.98)) < 1e-12);
});

test('irqCpus: the CPUs that take an IRQ and the others, by its exact name; none when it lands everywhere or nowhere', () => {
  assert.deepEqual(irqCpus('virtio1-req.0', INTERRUPTS), { under: [1], away: [0] });
  assert.equal(irqCpus('virtio2-input.0', INTERRUPTS), null, 'on both CPUs: nothing to pin away from');
  assert.equal(irqCpus('virtio2-output.0', INTERRUPTS), null, 'no interrupts yet');
  assert.equal(irqCpus('virtio1-req', INTERRUPTS), null, 'a prefix is not the name');
});

test('intervals overlap: a shared value, touching ends included; null when either is missing or not finite', () => {
  const i = (lo: number, hi: number) => ({ lo, hi });
  // a precise prediction beside a noisy measurement: it misses the measured median but is consistent with it
  assert.equal(intervalsOverlap(i(0.17, 0.178), i(0.085, 0.234)), true);
  assert.equal(intervalsOverlap(i(0.1, 0.2), i(0.2, 0.3)), true);
  assert.equal(intervalsOverlap(i(0.1, 0.15), i(0.2, 0.3)), false);
  assert.equal(intervalsOverlap(i(0.4, 0.5), i(0.2, 0.3)), false);
  assert.equal(intervalsOverlap(null, i(0.2, 0.3)), null);
  assert.equal(intervalsOverlap(i(0.1, NaN), i(0.2, 0.3)), null);
});
