// Sampled BPF run-time statistics: the helper turns them on and off on
// command; while off no program run is counted (and the kernel's switch is
// back to off), while on the cost per event is measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { bpfNsPerEvent } from '../../src/derive/tool-cost.js';
import { assertCanRun, kernelSkip } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statsSysctl = () => readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();

test(
  'stats on/off while running: runs counted only while on, the per-event cost measured, the kernel switch restored',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const before = statsSysctl();
    const probe = await Probe.start({ intervalMs: 60_000 });
    const tracker = new Tracker(probe);
    try {
      const t0 = await tracker.mark();
      await sleep(600);
      const t1 = await tracker.mark();
      probe.setProgStats(true);
      await sleep(1000);
      const t2 = await tracker.mark();
      probe.setProgStats(false);
      await sleep(300);
      const t3 = await tracker.mark();
      await sleep(800);
      const t4 = await tracker.mark();
      const runs = (a: typeof t0, b: typeof t0) => windowOf(a, b).progStat.reduce((s, p) => s + p.runCnt, 0);
      assert.equal(runs(t0, t1), 0, 'nothing counted before statistics were asked for');
      assert.ok(runs(t1, t2) > 100, `only ${runs(t1, t2)} runs counted while on (the local timer alone ticks 250/s)`);
      assert.equal(runs(t3, t4), 0, 'nothing counted once they are off again');
      const ns = bpfNsPerEvent(windowOf(t1, t2));
      const vec = ns.get('vectors');
      assert.ok(vec !== undefined && vec > 10 && vec < 100_000, `vectors: ${String(vec)} ns per event`);
      assert.equal(statsSysctl(), before, 'kernel.bpf_stats_enabled is as it was');
    } finally {
      await probe.stop();
    }
  },
);
