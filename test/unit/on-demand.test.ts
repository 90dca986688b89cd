// Probe groups on demand (serve): what is attached as readers come and go, and
// which intervals a group ran through whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnDemandGroups } from '../../src/live/on-demand.js';

const BASE = ['hardirq', 'softirq'];

function groups() {
  const sets: string[][] = [];
  const d = new OnDemandGroups({
    base: BASE,
    set: (g) => {
      sets.push([...g]);
    },
  });
  return { d, sets };
}

test('nothing attaches until read; a read attaches for its hold, then the groups detach', () => {
  const { d, sets } = groups();
  assert.equal(d.tick(0), false);
  assert.deepEqual(sets, []);
  assert.equal(d.isAttached('napi'), false);
  assert.equal(d.isAttached('hardirq'), true);

  d.want(['napi'], 10_000);
  assert.equal(d.tick(1), true);
  assert.deepEqual(sets, [['hardirq', 'softirq', 'napi']]);
  assert.equal(d.isAttached('napi'), true);
  // asked again while attached: no command
  d.want(['napi'], 12_000);
  assert.equal(d.tick(5_000), false);
  // a longer reader adds its group; a shorter hold never shortens a longer one
  d.want(['napi', 'softirq-raise'], 20_000);
  d.want(['napi'], 3_000);
  assert.equal(d.tick(6_000), true);
  assert.deepEqual(sets[sets.length - 1], ['hardirq', 'softirq', 'napi', 'softirq-raise']);
  assert.equal(d.tick(19_999), false);
  assert.equal(d.tick(20_000), true);
  assert.deepEqual(sets[sets.length - 1], BASE);
  assert.equal(d.isAttached('napi'), false);
});

test('a group covers intervals from the second snapshot edge after it attached, and none once detached', () => {
  const { d } = groups();
  assert.equal(d.covers('hardirq', 0n), true, 'base groups cover every interval');
  d.want(['napi'], 1_000);
  d.tick(0);
  // the first edge may be a snapshot asked for before the attach: the interval after it is still partial
  d.edge(100n);
  assert.equal(d.covers('napi', 100n), false);
  d.edge(200n);
  assert.equal(d.covers('napi', 100n), false, 'the interval 100..200 began before the first surely-attached edge');
  assert.equal(d.covers('napi', 200n), true);
  d.edge(300n);
  assert.equal(d.covers('napi', 300n), true);
  // detached between edges: the interval it ended in, and every later one, are not covered
  d.tick(1_000);
  assert.equal(d.covers('napi', 300n), false);
  d.edge(400n);
  assert.equal(d.covers('napi', 400n), false);
  // attached again: coverage starts over
  d.want(['napi'], 5_000);
  d.tick(2_000);
  d.edge(500n);
  assert.equal(d.covers('napi', 500n), false);
  d.edge(600n);
  assert.equal(d.covers('napi', 600n), true);
});

test('read: a reader keeps its groups for its hold and attaches them at once', () => {
  const { d, sets } = groups();
  d.read({ groups: ['napi'], holdMs: 1_000 }, 0);
  assert.deepEqual(sets, [['hardirq', 'softirq', 'napi']]);
  d.read({ groups: ['napi'], holdMs: 1_000 }, 500);
  assert.equal(sets.length, 1, 'read again while attached: no command');
  assert.equal(d.tick(1_499), false);
  assert.equal(d.tick(1_500), true, 'detached a hold after the last read');
});
