// The statistics sampler: on for onMs in every everyMs while running; a
// second start does not start a second schedule (top's b key may repeat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsSampler } from '../../src/live/stats-sampler.js';

test('stats sampler: start turns statistics on once, a second start adds nothing, stop turns them off', async () => {
  const sent: boolean[] = [];
  const s = new StatsSampler((on) => sent.push(on), { onMs: 20, everyMs: 60_000 });
  assert.equal(s.running, false);
  s.start();
  s.start();
  assert.equal(s.running, true);
  assert.deepEqual(sent, [true], 'one sample started, not two');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(sent, [true, false], 'off again after onMs');
  s.stop();
  assert.equal(s.running, false);
  assert.deepEqual(sent, [true, false, false]);
});
