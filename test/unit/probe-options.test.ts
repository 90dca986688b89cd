// The record kinds the CLI offers are the ones the helper accepts: every word
// of src/probe/options.ts passes the helper's own parser, and the list the
// helper prints for an unknown kind is that same list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { helperPath } from '../../src/probe/paths.js';
import {
  PANEL_PROBES,
  PROBE_GROUPS,
  TOP_PROBES,
  serveProbes,
  SERVE_ON_DEMAND,
  topProbes,
  RECORD_KINDS,
  RECORD_PRESETS,
  RECORD_WORDS,
  parseRecords,
  withWorkloadRecords,
  liveWorkloadOptions,
  LIVE_PERIOD_EVERY,
  recordProbes,
  RECORD_WORKLOADS,
} from '../../src/probe/options.js';
import { recordSelection } from '../../cli/commands/record.js';

const helper = (args: string[]) => spawnSync(helperPath(), args, { encoding: 'utf8', timeout: 10_000 });

test("the helper's kind table is RECORD_WORDS", () => {
  const r = helper(['--records', 'no-such-kind', '--layout']);
  assert.equal(r.status, 2, r.stderr);
  const m = /\(use ([a-z,-]+), all or none\)/.exec(r.stderr);
  assert.ok(m, `the helper lists its kinds: ${r.stderr}`);
  assert.deepEqual([...(m[1] ?? '').split(','), 'all', 'none'], [...RECORD_WORDS]);
  for (const w of RECORD_WORDS)
    assert.equal(helper(['--records', w, '--layout']).status, 0, `the helper accepts '${w}'`);
});

test('every preset uses known kinds; --workloads adds what busy periods need, once, without none', () => {
  for (const [name, kinds] of Object.entries(RECORD_PRESETS)) {
    for (const k of kinds) assert.ok((RECORD_KINDS as readonly string[]).includes(k), `${name}: ${k}`);
  }
  assert.deepEqual(withWorkloadRecords(['none']), [...RECORD_PRESETS.workloads]);
  assert.deepEqual(withWorkloadRecords(['drop', 'burst']), [
    'drop',
    'burst',
    'hardirq',
    'vector',
    'async-softirq',
    'period',
  ]);
  // a live view with --workloads starts sampled, so a busy server cannot fill the ring before Node sets the rate
  assert.deepEqual(liveWorkloadOptions(['drop'], true), {
    records: withWorkloadRecords(['drop']),
    periodEvery: LIVE_PERIOD_EVERY,
  });
  assert.deepEqual(liveWorkloadOptions(['drop'], false), { records: ['drop'] });
  assert.deepEqual(liveWorkloadOptions(undefined, false), {});
  assert.deepEqual(parseRecords(' burst, drop ,'), { records: ['burst', 'drop'], unknown: null });
  assert.equal(parseRecords('burst,bogus').unknown, 'bogus');
});

test("the helper's probe groups are PROBE_GROUPS, in its order, and --probes rejects others by name", () => {
  const r = helper(['--list-probes']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [...PROBE_GROUPS]);
  for (const g of [...PROBE_GROUPS, 'all', 'none'])
    assert.equal(helper(['--probes', g, '--layout']).status, 0, `the helper accepts '${g}'`);
  const bad = helper(['--probes', 'hardirq,napii', '--layout']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--probes: unknown group 'napii'/);
});

test("top keeps its own groups, adds a panel's while it is shown, and the estimate's with --workloads", () => {
  assert.deepEqual(topProbes('irqs'), [...TOP_PROBES]);
  assert.ok(!TOP_PROBES.includes('napi') && !TOP_PROBES.includes('epoll') && !TOP_PROBES.includes('softirq-raise'));
  assert.deepEqual(topProbes('bursts'), ['hardirq', 'vectors', 'softirq', 'napi', 'drops']);
  assert.deepEqual(topProbes('nic'), topProbes('bursts'));
  assert.deepEqual(topProbes('workloads'), ['hardirq', 'vectors', 'softirq', 'epoll', 'drops']);
  // the estimate: every interrupt with the softirqs' origin, epoll and sched; napi (per packet) only with its panels
  const est = ['hardirq', 'vectors', 'softirq', 'softirq-raise', 'epoll', 'sched', 'drops'];
  assert.deepEqual(topProbes('irqs', { workloads: true }), est);
  assert.deepEqual(topProbes('workloads', { workloads: true }), est);
  assert.deepEqual(
    topProbes('bursts', { workloads: true }),
    PROBE_GROUPS.filter((g) => est.includes(g) || g === 'napi'),
  );
  assert.deepEqual(topProbes('irqs', { allProbes: true }), [...PROBE_GROUPS]);
  for (const groups of Object.values(PANEL_PROBES)) for (const g of groups) assert.ok(PROBE_GROUPS.includes(g));
});

test('serve: epoll and sched only for the busy-period estimate; napi and softirq-raise attach while the page or /metrics reads them', () => {
  const d = serveProbes(false, false);
  assert.deepEqual(d.base, ['hardirq', 'vectors', 'softirq', 'drops']);
  assert.deepEqual(d.onDemand, ['softirq-raise', 'napi']);
  // every group a reader asks for is one that attaches on demand
  for (const r of Object.values(SERVE_ON_DEMAND)) for (const g of r.groups) assert.ok(d.onDemand.includes(g), g);
  assert.ok(
    SERVE_ON_DEMAND.metrics.groups.includes('softirq-raise'),
    'irqlens_softirq_async_total needs the raise probe',
  );
  assert.deepEqual(serveProbes(false, true), {
    base: PROBE_GROUPS.filter((g) => g !== 'epoll' && g !== 'sched'),
    onDemand: [],
  });
  // the estimate keeps softirq-raise, epoll and sched; napi still attaches only while read
  assert.deepEqual(serveProbes(true, false), { base: PROBE_GROUPS.filter((g) => g !== 'napi'), onDemand: ['napi'] });
  assert.deepEqual(serveProbes(true, true), { base: [...PROBE_GROUPS], onDemand: [] });
});

test("record attaches top's groups and what its records need; busy periods with --workloads or a named workload", () => {
  // the default: every interrupt counted and streamed, no per-packet or per-call group
  const plain = recordSelection(RECORD_PRESETS.record, { namedWorkload: false });
  assert.deepEqual(plain.records, ['hardirq', 'vector', 'drop']);
  assert.deepEqual(plain.probes, [...TOP_PROBES]);
  assert.ok(!plain.records.includes('period'), 'no busy periods by default');
  // --workloads, or --pid/--cgroup/a command: the estimate's groups and records, still no napi
  const est = ['hardirq', 'vectors', 'softirq', 'softirq-raise', 'epoll', 'sched', 'drops'];
  for (const o of [{ workloads: true, namedWorkload: false }, { namedWorkload: true }]) {
    const w = recordSelection(RECORD_PRESETS.record, o);
    assert.deepEqual(w.records, ['hardirq', 'vector', 'drop', 'async-softirq', 'period']);
    assert.deepEqual(w.probes, est);
    assert.ok(w.records.includes('period'), 'busy periods');
  }
  assert.deepEqual(recordSelection(['none'], { workloads: true, namedWorkload: false }).records, [...RECORD_WORKLOADS]);
  // each record kind brings its group
  assert.deepEqual(recordProbes(['burst']), ['hardirq', 'vectors', 'softirq', 'napi', 'drops']);
  assert.deepEqual(recordProbes(['napi']), recordProbes(['burst']));
  assert.deepEqual(recordProbes(['epoll']), ['hardirq', 'vectors', 'softirq', 'epoll', 'drops']);
  assert.deepEqual(recordProbes(['async-softirq']), ['hardirq', 'vectors', 'softirq', 'softirq-raise', 'drops']);
  assert.deepEqual(recordProbes(['none']), [...TOP_PROBES]);
  // every group: --all-probes, or --records all
  assert.deepEqual(recordProbes(['hardirq'], true), [...PROBE_GROUPS]);
  assert.deepEqual(recordProbes(['all']), [...PROBE_GROUPS]);
  assert.deepEqual(recordSelection(['all'], { namedWorkload: false }).probes, [...PROBE_GROUPS]);
});
