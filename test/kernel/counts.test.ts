// Counts from the probes against the kernel's own counters over the same
// window: /proc/interrupts (device IRQs, LOC/RES/CAL) and /proc/softirqs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import os from 'node:os';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf, type Totals } from '../../src/reduce/totals.js';
import { readInterrupts, type InterruptRow } from '../../src/procfs/interrupts.js';
import { readSoftirqs } from '../../src/procfs/softirqs.js';
import { SOFTIRQ_NAMES, VECTORS } from '../../src/stream/layout.js';
import { assertCanRun, bin, diskLoad, kernelSkip, loopbackTraffic, within, killAll, track } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let probe: Probe;
let tracker: Tracker;

before(async () => {
  if (kernelSkip) return;
  assertCanRun();
  probe = await Probe.start({ intervalMs: 100, noEpoll: true });
  tracker = new Tracker(probe);
});

after(async () => {
  killAll();
  if (probe) await probe.stop();
});

/** Marks the stream and reads a /proc file right after, so both edges move together. */
async function edge<T>(read: () => T): Promise<{ t: Totals; proc: T }> {
  const t = await tracker.mark();
  return { t, proc: read() };
}

/** An edge with the /proc file read on both sides of the mark: the probe's snapshot lies between the two. */
async function bracketedEdge<T>(read: () => T): Promise<{ t: Totals; pre: T; proc: T }> {
  const pre = read();
  const t = await tracker.mark();
  return { t, pre, proc: read() };
}

function delta(a: InterruptRow | undefined, b: InterruptRow | undefined, cpu: number): number {
  return (b?.perCpu[cpu] ?? 0) - (a?.perCpu[cpu] ?? 0);
}

test(
  'device IRQ counts per IRQ and CPU match /proc/interrupts within 2% under O_DIRECT disk load',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    const s = await edge(readInterrupts);
    await diskLoad(30_000);
    const e = await edge(readInterrupts);
    const w = windowOf(s.t, e.t);
    let checked = 0;
    let diskSeen = false;
    for (const [id, row] of e.proc) {
      if (!/^\d+$/.test(id)) continue;
      for (let cpu = 0; cpu < row.perCpu.length; cpu++) {
        const want = delta(s.proc.get(id), row, cpu);
        const got = w.hardirq.find((r) => r.irq === Number(id) && r.cpu === cpu)?.count ?? 0;
        if (want < 50 && got < 50) continue; // too few to compare by percent
        checked++;
        if (/virtio\d+-req/.test(row.desc)) diskSeen = true;
        assert.ok(
          within(got, want, 0.02),
          `irq ${id} (${row.desc}) CPU ${cpu}: probe ${got}, /proc/interrupts ${want}`,
        );
      }
    }
    assert.ok(diskSeen, 'the disk load raised no virtio-blk request interrupts');
    assert.ok(checked > 0);
    // names come from the kernel: the disk IRQ carries its action name
    const disk = [...e.proc.values()].find((r) => /virtio\d+-req/.test(r.desc));
    assert.ok(disk);
    assert.match(w.irqNames.get(Number(disk.id)) ?? '', /virtio\d+-req/);
  },
);

test(
  'LOC, RES and CAL system vectors match /proc/interrupts within 2%',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    const s = await edge(readInterrupts);
    await execa(bin('ipi'), ['3'], { timeout: 30_000 });
    const e = await edge(readInterrupts);
    const w = windowOf(s.t, e.t);
    for (const row of ['LOC', 'RES', 'CAL']) {
      const vecs = VECTORS.map((v, i) => ({ ...v, i }))
        .filter((v) => v.proc === row)
        .map((v) => v.i);
      for (let cpu = 0; cpu < w.hello.ncpus; cpu++) {
        const want = delta(s.proc.get(row), e.proc.get(row), cpu);
        const got = w.vector.filter((r) => r.cpu === cpu && vecs.includes(r.vector)).reduce((a, r) => a + r.count, 0);
        if (want < 100) continue;
        assert.ok(within(got, want, 0.02), `${row} CPU ${cpu}: probe ${got}, /proc/interrupts ${want}`);
      }
      const total = (m: Map<string, InterruptRow>) => (m.get(row)?.perCpu ?? []).reduce((a, b) => a + b, 0);
      const want = total(e.proc) - total(s.proc);
      const got = w.vector.filter((r) => vecs.includes(r.vector)).reduce((a, r) => a + r.count, 0);
      assert.ok(want >= 100, `${row}: the load made only ${want} interrupts`);
      assert.ok(within(got, want, 0.02), `${row} all CPUs: probe ${got}, /proc/interrupts ${want}`);
    }
  },
);

test(
  'NET_RX and TIMER softirq counts match /proc/softirqs within 2% under loopback TCP',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    // every CPU kept busy (a niced spinner each, bounded): on this kernel (6.18) the programs on
    // softirq_entry/exit miss ~1% of TIMER runs on an idle CPU, none on a busy one (tracefs sees them,
    // no recursion misses; RCU, not checked here, ~5% either way): the README states the gap
    const spinners = Array.from({ length: os.availableParallelism() }, (_, cpu) =>
      track(
        // one process that ends itself after 30 s (a kill reaches it: taskset and nice exec it)
        execa(
          'taskset',
          [
            '-c',
            String(cpu),
            'nice',
            '-n',
            '19',
            process.execPath,
            '-e',
            'const e = Date.now() + 30000; while (Date.now() < e);',
          ],
          { reject: false },
        ),
      ),
    );
    await sleep(300); // the ticks of formerly idle CPUs are back before the window opens
    let s: Awaited<ReturnType<typeof bracketedEdge<Map<string, number[]>>>>;
    let e: typeof s;
    let rounds: number;
    try {
      s = await bracketedEdge(readSoftirqs);
      rounds = await loopbackTraffic(2500);
      e = await bracketedEdge(readSoftirqs);
    } finally {
      for (const p of spinners) p.kill('SIGKILL');
      await Promise.all(spinners);
    }
    const w = windowOf(s.t, e.t);
    assert.ok(rounds > 100, `only ${rounds} loopback round trips`);
    for (const name of ['NET_RX', 'TIMER']) {
      const vec = SOFTIRQ_NAMES.indexOf(name as (typeof SOFTIRQ_NAMES)[number]);
      const before = s.proc.get(name) ?? [];
      const afterRow = e.proc.get(name) ?? [];
      let total = 0;
      let totalGot = 0;
      const sum = (row: readonly number[] | undefined) => (row ?? []).reduce((a, b) => a + b, 0);
      // the runs /proc counted between the edges' two reads: the fewest and the most the snapshots can hold
      const inner = sum(e.pre.get(name)) - sum(s.proc.get(name));
      const outer = sum(e.proc.get(name)) - sum(s.pre.get(name));
      for (let cpu = 0; cpu < afterRow.length; cpu++) {
        const want = (afterRow[cpu] ?? 0) - (before[cpu] ?? 0);
        const got = w.softirq.find((r) => r.vec === vec && r.cpu === cpu)?.count ?? 0;
        total += want;
        totalGot += got;
        if (want < 100) continue;
        assert.ok(within(got, want, 0.02), `${name} CPU ${cpu}: probe ${got}, /proc/softirqs ${want}`);
      }
      // few runs make 2% less than one run, and the runs between a snapshot and the /proc read decide
      // it: the probe's count must lie within 2% or between the bracketing reads, one run in flight per
      // CPU and edge allowed
      assert.ok(total >= 30, `${name}: only ${total} runs in the window`);
      const slack = afterRow.length;
      assert.ok(
        within(totalGot, total, 0.02) || (totalGot >= inner - slack && totalGot <= outer + slack),
        `${name} all CPUs: probe ${totalGot}, /proc/softirqs ${total} (between the bracketing reads: ${inner}..${outer})`,
      );
    }
    // loopback sends run NET_RX in the sender's context: mostly synchronous
    const netrx = w.softirq.filter((r) => r.vec === 3);
    const runs = netrx.reduce((a, r) => a + r.count, 0);
    const asyncRuns = netrx.reduce((a, r) => a + r.asyncCount, 0);
    assert.ok(asyncRuns < runs / 2, `loopback NET_RX classified asynchronous: ${asyncRuns} of ${runs}`);
    // the timer tick raises TIMER from interrupt context: asynchronous
    const timer = w.softirq.filter((r) => r.vec === 1);
    const tRuns = timer.reduce((a, r) => a + r.count, 0);
    const tAsync = timer.reduce((a, r) => a + r.asyncCount, 0);
    assert.ok(tAsync > tRuns * 0.9, `TIMER softirqs classified synchronous: ${tAsync} async of ${tRuns}`);
  },
);
