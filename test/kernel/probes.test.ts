// Probe groups on demand: the helper attaches and detaches a group while it
// runs (top does this as panels come and go). Detached, a group counts
// nothing and holds no link; attached again, its first figures carry nothing
// over from before (no call looks as long as the gap).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { TOP_PROBES } from '../../src/probe/options.js';
import { assertCanRun, attachedPrograms, bin, kernelSkip, killAll, loopbackTraffic, track } from './support.js';

after(() => {
  killAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'probes: napi attaches and detaches on command; detached it holds no link and counts no poll',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const probe = await Probe.start({ intervalMs: 60_000, probes: TOP_PROBES });
    try {
      const pid = probe.pid ?? -1;
      const tracker = new Tracker(probe);
      const status = new Map(probe.hello.progs.map((p) => [p.name, p.status]));
      assert.equal(status.get('irql_napi_poll'), 'disabled', 'napi is not attached at start');
      assert.equal(status.get('irql_hi_exit'), 'attached');
      assert.ok(!(await attachedPrograms(pid)).includes('irql_napi_poll'));

      const polls = async () => {
        const a = await tracker.mark();
        await loopbackTraffic(300);
        const b = await tracker.mark();
        const w = windowOf(a, b);
        return {
          polls: w.napi.reduce((s, r) => s + r.polls, 0),
          netRx: w.softirq.filter((r) => r.vec === 3).reduce((s, r) => s + r.count, 0),
        };
      };
      const off = await polls();
      assert.ok(off.netRx > 100, `loopback traffic ran NET_RX (${off.netRx} runs)`);
      assert.equal(off.polls, 0, 'no poll counted while detached');

      probe.setProbes([...TOP_PROBES, 'napi']);
      await tracker.mark(); // the command is handled before this snapshot is taken
      assert.ok((await attachedPrograms(pid)).includes('irql_napi_poll'), 'napi attached on command');
      const on = await polls();
      // on loopback every NET_RX run polls the backlog at least once
      assert.ok(on.polls >= on.netRx * 0.9, `attached: ${on.polls} polls for ${on.netRx} NET_RX runs`);

      probe.setProbes(TOP_PROBES);
      await tracker.mark();
      assert.ok(!(await attachedPrograms(pid)).includes('irql_napi_poll'), 'napi detached on command');
      const again = await polls();
      assert.equal(again.polls, 0, 'no poll counted once detached again');
    } finally {
      await probe.stop();
    }
  },
);

test(
  'probes: epoll re-attached after a gap counts no busy or wait time from the gap',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    // 200 epoll_wait calls a second for 8 s: between calls the thread sleeps, which epoll counts as busy
    const spin = track(execa(bin('epoll-spin'), ['8', '200'], { reject: false }));
    const probe = await Probe.start({ intervalMs: 60_000, probes: [...TOP_PROBES, 'epoll'], pid: spin.pid ?? 0 });
    try {
      const tracker = new Tracker(probe);
      const time = async (ms: number) => {
        const a = await tracker.mark();
        await sleep(ms);
        const b = await tracker.mark();
        const w = windowOf(a, b);
        const rows = w.epoll.filter((r) => r.tgid === spin.pid);
        return {
          calls: rows.reduce((s, r) => s + r.calls, 0),
          ns: rows.reduce((s, r) => s + r.busyNs + r.waitNs, 0),
          durNs: w.durationNs,
        };
      };
      const first = await time(500);
      assert.ok(first.calls > 30, `epoll calls counted while attached: ${first.calls}`);
      probe.setProbes(TOP_PROBES);
      const gap = await time(1500);
      assert.equal(gap.calls, 0, 'no call counted while detached');
      probe.setProbes([...TOP_PROBES, 'epoll']);
      const after = await time(400);
      assert.ok(after.calls > 30, `counted again once re-attached: ${after.calls}`);
      // one thread's busy + wait time cannot exceed the window; a stale stamp would add the 1.5 s gap
      assert.ok(
        after.ns <= after.durNs * 1.02,
        `busy + wait ${after.ns} ns in a window of ${after.durNs} ns after re-attaching`,
      );
    } finally {
      await probe.stop();
      spin.kill('SIGTERM');
      await spin;
    }
  },
);
