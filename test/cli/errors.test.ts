// Bad input gets one clear line and a non-zero exit code, never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');

async function run(args: string[], env: Record<string, string> = {}) {
  return execa('node', [cli, ...args], { reject: false, timeout: 30_000, env });
}

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
}

const cases: { args: string[]; match: RegExp }[] = [
  { args: ['--bogus'], match: /unknown option '--bogus'/ },
  { args: ['frob'], match: /unknown command 'frob'/ },
  { args: ['snapshot', '--duration', 'abc'], match: /--duration: 'abc' is not a positive number/ },
  { args: ['snapshot', '--duration', '-1'], match: /--duration/ },
  { args: ['snapshot', '--ring-bytes', '5000'], match: /--ring-bytes: 5000 is not a power of 2/ },
  { args: ['snapshot', '--records', 'hardirq,bogus'], match: /--records: unknown kind 'bogus'/ },
  {
    args: ['snapshot', '--cgroup', '/nonexistent/cg'],
    match: /--cgroup: cannot use \/nonexistent\/cg: no such file or directory/,
  },
  { args: ['snapshot', '--cgroup', '/tmp'], match: /--cgroup: \/tmp is not a cgroup v2 directory/ },
  { args: ['snapshot', '--cgroup', '/etc/passwd'], match: /--cgroup: \/etc\/passwd is not a directory/ },
  { args: ['snapshot', '--pid', '999999'], match: /--pid: no process 999999/ },
  { args: ['report', '--cgroup', '/tmp'], match: /--cgroup: \/tmp is not a cgroup v2 directory/ },
  { args: ['help', 'frobnicate'], match: /help: unknown command 'frobnicate'/ },
  { args: ['top', '--pid', '999999'], match: /--pid: no process 999999/ },
  { args: ['serve', '--pid', '999999'], match: /--pid: no process 999999/ },
  {
    args: ['record', '-o', '/tmp/never.irqrec', '--duration', '2147484'],
    match: /--duration: '2147484' is more than 2147483 seconds/,
  },
  { args: ['top', '--interval', '1e10'], match: /--interval: '1e10' is more than/ },
  { args: ['doctor', '--duration', '1e-9'], match: /--duration: '1e-9' is too short/ },
  { args: ['top', '--interval', '0'], match: /--interval/ },
  {
    args: ['report', '--comm', 'no-such-process-xyz'],
    match: /--comm: no running process is named 'no-such-process-xyz'/,
  },
  { args: ['report', '--pid', '1', '--comm', 'x'], match: /at most one of --pid, --cgroup, --comm/ },
  { args: ['report', '--runs', '0'], match: /--runs/ },
  { args: ['cost'], match: /give a command after '--'/ },
  { args: ['cost', '--workload', 'bogus'], match: /--workload: 'bogus' is not a built-in workload/ },
  { args: ['cost', '--', '/nonexistent/server'], match: /cannot run '\/nonexistent\/server': no such command or file/ },
  { args: ['cost', '--workload', 'echo', '--cpu', '99'], match: /--cpu: 99 is not a CPU of this machine/ },
];

for (const c of cases) {
  test(`irqlens ${c.args.join(' ')} -> usage error, exit 2`, async () => {
    const r = await run(c.args);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, c.match);
    assert.match(r.stderr.split('\n')[0] ?? '', /^irqlens: /);
    noStack(r.stderr);
  });
}

test('a missing helper binary is named with the fix, exit 1', async () => {
  const r = await run(['snapshot', '--duration', '1'], { IRQLENS_HELPER: '/nonexistent/irqlens-helper' });
  assert.equal(r.exitCode, 1);
  assert.match(
    r.stderr,
    /^irqlens: the helper \/nonexistent\/irqlens-helper \(from IRQLENS_HELPER\) does not exist: point IRQLENS_HELPER at the helper binary or unset it/,
  );
  noStack(r.stderr);
});

test('--help lists the commands with examples, exit 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.exitCode, 0);
  assert.match(r.stdout, /snapshot/);
  assert.match(r.stdout, /Examples:/);
  const s = await run(['snapshot', '--help']);
  assert.equal(s.exitCode, 0);
  assert.match(s.stdout, /--json/);
  assert.match(s.stdout, /--duration/);
  // every command's help ends with its examples, flush left like commander's own headings
  for (const c of ['top', 'snapshot', 'report', 'cost']) {
    const h = await run([c, '--help']);
    assert.equal(h.exitCode, 0);
    assert.match(h.stdout, /^Examples:\n {2}irqlens /m, `${c} --help`);
  }
});

test('helper: unknown option and bad values are one line, exit 2', async () => {
  const helper = join(repoRoot(), 'build', 'irqlens-helper');
  for (const args of [['--bogus'], ['--ring-bytes', '1000'], ['--records', 'nope'], ['--interval', 'x']]) {
    const r = await execa(helper, args, { reject: false });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^irqlens-helper: /);
  }
});
