// compare on synthetic recordings with a known difference: the doubled IRQ
// rate is found and called beyond noise; what did not change is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Recording } from '../../../src/record/reader.js';
import { compareProfiles, histQuantile, profile, type Comparison, type Metric } from '../../../src/record/compare.js';
import { compareText } from '../../../src/record/compare-text.js';
import { scratch } from './support.js';
import { synthRecording, type SynthSpec } from './synth.js';

const dir = scratch();
const base: SynthSpec = { seconds: 10, intervalMs: 200, irqRate: 1000, irqNs: 2000, netRxRate: 5000, seed: 1 };
const settings = (busyPoll: string) => ({
  ethtool: { available: false },
  devices: [],
  irqs: [],
  queues: [],
  irqbalance: false,
  sysctls: { 'net.core.busy_poll': busyPoll, 'net.core.netdev_budget': '300' },
});

synthRecording(join(dir, 'a.irqrec'), { ...base, header: { settings: settings('0') } });
synthRecording(join(dir, 'b.irqrec'), { ...base, irqRate: 2000, seed: 2, header: { settings: settings('50') } });

function compare(a: string, b: string, intervalS = 0): Comparison {
  const ra = Recording.open(join(dir, a));
  const rb = Recording.open(join(dir, b));
  try {
    return compareProfiles(profile(ra, intervalS * 1e9), profile(rb, intervalS * 1e9));
  } finally {
    ra.close();
    rb.close();
  }
}

function get(c: Comparison, section: 'cpus' | 'irqs' | 'softirqs', row: string, metric: string): Metric {
  const m = c[section].find((r) => r.name === row)?.metrics[metric];
  assert.ok(
    m,
    `${section} ${row} ${metric} in ${JSON.stringify(c[section].map((r) => [r.name, Object.keys(r.metrics)]))}`,
  );
  return m;
}

test('a doubled IRQ rate is reported with its size and as beyond noise', () => {
  const c = compare('a.irqrec', 'b.irqrec');
  const m = get(c, 'irqs', 'eth0-rx-0', 'per s');
  assert.ok(Math.abs((m.a ?? 0) - 1000) < 50, `A ${m.a}`);
  assert.ok(Math.abs((m.b ?? 0) - 2000) < 100, `B ${m.b}`);
  assert.ok(Math.abs((m.change ?? 0) - 1) < 0.1, `change ${m.change}`);
  assert.equal(m.beyond_noise, true);
  assert.ok(m.ci && m.ci[0] > 0 && m.ci[0] < 1000 && m.ci[1] > 1000, `ci ${JSON.stringify(m.ci)}`);
  assert.equal(get(c, 'cpus', 'CPU 0', 'hardirq/s').beyond_noise, true);
  assert.equal(c.a.intervals, 50);
});

test('what did not change is not beyond noise: NET_RX rate, handler time', () => {
  const c = compare('a.irqrec', 'b.irqrec');
  const rx = get(c, 'softirqs', 'NET_RX', 'per s');
  assert.equal(rx.beyond_noise, false, JSON.stringify(rx));
  assert.ok(Math.abs(rx.change ?? 1) < 0.05);
  const ns = get(c, 'irqs', 'eth0-rx-0', 'mean ns');
  assert.equal(ns.a, 2000);
  assert.equal(ns.b, 2000);
  assert.equal(ns.beyond_noise, false);
  assert.equal(get(c, 'cpus', 'CPU 1', 'NET_RX/s').beyond_noise, false);
});

test('same load, different noise: the IRQ rate is called beyond noise in about 5% of pairs, not more', () => {
  let flagged = 0;
  const pairs = 30;
  for (let i = 0; i < pairs; i++) {
    synthRecording(join(dir, 'x.irqrec'), { ...base, seconds: 5, seed: 100 + 2 * i });
    synthRecording(join(dir, 'y.irqrec'), { ...base, seconds: 5, seed: 101 + 2 * i });
    const c = compare('x.irqrec', 'y.irqrec');
    if (get(c, 'irqs', 'eth0-rx-0', 'per s').beyond_noise) flagged++;
    assert.equal(get(c, 'irqs', 'eth0-rx-0', 'mean ns').beyond_noise, false);
  }
  assert.ok(flagged <= 5, `${flagged} of ${pairs} pairs flagged (expected about ${pairs * 0.05})`);
});

test('too few intervals: the figures, but no noise verdict', () => {
  const c = compare('a.irqrec', 'b.irqrec', 3);
  const m = get(c, 'irqs', 'eth0-rx-0', 'per s');
  assert.equal(c.a.intervals, 3);
  assert.equal(m.beyond_noise, null);
  assert.equal(m.ci, null);
  assert.ok((m.change ?? 0) > 0.8);
});

test('settings that differ are listed; the text marks differences beyond noise', () => {
  const c = compare('a.irqrec', 'b.irqrec');
  assert.deepEqual(c.settings, [{ what: 'sysctls.net.core.busy_poll', a: '0', b: '50' }]);
  const t = compareText(c);
  assert.match(t, /sysctls\.net\.core\.busy_poll: "0" -> "50"/);
  assert.match(t, /eth0-rx-0\n\s+per s\s+\d+\s+\d+\s+\+\d+\.\d%\s+\[\+\d+, \+\d+\] \*/);
});

test('latency quantiles from log2 histograms', () => {
  const h = new Array<number>(32).fill(0);
  h[10] = 100; // [1024, 2048)
  assert.equal(histQuantile(h, 0.5), 1536);
  h[20] = 100;
  assert.ok((histQuantile(h, 0.99) ?? 0) >= 2 ** 20);
  assert.equal(histQuantile(new Array<number>(32).fill(0), 0.5), null);
  const c = compare('a.irqrec', 'b.irqrec');
  const p99 = get(c, 'irqs', 'eth0-rx-0', 'p99 ns');
  assert.ok((p99.a ?? 0) >= 1024 && (p99.a ?? 0) < 2048);
  assert.equal(p99.beyond_noise, false);
});
