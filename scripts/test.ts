// The whole test suite: lint, then every test file through node's test runner.
// Kernel tests need root; in CI (CI=true) they must run, never skip.
import { execa } from 'execa';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/probe/paths.js';

const root = repoRoot();

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  if (!only.length) {
    process.stderr.write('test: eslint\n');
    const lint = await execa('npx', ['--no-install', 'eslint', '.'], { cwd: root, reject: false, stdio: 'inherit' });
    if (lint.exitCode !== 0) return 1;
    process.stderr.write('test: prettier\n');
    const pretty = await execa('npx', ['--no-install', 'prettier', '--check', '--log-level', 'warn', '.'], {
      cwd: root,
      reject: false,
      stdio: 'inherit',
    });
    if (pretty.exitCode !== 0) {
      process.stderr.write('test: run npm run format to fix the formatting\n');
      return 1;
    }
    process.stderr.write('test: clang-format\n');
    const fmt = await execa('bash', ['scripts/clang-format-check.sh'], { cwd: root, reject: false, stdio: 'inherit' });
    if (fmt.exitCode !== 0) return 1;
    process.stderr.write('test: import layers and cycles\n');
    const layers = await execa('node', ['dist/scripts/check-imports.js'], {
      cwd: root,
      reject: false,
      stdio: 'inherit',
    });
    if (layers.exitCode !== 0) return 1;
  }
  const files = testFiles(join(root, 'dist', 'test')).filter((f) => !only.length || only.some((o) => f.includes(o)));
  // one file at a time: kernel tests compare against machine-wide counters
  // a watchdog: a hung test must fail the run, not hold CI until its own limit
  const r = await execa(
    'node',
    ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-timeout=180000', ...files],
    {
      cwd: root,
      reject: false,
      stdio: 'inherit',
      timeout: 25 * 60_000,
      killSignal: 'SIGKILL',
    },
  );
  if (r.timedOut) process.stderr.write('test: the suite ran over 25 minutes and was killed: a test hangs\n');
  return r.exitCode ?? 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`test: ${String(e)}\n`);
    process.exit(1);
  },
);
