// The helper drains the ring every 100 ms while records trickle in, every 10 ms while they stream, and
// at once when a record takes the ring past a quarter full (the programs wake it). A stream that fills
// the ring twice in 100 ms must arrive whole. Drained only every 100 ms, this ring lost 64% of it
// (checked with both early paths turned off); either path alone kept it whole. The ring holds ~50 ms
// of this stream, so a helper the VM stalls for that long loses some whatever the policy (0.5% once
// in a full suite, 2026-12-07 13:30): up to 1% lost, every loss counted, passes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { PeriodCollector } from '../../src/reduce/periods.js';
import { windowOf } from '../../src/reduce/totals.js';
import { assertCanRun, bin, kernelSkip, killAll, track } from './support.js';

after(() => {
  killAll();
});

test(
  'ring wakeup: 50,000 busy periods a second through a 256 KiB ring arrive, at most 1% lost and every loss counted',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const spin = track(execa(bin('epoll-spin'), ['8', '50000'], { reject: false }));
    const tgid = spin.pid ?? 0;
    // ~100 bytes a period: 500 KB per 100 ms drain, two rings' worth
    const probe = await Probe.start({ intervalMs: 60_000, records: ['period'], pid: tgid, ringBytes: 256 << 10 });
    try {
      const tracker = new Tracker(probe);
      let collector = new PeriodCollector((t) => t === tgid);
      tracker.onMessage((_t, m) => {
        collector.add(m);
      });
      await sleep(500);
      const a = await tracker.mark();
      collector = new PeriodCollector((t) => t === tgid);
      await sleep(2000);
      const b = await tracker.mark();
      await sleep(100); // a period is written when the next call starts
      const w = windowOf(a, b);
      const periods = collector.periods.filter((p) => p.startNs >= Number(a.tsNs) && p.startNs < Number(b.tsNs)).length;
      const calls = w.epoll.filter((r) => r.tgid === tgid).reduce((s, r) => s + r.calls, 0);
      const lost = [...w.lost].filter(([k]) => k.endsWith('/ring_full')).reduce((s, [, n]) => s + n, 0);
      const say = `${periods} periods for ${calls} calls, ${lost} records lost: ${JSON.stringify([...w.lost])}`;
      assert.ok(calls > 50_000, `the load ran: ${say}`);
      assert.ok(lost <= 0.01 * calls, `at most 1% lost: ${say}`);
      // every call is a period that arrived or a record counted lost
      assert.ok(Math.abs(periods + lost - calls) <= Math.max(3, 0.002 * calls), say);
    } finally {
      await probe.stop();
      spin.kill('SIGTERM');
      await spin;
    }
  },
);
