// The installable package on a host with only Node: `npm run package`'s tarball,
// installed with npm into a temporary prefix, run with a PATH that holds node and
// nothing else (no clang, gcc, bpftool or llvm tools). As root its helper loads the
// kernel programs and counts what /proc/interrupts counts over the same window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { readInterrupts } from '../../src/procfs/interrupts.js';
import { assertCanRun, diskLoad, kernelSkip, killAll, track } from '../kernel/support.js';
import { startServe } from '../web/serve-child.js';

const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), 'irqlens-package-'));
const nodeOnly = join(work, 'bin');
const prefix = join(work, 'prefix');
const irqlens = join(prefix, 'node_modules', '.bin', 'irqlens');
const installed = join(prefix, 'node_modules', 'irqlens');
/** The environment of a host with Node and nothing else on PATH. */
const bare = { PATH: nodeOnly, HOME: work, LANG: 'C.UTF-8' };
let tarball = '';
let entries: string[] = [];

before(async () => {
  const r = await execa('node', [join(root, 'dist', 'scripts', 'package.js'), '--out', work, '--quiet'], {
    cwd: root,
    timeout: 120_000,
  });
  tarball = r.stdout.trim();
  entries = (await execa('tar', ['tzf', tarball])).stdout.split('\n').filter(Boolean);
  mkdirSync(nodeOnly);
  symlinkSync(process.execPath, join(nodeOnly, 'node'));
  // npm from the registry, as a user would; nothing is built on install
  await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    timeout: 180_000,
  });
});

after(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the runtime, the prebuilt helper and workloads, and nothing for development', () => {
  const has = (p: string) => entries.includes(`package/${p}`);
  for (const p of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/cli/main.js',
    'dist/ui/tui/run.js',
    'dist/ui/web/main.js',
    'ui/web/page.css',
    'prebuilt/linux-x64/irqlens-helper',
    'prebuilt/linux-x64/echo-server',
    'prebuilt/linux-x64/echo-client',
  ]) {
    assert.ok(has(p), `${p} is not in the tarball`);
  }
  const dev = entries.filter(
    (e) =>
      /\.(map|ts|tsx|c|h|tsbuildinfo)$/.test(e) ||
      /^package\/(test|scripts|bpf|src|build|dist\/test|dist\/scripts)\//.test(e),
  );
  assert.deepEqual(dev, [], 'development files in the tarball');
  // dist/ keeps the outputs of moved or deleted sources; only modules with a source today ship
  const stale = entries
    .filter((e) => /^package\/dist\/.*\.js$/.test(e))
    .map((e) => e.replace(/^package\/dist\//, '').replace(/\.js$/, ''))
    .filter((m) => !existsSync(join(root, `${m}.ts`)) && !existsSync(join(root, `${m}.tsx`)));
  assert.deepEqual(stale, [], 'compiled modules without a source in the tarball');
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(pkg.os, ['linux']);
  assert.deepEqual(pkg.cpu, ['x64']);
  assert.deepEqual(pkg.engines, { node: '>=20' });
  assert.deepEqual(pkg.bin, { irqlens: 'dist/cli/main.js' });
  for (const k of ['scripts', 'devDependencies', 'overrides'])
    assert.equal(pkg[k], undefined, `package.json keeps ${k}`);
});

test('the installed helper needs only libc', async () => {
  const r = await execa('ldd', [join(installed, 'prebuilt', 'linux-x64', 'irqlens-helper')]);
  const libs = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
  assert.deepEqual(
    libs.filter((l) => !/^(linux-vdso\.so\.1|libc\.so\.6|\/lib64\/ld-linux-x86-64\.so\.2)$/.test(l)),
    [],
    r.stdout,
  );
});

test('the PATH the installed CLI runs with has node and no compiler or BPF tool', async () => {
  const r = await execa(
    '/bin/sh',
    [
      '-c',
      'for t in node clang gcc cc bpftool llc llvm-strip llvm-objcopy clang-19 clang-16 tsc npx; do command -v $t || echo "absent $t"; done',
    ],
    { env: bare, extendEnv: false },
  );
  assert.deepEqual(r.stdout.split('\n'), [
    join(nodeOnly, 'node'),
    ...['clang', 'gcc', 'cc', 'bpftool', 'llc', 'llvm-strip', 'llvm-objcopy', 'clang-19', 'clang-16', 'tsc', 'npx'].map(
      (t) => `absent ${t}`,
    ),
  ]);
});

test('irqlens --help from the installed package lists the commands', async () => {
  const r = await execa(irqlens, ['--help'], { env: bare, extendEnv: false, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  for (const c of ['snapshot', 'top', 'serve', 'record', 'doctor', 'cost'])
    assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'));
});

test('cost --workload echo from the installed package without taskset on PATH: one line naming util-linux', async () => {
  const r = await execa(irqlens, ['cost', '--workload', 'echo', '--duration', '1'], {
    env: bare,
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /^irqlens: taskset is not on PATH .*util-linux/);
  assert.doesNotMatch(r.stderr, /internal error|ENOENT|\n\s+at /);
});

const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

test(
  'the shipped systemd unit is valid and its ExecStart is the bin of an npm --prefix install',
  { skip: analyze ? false : 'systemd-analyze is not installed (Debian package systemd)' },
  async () => {
    const unit = readFileSync(join(installed, 'deploy', 'monitoring', 'irqlens.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/opt\/irqlens\/node_modules\/\.bin\/irqlens serve /m);
    // the README installs with --prefix /opt/irqlens; this test's prefix stands in for it
    const file = join(work, 'irqlens.service');
    writeFileSync(file, unit.replaceAll('/opt/irqlens', prefix));
    const r = await execa(analyze ?? '', ['verify', file], { reject: false });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal((r.stdout + r.stderr).trim(), '');
  },
);

/** Sum over CPUs of one /proc/interrupts row. */
const total = (rows: ReturnType<typeof readInterrupts>, id: string) =>
  (rows.get(id)?.perCpu ?? []).reduce((a, b) => a + b, 0);

test(
  'snapshot --duration 1 --json from the installed package loads the programs and counts what /proc/interrupts counts',
  { skip: kernelSkip, timeout: 90_000 },
  async (t) => {
    if (process.env.CI) assertCanRun();
    const t0 = process.hrtime.bigint();
    const p0 = readInterrupts();
    const snap = track(
      execa(irqlens, ['snapshot', '--duration', '1', '--json'], {
        env: bare,
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      }),
    );
    // disk interrupts at a steady rate until the snapshot ends, bounded in count
    let done = false;
    const load = (async () => {
      for (let i = 0; i < 40 && !done; i++) await diskLoad(200);
    })();
    const r = await snap;
    done = true;
    const p1 = readInterrupts();
    const outerS = Number(process.hrtime.bigint() - t0) / 1e9;
    await load;
    assert.equal(r.exitCode, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      duration_ns: number;
      programs: { name: string; status: string }[];
      irqs: { irq: number; name: string; count: number }[];
      vectors: { vector: string; count: number }[];
    };
    assert.ok(
      j.programs.some((p) => p.name === 'irql_hi_entry' && p.status === 'attached'),
      JSON.stringify(j.programs),
    );
    const innerS = j.duration_ns / 1e9;
    // the snapshot's window lies inside the /proc window: never more than /proc, and its share of it at a steady rate
    const check = (what: string, got: number, procDelta: number) => {
      t.diagnostic(
        `${what}: snapshot ${got} in ${innerS.toFixed(2)} s, /proc/interrupts ${procDelta} in ${outerS.toFixed(2)} s`,
      );
      assert.ok(got > 0, `${what}: the package's helper counted nothing (/proc/interrupts: ${procDelta})`);
      assert.ok(
        got <= procDelta * 1.02 + 2,
        `${what}: snapshot ${got} > /proc/interrupts ${procDelta} over an enclosing window`,
      );
      assert.ok(
        got >= procDelta * (innerS / outerS) * 0.4,
        `${what}: snapshot ${got} in ${innerS.toFixed(2)} s, /proc/interrupts ${procDelta} in ${outerS.toFixed(2)} s`,
      );
    };
    const loc = j.vectors.find((v) => v.vector === 'LOCAL_TIMER');
    check('LOC (local timer)', loc?.count ?? 0, total(p1, 'LOC') - total(p0, 'LOC'));
    const disk = [...j.irqs].sort((a, b) => b.count - a.count)[0];
    assert.ok(disk, `no device interrupts during a disk load: ${r.stdout.slice(0, 400)}`);
    const row = p1.get(String(disk.irq));
    assert.ok(row, `IRQ ${disk.irq} is not in /proc/interrupts`);
    assert.ok(
      row.desc.includes(disk.name),
      `IRQ ${disk.irq}: snapshot names it '${disk.name}', /proc/interrupts '${row.desc}'`,
    );
    check(`IRQ ${disk.irq} (${disk.name})`, disk.count, total(p1, String(disk.irq)) - total(p0, String(disk.irq)));
  },
);

test(
  'serve from the installed package: the page, its browser builds and /metrics',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    if (process.env.CI) assertCanRun();
    const srv = await startServe([], { bin: irqlens, env: bare });
    try {
      for (const path of ['', 'app.js', 'page.css', 'uplot.js', 'uplot.css', 'msgpackr.js']) {
        const res = await fetch(`${srv.url}${path}`);
        assert.equal(res.status, 200, `/${path}: ${res.status} ${await res.text()}`);
      }
      await new Promise((r) => setTimeout(r, 500));
      const text = await (await fetch(`${srv.url}metrics`)).text();
      const loc = [...text.matchAll(/^irqlens_vector_total\{cpu="\d+",vector="LOCAL_TIMER"\} (\d+)$/gm)].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
      assert.ok(loc > 0, `no local timer interrupts in /metrics:\n${text.slice(0, 600)}`);
    } finally {
      await srv.stop();
    }
    assert.ok(!existsSync(join(installed, 'build')), 'the installed package grew a build/ directory');
  },
);
