// Every writer's output on the bad paths, from the command line: two writers
// of one name at once (exactly one wins), and a full disk for each writer
// (export perfetto and csv, slice, report --html): one clear line, exit 1, an
// old file under the name intact even with --force, no partial or temporary file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../src/probe/paths.js';
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
  assert.doesNotMatch(stderr, /internal error/);
  assert.match(stderr, /^irqlens: /);
}

const tempFiles = (d: string) => readdirSync(d).filter((n) => n.endsWith('.tmp'));

test('two exports to one name at once: exactly one takes the name, the other says so (and where its complete output went)', async () => {
  for (let i = 0; i < 3; i++) {
    const out = join(dir, `race-${i}.json`);
    const rs = await Promise.all([run(['export', good, '-o', out]), run(['export', good, '-o', out])]);
    const ok = rs.filter((r) => r.exitCode === 0);
    assert.equal(ok.length, 1, rs.map((r) => `${r.exitCode}: ${r.stderr}`).join('\n'));
    const loser = rs.find((r) => r.exitCode !== 0);
    assert.ok(loser);
    oneLine(loser.stderr);
    // refused up front, or (both past the check) the later one keeps its finished output aside and names it
    const kept = /was created by another process while this one wrote; the output is kept as (\S+)$/.exec(
      loser.stderr.trim(),
    );
    if (!kept) assert.match(loser.stderr, /exists.*give --force/);
    else JSON.parse(readFileSync(kept[1] ?? '', 'utf8'));
    JSON.parse(readFileSync(out, 'utf8'));
    if (kept?.[1]) rmSync(kept[1]);
  }
  assert.deepEqual(tempFiles(dir), []);
});

/* ---- a full disk: a small tmpfs (root only) ---- */

const canMount = process.getuid?.() === 0;
const tiny = mkdtempSync(join(tmpdir(), 'irqlens-tiny-'));
let mounted = false;
if (canMount)
  mounted =
    (await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'irqlens-test', tiny], { reject: false })).exitCode === 0;
after(async () => {
  if (mounted) await execa('umount', [tiny], { reject: false });
  rmSync(tiny, { recursive: true, force: true });
});
const noTmpfs = !canMount ? 'mounting a small tmpfs needs root' : !mounted ? 'mount -t tmpfs failed here' : false;

for (const c of [
  { name: 'export perfetto', args: (o: string) => ['export', good, '-o', o, '--force'], file: 'out.json' },
  {
    name: 'export csv',
    args: (o: string) => ['export', good, '--format', 'csv', '--table', 'irqs', '-o', o, '--force'],
    file: 'out.csv',
  },
  { name: 'slice', args: (o: string) => ['slice', good, '-o', o, '--force'], file: 'out.irqrec' },
  { name: 'report --html', args: (o: string) => ['report', good, '--html', o, '--force'], file: 'out.html' },
]) {
  test(
    `${c.name} on a full disk: one clear line, exit 1, the old file intact, no partial file`,
    { skip: noTmpfs },
    async () => {
      const out = join(tiny, c.file);
      writeFileSync(out, 'the old file\n');
      // fill the disk: the old file's page and the filler take all 16 pages
      writeFileSync(join(tiny, 'fill'), Buffer.alloc(60 * 1024));
      try {
        const r = await run(c.args(out));
        assert.equal(r.exitCode, 1, r.stderr);
        oneLine(r.stderr);
        assert.match(r.stderr, new RegExp(`cannot write ${out}: no space left on (the )?device`));
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.equal(readFileSync(out, 'utf8'), 'the old file\n');
        assert.deepEqual(readdirSync(tiny).sort(), [c.file, 'fill'].sort());
      } finally {
        await execa('rm', ['-f', join(tiny, 'fill'), out]);
      }
    },
  );
}
