// The page in a real browser (Debian's chromium via playwright-core), fed by a
// live server with real probes while this test makes disk interrupts and
// loopback traffic; then the same from a recording, and the HTML report.
// Charts must render non-empty series whose figures match /metrics.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { assertCanRun, bin, diskLoad, kernelSkip, killAll } from '../kernel/support.js';
import { artifactsDir, browserSkip, launchBrowser } from './support.js';
import { cli, scrapeIrqs, startServe } from './serve-child.js';

const skip = kernelSkip || browserSkip;
const scratch = mkdtempSync(join(tmpdir(), 'irqlens-web-'));
after(() => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});

interface Stats {
  frames: number;
  ended: string | null;
  draws: number;
  drawMs: number[];
  series: Record<string, number>;
  irqCounts: Record<string, number>;
}

const pageStats = (page: Page) => page.evaluate(() => (globalThis as unknown as { irqlensStats: Stats }).irqlensStats);

async function until(page: Page, cond: (s: Stats) => boolean, ms: number, what: string): Promise<Stats> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await pageStats(page);
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`${what}: ${JSON.stringify({ ...s, drawMs: s.drawMs.length })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Loopback TCP ping-pong (every message its own packet each way), bounded in time. */
const loopback = (seconds: number) =>
  execa(bin('tcp-blast'), ['-p', String(seconds), '100000000', '64'], { timeout: 30_000 });

/** The page's per-IRQ totals against /metrics: same sources, and the busiest ones within a small margin. */
function assertMatches(pageCounts: Record<string, number>, metrics: Map<string, number>, margin: number): void {
  const shown = Object.entries(pageCounts).filter(([, n]) => n > 0);
  assert.ok(shown.length > 0, 'the page counted no interrupts');
  for (const [name] of shown) assert.ok(metrics.has(name), `the page shows ${name}, /metrics does not`);
  const busiest = shown.sort((a, b) => b[1] - a[1]).slice(0, 3);
  for (const [name, n] of busiest) {
    const m = metrics.get(name) ?? 0;
    // /metrics also counts what came before the first interval edge and after the last frame
    assert.ok(n <= m * 1.001 + 1 && n >= m * (1 - margin) - 50, `${name}: page ${n.toFixed(0)} vs /metrics ${m}`);
  }
}

async function checkCharts(page: Page, s: Stats): Promise<void> {
  assert.ok((s.series.cpu ?? 0) >= 4, `CPU chart components: ${s.series.cpu ?? 0}`);
  assert.ok((s.series.irq ?? 0) > 0, 'no IRQ series');
  assert.ok((s.series.nic ?? 0) > 0, 'no NIC queue series');
  const canvases = await page.locator('.chart canvas').count();
  assert.ok(canvases >= 3, `${canvases} chart canvases`);
  // a legend entry per IRQ series, named as the page received it
  const legend = await page.locator('#irq-chart .u-legend .u-label').allTextContents();
  assert.ok(legend.length >= 2, `IRQ legend: ${legend.join(', ')}`);
}

test('live: the page charts real interrupts and traffic, matching /metrics', { skip, timeout: 120_000 }, async () => {
  if (process.env.CI) assertCanRun();
  const srv = await startServe(['--burst-packets', '8']);
  const b = await launchBrowser();
  const errors: string[] = [];
  try {
    const page = await b.ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url);
    await until(page, (s) => s.frames > 2, 15_000, 'no frames reached the page');
    await Promise.all([diskLoad(1500), loopback(2)]);
    await new Promise((r) => setTimeout(r, 400));
    const s = await until(page, (x) => (x.series.nic ?? 0) > 0 && x.draws > 3, 10_000, 'charts did not fill');
    const metrics = await scrapeIrqs(srv.url);
    await page.screenshot({ path: join(artifactsDir(), 'live.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await checkCharts(page, s);
    assertMatches(s.irqCounts, metrics, 0.1);
    // the bursts of the ping-pong (threshold 8 packets per 100 us) are binned from NAPI records
    const note = await page.locator('#burst-note').textContent();
    assert.ok(!/not streamed/.test(note ?? ''), `burst note: ${note ?? ''}`);
  } finally {
    await b.close();
    await srv.stop();
  }
  assert.equal(srv.proc.exitCode, 0, 'serve did not exit cleanly on SIGTERM');
});

test(
  'a recording: served through the same pipeline, and as a self-contained HTML report',
  { skip, timeout: 120_000 },
  async () => {
    if (process.env.CI) assertCanRun();
    const rec = join(scratch, 'run.irqrec');
    const recording = execa('node', [cli(), 'record', '-o', rec, '--duration', '4', '--burst-packets', '8'], {
      timeout: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1200));
    await Promise.all([diskLoad(1000), loopback(1)]);
    await recording;
    const srv = await startServe([rec, '--speed', '4']);
    const b = await launchBrowser();
    const errors: string[] = [];
    try {
      const page = await b.ctx.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(srv.url);
      const s = await until(
        page,
        (x) => x.ended !== null && x.draws > 0,
        30_000,
        'the recording did not play to its end',
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}; serve said: ${srv.stdout()}`);
      });
      const metrics = await scrapeIrqs(srv.url);
      await page.screenshot({ path: join(artifactsDir(), 'recording.png'), fullPage: true });
      assert.deepEqual(errors, []);
      await checkCharts(page, s);
      // the recording's marks come with its snapshots: frames cover all but its first interval
      assertMatches(s.irqCounts, metrics, 0.15);

      const html = join(artifactsDir(), 'report.html');
      await execa('node', [cli(), 'report', rec, '--html', html, '--force']);
      const text = readFileSync(html, 'utf8');
      assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(text), 'the report loads something from outside itself');
      const rp = await b.ctx.newPage();
      const requests: string[] = [];
      const pageErrors: string[] = [];
      rp.on('request', (r) => requests.push(r.url()));
      rp.on('pageerror', (e) => pageErrors.push(e.message));
      await rp.goto(`file://${html}`);
      const rs = await until(rp, (x) => x.draws > 0, 10_000, 'the report page drew nothing');
      await rp.screenshot({ path: join(artifactsDir(), 'report.png'), fullPage: true });
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(
        requests.filter((u) => !u.startsWith('file:')),
        [],
        'the report fetched from the network',
      );
      await checkCharts(rp, rs);
      assertMatches(rs.irqCounts, metrics, 0.15);
      assert.match((await rp.locator('#report pre').textContent()) ?? '', /irqlens report/);
    } finally {
      await b.close();
      await srv.stop();
    }
  },
);

test('kill -9 of serve leaves no helper behind', { skip: kernelSkip, timeout: 60_000 }, async () => {
  if (process.env.CI) assertCanRun();
  const srv = await startServe([]);
  const pid = srv.proc.pid ?? 0;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const helpers = children.filter((c) => {
    try {
      return readFileSync(`/proc/${c}/comm`, 'utf8').trim().startsWith('irqlens-helper');
    } catch {
      return false;
    }
  });
  assert.equal(helpers.length, 1, `helper among children ${children.join(',')}`);
  srv.proc.kill('SIGKILL');
  await srv.proc;
  const end = Date.now() + 5000;
  while (existsSync(`/proc/${helpers[0] ?? 0}`) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!existsSync(`/proc/${helpers[0] ?? 0}`), 'the helper outlived serve');
});
