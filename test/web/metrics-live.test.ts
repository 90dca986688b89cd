// /metrics against `irqlens snapshot --json` on the real kernel: while both
// run, disk interrupts happen inside the snapshot's window; the counters'
// growth between two scrapes around it agrees with the snapshot's counts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import parse from 'parse-prometheus-text-format';
import { readFileSync } from 'node:fs';
import {
  assertCanRun,
  attachedPrograms,
  diskLoad,
  kernelSkip,
  killAll,
  loopbackTraffic,
  track,
} from '../kernel/support.js';
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

/** The helper serve started: its one child process named irqlens-helper. */
function helperOf(pid: number): number {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const h = kids.find((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim().startsWith('irqlens-helper'));
  assert.ok(h !== undefined, `no helper among serve's children ${kids.join(',')}`);
  return h;
}

/** irqlens_napi_polls_total summed, or null when the family is absent. */
async function napiPolls(url: string): Promise<{ polls: number | null; attached: number | undefined }> {
  let polls: number | null = null;
  let attached: number | undefined;
  for (const f of parse(await (await fetch(`${url}metrics`)).text())) {
    if (f.name === 'irqlens_napi_polls_total') polls = f.metrics.reduce((a, s) => a + Number(s.value), 0);
    if (f.name === 'irqlens_probe_attached')
      attached = Number(f.metrics.find((s) => s.labels?.group === 'napi')?.value);
  }
  return { polls, attached };
}

test(
  'serve attaches the NAPI and softirq-raise probes only once /metrics is read, then counts polls',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    if (process.env.CI) assertCanRun();
    const srv = await startServe([]);
    try {
      const helper = helperOf(srv.proc.pid ?? -1);
      // loopback traffic runs NAPI polls whether or not anything traces them
      await loopbackTraffic(300);
      const idle = await attachedPrograms(helper);
      assert.ok(idle.includes('irql_hi_entry'), `serve's base probes are attached: ${idle.join(',')}`);
      assert.ok(
        !idle.includes('irql_napi_poll') && !idle.includes('irql_si_raise'),
        `nothing read them yet: ${idle.join(',')}`,
      );
      const first = await napiPolls(srv.url);
      assert.equal(first.attached, 1, 'the scrape attached napi');
      // the helper attaches on its next read of the command
      let read = await attachedPrograms(helper);
      for (let i = 0; i < 20 && !read.includes('irql_napi_poll'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        read = await attachedPrograms(helper);
      }
      assert.ok(read.includes('irql_napi_poll') && read.includes('irql_si_raise'), `after a scrape: ${read.join(',')}`);
      await loopbackTraffic(500);
      // serve's state is as of its latest interval edge (every second with no page open): let one pass
      await new Promise((r) => setTimeout(r, 1300));
      const later = await napiPolls(srv.url);
      assert.ok((later.polls ?? 0) > 100, `polls counted once attached: ${later.polls}`);
    } finally {
      await srv.stop();
    }
  },
);
