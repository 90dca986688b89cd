// Busy-period sampling in the kernel ("period-every N", what top and serve ask
// for at high call rates): with N set, exactly every N-th epoll call of a
// thread opens a period, counted against the kernel's own per-thread call
// count; back at 1, every call does again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { PeriodCollector } from '../../src/reduce/periods.js';
import { windowOf } from '../../src/reduce/totals.js';
import { RECORD_PRESETS } from '../../src/probe/options.js';
import { assertCanRun, bin, kernelSkip, killAll, track } from './support.js';

after(() => {
  killAll();
});

test(
  'period sampling: started with --period-every 8 and set to 8 later, one busy period per 8 epoll calls; with 1 one per call',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    // one thread, 20,000 epoll_wait calls a second, each returning 1 event: one busy period per call
    const spin = track(execa(bin('epoll-spin'), ['10', '20000'], { reject: false }));
    const tgid = spin.pid ?? 0;
    const probe = await Probe.start({
      intervalMs: 60_000,
      records: [...RECORD_PRESETS.workloads],
      pid: tgid,
      periodEvery: 8,
    });
    try {
      const tracker = new Tracker(probe);
      let collector = new PeriodCollector((t) => t === tgid);
      tracker.onMessage((_t, m) => {
        collector.add(m);
      });
      /** Periods that started inside a window of `ms`, and the calls the kernel counted in it. */
      const phase = async (every: number | null, ms: number) => {
        if (every !== null) probe.setPeriodEvery(every);
        await sleep(300); // the command and the records before it have passed
        const a = await tracker.mark();
        collector = new PeriodCollector((t) => t === tgid);
        await sleep(ms);
        const b = await tracker.mark();
        await sleep(100); // a period is written when the next call starts: let the window's last ones arrive
        const inWindow = collector.periods.filter((p) => p.startNs >= Number(a.tsNs) && p.startNs < Number(b.tsNs));
        const calls = windowOf(a, b)
          .epoll.filter((r) => r.tgid === tgid)
          .reduce((s, r) => s + r.calls, 0);
        return { periods: inWindow.length, calls };
      };
      const started = await phase(null, 1000);
      const all = await phase(1, 1000);
      const sampled = await phase(8, 2000);
      const back = await phase(1, 1000);
      const say = `started at 8: ${started.periods} periods / ${started.calls} calls; every call: ${all.periods} periods / ${all.calls} calls; every 8th: ${sampled.periods} / ${sampled.calls}; every call again: ${back.periods} / ${back.calls}`;
      assert.ok(all.calls > 5000 && sampled.calls > 10_000, say);
      // the snapshot reads its counters while calls go on (a call every 50 us): the window's edges may
      // split a few calls from their periods, 0.2% at most
      const near = (got: number, want: number) => Math.abs(got - want) <= Math.max(3, 0.002 * want);
      assert.ok(started.calls > 5000 && near(started.periods, started.calls / 8), say);
      assert.ok(near(all.periods, all.calls), say);
      assert.ok(near(sampled.periods, sampled.calls / 8), say);
      assert.ok(near(back.periods, back.calls), say);
    } finally {
      await probe.stop();
      spin.kill('SIGTERM');
      await spin;
    }
  },
);
