// irqlens experiment on the real kernel: A and B alternate, the disk load of B
// slows an echo server on the disk IRQ's CPU (measured with an interval, next
// to the passive estimate), and every switch is undone: after a normal end and
// after kill -9 of irqlens (the load gone, a sysctl back to its value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { irqCpus } from '../../src/experiment/switches.js';
import { assertCanRun, kernelSkip, pidsWithCmdline, within } from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const budget = '/proc/sys/net/core/netdev_budget';

/** The disk's request IRQ and the CPU it lands on (virtio-blk here). */
function diskIrq(): { name: string; cpu: number; other: number } | null {
  const text = readFileSync('/proc/interrupts', 'utf8');
  const name = /\b(virtio\d+-req\.0)\b/.exec(text)?.[1];
  const c = name ? irqCpus(name, text) : null;
  return name && c ? { name, cpu: c.under[0] ?? 0, other: c.away[0] ?? 0 } : null;
}

const ddPids = (tag: string): number[] => pidsWithCmdline(tag);

test(
  'experiment: phases alternate, the disk load slows the workload under its IRQ, the estimate stands next to it, nothing is left',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    const d = diskIrq();
    assert.ok(d, 'a virtio disk IRQ that lands on one CPU (this machine kind has one)');
    const out = `/var/tmp/irqlens-exp-test-${process.pid}`;
    const before = readFileSync(budget, 'utf8').trim();
    try {
      const r = await execa(
        'node',
        [
          cli,
          'experiment',
          '--workload',
          'spin',
          '--cpu',
          String(d.cpu),
          '--pairs',
          '4',
          '--phase-s',
          '1',
          '--json',
          '--sysctl',
          `net.core.netdev_budget=${Number(before) + 7}`,
          '--load',
          `taskset -c ${d.other} dd if=/dev/zero of=${out} bs=4k count=300000 oflag=direct`,
        ],
        { reject: false, timeout: 100_000 },
      );
      assert.equal(r.exitCode, 0, r.stderr);
      const j = JSON.parse(r.stdout) as {
        schema: string;
        pairs: number;
        phases: { pair: number; condition: string; events: number; work: number | null }[];
        measured_slowdown: { value: number; lo: number; hi: number };
        measured_slowdown_by_work: { value: number } | null;
        passive: {
          a: { tax: { value: number } | null; note: string | null };
          b: { tax: { value: number } | null; note: string | null };
          predicted_slowdown: { value: number; lo: number; hi: number } | null;
        };
      };
      assert.equal(j.schema, 'irqlens.experiment/1');
      assert.equal(j.pairs, 4);
      for (let i = 0; i < 4; i++)
        assert.deepEqual(
          j.phases
            .filter((p) => p.pair === i)
            .map((p) => p.condition)
            .sort(),
          ['A', 'B'],
          `pair ${i}`,
        );
      assert.ok(
        j.phases.every((p) => p.events > 0),
        'the workload served events in every phase',
      );
      // independent: the workload's own count of its epoll calls against the events its traced busy periods served
      for (const p of j.phases) {
        assert.ok(p.work !== null && p.work > 0, `the workload counted its work: ${JSON.stringify(p)}`);
        assert.ok(
          within(p.events, p.work, 0.01),
          `busy periods' events within 1% of the workload's count: ${JSON.stringify(p)}`,
        );
      }
      assert.ok(j.measured_slowdown_by_work && Number.isFinite(j.measured_slowdown_by_work.value));
      const m = j.measured_slowdown;
      assert.ok(Number.isFinite(m.value) && m.lo <= m.value && m.value <= m.hi, JSON.stringify(m));
      // tens of thousands of disk IRQs a second on the server's CPU: it serves less under B
      assert.ok(m.value > 0, `the disk load under the server's CPU slowed it: ${JSON.stringify(m)}`);
      assert.ok(j.passive.b.tax && j.passive.b.tax.value > 0, 'the passive estimate saw the interrupts');
      assert.ok(
        j.passive.predicted_slowdown && Number.isFinite(j.passive.predicted_slowdown.value),
        `a predicted slowdown stands next to the measured one (A: ${JSON.stringify(j.passive.a)}, B: ${JSON.stringify(j.passive.b)})`,
      );
      assert.equal(readFileSync(budget, 'utf8').trim(), before, 'the sysctl is back');
      assert.deepEqual(ddPids(out), [], 'no load left');
    } finally {
      rmSync(out, { force: true });
    }
  },
);

test(
  'experiment: kill -9 of irqlens during a B phase stops the load and restores the sysctl',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const before = readFileSync(budget, 'utf8').trim();
    const tag = `irqlens-exp-kill-${process.pid}`;
    const p = execa(
      'node',
      [
        cli,
        'experiment',
        '--workload',
        'spin',
        '--pairs',
        '50',
        '--phase-s',
        '2',
        '--sysctl',
        `net.core.netdev_budget=${Number(before) + 11}`,
        '--load',
        `sleep 300 # ${tag}`,
      ],
      { reject: false },
    );
    try {
      // wait until B is on: the sysctl changed and the load runs
      for (let i = 0; i < 200 && !(readFileSync(budget, 'utf8').trim() !== before && ddPids(tag).length); i++)
        await sleep(50);
      assert.notEqual(readFileSync(budget, 'utf8').trim(), before, 'B set the sysctl');
      assert.ok(ddPids(tag).length > 0, 'B started the load');
      p.kill('SIGKILL');
      await p;
      for (let i = 0; i < 100 && (ddPids(tag).length || readFileSync(budget, 'utf8').trim() !== before); i++)
        await sleep(50);
      assert.equal(readFileSync(budget, 'utf8').trim(), before, 'the restorer put the sysctl back');
      assert.deepEqual(ddPids(tag), [], 'the restorer stopped the load');
      const counters = () => readdirSync('/dev/shm').filter((f) => f === `irqlens-exp-${p.pid ?? 0}.count`);
      for (let i = 0; i < 100 && counters().length; i++) await sleep(50);
      assert.deepEqual(counters(), [], "the workload's counter file is gone");
    } finally {
      p.kill('SIGKILL');
      writeBack(before);
    }
  },
);

function writeBack(v: string): void {
  try {
    if (readFileSync(budget, 'utf8').trim() !== v) writeFileSync(budget, v);
  } catch {
    // best effort: the assertion above already failed
  }
}
