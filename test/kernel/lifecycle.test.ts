// Attach, loss accounting, cleanup on every exit path, and privileges.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { REC } from '../../src/stream/layout.js';
import { helperPath, repoRoot } from '../../src/probe/paths.js';
import {
  assertCanRun,
  bin,
  childOf,
  diskLoad,
  kernelSkip,
  liveProgIds,
  loopbackTraffic,
  progIdsOf,
  killAll,
} from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tracefsEvent(tp: string): boolean {
  for (const root of ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events']) {
    if (!existsSync(root)) continue;
    if (tp.includes('/')) return existsSync(join(root, tp));
    for (const sys of readdirSync(root)) if (existsSync(join(root, sys, tp))) return true;
  }
  return false;
}

test(
  'every program loads and attaches; only tracepoints this kernel lacks are reported unsupported',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const probe = await Probe.start({ records: ['all'] });
    try {
      assert.ok(probe.hello.progs.length >= 20);
      for (const p of probe.hello.progs) {
        assert.notEqual(p.status, 'failed', `${p.name} (${p.tracepoint}) failed: errno ${-p.err}`);
        assert.notEqual(p.status, 'disabled', `${p.name} disabled although every record kind was asked for`);
        if (p.status === 'unsupported')
          assert.equal(tracefsEvent(p.tracepoint), false, `${p.tracepoint} exists but was reported unsupported`);
        else assert.equal(tracefsEvent(p.tracepoint), true, `${p.tracepoint} attached but tracefs does not list it`);
      }
      for (const core of [
        'irq_handler_entry',
        'irq_handler_exit',
        'softirq_raise',
        'softirq_entry',
        'softirq_exit',
        'napi_poll',
        'local_timer_entry',
      ]) {
        assert.equal(probe.hello.progs.find((p) => p.tracepoint === core)?.status, 'attached', core);
      }
      const ids = await progIdsOf(probe.pid ?? -1);
      assert.equal(ids.length, probe.hello.progs.filter((p) => p.status === 'attached').length);
    } finally {
      await probe.stop();
    }
    // without busy-period records the context-switch probe is not needed and stays off
    const plain = await Probe.start({});
    try {
      const off = plain.hello.progs
        .filter((p) => p.status !== 'attached' && p.status !== 'unsupported')
        .map((p) => `${p.name}:${p.status}`);
      assert.deepEqual(off, ['irql_sched_sw:disabled']);
    } finally {
      await plain.stop();
    }
  },
);

test('a tiny ring loses records and every lost record is counted', { skip: kernelSkip, timeout: 60_000 }, async () => {
  assertCanRun();
  const probe = await Probe.start({ ringBytes: 4096, records: ['all'], intervalMs: 1000 });
  const tracker = new Tracker(probe);
  try {
    const s = await tracker.mark();
    await Promise.all([diskLoad(10_000), loopbackTraffic(1500)]);
    const e = await tracker.mark();
    const w = windowOf(s, e);
    const lost = (kind: string) => w.lost.get(`${kind}/ring_full`) ?? 0;
    assert.ok(
      lost('hardirq') + lost('softirq') + lost('vector') > 0,
      `nothing lost with a 4 KiB ring: ${JSON.stringify([...w.lost])}`,
    );
    // records delivered + records lost == events the in-kernel counters saw
    const checks: [string, number, number][] = [
      ['hardirq', REC.HARDIRQ, w.hardirq.reduce((a, r) => a + r.count, 0)],
      ['vector', REC.VECTOR, w.vector.reduce((a, r) => a + r.count, 0)],
      ['softirq', REC.SOFTIRQ, w.softirq.reduce((a, r) => a + r.count, 0)],
    ];
    for (const [kind, rec, counted] of checks) {
      const accounted = (w.records[rec] ?? 0) + lost(kind);
      assert.ok(
        Math.abs(accounted - counted) <= Math.max(5, counted * 0.002),
        `${kind}: ${w.records[rec]} delivered + ${lost(kind)} lost != ${counted} counted`,
      );
    }
  } finally {
    await probe.stop();
  }
  // and the CLI says so
  const run = execa(
    'node',
    [cli, 'snapshot', '--duration', '2', '--ring-bytes', '4096', '--records', 'all', '--json'],
    { reject: false, timeout: 60_000 },
  );
  await sleep(500);
  await Promise.all([diskLoad(10_000), loopbackTraffic(1000)]);
  const r = await run;
  assert.equal(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { lost_records: number };
  assert.ok(j.lost_records > 0, 'snapshot --json did not report lost records');
});

/** Runs the CLI, finds its helper, ends it the given way, checks nothing stays loaded. */
async function endsClean(
  how: (node: { pid?: number | undefined; kill: (s: NodeJS.Signals) => boolean }) => void,
  expectExit: number | 'killed',
): Promise<void> {
  const proc = execa('node', [cli, 'top', '--interval', '0.2'], { reject: false, timeout: 60_000 });
  let helper: number | undefined;
  for (let i = 0; i < 200 && !helper; i++) {
    await sleep(50);
    helper = childOf(proc.pid ?? -1, 'irqlens-helper');
  }
  assert.ok(helper, 'the helper did not start');
  let ids: number[] = [];
  for (let i = 0; i < 100 && ids.length < 10; i++) {
    await sleep(50);
    ids = await progIdsOf(helper);
  }
  assert.ok(ids.length >= 10, `only ${ids.length} programs loaded`);
  await sleep(300);
  how(proc);
  const r = await proc;
  if (expectExit === 'killed') assert.equal(r.signal, 'SIGKILL');
  else assert.equal(r.exitCode, expectExit, r.stderr);
  for (let i = 0; i < 100 && existsSync(`/proc/${helper}`); i++) await sleep(50);
  assert.equal(existsSync(`/proc/${helper}`), false, 'the helper outlived its parent');
  // the kernel frees programs after an RCU grace period: allow it a moment
  let left: number[] = ids;
  for (let i = 0; i < 60 && left.length; i++) {
    await sleep(50);
    const live = await liveProgIds();
    left = ids.filter((id) => live.has(id));
  }
  assert.deepEqual(left, [], 'programs still loaded after exit');
}

test(
  'nothing stays loaded after SIGINT, SIGTERM or kill -9 of the Node parent, or a normal exit',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    await endsClean((p) => p.kill('SIGINT'), 0);
    await endsClean((p) => p.kill('SIGTERM'), 0);
    await endsClean((p) => p.kill('SIGKILL'), 'killed');
    const before = await liveProgIds();
    const r = await execa('node', [cli, 'snapshot', '--duration', '0.5'], { reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    let added: number[] = [];
    for (let i = 0; i < 60; i++) {
      const after = await liveProgIds();
      // programs of other tools may come and go; ours are named irql_*
      added = [...after].filter((id) => !before.has(id));
      if (!added.length) break;
      await sleep(50);
    }
    const names = added.length
      ? (
          JSON.parse((await execa('bpftool', ['prog', 'show', '--json'])).stdout) as { id: number; name?: string }[]
        ).filter((p) => added.includes(p.id) && p.name?.startsWith('irql_'))
      : [];
    assert.deepEqual(names, [], 'snapshot left programs loaded');
  },
);

const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

test(
  'without privileges: one clear line naming the capabilities, exit 1',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const r = await execa(asNobody[0] ?? '', [...asNobody.slice(1), 'node', cli, 'snapshot', '--duration', '1'], {
      reject: false,
      timeout: 30_000,
    });
    assert.equal(r.exitCode, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0] ?? '', /cap_bpf/);
    assert.match(lines[0] ?? '', /cap_perfmon/);
    assert.match(lines[0] ?? '', /setcap/);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'a stack trace leaked');
  },
);

test(
  'an ordinary user runs irqlens after a one-time setcap on a copy of the helper',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const dir = mkdtempSync(join(tmpdir(), 'irqlens-caps-'));
    try {
      chmodSync(dir, 0o755);
      const copy = join(dir, 'irqlens-helper');
      copyFileSync(helperPath(), copy);
      chmodSync(copy, 0o755);
      await execa('setcap', ['cap_bpf,cap_perfmon,cap_dac_read_search+ep', copy]);
      const r = await execa(
        asNobody[0] ?? '',
        [...asNobody.slice(1), 'node', cli, 'snapshot', '--duration', '1.5', '--json'],
        {
          reject: false,
          timeout: 30_000,
          env: { IRQLENS_HELPER: copy },
        },
      );
      assert.equal(r.exitCode, 0, r.stderr);
      const j = JSON.parse(r.stdout) as {
        vectors: { vector: string; count: number }[];
        programs: { name: string; status: string }[];
      };
      assert.ok((j.vectors.find((v) => v.vector === 'LOCAL_TIMER')?.count ?? 0) > 0, 'no timer ticks seen as nobody');
      // the same programs attach as for root (the epoll ones need tracefs, mode 0700: cap_dac_read_search)
      const notAttached = j.programs.filter((p) => p.status !== 'attached').map((p) => `${p.name}:${p.status}`);
      assert.deepEqual(notAttached, ['irql_sched_sw:disabled']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('the workloads the tests drive are built', { skip: kernelSkip }, () => {
  for (const w of ['echo-server', 'ipi']) assert.ok(existsSync(bin(w)), `${w} is missing: run the build`);
});

after(() => {
  killAll();
});
