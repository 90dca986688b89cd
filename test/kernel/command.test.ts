// The traced command's start (record -- CMD, cost -- CMD, experiment -- CMD):
// it runs inside its cgroup from its first instruction, and never at all when
// the cgroup is gone before it could join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CommandError, makeCgroup, removeCgroup, startCommand } from '../../src/cost/command.js';
import { assertCanRun, kernelSkip } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'startCommand: the command is in its cgroup before it runs, and so is everything it starts',
  { skip: kernelSkip },
  async () => {
    assertCanRun();
    const cg = makeCgroup('cmdtest');
    assert.ok(cg, 'cgroup v2 and root');
    const dir = mkdtempSync(join(tmpdir(), 'irqlens-cmd-'));
    try {
      // the command records its own cgroup and its child's as its very first steps
      const child = startCommand(
        ['sh', '-c', `cat /proc/self/cgroup > ${dir}/self; sh -c 'cat /proc/self/cgroup' > ${dir}/kid`],
        cg,
      );
      const r = await child;
      assert.equal(r.exitCode, 0);
      // the cgroup v2 line (hybrid hosts list v1 hierarchies too), relative to the v2 mount
      const v2 = (f: string) => /^0::(.*)$/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1];
      for (const f of ['self', 'kid']) assert.equal(v2(f)?.split('/').pop(), basename(cg), f);
    } finally {
      await removeCgroup(cg);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'startCommand: a cgroup removed before the command joins it is one clear error, and the command never runs',
  { skip: kernelSkip },
  async () => {
    assertCanRun();
    const cg = makeCgroup('cmdgone');
    assert.ok(cg, 'cgroup v2 and root');
    rmdirSync(cg);
    const dir = mkdtempSync(join(tmpdir(), 'irqlens-cmd-'));
    try {
      const marker = join(dir, 'ran');
      assert.throws(
        () => startCommand(['touch', marker], cg),
        (e: unknown) => {
          assert.ok(e instanceof CommandError);
          assert.match(e.message, new RegExp(`cannot run the command in ${cg}`));
          return true;
        },
      );
      await sleep(300);
      assert.equal(existsSync(marker), false, 'the command ran outside its cgroup');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
