// Exclusion of busy periods, by reason, on a hand-made set: each period is
// counted once, under the first reason that applies, and warm-up is counted
// per thread in start order, whatever the input order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeExcluded,
  excludePeriods,
  exclusionReason,
  type ExclusionOptions,
} from '../../../src/attribution/exclude.js';
import type { BusyPeriod } from '../../../src/attribution/types.js';
import { period } from './synth.js';

const US = 1_000;
const MS = 1_000_000;
const TRACE = { startNs: 1 * MS, endNs: 10 * MS };
const OPTS: ExclusionOptions = {
  warmup: 1,
  exposureUs: 20,
  lagWindowsUs: [
    [0, 50],
    [50, 100],
  ],
};

/** A 50 us period of thread (tgid, tid) starting at `ms`. */
function at(ms: number, tid: number, over: Partial<BusyPeriod> = {}, tgid = 1): BusyPeriod {
  return period({ tgid, tid, startNs: ms * MS, endNs: ms * MS + 50 * US, ...over });
}

const CASES: { name: string; p: BusyPeriod; want: string | null }[] = [
  // thread 1: the input order is not the start order; its first period by start time is warm-up
  { name: 'a1 switched away and migrated', p: at(3, 1, { switches: 1, cpuEnd: 1 }), want: 'preempted' },
  { name: 'a0 first of thread 1', p: at(2, 1), want: 'warmup' },
  { name: 'a2 off CPU', p: at(4, 1, { offCpuNs: 5 }), want: 'preempted' },
  { name: 'a3 migrated with steal', p: at(5, 1, { cpuEnd: 1, stealNs: 10 }), want: 'migrated' },
  { name: 'a4 steal', p: at(6, 1, { stealNs: 10 }), want: 'steal' },
  { name: 'a5 no events', p: at(7, 1, { events: 0 }), want: 'empty' },
  { name: 'a6 runs past the trace end', p: at(9.99, 1), want: 'straddling' },
  { name: 'a7 shorter than the exposure window', p: at(8, 1, { endNs: 8 * MS + 19 * US }), want: 'short' },
  { name: 'a8', p: at(8.5, 1), want: null },
  { name: 'a9 exactly the exposure window long', p: at(9, 1, { endNs: 9 * MS + 20 * US }), want: null },
  // thread 2: warm-up comes before straddling; lag windows must be traced too
  { name: 'b0 before the trace, first of thread 2', p: at(0.5, 2), want: 'warmup' },
  { name: 'b1 over the trace start', p: at(0.99, 2), want: 'straddling' },
  { name: 'b2 lag window before the trace start', p: at(1.05, 2), want: 'straddling' },
  { name: 'b3 lag window exactly at the trace start', p: at(1.1, 2), want: null },
  { name: 'b4 empty and short', p: at(3, 2, { events: 0, endNs: 3 * MS + 1 * US }), want: 'empty' },
  // same tid in another process: a thread of its own
  { name: 'c0 first of (2, 1)', p: at(2, 1, {}, 2), want: 'warmup' },
  { name: 'c1', p: at(2.5, 1, {}, 2), want: null },
];

test('exclusion counts by reason on a hand-made set', () => {
  const periods = CASES.map((c) => c.p);
  const ex = excludePeriods(periods, OPTS, TRACE.startNs, TRACE.endNs);
  CASES.forEach((c, i) => {
    assert.equal(ex.reasons[i], c.want, c.name);
  });
  assert.deepEqual(ex.excluded, { preempted: 2, migrated: 1, steal: 1, warmup: 3, empty: 2, straddling: 3, short: 1 });
  assert.deepEqual(
    ex.clean.map((i) => CASES[i]?.name),
    ['a8', 'a9 exactly the exposure window long', 'b3 lag window exactly at the trace start', 'c1'],
  );
  const total = Object.values(ex.excluded).reduce((s, v) => s + v, 0);
  assert.equal(total + ex.clean.length, periods.length);
  assert.equal(
    describeExcluded(ex.excluded),
    'preempted 2, migrated 1, steal 1, warmup 3, empty 2, straddling 3, short 1',
  );
});

test('no warm-up and no lag windows: only the period itself must be inside the trace', () => {
  const p = at(1.01, 1);
  assert.equal(exclusionReason(p, 0, { warmup: 0, exposureUs: 20 }, TRACE.startNs, TRACE.endNs), null);
  assert.equal(
    exclusionReason(p, 0, { warmup: 0, exposureUs: 20, lagWindowsUs: [[0, 50]] }, TRACE.startNs, TRACE.endNs),
    'straddling',
  );
  assert.equal(
    exclusionReason(at(0.999, 1), 0, { warmup: 0, exposureUs: 20 }, TRACE.startNs, TRACE.endNs),
    'straddling',
  );
  assert.equal(excludePeriods([], OPTS, 0, 1).clean.length, 0);
  assert.equal(describeExcluded(excludePeriods([], OPTS, 0, 1).excluded), 'none');
});
