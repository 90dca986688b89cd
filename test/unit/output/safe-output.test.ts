// No data lost through an output file: never over an input (also through a
// link), never over an existing file without --force, the exists check and
// the write are one atomic step, and a failed write leaves no partial file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import fc from 'fast-check';
import {
  unlinkSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/probe/paths.js';
import { OutputError, prepareOutput, writeOutput } from '../../../src/output/safe-output.js';
import { UsageError } from '../../../src/errors.js';
import { scratch } from '../record/support.js';
import { synthRecording } from '../record/synth.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const dir = scratch();
const rec = join(dir, 'in.irqrec');
synthRecording(rec, {
  seconds: 3,
  intervalMs: 100,
  irqRate: 800,
  irqNs: 1500,
  netRxRate: 2000,
  seed: 4,
  records: true,
});
const run = (args: string[]) => execa('node', [cli, ...args], { reject: false, timeout: 60_000 });
const noTemps = (d: string) => {
  assert.deepEqual(
    readdirSync(d).filter((f) => f.endsWith('.tmp')),
    [],
    `temporary files left in ${d}`,
  );
};

test('the output is never an input: the same name, a symlink or a hard link to it, even with --force', () => {
  const sym = join(dir, 'sym.irqrec');
  const hard = join(dir, 'hard.irqrec');
  symlinkSync(rec, sym);
  linkSync(rec, hard);
  for (const out of [rec, sym, hard]) {
    assert.throws(
      () => prepareOutput(out, { force: true, inputs: [rec] }),
      (e: unknown) => e instanceof UsageError && /is the input/.test(e.message),
    );
  }
  noTemps(dir);
});

test('an existing file is kept without --force; with --force it is replaced only when the new one is complete', () => {
  const out = join(dir, 'exists.txt');
  writeFileSync(out, 'old');
  assert.throws(() => prepareOutput(out, {}), /exists: give --force/);
  const t = prepareOutput(out, { force: true });
  writeFileSync(t.writePath, 'new');
  assert.equal(readFileSync(out, 'utf8'), 'old', 'the old file stands until commit');
  t.commit();
  assert.equal(readFileSync(out, 'utf8'), 'new');
  noTemps(dir);
});

test('without --force the name is taken atomically: a file that appears meanwhile is not overwritten, and the output is kept', () => {
  const out = join(dir, 'race.txt');
  const t = prepareOutput(out, {});
  writeFileSync(t.writePath, 'mine');
  writeFileSync(out, 'theirs');
  assert.throws(
    () => {
      t.commit();
    },
    (e: unknown) => e instanceof OutputError && e.message.includes(t.writePath),
  );
  assert.equal(readFileSync(out, 'utf8'), 'theirs');
  assert.equal(
    readFileSync(t.writePath, 'utf8'),
    'mine',
    'nothing is lost: the output stays under the name the message gives',
  );
  unlinkSync(t.writePath);
});

test('an empty output name is a usage error that leaves no temporary file (found by the options fuzz)', async () => {
  const cwd = join(dir, 'empty-name');
  mkdirSync(cwd);
  for (const args of [
    ['slice', rec, '-o', '', '--force'],
    ['export', rec, '-o', ''],
    ['report', rec, '--html', ' '],
  ]) {
    const r = await execa('node', [cli, ...args], { cwd, reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^irqlens: the output file name is empty: give a file name/, args.join(' '));
    assert.deepEqual(readdirSync(cwd), [], `${args.join(' ')} left files`);
  }
});

test('a write that fails leaves no file behind', () => {
  const out = join(dir, 'failed.txt');
  assert.throws(
    () =>
      writeOutput(out, {}, (p) => {
        writeFileSync(p, 'partial');
        throw new Error('disk full');
      }),
    /disk full/,
  );
  assert.equal(existsSync(out), false);
  noTemps(dir);
});

test('in place (a recording): the name is created exclusively, so a second writer fails at once', () => {
  const out = join(dir, 'inplace.irqrec');
  const a = prepareOutput(out, { inPlace: true });
  assert.equal(a.writePath, out);
  assert.throws(() => prepareOutput(out, { inPlace: true }), /exists/);
  a.discard();
  assert.equal(existsSync(out), false, 'an empty reservation is removed on discard');
});

test('report --html, export and slice refuse to overwrite their own input (exit 2) and leave it intact', async () => {
  const copy = join(dir, 'copy.irqrec');
  copyFileSync(rec, copy);
  const before = readFileSync(copy);
  for (const args of [
    ['report', copy, '--html', copy],
    ['report', copy, '--html', copy, '--force'],
    ['export', copy, '-o', copy, '--force'],
    ['slice', copy, '-o', copy, '--force'],
  ]) {
    const r = await run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /is the input/);
  }
  assert.deepEqual(readFileSync(copy), before);
  const html = join(dir, 'r.html');
  assert.equal((await run(['report', copy, '--html', html])).exitCode, 0);
  const again = await run(['report', copy, '--html', html]);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /exists: give --force/);
  noTemps(dir);
});

test(
  'ENOSPC: export to a full file system is one clear line, exit 1, and no partial file',
  { skip: process.getuid?.() !== 0 ? 'mounting a small tmpfs needs root' : false },
  async () => {
    const mnt = join(dir, 'tiny');
    mkdirSync(mnt);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', mnt]);
    try {
      for (const args of [
        ['export', rec, '-o', join(mnt, 'big.json')],
        ['slice', rec, '-o', join(mnt, 'big.irqrec')],
        ['report', rec, '--html', join(mnt, 'big.html')],
      ]) {
        const r = await run(args);
        assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /no space left on the device/);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.deepEqual(readdirSync(mnt), [], `${args[0] ?? ''} left ${readdirSync(mnt).join(', ')}`);
      }
    } finally {
      await execa('umount', [mnt]);
    }
  },
);

test(
  'two records to one name at once: exactly one runs, the other fails at once with a clear line',
  { skip: process.getuid?.() !== 0 ? 'record needs root' : false },
  async () => {
    const out = join(dir, 'twice.irqrec');
    const [a, b] = await Promise.all([
      run(['record', '-o', out, '--duration', '1']),
      run(['record', '-o', out, '--duration', '1']),
    ]);
    const codes = [a.exitCode, b.exitCode].sort();
    assert.deepEqual(codes, [0, 2], `${a.stderr}\n${b.stderr}`);
    assert.match([a, b].find((r) => r.exitCode === 2)?.stderr ?? '', /exists/);
    const rep = await run(['report', out, '--json']);
    assert.equal(rep.exitCode, 0, rep.stderr);
  },
);

// One step of a user's life with outputs: where the output goes, whether it exists, --force, and how the write ends.
interface Step {
  target: 'new' | 'existing' | 'input' | 'symlink' | 'hardlink' | 'dir';
  force: boolean;
  ending: 'ok' | 'throws' | 'raced';
}

test('property (fast-check): whatever the target, --force and ending, the input and every existing file survive unless replaced by a complete file, and no temporary file stays', () => {
  const home = join(dir, 'prop');
  mkdirSync(home);
  let n = 0;
  const step: fc.Arbitrary<Step> = fc.record({
    target: fc.constantFrom('new', 'existing', 'input', 'symlink', 'hardlink', 'dir'),
    force: fc.boolean(),
    ending: fc.constantFrom('ok', 'throws', 'raced'),
  });
  fc.assert(
    fc.property(step, (s) => {
      const case_ = join(home, `c${String(n++)}`);
      mkdirSync(case_);
      const input = join(case_, 'in.irqrec');
      writeFileSync(input, 'the recording');
      const out = join(case_, s.target === 'dir' ? 'a-dir' : `out-${s.target}`);
      if (s.target === 'existing') writeFileSync(out, 'precious');
      if (s.target === 'symlink') symlinkSync(input, out);
      if (s.target === 'hardlink') linkSync(input, out);
      if (s.target === 'dir') mkdirSync(out);
      const target = s.target === 'input' ? input : out;
      const before = existsSync(target) && s.target !== 'dir' ? readFileSync(target, 'utf8') : undefined;
      let wrote = false;
      let error: unknown;
      try {
        writeOutput(target, { force: s.force, inputs: [input] }, (p) => {
          writeFileSync(p, 'new output');
          if (s.ending === 'raced' && !existsSync(target)) writeFileSync(target, 'theirs');
          if (s.ending === 'throws') throw new Error('disk full');
        });
        wrote = true;
      } catch (e) {
        error = e;
      }
      assert.equal(readFileSync(input, 'utf8'), 'the recording', `the input: ${JSON.stringify(s)}`);
      if (wrote) assert.equal(readFileSync(target, 'utf8'), 'new output', JSON.stringify(s));
      else {
        assert.ok(
          error instanceof UsageError ||
            error instanceof OutputError ||
            (error instanceof Error && error.message === 'disk full'),
          `${JSON.stringify(s)}: ${String(error)}`,
        );
        if (before !== undefined)
          assert.equal(
            readFileSync(target, 'utf8'),
            before,
            `an existing file changed by a failure: ${JSON.stringify(s)}`,
          );
      }
      if (['input', 'symlink', 'hardlink'].includes(s.target))
        assert.ok(!wrote, `wrote over the input: ${JSON.stringify(s)}`);
      if (s.target === 'existing' && !s.force) assert.ok(!wrote, `overwrote without --force: ${JSON.stringify(s)}`);
      // the one kept temporary file is a raced output, and the message names it
      const temps = readdirSync(case_).filter((f) => f.endsWith('.tmp'));
      if (temps.length) {
        assert.ok(
          !s.force &&
            s.ending === 'raced' &&
            error instanceof OutputError &&
            temps.every((t) => error.message.includes(t)),
          `${JSON.stringify(s)}: ${temps.join(', ')} left`,
        );
      }
    }),
    { seed: 1410, numRuns: 200, includeErrorInReport: true },
  );
});
