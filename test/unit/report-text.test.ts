// The report's tax line says what kind of figure the tax is: a point, an
// upper bound, or (with no quiet baseline) at least a point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taxLine } from '../../src/report/report-text.js';
import { busyPeriodsTraced } from '../../src/report/cost-report.js';
import { REC } from '../../src/stream/layout.js';
import type { ProgStatus } from '../../src/stream/types.js';

const tax = (value: number, lo: number, hi: number) => ({ value, lo, hi, bound: lo <= 0 && 0 <= hi });

test('tax line: a point with its interval, "at least" only for a lower bound that is a point', () => {
  assert.match(
    taxLine({ tax: tax(0.2, 0.18, 0.22), tax_lower_bound: false, undisturbed_share: 0.5 }),
    /: 20\.0% \[18\.0%, 22\.0%\]$/,
  );
  assert.match(
    taxLine({ tax: tax(0.2, 0.18, 0.22), tax_lower_bound: true, undisturbed_share: 0.01 }),
    /: at least 20\.0% \[18\.0%, 22\.0%\] \(a lower bound: only 1\.00% of periods had a quiet moment before them\)$/,
  );
  // an interval that includes zero is an upper bound; it never reads "at least <= ..."
  const upper = taxLine({ tax: tax(0.01, -0.01, 0.03), tax_lower_bound: true, undisturbed_share: 0.01 });
  assert.match(upper, /: <= 3\.00% \(upper bound/);
  assert.doesNotMatch(upper, /at least/);
  assert.match(taxLine({ tax: null, tax_lower_bound: false, undisturbed_share: null }), /: unknown$/);
});

test('busy periods count as traced only with period records streamed and an epoll program attached', () => {
  const prog = (tracepoint: string, status: ProgStatus['status'], group?: ProgStatus['group']): ProgStatus => ({
    name: tracepoint,
    tracepoint,
    status,
    err: 0,
    ...(group ? { group } : {}),
  });
  const periods = 1 << REC.PERIOD;
  const hardirq = prog('irq_handler_entry', 'attached', 'hardirq');
  const epollOn = prog('sys_exit_epoll_wait', 'attached', 'epoll');
  const epollOff = prog('sys_exit_epoll_wait', 'disabled', 'epoll');
  assert.equal(busyPeriodsTraced({ recordMask: periods, progs: [hardirq, epollOn] }), true);
  // a default recording: epoll not attached, no period records
  assert.equal(busyPeriodsTraced({ recordMask: 1 << REC.HARDIRQ, progs: [hardirq, epollOff] }), false);
  assert.equal(busyPeriodsTraced({ recordMask: periods, progs: [hardirq, epollOff] }), false);
  assert.equal(busyPeriodsTraced({ recordMask: 1 << REC.HARDIRQ, progs: [hardirq, epollOn] }), false);
  // streams from before groups were in the hello: by the tracepoint's name
  assert.equal(busyPeriodsTraced({ recordMask: periods, progs: [prog('sys_exit_epoll_pwait', 'attached')] }), true);
  assert.equal(busyPeriodsTraced({ recordMask: periods, progs: [prog('irq_handler_entry', 'attached')] }), false);
});
