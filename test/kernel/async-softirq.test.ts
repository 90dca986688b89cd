// --records async-softirq streams exactly the softirq runs raised by
// interrupts: every record is asynchronous and their number equals the
// in-kernel async_count over the same window, while task-context runs (a
// loopback send's own NET_RX) are counted but not streamed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { decodeRecords } from '../../src/stream/decode.js';
import { assertCanRun, diskLoad, kernelSkip, killAll, loopbackTraffic } from './support.js';

after(() => {
  killAll();
});

test(
  'async-softirq: the streamed softirq records are the asynchronous runs (exact up to the runs ending while a snapshot reads the maps)',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const probe = await Probe.start({ records: ['async-softirq'], intervalMs: 100 });
    try {
      assert.equal(probe.hello.softirqAsyncOnly, true);
      const tracker = new Tracker(probe);
      let counting = false;
      let streamed = 0;
      let syncStreamed = 0;
      tracker.onMessage((_s, m) => {
        if (m.type !== 'events' || !counting) return;
        for (const r of decodeRecords(m.bytes)) {
          if (r.kind !== 'softirq') continue;
          streamed++;
          if (r.arg0 !== 1) syncStreamed++;
        }
      });
      const start = await tracker.mark();
      counting = true;
      await Promise.all([diskLoad(3000), loopbackTraffic(1500)]);
      const end = await tracker.mark();
      counting = false;
      const w = windowOf(start, end);
      const runs = w.softirq.reduce((a, r) => a + r.count, 0);
      const asyncRuns = w.softirq.reduce((a, r) => a + r.asyncCount, 0);
      const lost = [...w.lost].filter(([k]) => k.startsWith('softirq/')).reduce((a, [, n]) => a + n, 0);
      assert.equal(lost, 0, 'records were lost');
      assert.equal(syncStreamed, 0, 'a task-context softirq run was streamed');
      assert.ok(asyncRuns > 100, `only ${asyncRuns} asynchronous runs (the disk load should raise BLOCK from its IRQ)`);
      assert.ok(
        runs > asyncRuns * 2,
        `the loopback load should add task-context runs: ${runs} runs, ${asyncRuns} async`,
      );
      // A run that ends while a snapshot reads the maps is streamed before that snapshot but counted
      // by the next one: at each of the two window edges a few can land on the other side.
      assert.ok(
        Math.abs(streamed - asyncRuns) <= Math.max(8, asyncRuns * 0.002),
        `streamed ${streamed} asynchronous softirq records, the kernel counted ${asyncRuns} asynchronous runs`,
      );
    } finally {
      await probe.stop();
    }
  },
);

test(
  'async-softirq with --no-raise-latency: interrupt-raised runs are still told apart, and no raise is timed',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const probe = await Probe.start({ records: ['async-softirq'], intervalMs: 100, raiseLatency: false });
    try {
      assert.equal(probe.hello.raiseLatency, false);
      const tracker = new Tracker(probe);
      const start = await tracker.mark();
      await Promise.all([diskLoad(3000), loopbackTraffic(1500)]);
      const end = await tracker.mark();
      const w = windowOf(start, end);
      const runs = w.softirq.reduce((a, r) => a + r.count, 0);
      const asyncRuns = w.softirq.reduce((a, r) => a + r.asyncCount, 0);
      const timed = w.softirq.reduce((a, r) => a + r.raised, 0);
      const say = `${runs} runs, ${asyncRuns} async, ${timed} with a timed raise`;
      assert.ok(asyncRuns > 100 && runs > asyncRuns * 2, say);
      assert.equal(timed, 0, say);
    } finally {
      await probe.stop();
    }
  },
);
