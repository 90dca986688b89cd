// Property-based fuzz over the offline commands' options (issue 14, beyond the list):
// random commands, flags, values and files. Whatever the combination, irqlens exits
// 0, 1 or 2, says what is wrong in one line, never prints a stack trace or "internal
// error", never hangs, never changes the recording it reads and never leaves a
// temporary file behind. Fixed seed and bounded runs, so a failure is reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import fc from 'fast-check';
import { execa } from 'execa';
import { cliPath } from './cli-path.js';
import { fixtureRecording } from '../unit/record/support.js';

const cli = cliPath();
const dir = mkdtempSync(join(tmpdir(), 'irqlens-fuzz-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const rec = join(dir, 'run.irqrec');
fixtureRecording(rec, { chunkBytes: 3000 });
const text = join(dir, 'notes.txt');
writeFileSync(text, 'not a recording\n');
const empty = join(dir, 'empty.irqrec');
writeFileSync(empty, '');
const sub = join(dir, 'a-directory');
mkdirSync(sub);
symlinkSync(rec, join(dir, 'symlink.irqrec'));
linkSync(rec, join(dir, 'hardlink.irqrec'));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const recSha = sha(rec);

const goodFiles = [rec, 'symlink.irqrec', 'hardlink.irqrec'];
const badFiles = ['missing.irqrec', text, empty, sub, '/dev/null', '/proc/self/status', '-', ''];
// NEW: a name no run has used (replaced per run), so the fuzz reaches past 'exists'
const outputs = [
  'NEW.bin',
  'NEW.html',
  'NEW.csv',
  'NEW.bin',
  'out.bin',
  '-',
  rec,
  'symlink.irqrec',
  'hardlink.irqrec',
  sub,
  '/nonexistent/dir/x',
  '/proc/version',
  '',
];
const times = ['0', '0.2', '0.5', '1', '2', '100', '1e-9', '-1', 'abc', '2147484', '1e400', 'Infinity', ''];
const odd = ['NaN', '-0', '0x10', ' ', '--', '-', '%s', '\u00e9x', 'bogus'];

/** Each command's own flags with values a user might give, good and bad; undefined: a switch. */
const own: Record<string, Record<string, string[] | undefined>> = {
  replay: { '--from': times, '--to': times, '--interval': times, '--speed': ['max', '0', '1', '1000', '-2', 'fast'] },
  export: {
    '-o': outputs,
    '--output': outputs,
    '--format': ['perfetto', 'csv', 'json', ''],
    '--table': ['cpus', 'irqs', 'softirqs', 'vectors', 'napi', 'threads', 'x'],
    '--interval': times,
    '--force': undefined,
    '--json': undefined,
  },
  slice: {
    '-o': outputs,
    '--from': times,
    '--to': times,
    '--cpu': ['0', '1', '0,1', '0-1', '99', '3-1', '-1', 'a'],
    '--irq': ['24', 'virtio', '0', 'x,,y'],
    '--dev': ['eth0', 'lo', 'virtio0', ''],
    '--force': undefined,
    '--json': undefined,
  },
  compare: { '--interval': times, '--json': undefined },
  report: {
    '--html': outputs,
    '--force': undefined,
    '--json': undefined,
    '--pid': ['1', '999999', '0', 'x'],
    '--comm': ['nginx'],
    '--duration': times,
  },
};
const anyFlags = [
  '--from',
  '--to',
  '--cpu',
  '--format',
  '--interval',
  '--speed',
  '--json',
  '--force',
  '--html',
  '-o',
  '--runs',
  '--cgroup',
  '--help',
  '--bogus',
  '-x',
];

const value = (pool: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.constantFrom(...odd) },
    { weight: 1, arbitrary: fc.double().map(String) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((v) => v.replaceAll('\0', '')) }, // NUL cannot be in argv
  );

function flagOf(cmd: string) {
  const mine = own[cmd] ?? {};
  const ownFlag = fc.constantFrom(...Object.keys(mine)).chain((name): fc.Arbitrary<string[]> => {
    const pool = mine[name];
    return pool === undefined ? fc.constant([name]) : value(pool).map((v) => [name, v]);
  });
  const stray = fc
    .tuple(fc.constantFrom(...anyFlags), fc.option(value(times), { nil: undefined }))
    .map(([n, v]): string[] => (v === undefined ? [n] : [n, v]));
  return fc.oneof({ weight: 8, arbitrary: ownFlag }, { weight: 1, arbitrary: stray });
}

const file = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...goodFiles) },
  { weight: 1, arbitrary: fc.constantFrom(...badFiles) },
);

const invocation: fc.Arbitrary<string[]> = fc
  .constantFrom('replay', 'export', 'slice', 'compare', 'report', 'help')
  .chain((cmd): fc.Arbitrary<string[]> => {
    if (cmd === 'help')
      return fc.constantFrom('frobnicate', 'replay', 'export', '').map((w) => (w ? ['help', w] : ['help']));
    const n = cmd === 'compare' ? 2 : 1;
    return fc
      .tuple(fc.array(file, { minLength: n, maxLength: n }), fc.array(flagOf(cmd), { maxLength: 4 }), fc.boolean())
      .map(([pos, flags, needed]) => {
        // report without a file measures live (probes): keep it offline
        const args = [cmd, ...pos, ...flags.flat()];
        // the required output, most of the time, so the fuzz reaches past the usage check
        if ((cmd === 'export' || cmd === 'slice') && needed && !args.includes('-o') && !args.includes('--output'))
          args.push('-o', 'NEW.bin');
        // replay waits in real time unless told otherwise; the last --speed wins
        if (cmd === 'replay') args.push('--speed', 'max');
        return args;
      });
  });

const stackTrace = /\n\s+at .+:\d+:\d+/;

function tempFiles(): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

test('fuzz: random options of the offline commands end in exit 0/1/2 with one clear line, never a stack trace, a hang or a changed input', async () => {
  let runs = 0;
  const exits = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(invocation, async (generated) => {
      runs++;
      const fresh = `new-${String(runs)}`;
      const args = generated.map((a) => a.replace(/^NEW/, fresh));
      const r = await execa('node', [cli, ...args], {
        cwd: dir,
        reject: false,
        timeout: 20_000,
        stripFinalNewline: false,
        env: { NO_COLOR: '1' },
      });
      const what = `irqlens ${JSON.stringify(args)}\nexit ${String(r.exitCode)}\nstderr:\n${r.stderr}`;
      assert.ok(!r.timedOut, `hung: ${what}`);
      assert.ok(r.exitCode !== undefined && [0, 1, 2].includes(r.exitCode), `exit code: ${what}`);
      exits.set(r.exitCode, (exits.get(r.exitCode) ?? 0) + 1);
      assert.doesNotMatch(r.stderr, stackTrace, `stack trace: ${what}`);
      assert.doesNotMatch(r.stderr + r.stdout, /internal error/i, what);
      if (r.exitCode !== 0) {
        // commander's hints ("(Did you mean --from?)", "(run irqlens --help for usage)") follow the line
        const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^\(.*\)$/.test(l));
        assert.equal(lines.length, 1, `one line: ${what}`);
        assert.match(lines[0] ?? '', /^irqlens: \S/, what);
        // outside the user's own quoted values ('NaN' is fine when the user typed it)
        const ours = (lines[0] ?? '').replace(/'[^']*'/g, "''");
        assert.doesNotMatch(
          ours,
          /\b(E[A-Z]{3,}|undefined|NaN|\[object \w+\])\b/,
          `raw code or a programming word: ${what}`,
        );
      }
      assert.equal(sha(rec), recSha, `the recording changed: ${what}`);
      assert.deepEqual(tempFiles(), [], `temporary file left: ${what}`);
      // a command that failed leaves no output behind, not even part of one
      if (r.exitCode !== 0)
        assert.deepEqual(
          readdirSync(dir).filter((n) => n.startsWith(fresh)),
          [],
          `output left by a failure: ${what}`,
        );
    }),
    // bounded: a fixed number of runs and a time cap (an interruption is not a failure)
    {
      seed: 1414,
      numRuns: 70,
      endOnFailure: true,
      includeErrorInReport: true,
      interruptAfterTimeLimit: 25_000,
      markInterruptAsFailure: false,
    },
  );
  process.stdout.write(`# ${String(runs)} invocations, exit codes ${JSON.stringify([...exits])}\n`);
  assert.ok((exits.get(0) ?? 0) > 0 && (exits.get(2) ?? 0) > 0, 'both accepted and refused invocations are exercised');
});
