// Histograms and counts against an independent tracer on the same load:
// bpftrace one-liners over the same tracepoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import {
  assertCanRun,
  kernelSkip,
  loopbackTraffic,
  parseBpftraceMap,
  pingPong,
  startBpftrace,
  startEcho,
  within,
  killAll,
} from './support.js';

let probe: Probe;
let tracker: Tracker;

before(async () => {
  if (kernelSkip) return;
  assertCanRun();
  probe = await Probe.start({ intervalMs: 100 });
  tracker = new Tracker(probe);
});

after(async () => {
  killAll();
  if (probe) await probe.stop();
});

test(
  'NAPI work histogram matches `bpftrace napi_poll @[args->work] = count()` within 2%',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    const bt = await startBpftrace('tracepoint:napi:napi_poll { @[args->work] = count(); }');
    let out = '';
    let s;
    let e;
    try {
      s = await tracker.mark();
      await loopbackTraffic(2500, 1024);
      e = await tracker.mark();
    } finally {
      out = await bt.stop();
    }
    const theirs = parseBpftraceMap(out);
    const ours = new Map<string, number>();
    for (const r of windowOf(s, e).napi) {
      r.workHist.forEach((n, work) => {
        if (n) ours.set(String(work), (ours.get(String(work)) ?? 0) + n);
      });
    }
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const tTheirs = total(theirs);
    const tOurs = total(ours);
    assert.ok(tTheirs >= 1000, `the load made only ${tTheirs} NAPI polls`);
    assert.ok(within(tOurs, tTheirs, 0.02), `polls: irqlens ${tOurs}, bpftrace ${tTheirs}`);
    for (const [work, n] of theirs) {
      if (n < tTheirs * 0.01) continue; // buckets too small to compare by percent
      const mine = ours.get(work) ?? 0;
      assert.ok(within(mine, n, 0.02), `work=${work}: irqlens ${mine}, bpftrace ${n}`);
    }
  },
);

test(
  "an epoll echo server's epoll_wait calls match bpftrace on the same syscall tracepoints within 1%",
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    const echo = await startEcho(60); // killed at the end; long enough for a slow bpftrace start
    const bt = await startBpftrace(
      `tracepoint:syscalls:sys_exit_epoll_wait,tracepoint:syscalls:sys_exit_epoll_pwait,tracepoint:syscalls:sys_exit_epoll_pwait2 /pid == ${echo.pid}/ { @ = count(); }`,
    );
    let out = '';
    let s;
    let e;
    let rounds = 0;
    try {
      s = await tracker.mark();
      rounds = await pingPong(echo.port, 2500, 2);
      e = await tracker.mark();
    } finally {
      out = await bt.stop();
      echo.proc.kill('SIGTERM');
      await echo.proc.catch(() => undefined);
    }
    const theirs = parseBpftraceMap(out).get('') ?? 0;
    const rows = windowOf(s, e).epoll.filter((r) => r.tgid === echo.pid);
    const ours = rows.reduce((a, r) => a + r.calls, 0);
    assert.ok(rounds > 500, `only ${rounds} requests`);
    assert.ok(theirs > 500, `bpftrace counted only ${theirs} calls`);
    assert.ok(within(ours, theirs, 0.01), `epoll calls: irqlens ${ours}, bpftrace ${theirs}`);
    assert.equal(rows[0]?.comm, 'echo-server');
    // every request is answered after an epoll return with >= 1 ready event
    const events = rows.reduce((a, r) => a + r.events, 0);
    assert.ok(events >= rounds * 0.9, `ready events ${events} for ${rounds} requests`);
  },
);

test("the tool's own epoll calls are not traced (no self-feedback)", { skip: kernelSkip }, async () => {
  const s = await tracker.mark();
  await new Promise((r) => setTimeout(r, 500));
  const e = await tracker.mark();
  const mine = windowOf(s, e).epoll.filter((r) => r.tgid === process.pid || r.tgid === probe.pid);
  assert.deepEqual(mine, []);
});
