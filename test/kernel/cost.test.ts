// Disruption attribution on the real kernel: the echo workload under the disk
// IRQ's CPU vs away from it, direct cost against libbpf-tools hardirqs, and
// `cost -- <command>` charging only the command's processes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { measure, type Measurement } from '../../src/cost/measure.js';
import { startEcho } from '../../src/cost/workloads.js';
import { readInterrupts } from '../../src/procfs/interrupts.js';
import { repoRoot } from '../../src/probe/paths.js';
import {
  assertCanRun,
  diskLoad,
  kernelSkip,
  progIdsOf,
  startEcho as startEchoServer,
  within,
  killAll,
  track,
} from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');

/** The CPU that takes the virtio-blk request interrupts (affinity is kernel-managed here). */
function diskIrq(): { irq: number; cpu: number; name: string } {
  let best = { irq: -1, cpu: 0, name: '', n: -1 };
  for (const [id, row] of readInterrupts()) {
    if (!/virtio\d+-req/.test(row.desc)) continue;
    row.perCpu.forEach((n, cpu) => {
      if (n > best.n) best = { irq: Number(id), cpu, name: row.desc.split(' ').pop() ?? '', n };
    });
  }
  assert.ok(best.irq >= 0, 'no virtio-blk request interrupt in /proc/interrupts');
  return best;
}

async function echoUnderLoad(serverCpu: number, clientCpu: number): Promise<Measurement> {
  const w = await startEcho({ durationS: 4, serverCpu, clientCpu, work: 500, wssKb: 256, conns: 2 });
  try {
    let load: Promise<unknown> | undefined;
    return await measure({
      pid: w.pid,
      cpus: [clientCpu],
      onReady: () => {
        load = Promise.all([w.load(), diskLoad(40_000)]);
      },
      get until() {
        return load;
      },
    });
  } finally {
    await w.stop();
  }
}

function sumDevice(m: Measurement, tgid: number) {
  const ps = m.collector.periods.filter((p) => p.tgid === tgid);
  return {
    periods: ps.length,
    disrupted: ps.filter((p) => p.irqCount.device > 0).length,
    deviceNs: ps.reduce((a, p) => a + p.irqNs.device, 0),
    busyNs: ps.reduce((a, p) => a + (p.endNs - p.startNs), 0),
  };
}

test(
  'echo under the disk IRQ CPU has more disrupted periods and more direct cost than away from it; direct cost matches hardirqs',
  { skip: kernelSkip, timeout: 180_000 },
  async (t) => {
    assertCanRun();
    const disk = diskIrq();
    const other = disk.cpu === 0 ? 1 : 0;
    // libbpf-tools hardirqs over the same window: the independent handler-time source
    let bt: ReturnType<typeof execa> | undefined;
    let out = '';
    const hardirqs = {
      async start() {
        bt = track(execa('hardirqs', ['-N'], { buffer: false, reject: false })); // -N: sums in ns (without it each IRQ is truncated to whole us)
        bt.stdout?.setEncoding('utf8');
        bt.stdout?.on('data', (s: string) => {
          out += s;
        });
        // its stdout is a pipe (block-buffered): wait for its programs to load instead
        let n = 0;
        for (let i = 0; i < 400 && n < 2; i++) {
          await new Promise((r) => setTimeout(r, 25));
          n = (await progIdsOf(bt.pid ?? -1)).length;
        }
        assert.ok(n >= 2, 'hardirqs did not load its programs');
        await new Promise((r) => setTimeout(r, 200));
      },
    };
    let under: Measurement;
    try {
      // disk interrupts happen only under the load, which runs inside the window
      await hardirqs.start();
      under = await echoUnderLoad(disk.cpu, other);
    } finally {
      bt?.kill('SIGINT');
      await bt;
    }
    const away = await echoUnderLoad(other, disk.cpu);
    const pidUnder = under.collector.periods[0]?.tgid ?? -1;
    const pidAway = away.collector.periods[0]?.tgid ?? -1;
    const u = sumDevice(under, pidUnder);
    const a = sumDevice(away, pidAway);
    assert.ok(u.periods > 1000 && a.periods > 1000, `periods: under ${u.periods}, away ${a.periods}`);
    assert.ok(
      u.disrupted / u.periods > 2 * (a.disrupted / a.periods) && u.disrupted > 50,
      `disrupted share: under ${u.disrupted}/${u.periods}, away ${a.disrupted}/${a.periods}`,
    );
    assert.ok(
      u.deviceNs / u.busyNs > 2 * (a.deviceNs / a.busyNs),
      `direct device share: under ${u.deviceNs}/${u.busyNs}, away ${a.deviceNs}/${a.busyNs}`,
    );

    // the handler time direct cost is built from agrees with libbpf-tools hardirqs
    const line = out.split('\n').find((l) => l.trim().startsWith(disk.name));
    assert.ok(line, `hardirqs printed no line for ${disk.name}:\n${out}`);
    const theirsNs = Number(line.trim().split(/\s+/).pop());
    const rows = under.window.hardirq.filter((r) => r.irq === disk.irq);
    const oursNs = rows.reduce((s, r) => s + r.timeNs, 0);
    const count = rows.reduce((s, r) => s + r.count, 0);
    // Both tools stamp the same two tracepoints, and programs on a tracepoint run in attach order
    // (hardirqs first): our window holds its exit program (a name read and a hash update), its window
    // holds our entry program (a per-CPU store). Per interrupt that puts irqlens 50-80 ns above it on
    // ~1.3 us handlers (+4.5% to +10.4% in six runs here and in CI); never below by more than noise.
    t.diagnostic(`${disk.name}: ${count} interrupts, irqlens ${oursNs} ns, hardirqs ${theirsNs} ns`);
    assert.ok(
      oursNs >= theirsNs * 0.95 && oursNs <= theirsNs * 1.2,
      `${disk.name} handler time: irqlens ${oursNs} ns, hardirqs ${theirsNs} ns (${count} interrupts; ` +
        `expected irqlens 0-20% above: its window holds hardirqs' exit program)`,
    );
    // and the direct cost is exactly the part of it that fell inside busy periods: recount it
    // from the separate per-interrupt records. Only periods that stayed on their CPU the whole time:
    // an interrupt while the thread was switched out lies inside the period's span but is charged to
    // whatever ran then (CI under load: +7% on the per-interrupt side when such periods counted)
    const periods = under.collector.periods
      .filter((p) => p.tgid === pidUnder && p.cpuStart === p.cpuEnd && p.switches === 0 && p.offCpuNs === 0)
      .sort((x, y) => x.startNs - y.startNs);
    let inside = 0;
    let j = 0;
    const hits = under.collector.hits.filter((h) => h.kind === 'device').sort((x, y) => x.tsNs - y.tsNs);
    for (const h of hits) {
      while (j < periods.length && (periods[j]?.endNs ?? 0) < h.tsNs) j++;
      const p = periods[j];
      if (p && p.startNs <= h.tsNs && h.tsNs + h.durNs <= p.endNs && p.cpuStart === h.cpu) inside += h.durNs;
    }
    const clean = periods.reduce((s, p) => s + p.irqNs.device, 0);
    assert.ok(u.deviceNs <= oursNs, 'direct device time exceeds all device handler time');
    assert.ok(
      clean > 0 && inside > 0,
      `no device time inside a period that stayed on its CPU (${periods.length} such periods)`,
    );
    assert.ok(
      within(clean, inside, 0.05),
      `direct device ns: period records ${clean}, per-interrupt records ${inside}`,
    );
  },
);

test(
  'cost -- <command> attributes only to the command and its children',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    // an epoll workload outside the command, busy during the measurement: must not appear
    const outsider = await startEchoServer(15);
    const noise = track(
      execa(join(repoRoot(), 'build', 'echo-client'), [String(outsider.port), '6', '1'], { reject: false }),
    );
    try {
      const script = `${join(repoRoot(), 'build', 'echo-server')} 0 5 100 64 > /tmp/irqlens-cost-test-$$.out & sleep 0.3; port=$(sed -n 's/.*"port":\\([0-9]*\\).*/\\1/p' /tmp/irqlens-cost-test-$$.out); ${join(repoRoot(), 'build', 'echo-client')} $port 3 2 > /dev/null; wait; rm -f /tmp/irqlens-cost-test-$$.out`;
      const r = await execa('node', [cli, 'cost', '--json', '--', 'sh', '-c', script], {
        reject: false,
        timeout: 60_000,
      });
      assert.equal(r.exitCode, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { schema: string; workloads: { tgid: number; comm: string; events: number }[] };
      assert.equal(j.schema, 'irqlens.report/1');
      const comms = j.workloads.map((w) => w.comm).sort();
      assert.ok(comms.includes('echo-server'), `echo-server not reported: ${JSON.stringify(j.workloads)}`);
      for (const w of j.workloads) {
        assert.notEqual(w.tgid, outsider.pid, 'a process outside the command was charged');
        assert.ok(['echo-server', 'echo-client', 'sh'].includes(w.comm), `unexpected workload ${w.comm} (${w.tgid})`);
      }
    } finally {
      noise.kill('SIGTERM');
      await noise;
      outsider.proc.kill('SIGTERM');
      await outsider.proc.catch(() => undefined);
    }
  },
);

test("the probe's own wakeups stay off the measured CPU", { skip: kernelSkip, timeout: 120_000 }, async () => {
  assertCanRun();
  const w = await startEcho({ durationS: 3, serverCpu: 1, clientCpu: 0, work: 200, wssKb: 64, conns: 2 });
  let m: Measurement;
  try {
    let load: Promise<unknown> | undefined;
    m = await measure({
      pid: w.pid,
      cpus: [0],
      onReady: () => {
        load = w.load();
      },
      get until() {
        return load;
      },
    });
  } finally {
    await w.stop();
  }
  const periods = m.collector.periods.length;
  assert.ok(periods > 1000, `only ${periods} periods`);
  // records are submitted without wakeups: no irq_work IPI per record on the measured CPU
  const iwi = m.window.vector.filter((r) => r.cpu === 1 && r.vector === 4).reduce((a, r) => a + r.count, 0);
  assert.ok(iwi < periods / 100, `${iwi} irq_work interrupts on the measured CPU for ${periods} streamed periods`);
});

after(() => {
  killAll();
});

test(
  'cost --duration 1 -- sleep 30: the window ends after --duration, the command is stopped, exit 0',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    // a sleep we can find afterwards by its argument
    const marker = `30.${process.pid}`;
    const r = await execa('node', [cli, 'cost', '--duration', '1', '--json', '--', 'sleep', marker], {
      reject: false,
      timeout: 50_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { duration_ns: number };
    assert.ok(
      j.duration_ns > 0.5e9 && j.duration_ns < 10e9,
      `window ${j.duration_ns / 1e9} s for --duration 1 (the command would run 30 s)`,
    );
    const left = await execa('pgrep', ['-f', `sleep ${marker}`], { reject: false });
    assert.equal(left.stdout.trim(), '', 'the command was stopped');
  },
);
