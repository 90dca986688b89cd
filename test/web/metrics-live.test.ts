// /metrics against `irqlens snapshot --json` on the real kernel: while both
// run, disk interrupts happen inside the snapshot's window; the counters'
// growth between two scrapes around it agrees with the snapshot's counts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import parse from 'parse-prometheus-text-format';
import { assertCanRun, diskLoad, kernelSkip, killAll, track } from '../kernel/support.js';
import { cli, startServe } from './serve-child.js';

after(() => {
  killAll();
});

/** irqlens_hardirq_total by IRQ number, summed over CPUs. */
async function hardirqByIrq(url: string): Promise<Map<number, number>> {
  const m = new Map<number, number>();
  for (const f of parse(await (await fetch(`${url}metrics`)).text())) {
    if (f.name !== 'irqlens_hardirq_total') continue;
    for (const s of f.metrics) {
      const irq = Number(s.labels?.irq);
      m.set(irq, (m.get(irq) ?? 0) + Number(s.value));
    }
  }
  return m;
}

test(
  '/metrics counters agree with snapshot --json over the same disk load',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    if (process.env.CI) assertCanRun();
    const srv = await startServe([]);
    try {
      const before = await hardirqByIrq(srv.url);
      const snap = track(execa('node', [cli(), 'snapshot', '--duration', '3', '--json'], { timeout: 60_000 }));
      // the snapshot's probes attach within a second; the load runs well inside its window
      await new Promise((r) => setTimeout(r, 1200));
      await diskLoad(1500);
      const r = await snap;
      // serve's state is as of its latest interval edge (every second with no page open): let one pass
      await new Promise((res) => setTimeout(res, 1300));
      const afterM = await hardirqByIrq(srv.url);
      const j = JSON.parse(r.stdout) as { irqs: { irq: number; name: string; count: number }[] };
      const disk = [...j.irqs].sort((a, b) => b.count - a.count)[0];
      assert.ok(
        disk && disk.count >= 500,
        `the disk load made too few interrupts: ${JSON.stringify(j.irqs.slice(0, 3))}`,
      );
      const grew = (afterM.get(disk.irq) ?? 0) - (before.get(disk.irq) ?? 0);
      // the scrapes enclose the snapshot's window: /metrics grew at least as much, and not much more (background only)
      assert.ok(grew >= disk.count, `${disk.name}: /metrics grew ${grew}, snapshot counted ${disk.count}`);
      assert.ok(grew <= disk.count * 1.15 + 20, `${disk.name}: /metrics grew ${grew}, snapshot counted ${disk.count}`);
    } finally {
      await srv.stop();
    }
  },
);
