// Robust regression: Huber IRLS recovers a slope that a few huge outliers
// drag least squares away from; the dense solver and the fixed-effect
// demeaning behave on small known cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockEquations,
  demeanWithin,
  fixedEffectBlocks,
  HUBER_K,
  huberFit,
  olsFit,
  solveSpd,
  sumEquations,
  type Design,
} from '../../../src/attribution/huber.js';
import { clusterPicks, rowsOfPicks } from '../../../src/attribution/bootstrap.js';
import { Rng } from '../../../src/attribution/rng.js';
import { medianInPlace, percentile, selectInPlace } from '../../../src/attribution/stats.js';

function line(n: number, seed: number, outliers: number): Design {
  const rng = new Rng(seed);
  const p = 2;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.next() * 10;
    X[i * p] = 1;
    X[i * p + 1] = x;
    y[i] = 2 + 3 * x + rng.normal();
    // a few huge outliers, all at large x: they pull a least-squares line up and tilt it
    if (x > 7 && rng.next() < outliers) y[i] = (y[i] ?? 0) + 500;
  }
  return { X, y, n, p };
}

test('Huber recovers the slope with 5% huge outliers; least squares does not', (t) => {
  const d = line(2_000, 7, 0.17); // ~5% of all rows
  const ols = olsFit(d);
  const hub = huberFit(d);
  const slopeOls = ols.beta[1] ?? NaN;
  const slopeHub = hub.beta[1] ?? NaN;
  t.diagnostic(
    `true slope 3: least squares ${slopeOls.toFixed(3)}, Huber ${slopeHub.toFixed(3)} (scale ${hub.scale.toFixed(3)}, ${hub.iterations} iterations)`,
  );
  assert.ok(Math.abs(slopeHub - 3) < 0.1, `Huber slope ${slopeHub}`);
  assert.ok(Math.abs(slopeOls - 3) > 2, `least-squares slope ${slopeOls} should be dragged away`);
  assert.ok(hub.converged);
  assert.ok(Math.abs(hub.scale - 1) < 0.15, 'MAD scale estimates the noise sigma (1), not the outliers');
  // the estimating equations hold at the solution: sum psi(r / s) x = 0
  const psi = [0, 0];
  for (let i = 0; i < d.n; i++) {
    const r = ((d.y[i] ?? 0) - (hub.beta[0] ?? 0) - (hub.beta[1] ?? 0) * (d.X[i * 2 + 1] ?? 0)) / hub.scale;
    const v = Math.max(-HUBER_K, Math.min(HUBER_K, r));
    psi[0] = (psi[0] ?? 0) + v;
    psi[1] = (psi[1] ?? 0) + v * (d.X[i * 2 + 1] ?? 0);
  }
  assert.ok(Math.abs(psi[0] ?? NaN) < 0.05 && Math.abs(psi[1] ?? NaN) < 0.5, `psi sums ${psi.join(', ')}`);
});

test('without outliers Huber and least squares agree', () => {
  const d = line(2_000, 8, 0);
  const ols = olsFit(d);
  const hub = huberFit(d);
  assert.ok(Math.abs((ols.beta[1] ?? NaN) - (hub.beta[1] ?? NaN)) < 0.02);
  assert.ok(Math.abs((hub.beta[1] ?? NaN) - 3) < 0.05);
});

test('rows may repeat (bootstrap resample) and fits warm-start', () => {
  const d = line(500, 9, 0.1);
  const rows = new Int32Array(d.n);
  for (let i = 0; i < d.n; i++) rows[i] = i % 250; // the first half, twice
  const half: Design = { X: d.X.slice(0, 500), y: d.y.slice(0, 250), n: 250, p: 2 };
  const a = huberFit(d, { rows, tol: 1e-10 });
  const b = huberFit(half, { tol: 1e-10 });
  assert.ok(Math.abs((a.beta[1] ?? NaN) - (b.beta[1] ?? NaN)) < 1e-6);
  const warm = huberFit(d, { rows, init: a.beta, tol: 1e-10 });
  assert.ok(warm.iterations <= 2);
});

test('solveSpd solves a small system and drops a collinear column', () => {
  // A = [[4, 2, 0], [2, 3, 1], [0, 1, 2]], x = [1, -1, 2] -> b = [2, 1, 3]
  const { x, dropped } = solveSpd(Float64Array.from([4, 2, 0, 2, 3, 1, 0, 1, 2]), Float64Array.from([2, 1, 3]), 3);
  assert.deepEqual(dropped, [false, false, false]);
  [1, -1, 2].forEach((v, i) => {
    assert.ok(Math.abs((x[i] ?? NaN) - v) < 1e-12);
  });
  // third column = 2 x second column
  const n = 50;
  const p = 3;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X.set([1, i, 2 * i], i * p);
    y[i] = 5 + 0.5 * i;
  }
  const fit = olsFit({ X, y, n, p });
  assert.ok(Number.isNaN(fit.beta[2]));
  assert.ok(Math.abs((fit.beta[0] ?? NaN) - 5) < 1e-9 && Math.abs((fit.beta[1] ?? NaN) - 0.5) < 1e-12);
  const h = huberFit({ X, y, n, p });
  assert.ok(h.converged && Number.isNaN(h.beta[2]));
});

test('fixed effects: demeaning within blocks removes block levels and drops singleton blocks', () => {
  // y = 10 * block + 2 x: within blocks, only the slope remains
  const starts = [0, 1, 2, 10, 11, 12, 13, 25];
  const blocks = fixedEffectBlocks(starts, 0, 10);
  assert.deepEqual([...blocks], [0, 0, 0, 1, 1, 1, 1, 2]);
  assert.deepEqual([...fixedEffectBlocks(starts, 0, 0)], [0, 0, 0, 0, 0, 0, 0, 0]);
  const xs = [1, 2, 6, 0, 3, 4, 5, 9];
  const n = starts.length;
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  xs.forEach((x, i) => {
    X.set([1, x], i * 2);
    y[i] = 10 * (blocks[i] ?? 0) + 2 * x;
  });
  const { design, from } = demeanWithin({ X, y, n, p: 2 }, blocks);
  assert.deepEqual([...from], [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(design.n, 7);
  assert.deepEqual([...design.y], [-4, -2, 6, -6, 0, 2, 4]);
  for (let i = 0; i < 7; i++) assert.equal(design.X[i * 2], 1, 'the intercept column is kept');
  const fit = olsFit(design);
  assert.ok(Math.abs((fit.beta[1] ?? NaN) - 2) < 1e-12);
  assert.ok(Math.abs(fit.beta[0] ?? NaN) < 1e-12);
});

test('order statistics', () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    const a = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 20)); // many ties
    const sorted = [...a].sort((x, y) => x - y);
    for (const k of [0, n >> 1, n - 1]) assert.equal(selectInPlace(Float64Array.from(a), k), sorted[k]);
    const med = n % 2 ? sorted[n >> 1] : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
    assert.equal(medianInPlace(Float64Array.from(a)), med);
  }
  assert.ok(Number.isNaN(medianInPlace(new Float64Array(0))));
  assert.equal(percentile([3, 1, 2, NaN, 4], 0.5), 2.5);
  assert.equal(percentile([0, 10], 0.025), 0.25);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('a resample of whole blocks fitted from summed block equations is the fit over its rows', () => {
  const d = line(1_000, 11, 0.1);
  const starts = [0, 90, 250, 251, 400, 620, 800, 1_000]; // uneven blocks, one of a single row
  const blocks = blockEquations(d, starts);
  const rng = new Rng(3);
  for (let b = 0; b < 5; b++) {
    const picks = clusterPicks(starts, rng);
    const rows = rowsOfPicks(starts, picks);
    assert.equal(
      rows.length,
      [...picks].reduce((n, k) => n + (starts[k + 1] ?? 0) - (starts[k] ?? 0), 0),
    );
    const direct = huberFit(d, { rows });
    const summed = huberFit(d, { rows, base: sumEquations(blocks, picks, d.p) });
    assert.equal(summed.iterations, direct.iterations);
    for (let j = 0; j < d.p; j++)
      assert.ok(
        Math.abs((summed.beta[j] ?? NaN) - (direct.beta[j] ?? NaN)) < 1e-9,
        `coefficient ${j}: ${summed.beta[j]} vs ${direct.beta[j]}`,
      );
  }
});
