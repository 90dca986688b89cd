// The offline commands from the command line: bad files are one clear line
// and exit code 1, bad usage exit code 2, help has examples, and the commands
// do their job on a synthetic recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync, truncateSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/probe/paths.js';
import { CHUNK_HDR, FILE_HDR } from '../../../src/record/format.js';
import { scratch } from './support.js';
import { synthRecording } from './synth.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const dir = scratch();
const good = join(dir, 'good.irqrec');
synthRecording(good, {
  seconds: 3,
  intervalMs: 100,
  irqRate: 800,
  irqNs: 1500,
  netRxRate: 2000,
  seed: 4,
  records: true,
});

function run(args: string[]) {
  return execa('node', [cli, ...args], { reject: false, timeout: 60_000 });
}

function oneLine(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
  assert.match(stderr, /^irqlens: /);
}

test('report FILE --json on a recording: the report schema, exit 0', async () => {
  const r = await run(['report', good, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { schema: string; irqs: { name: string; count: number }[]; duration_ns: number };
  assert.equal(j.schema, 'irqlens.report/1');
  assert.equal(j.irqs[0]?.name, 'eth0-rx-0');
  assert.ok(Math.abs(j.duration_ns - 3e9) < 2e6);
});

const bad: { name: string; make: (p: string) => void; args?: (p: string) => string[]; code: number; match: RegExp }[] =
  [
    {
      name: 'not a recording',
      make: (p) => {
        writeFileSync(p, 'just some text\n');
      },
      code: 1,
      match: /not an irqlens recording \(bad magic\)/,
    },
    { name: 'missing', make: () => undefined, code: 1, match: /cannot read .*: no such file/ },
    {
      name: 'newer version',
      make: (p) => {
        const b = readFileSync(good);
        b.writeUInt32LE(2, 8);
        writeFileSync(p, b);
      },
      code: 1,
      match: /recording format version 2 is newer than this irqlens reads/,
    },
    // issue 14, item 13: random bytes after the magic are damage, not a future format
    {
      name: 'random version',
      make: (p) => {
        const b = readFileSync(good);
        b.writeUInt32LE(2699754886, 8);
        writeFileSync(p, b);
      },
      code: 1,
      match: /^irqlens: \S+: the recording header is corrupt \(its format version field reads 2699754886/,
    },
    {
      name: 'a directory',
      make: (p) => {
        mkdirSync(p, { recursive: true });
      },
      code: 1,
      match: /^irqlens: cannot read \S+: it is a directory$/,
    },
    {
      name: 'no hello',
      make: (p) => {
        // the header intact, every byte after it zero: the path is said once, not twice
        const b = readFileSync(good);
        b.fill(0, FILE_HDR + b.readUInt32LE(12));
        writeFileSync(p, b);
      },
      code: 1,
      match: /^irqlens: (\S+): no readable frames(?![\s\S]*\1: \1)/,
    },
  ];

for (const b of bad) {
  for (const cmd of ['report', 'replay', 'export', 'slice', 'compare']) {
    test(`${cmd} on a bad file (${b.name}): one line, exit ${b.code}`, async () => {
      const p = join(dir, `bad-${b.name.replace(/\W+/g, '-')}.irqrec`);
      b.make(p);
      const args =
        cmd === 'compare'
          ? [cmd, good, p]
          : cmd === 'replay'
            ? [cmd, p, '--speed', 'max']
            : cmd === 'report'
              ? [cmd, p]
              : [cmd, p, '-o', join(dir, 'out'), '--force'];
      const r = await run(args);
      assert.equal(r.exitCode, b.code, r.stderr);
      assert.match(r.stderr, b.match);
      oneLine(r.stderr);
    });
  }
}

test('a truncated recording: a warning with what was lost, the report anyway, exit 0', async () => {
  const p = join(dir, 'trunc.irqrec');
  copyFileSync(good, p);
  truncateSync(p, readFileSync(good).length - 3000);
  const r = await run(['report', p, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /not finished/);
  assert.equal((JSON.parse(r.stdout) as { schema: string }).schema, 'irqlens.report/1');
});

test('a corrupt chunk: an error line naming its offset, the rest reported, exit 1', async () => {
  const p = join(dir, 'corrupt.irqrec');
  const b = readFileSync(good);
  const first = FILE_HDR + b.readUInt32LE(12);
  const second = first + CHUNK_HDR + b.readUInt32LE(first + 8);
  b[second + CHUNK_HDR + 5] = (b[second + CHUNK_HDR + 5] ?? 0) ^ 0xff;
  writeFileSync(p, b);
  const r = await run(['report', p, '--json']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, new RegExp(`chunk at byte ${second} is corrupt \\(checksum mismatch\\)`));
  assert.equal((JSON.parse(r.stdout) as { schema: string }).schema, 'irqlens.report/1');
});

const usage: string[][] = [
  ['slice', 'x.irqrec'],
  ['slice', 'x.irqrec', '-o', 'y', '--from', 'abc'],
  ['slice', 'x.irqrec', '-o', 'y', '--cpu', '1-a'],
  ['export', 'x.irqrec', '-o', 'y', '--format', 'svg'],
  ['replay', 'x.irqrec', '--speed', '-2'],
  ['compare', 'only-one.irqrec'],
  ['record'],
  ['report', 'x.irqrec', '--runs', '3'],
];

for (const args of usage) {
  test(`usage: irqlens ${args.join(' ')} -> exit 2`, async () => {
    const r = await run(args);
    assert.equal(r.exitCode, 2, r.stderr);
    oneLine(r.stderr);
  });
}

test('existing output files are not overwritten without --force', async () => {
  const out = join(dir, 'exists.json');
  writeFileSync(out, 'x');
  const r = await run(['export', good, '-o', out]);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /exists: give --force to overwrite it/);
});

test('every offline command has --help with examples', async () => {
  for (const cmd of ['record', 'replay', 'slice', 'export', 'compare', 'report']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /Examples:/, cmd);
  }
});

test('replay --speed max prints one summary per interval; slice, export and compare run', async () => {
  const r = await run(['replay', good, '--speed', 'max']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((r.stdout.match(/ CPU {2}hardirq\/s/g) ?? []).length, 3);
  const s = await run(['slice', good, '-o', join(dir, 's.irqrec'), '--from', '1', '--to', '2', '--json', '--force']);
  assert.equal(s.exitCode, 0, s.stderr);
  assert.equal((JSON.parse(s.stdout) as { snapshots: number }).snapshots, 11);
  const e = await run(['export', good, '--format', 'csv', '-o', '-']);
  assert.equal(e.exitCode, 0, e.stderr);
  assert.equal(e.stdout.trim().split('\n').length, 1 + 30 * 2);
  const c = await run(['compare', good, join(dir, 's.irqrec'), '--json']);
  assert.equal(c.exitCode, 0, c.stderr);
  assert.equal((JSON.parse(c.stdout) as { schema: string }).schema, 'irqlens.compare/1');
});

/* ---- a pipe as a recording: refused at once, never a hang (issue 14, item 12) ---- */

test('a FIFO as a recording: every offline command refuses it at once with one line, exit 1', async () => {
  const fifo = join(dir, 'rec.fifo');
  await execa('mkfifo', [fifo]);
  for (const args of [
    ['report', fifo],
    ['replay', fifo],
    ['export', fifo, '-o', join(dir, 'fifo.json')],
    ['slice', fifo, '-o', join(dir, 'fifo.irqrec')],
    ['compare', fifo, good],
    ['report', fifo, '--html', join(dir, 'fifo.html')],
  ]) {
    const r = await execa('node', [cli, ...args], { reject: false, timeout: 20_000 });
    assert.equal(r.timedOut, false, `${args.join(' ')} hung on a FIFO`);
    assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
    oneLine(r.stderr);
    assert.match(r.stderr, /cannot read .*rec\.fifo: it is a pipe, not a file \(.*save it to a file first/);
  }
});

test('/dev/stdin as a recording: a pipe is refused with one line, a redirected file is read', async () => {
  const piped = await execa('node', [cli, 'report', '/dev/stdin'], {
    reject: false,
    timeout: 20_000,
    input: readFileSync(good),
  });
  assert.equal(piped.exitCode, 1, piped.stderr);
  oneLine(piped.stderr);
  assert.match(piped.stderr, /cannot read \/dev\/stdin: it is a pipe, not a file/);
  // a shell redirect: stdin is the file itself
  const redirected = await execa('sh', ['-c', 'exec node "$1" report /dev/stdin --json < "$2"', 'sh', cli, good], {
    reject: false,
    timeout: 20_000,
  });
  assert.equal(redirected.exitCode, 0, redirected.stderr);
  assert.equal((JSON.parse(redirected.stdout) as { schema: string }).schema, 'irqlens.report/1');
});

/* ---- a range or filter that selects nothing is an error, not empty output with exit 0 (issue 14, item 13) ---- */

for (const c of [
  {
    args: ['replay', good, '--speed', 'max', '--from', '100'],
    code: 1,
    match: /no 1 s interval of \S+ is in 100-end s: it spans 0-3\.0 s/,
  },
  {
    args: ['replay', good, '--speed', 'max', '--from', '2', '--to', '1'],
    code: 2,
    match: /--to 1 is not after --from 2/,
  },
  {
    args: ['replay', good, '--speed', 'max', '--interval', '100'],
    code: 1,
    match: /spans 3\.0 s: no whole 100 s interval \(give a shorter --interval\)/,
  },
  {
    args: ['slice', good, '-o', join(dir, 'cpu99.irqrec'), '--cpu', '99'],
    code: 2,
    match: /--cpu: 99 is not a CPU of \S+ \(it recorded CPUs 0-1\)/,
  },
  {
    args: ['compare', good, good, '--interval', '1000'],
    code: 1,
    match: /spans 3\.0 s: no whole 1000 s interval to compare/,
  },
]) {
  test(`irqlens ${c.args.map((a) => a.replace(dir, '.')).join(' ')} -> one line, exit ${c.code}`, async () => {
    const r = await run(c.args);
    assert.equal(r.exitCode, c.code, r.stderr);
    assert.match(r.stderr, c.match);
    oneLine(r.stderr);
  });
}

test('slice --cpu 99 writes no file', async () => {
  const out = join(dir, 'cpu99-none.irqrec');
  await run(['slice', good, '-o', out, '--cpu', '99']);
  assert.throws(() => readFileSync(out), /ENOENT/);
});

test('replay --from 1 --to 2 within the recording still shows its intervals, exit 0', async () => {
  const r = await run(['replay', good, '--speed', 'max', '--from', '1', '--to', '2']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /eth0-rx-0/);
});
