// The workload's own count at a mark's timestamp, from reads just before and after the mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workAt } from '../../../src/experiment/run.js';

test('the count at the mark: interpolated between the reads around it, clamped to them', () => {
  // 1000 counts over 100 ms around a mark taken 20 ms in: 200 counted by then, not the 1000 read after it
  assert.equal(workAt(1_000_000_000n, 5000, 1_100_000_000n, 6000, 1_020_000_000n), 5200);
  assert.equal(workAt(1_000_000_000n, 5000, 1_100_000_000n, 6000, 1_100_000_000n), 6000);
  // a timestamp outside the reads (clocks a little apart) takes the nearer read
  assert.equal(workAt(1_000_000_000n, 5000, 1_100_000_000n, 6000, 900_000_000n), 5000);
  assert.equal(workAt(1_000_000_000n, 5000, 1_100_000_000n, 6000, 1_300_000_000n), 6000);
  // no time between the reads, or a count that went back: the later read
  assert.equal(workAt(1_000_000_000n, 5000, 1_000_000_000n, 6000, 1_000_000_000n), 6000);
  assert.equal(workAt(1_000_000_000n, 7000, 1_100_000_000n, 6000, 1_050_000_000n), 6000);
});
