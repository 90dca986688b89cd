// Recordings on the real kernel: a live `report --json` and `report FILE` on
// the same stream are byte-identical; `record` writes a finished file with
// its header; SIGTERM finishes the file; kill -9 leaves a readable one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, helperPath } from '../../src/probe/paths.js';
import { Recording } from '../../src/record/reader.js';
import { makeHeader } from '../../src/record/header.js';
import { hostSettings } from '../../src/record/settings.js';
import { writeRecording } from '../../src/record/writer.js';
import { eachMessage } from '../../src/record/offline.js';
import { decodeRecords } from '../../src/stream/decode.js';
import { assertCanRun, diskLoad, kernelSkip, killAll, pingPong, startEcho, track } from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'irqlens-krec-'));
after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

function irqlens(args: string[], env: Record<string, string> = {}) {
  return track(execa('node', [cli, ...args], { reject: false, timeout: 120_000, env, buffer: true }));
}

test(
  'a live report --json and report FILE on the same stream are byte-identical',
  { skip: kernelSkip, timeout: 180_000 },
  async () => {
    assertCanRun();
    // the live run's helper writes through tee: the bytes it consumed are the recording
    const tee = join(dir, 'tee-helper.sh');
    const raw = join(dir, 'live.bin');
    writeFileSync(tee, '#!/bin/bash\nexec "$IRQLENS_REAL_HELPER" "$@" > >(exec tee "$IRQLENS_TEE_FILE")\n');
    chmodSync(tee, 0o755);
    const echo = await startEcho(8, 200, 64);
    const live = irqlens(['report', '--pid', String(echo.pid), '--duration', '3', '--json'], {
      IRQLENS_HELPER: tee,
      IRQLENS_REAL_HELPER: helperPath(),
      IRQLENS_TEE_FILE: raw,
    });
    await new Promise((r) => setTimeout(r, 500));
    await pingPong(echo.port, 4000, 2);
    const l = await live;
    assert.equal(l.exitCode, 0, l.stderr);
    echo.proc.kill();

    const file = join(dir, 'live.irqrec');
    const stream = readFileSync(raw);
    writeRecording(
      file,
      makeHeader({
        options: {
          records: ['period', 'hardirq', 'vector', 'softirq', 'burst'],
          intervalMs: 200,
          windowUs: 100,
          burstPackets: 256,
        },
        settings: await hostSettings(),
      }),
      new Uint8Array(stream),
    );
    const off = await irqlens(['report', file, '--json']);
    assert.equal(off.exitCode, 0, off.stderr);
    const report = JSON.parse(l.stdout) as { workloads: { tgid: number; periods: number }[] };
    assert.ok(
      report.workloads.some((w) => w.tgid === echo.pid && w.periods > 100),
      'the echo server was busy in the window',
    );
    assert.ok(
      off.stdout === l.stdout,
      `the reports differ:\nlive ${l.stdout.length} bytes, recording ${off.stdout.length} bytes`,
    );
  },
);

test(
  'record --duration writes a finished recording: header settings, hello, every record kind asked for',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    const file = join(dir, 'rec.irqrec');
    const echo = await startEcho(6, 100, 64);
    const rec = irqlens(['record', '-o', file, '--duration', '3', '--json', '--records', 'all']);
    await new Promise((r) => setTimeout(r, 800));
    // device interrupts of our own (a quiet VM can go 3 s without one): O_DIRECT writes to the disk
    await Promise.all([pingPong(echo.port, 1500, 2), diskLoad(300)]);
    const r = await rec;
    echo.proc.kill();
    assert.equal(r.exitCode, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { events: number; bytes: number; ended: string; bytes_per_event: number };
    assert.equal(summary.ended, 'end');
    assert.ok(summary.events > 1000, `${summary.events} events`);
    assert.ok(summary.bytes_per_event <= 16, `${summary.bytes_per_event} bytes per event on disk`);
    const f = Recording.open(file);
    try {
      assert.ok(f.index, 'finished: the index is there');
      assert.equal(f.index.ended, 'end');
      assert.deepEqual(f.issues, []);
      const h = f.header;
      assert.equal(h.host, f.hello.host);
      assert.equal(h.kernel, f.hello.kernel);
      assert.ok(h.cpu.model.length > 0 && h.cpu.count === f.hello.ncpus);
      assert.equal(h.pmu, f.hello.pmu);
      assert.deepEqual(h.options.records, ['all']);
      assert.ok(h.settings);
      assert.equal(typeof h.settings.ethtool.available, 'boolean');
      if (!h.settings.ethtool.available) assert.match(h.settings.ethtool.note ?? '', /ethtool is not installed/);
      assert.ok(
        'net.core.netdev_budget' in h.settings.sysctls && h.settings.sysctls['net.core.busy_poll'] !== undefined,
      );
      assert.ok(
        h.settings.irqs.some((i) => i.affinity !== null),
        'IRQ affinities',
      );
      assert.ok(h.settings.devices.some((d) => d.dev === 'lo'));
      assert.ok(Object.keys(h.irqNames).length > 0);
      const kinds = new Set<string>();
      eachMessage(f, (m) => {
        if (m.type === 'events') for (const x of decodeRecords(m.bytes)) kinds.add(x.kind);
      });
      for (const k of ['hardirq', 'vector', 'softirq', 'napi', 'epoll', 'period'])
        assert.ok(kinds.has(k), `${k} records: ${[...kinds].join(',')}`);
    } finally {
      f.close();
    }
    const again = await irqlens(['record', '-o', file, '--duration', '1']);
    assert.equal(again.exitCode, 2);
    assert.match(again.stderr, /exists: give --force to overwrite it/);
  },
);

test(
  "a default recording attaches only top's probes and says busy periods were not traced; --pid adds the estimate's",
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    const lean = join(dir, 'lean.irqrec');
    const withPid = join(dir, 'pid.irqrec');
    const echo = await startEcho(8, 100, 64);
    const recs = [
      irqlens(['record', '-o', lean, '--duration', '3']),
      irqlens(['record', '-o', withPid, '--duration', '3', '--pid', String(echo.pid)]),
    ];
    await new Promise((r) => setTimeout(r, 800));
    await Promise.all([pingPong(echo.port, 1500, 2), diskLoad(100)]);
    for (const r of await Promise.all(recs)) assert.equal(r.exitCode, 0, r.stderr);
    echo.proc.kill();

    const groupsOf = (file: string) => {
      const f = Recording.open(file);
      const on = new Set<string>();
      const off = new Set<string>();
      for (const p of f.hello.progs) (p.status === 'attached' ? on : off).add(p.group ?? p.tracepoint);
      const kinds = new Set<string>();
      eachMessage(f, (m) => {
        if (m.type === 'events') for (const x of decodeRecords(m.bytes)) kinds.add(x.kind);
      });
      f.close();
      return { on, off, kinds };
    };
    const a = groupsOf(lean);
    for (const g of ['hardirq', 'vectors', 'softirq', 'drops']) assert.ok(a.on.has(g), `default: ${g} attached`);
    for (const g of ['napi', 'epoll', 'sched', 'softirq-raise']) {
      assert.ok(!a.on.has(g), `default: ${g} is not attached`);
      assert.ok(a.off.has(g), `default: ${g} is in the hello, not attached`);
    }
    assert.ok(a.kinds.has('hardirq'), `default: hardirq records (${[...a.kinds].join(',')})`);
    for (const k of a.kinds) assert.ok(['hardirq', 'vector', 'drop'].includes(k), `default streamed ${k} records`);
    const ra = await irqlens(['report', lean]);
    assert.equal(ra.exitCode, 0, ra.stderr);
    assert.match(ra.stdout, /no busy periods: they were not traced \(record with --workloads/);

    const b = groupsOf(withPid);
    for (const g of ['epoll', 'sched', 'softirq-raise']) assert.ok(b.on.has(g), `--pid: ${g} attached`);
    assert.ok(!b.on.has('napi'), '--pid: napi is not attached (no burst records asked for)');
    assert.ok(b.kinds.has('period'), `--pid: period records (${[...b.kinds].join(',')})`);
    const rb = await irqlens(['report', withPid, '--json']);
    assert.equal(rb.exitCode, 0, rb.stderr);
    const report = JSON.parse(rb.stdout) as {
      busy_periods_traced: boolean;
      workloads: { tgid: number; periods: number }[];
    };
    assert.equal(report.busy_periods_traced, true);
    assert.ok(
      report.workloads.some((w) => w.tgid === echo.pid && w.periods > 100),
      `the echo server's busy periods are in the recording: ${JSON.stringify(report.workloads.map((w) => [w.tgid, w.periods]))}`,
    );
  },
);

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(
    `${sig} stops a recording cleanly: the helper ends its stream and the file gets its index`,
    { skip: kernelSkip, timeout: 60_000 },
    async () => {
      assertCanRun();
      const file = join(dir, `${sig}.irqrec`);
      const rec = irqlens(['record', '-o', file]);
      await waitForFile(file);
      await new Promise((r) => setTimeout(r, 1500));
      rec.kill(sig);
      const r = await rec;
      assert.equal(r.exitCode, 0, r.stderr);
      const f = Recording.open(file);
      assert.equal(f.index?.ended, 'end');
      assert.deepEqual(f.issues, []);
      f.close();
    },
  );
}

test(
  'kill -9 of a recording in progress leaves a readable file (up to its last chunk)',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const file = join(dir, 'killed.irqrec');
    const rec = irqlens(['record', '-o', file, '--snapshot-ms', '100']);
    await waitForFile(file);
    await new Promise((r) => setTimeout(r, 2500));
    rec.kill('SIGKILL');
    await rec;
    const f = Recording.open(file);
    let snapshots = 0;
    eachMessage(f, (m) => {
      if (m.type === 'snapshot') snapshots++;
    });
    assert.equal(f.index, null);
    assert.ok(
      f.issues.some((i) => i.kind === 'unfinished'),
      JSON.stringify(f.issues),
    );
    assert.ok(!f.damaged);
    assert.ok(snapshots >= 5, `${snapshots} snapshots survived`);
    f.close();
    const rep = await irqlens(['report', file, '--json']);
    assert.equal(rep.exitCode, 0, rep.stderr);
    assert.match(rep.stderr, /was not finished \(no index: was it killed\?\)/);
    assert.equal((JSON.parse(rep.stdout) as { schema: string }).schema, 'irqlens.report/1');
  },
);

test(
  'record -- <command> records until the command exits and names it in the header',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const file = join(dir, 'cmd.irqrec');
    const t0 = Date.now();
    const r = await irqlens(['record', '-o', file, '--json', '--', 'sleep', '2']);
    assert.equal(r.exitCode, 0, r.stderr);
    const secs = (Date.now() - t0) / 1000;
    assert.ok(secs >= 2 && secs < 15, `${secs} s`);
    const f = Recording.open(file);
    assert.deepEqual(f.header.options.command, ['sleep', '2']);
    assert.equal(f.index?.ended, 'end');
    f.close();
  },
);

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if (readFileSync(path).length > 0) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} never appeared`);
}
