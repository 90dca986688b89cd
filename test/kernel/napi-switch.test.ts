// `irqlens experiment --napi` on the real kernel, on a veth pair in a network
// namespace the test makes (GRO on, so each end has a NAPI instance): the
// helper's netlink view of an instance agrees with sysfs, B puts
// irq-suspend-timeout and defer-hard-irqs on the instance, and the originals
// come back after a normal end and after kill -9 of irqlens (the restorer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { parseNapiList, type NapiInstance } from '../../src/experiment/napi.js';
import { assertCanRun, kernelSkip } from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const helper = join(repoRoot(), 'build', 'irqlens-helper');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withVeth(body: (ns: string) => Promise<void>): Promise<void> {
  const ns = `irqlens-napi-${process.pid}`;
  const sh = (args: string[]) => execa('ip', ['netns', 'exec', ns, ...args]);
  await execa('ip', ['netns', 'add', ns]);
  try {
    await sh(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
    for (const d of ['va', 'vb']) {
      await sh(['ethtool', '-K', d, 'gro', 'on']);
      await sh(['ip', 'link', 'set', d, 'up']);
    }
    await body(ns);
  } finally {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  }
}

async function instances(ns: string): Promise<NapiInstance[]> {
  return parseNapiList((await execa('ip', ['netns', 'exec', ns, helper, 'napi', 'list', 'va'])).stdout);
}

const experimentArgs = (extra: string[]) => [
  cli,
  'experiment',
  '--workload',
  'spin',
  '--napi',
  'va:irq-suspend-timeout=20000000',
  'va:defer-hard-irqs=7',
  ...extra,
];

test(
  'experiment --napi: B sets the NAPI instance over netlink, the end puts it back; netlink agrees with sysfs',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    await withVeth(async (ns) => {
      const before = await instances(ns);
      assert.equal(before.length, 1, `one NAPI instance on va with GRO on: ${JSON.stringify(before)}`);
      // independent: the device's sysfs file sets every instance (Linux 6.13+)
      await execa('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 3 > /sys/class/net/va/napi_defer_hard_irqs']);
      assert.equal((await instances(ns))[0]?.values['defer-hard-irqs'], '3', 'netlink reads what sysfs wrote');
      const p = execa('ip', ['netns', 'exec', ns, 'node', ...experimentArgs(['--pairs', '3', '--json'])], {
        reject: false,
        timeout: 80_000,
      });
      let seenB = false;
      while (p.exitCode === null && !seenB) {
        const v = (await instances(ns))[0]?.values;
        seenB = v?.['irq-suspend-timeout'] === '20000000' && v['defer-hard-irqs'] === '7';
        await sleep(100);
      }
      const r = await p;
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(seenB, 'a B phase had irq-suspend-timeout 20 ms and defer-hard-irqs 7 on the instance');
      const j = JSON.parse(r.stdout) as { b_condition: string[] };
      assert.deepEqual(j.b_condition, [
        'va NAPI (1 instance): irq-suspend-timeout 20000000 (A: 0), defer-hard-irqs 7 (A: 3)',
      ]);
      const after = (await instances(ns))[0]?.values;
      assert.equal(after?.['irq-suspend-timeout'], '0', 'irq-suspend-timeout is back');
      assert.equal(after['defer-hard-irqs'], '3', 'defer-hard-irqs is back');
    });
  },
);

test(
  'experiment --napi: after kill -9 of irqlens during a B phase the restorer puts the instance back',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    await withVeth(async (ns) => {
      const p = execa('ip', ['netns', 'exec', ns, 'node', ...experimentArgs(['--pairs', '50', '--phase-s', '2'])], {
        reject: false,
      });
      try {
        let v: NapiInstance['values'] | undefined;
        for (let i = 0; i < 300 && v?.['irq-suspend-timeout'] !== '20000000'; i++) {
          v = (await instances(ns))[0]?.values;
          await sleep(50);
        }
        assert.equal(v?.['irq-suspend-timeout'], '20000000', 'B set the instance');
        // ip netns exec runs node in its place: the pid is irqlens's
        p.kill('SIGKILL');
        await p;
        for (let i = 0; i < 100 && v?.['irq-suspend-timeout'] !== '0'; i++) {
          await sleep(50);
          v = (await instances(ns))[0]?.values;
        }
        assert.equal(v?.['irq-suspend-timeout'], '0', 'the restorer put irq-suspend-timeout back');
        assert.equal(v['defer-hard-irqs'], '0', 'and defer-hard-irqs');
      } finally {
        p.kill('SIGKILL');
      }
    });
  },
);
