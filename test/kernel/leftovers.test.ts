// Nothing outlives irqlens: the command it traces, its cgroup, the built-in
// workloads and their load generators end with it on every path (normal end,
// SIGINT, SIGTERM, kill -9), and a measurement cut short by a signal says so
// with exit code 130/143 instead of an empty success.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { assertCanRun, kernelSkip, pidsWithCmdline } from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const cgroupRoot =
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[2] === 'cgroup2')?.[1] ?? '/sys/fs/cgroup';

function irqlensCgroups(pid: number): string[] {
  try {
    return readdirSync(cgroupRoot).filter((d) => d.startsWith('irqlens-') && d.endsWith(`-${pid}`));
  } catch {
    return [];
  }
}

/** Processes whose argv is exactly `sleep MARK`. */
function sleepers(mark: string): number[] {
  return pidsWithCmdline('sleep', mark).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${mark}\0`;
    } catch {
      return false;
    }
  });
}

function cgroupOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim();
  } catch {
    return 'gone';
  }
}

const spawnCli = (args: string[]) => execa('node', [cli, ...args], { reject: false, stdin: 'ignore' });
const running = new Set<ReturnType<typeof spawnCli>>();
const start = (args: string[]) => {
  const p = spawnCli(args);
  running.add(p);
  return p;
};
// a failed assertion must not leave its irqlens (and what it started) running
after(() => {
  for (const p of running) p.kill('SIGKILL');
});

for (const how of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  test(
    `cost -- CMD: after ${how} of irqlens the command, its children and its cgroup are gone`,
    { skip: kernelSkip, timeout: 60_000 },
    async () => {
      assertCanRun();
      const mark = `${how === 'SIGINT' ? 971 : how === 'SIGTERM' ? 972 : 973}.5`;
      const p = start(['cost', '--', 'sh', '-c', `sleep ${mark} & sleep ${mark}; wait`]);
      // the two sleeps themselves (argv exactly), not irqlens or the shell, whose command lines hold the same words
      await until('the command and its child', () => sleepers(mark).length >= 2, 20_000);
      assert.ok(
        irqlensCgroups(p.pid ?? 0).length > 0,
        `the command runs in a cgroup of its own (irqlens ${p.pid ?? '?'}; sleeps ${sleepers(mark).join(', ')}: ` +
          `${sleepers(mark)
            .map((x) => cgroupOf(x))
            .join(', ')})`,
      );
      p.kill(how);
      const r = await p;
      await until(`no 'sleep ${mark}' left`, () => pidsWithCmdline('sleep', mark).length === 0);
      await until('the cgroup removed', () => irqlensCgroups(p.pid ?? 0).length === 0);
      if (how !== 'SIGKILL') assert.notEqual(r.exitCode ?? r.signal, 0, 'a run cut short does not exit 0');
    },
  );
}

test(
  'record -- CMD: Ctrl-C still prints what was recorded, and leaves no cgroup',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const out = join(repoRoot(), 'test-artifacts', `leftover-${process.pid}.irqrec`);
    const p = start(['record', '-o', out, '--force', '--', 'sleep', '974.5']);
    // the command itself, not the shell that joins the cgroup and then execs it (its command line names it too:
    // a Ctrl-C before it joined left it writing into a removed cgroup, and record exited with its error, 2)
    const isSleep = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
      } catch {
        return false;
      }
    };
    await until('the command', () => pidsWithCmdline('sleep', '974.5').some(isSleep), 20_000);
    await sleep(500);
    p.kill('SIGINT');
    const r = await p;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /recorded .* to /);
    await until('the command gone', () => pidsWithCmdline('sleep', '974.5').length === 0);
    assert.deepEqual(irqlensCgroups(p.pid ?? 0), []);
    assert.ok(existsSync(out));
  },
);

for (const w of ['echo', 'memcached'] as const) {
  test(
    `cost --workload ${w}: kill -9 of irqlens leaves no server or load generator`,
    { skip: kernelSkip, timeout: 60_000 },
    async () => {
      assertCanRun();
      const p = start(['cost', '--workload', w, '--duration', '20']);
      const server = w === 'echo' ? ['echo-server'] : ['memcached', '-l', '127.0.0.1'];
      const client = w === 'echo' ? ['echo-client'] : ['memcaslap'];
      await until(`${w}'s load running`, () => pidsWithCmdline(...client).length > 0, 30_000);
      assert.ok(pidsWithCmdline(...server).length > 0, `${w} server runs`);
      p.kill('SIGKILL');
      await p;
      await until(`no ${server[0] ?? ''} left`, () => pidsWithCmdline(...server).length === 0);
      await until(`no ${client[0] ?? ''} left`, () => pidsWithCmdline(...client).length === 0);
    },
  );
}

for (const [cmd, sig, code] of [
  ['snapshot', 'SIGINT', 130],
  ['report', 'SIGTERM', 143],
  ['doctor', 'SIGINT', 130],
] as const) {
  test(
    `${cmd} cut short by ${sig}: exit ${code} and a line saying so, never an empty success`,
    { skip: kernelSkip, timeout: 60_000 },
    async () => {
      assertCanRun();
      const p = start([cmd, '--duration', '20']);
      // started: the helper is attached once the command prints nothing yet but runs; give it time to attach
      await sleep(2500);
      p.kill(sig);
      const r = await p;
      assert.equal(r.exitCode, code, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`interrupted by ${sig}`));
    },
  );
}
