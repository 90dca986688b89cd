// The page at 10 updates/s with 16 CPUs of data, in chromium: every update
// arrives (none skipped) and redraws are batched; their speed is measured by scripts/bench/web.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WebServer } from '../../src/serve/server.js';
import { staticRoutes } from '../../src/serve/routes.js';
import { artifactsDir, browserSkip, launchBrowser } from './support.js';
import { synthFrame } from './synth-frames.js';

const servers: WebServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

interface Stats {
  frames: number;
  missed: number;
  draws: number;
  series: Record<string, number>;
}

test(
  '16 CPUs at 10 updates/s: no update skipped, redraws batched, every chart drawn from the data',
  { skip: browserSkip, timeout: 60_000 },
  async () => {
    const hello = {
      type: 'hello' as const,
      host: 'synthetic',
      kernel: 'test',
      ncpus: 16,
      source: 'synthetic 16-CPU frames',
      intervalMs: 100,
      history: 600,
    };
    const s = await WebServer.listen(
      { host: '127.0.0.1', port: 0 },
      { static: staticRoutes('irqlens test'), metrics: () => '' },
      hello,
    );
    servers.push(s);
    const b = await launchBrowser();
    try {
      const page = await b.ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${s.port}/`);
      await page.waitForFunction(
        () => (globalThis as unknown as { irqlensStats?: { hello: unknown } }).irqlensStats?.hello,
      );
      const n = 50;
      for (let i = 0; i < n; i++) {
        s.broadcast(synthFrame(i));
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.waitForFunction(
        (want) => (globalThis as unknown as { irqlensStats: Stats }).irqlensStats.frames >= want,
        n,
        { timeout: 10_000 },
      );
      await new Promise((r) => setTimeout(r, 300));
      const st = await page.evaluate(() => (globalThis as unknown as { irqlensStats: Stats }).irqlensStats);
      await page.screenshot({ path: join(artifactsDir(), 'synthetic-16cpu.png'), fullPage: true });
      assert.deepEqual(errors, []);
      assert.equal(st.frames, n);
      assert.equal(st.missed, 0);
      assert.equal(s.framesMissed, 0);
      // redraws are batched per animation frame: at most one per update
      assert.ok(st.draws >= n / 2 && st.draws <= n, `${st.draws} redraws for ${n} updates`);
      // each chart drew the frames' series (the top 8 of 24 IRQs and 16 queues, all 5 drop reasons);
      // how fast each redraw is belongs to the benchmark (scripts/bench/web.ts), not to a pass/fail here
      assert.deepEqual(
        { irq: st.series.irq, nic: st.series.nic, drops: st.series.drops },
        { irq: 8, nic: 8, drops: 5 },
      );
      assert.ok((st.series.cpu ?? 0) > 0, 'the CPU chart has series');
    } finally {
      await b.close();
    }
  },
);
