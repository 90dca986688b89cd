// A reader that goes away (`| head`) ends irqlens quietly: exit 0, nothing on
// stderr, no stack trace and no "internal error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { scratch } from '../unit/record/support.js';
import { synthRecording } from '../unit/record/synth.js';
import { kernelSkip } from '../kernel/support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const dir = scratch();
const rec = join(dir, 'big.irqrec');
synthRecording(rec, {
  seconds: 20,
  intervalMs: 100,
  irqRate: 5000,
  irqNs: 1500,
  netRxRate: 5000,
  seed: 9,
  records: true,
});

/** Runs `irqlens ARGS | READER` in bash; returns irqlens's own exit status and stderr. */
async function piped(args: string[], reader: string): Promise<{ status: number; stderr: string }> {
  const script = `node "$0" "$@" 2>"${dir}/err" | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${dir}/err"`;
  const r = await execa('bash', ['-c', script, cli, ...args], { timeout: 60_000 });
  const [status = '', ...err] = r.stdout.split('\n');
  return { status: Number(status), stderr: err.join('\n').trim() };
}

for (const [args, reader] of [
  [['replay', rec, '--speed', 'max'], 'head -1'],
  [['export', rec, '-o', '-'], 'head -c 100'],
  [['export', rec, '-o', '-', '--format', 'csv', '--table', 'irqs'], 'head -2'],
] as const) {
  test(`irqlens ${args.join(' ')} | ${reader}: ends quietly`, async () => {
    const r = await piped([...args], reader);
    assert.equal(r.stderr, '', r.stderr);
    assert.equal(r.status, 0);
  });
}

test(
  'irqlens top --plain | head -2: ends quietly, the helper detaches',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    const r = await piped(['top', '--plain', '--interval', '0.25', '--count', '40'], 'head -2');
    assert.equal(r.stderr, '', r.stderr);
    assert.equal(r.status, 0);
  },
);
