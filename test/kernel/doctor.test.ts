// irqlens doctor on real drops: a UDP socket with a tiny receive buffer over
// loopback, a netfilter drop rule between two test network namespaces, and
// backlog drops from RPS on a test namespace's loopback with a small
// netdev_max_backlog. Each count is checked against the kernel's own counter.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { assertCanRun, attachedPrograms, bin, childOf, kernelSkip, killAll, track, within } from './support.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const tag = `irqlt${process.pid % 100000}`;
const nsA = `${tag}a`;
const nsB = `${tag}b`;
const BACKLOG = '/proc/sys/net/core/netdev_max_backlog';
let savedBacklog: string | null = null;

function restoreBacklog(): void {
  if (savedBacklog !== null) writeFileSync(BACKLOG, savedBacklog);
  savedBacklog = null;
}
// also when the test process dies on an uncaught error: the sysctl is global
process.on('exit', restoreBacklog);

after(async () => {
  killAll();
  restoreBacklog();
  for (const ns of [nsA, nsB]) await execa('ip', ['netns', 'del', ns], { reject: false });
});

interface Finding {
  id: string;
  severity: string;
  title: string;
  evidence: string[];
  counts: Record<string, number>;
}
interface DoctorOut {
  code: number;
  json: { healthy: boolean; findings: Finding[]; unavailable: string[] };
  stderr: string;
}

/** Runs doctor (optionally inside a network namespace) and `load` once its window has started. */
async function doctor(args: string[], load: (pid?: number) => Promise<unknown>, ns?: string): Promise<DoctorOut> {
  const argv = ['node', cli, 'doctor', '--json', ...args];
  const p = track(
    ns
      ? execa('ip', ['netns', 'exec', ns, ...argv], { reject: false, timeout: 90_000 })
      : execa(argv[0] ?? 'node', argv.slice(1), { reject: false, timeout: 90_000 }),
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    p.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('doctor: watching')) resolve();
    });
    p.then(() => {
      reject(new Error(`doctor ended before its window started: ${stderr}`));
    }, reject);
  });
  await load(p.pid);
  const r = await p;
  return { code: r.exitCode ?? -1, json: JSON.parse(r.stdout) as DoctorOut['json'], stderr: stderr + r.stderr };
}

function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = (lines[0] ?? '').split(/\s+/);
  const vals = (lines[1] ?? '').split(/\s+/);
  return Number(vals[names.indexOf('RcvbufErrors')]);
}

function softnetDropped(): number {
  return readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((a, l) => a + Number.parseInt(l.trim().split(/\s+/)[1] ?? '0', 16), 0);
}

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await execa(cmd, args, { input, timeout: 30_000 });
  return r.stdout;
}

test(
  'doctor: an interface that does not exist is one clear line and exit 2',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const r = await execa('node', [cli, 'doctor', '--iface', 'nosuch0', '--duration', '1'], { reject: false });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /interface 'nosuch0' does not exist \(interfaces here: .*lo/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
  },
);

test(
  'doctor: a quiet machine is healthy, exit 0; it attaches no probe its findings do not read',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    let attached: string[] = [];
    const r = await doctor(['--duration', '2'], async (pid) => {
      const helper = pid === undefined ? undefined : childOf(pid, 'irqlens-helper');
      if (helper !== undefined) attached = await attachedPrograms(helper);
    });
    // NAPI (budget, bursts), epoll (the epoll workload finding), interrupts, softirqs and drops; no raises, no sched
    for (const p of ['irql_napi_poll', 'irql_ep_wait_en', 'irql_si_entry', 'irql_hi_entry'])
      assert.ok(attached.includes(p), `${p} attached: ${attached.join(',')}`);
    for (const p of ['irql_si_raise', 'irql_sched_sw']) assert.ok(!attached.includes(p), `${p} is attached`);
    assert.equal(r.code, 0, JSON.stringify(r.json.findings.map((f) => f.title)));
    assert.equal(r.json.healthy, true);
    assert.deepEqual(
      r.json.findings.filter((f) => f.severity !== 'info'),
      [],
    );
  },
);

test(
  'doctor: UDP receive-buffer drops match /proc/net/snmp RcvbufErrors within 2%',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const before = udpRcvbufErrors();
    const r = await doctor(['--duration', '3'], () =>
      execa(bin('udp-flood'), ['-n', '40000', '-r', '2048'], { timeout: 30_000 }),
    );
    const delta = udpRcvbufErrors() - before;
    assert.equal(r.code, 1);
    const f = r.json.findings.find((x) => x.id === 'socket-rcvbuf');
    assert.ok(f, `no socket-rcvbuf finding: ${JSON.stringify(r.json.findings.map((x) => x.id))}`);
    assert.equal(f.severity, 'critical');
    assert.ok(delta > 10_000, `the flood made only ${delta} RcvbufErrors`);
    assert.ok(
      within(f.counts.drops ?? 0, delta, 0.02),
      `doctor saw ${f.counts.drops} drops, RcvbufErrors rose by ${delta}`,
    );
    assert.ok(
      f.evidence.some((e) => /reason SOCKET_RCVBUFF/.test(e)),
      f.evidence.join('\n'),
    );
    assert.ok(
      f.evidence.some((e) => e.startsWith('by device: lo ipv4/udp')),
      f.evidence.join('\n'),
    );
    assert.ok(
      f.evidence.some((e) => /^when: from \d\d:\d\d/.test(e)),
      f.evidence.join('\n'),
    );
  },
);

test(
  'doctor: drops counted by the probe and by /proc/net/snmp cover one window, even under load across its edges',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    // the flood runs before doctor starts and after it ends: only the window's edges decide what counts
    const flood = track(
      execa(bin('udp-flood'), ['-n', '100000000', '-r', '2048', '-S', '25'], { reject: false, timeout: 60_000 }),
    );
    try {
      const r = await doctor(['--duration', '3'], async () => {});
      const f = r.json.findings.find((x) => x.id === 'socket-rcvbuf');
      assert.ok(f, `no socket-rcvbuf finding: ${JSON.stringify(r.json.findings.map((x) => x.id))}`);
      const probe = f.counts.drops ?? 0;
      const counter = f.counts.udp_rcvbuf_errors ?? 0;
      assert.ok(counter > 10_000, `the flood made only ${counter} RcvbufErrors in the window`);
      assert.ok(
        within(probe, counter, 0.02),
        `the probe counted ${probe} drops, RcvbufErrors rose by ${counter} in the same finding`,
      );
    } finally {
      flood.kill('SIGKILL');
      await flood;
    }
  },
);

test(
  'doctor: a netfilter drop rule in a test namespace is named, its count matching the rule counter',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    for (const ns of [nsA, nsB]) await sh('ip', ['netns', 'add', ns]);
    await sh('ip', ['link', 'add', `${tag}va`, 'netns', nsA, 'type', 'veth', 'peer', 'name', `${tag}vb`, 'netns', nsB]);
    await sh('ip', ['-n', nsA, 'addr', 'add', '10.231.77.1/30', 'dev', `${tag}va`]);
    await sh('ip', ['-n', nsB, 'addr', 'add', '10.231.77.2/30', 'dev', `${tag}vb`]);
    await sh('ip', ['-n', nsA, 'link', 'set', `${tag}va`, 'up']);
    await sh('ip', ['-n', nsB, 'link', 'set', `${tag}vb`, 'up']);
    await sh(
      'ip',
      ['netns', 'exec', nsB, 'nft', '-f', '-'],
      'table inet irqlens_test {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 9999 counter drop\n }\n}\n',
    );
    // doctor runs inside the receiving namespace, so its nft listing sees the rule
    const r = await doctor(
      ['--duration', '3', '--iface', `${tag}vb`],
      () =>
        execa('ip', ['netns', 'exec', nsA, bin('udp-flood'), '-t', '10.231.77.2:9999', '-n', '5000'], {
          timeout: 30_000,
        }),
      nsB,
    );
    const ruleset = JSON.parse(await sh('ip', ['netns', 'exec', nsB, 'nft', '-j', 'list', 'ruleset'])) as {
      nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[];
    };
    const counter = ruleset.nftables.flatMap((i) => i.rule?.expr ?? []).find((e) => e.counter)?.counter?.packets ?? 0;
    assert.equal(r.code, 1);
    const f = r.json.findings.find((x) => x.id === 'netfilter');
    assert.ok(f, `no netfilter finding: ${JSON.stringify(r.json.findings.map((x) => x.id))}`);
    assert.ok(counter >= 4000, `the rule counted only ${counter} packets`);
    assert.ok(
      within(f.counts.drops ?? 0, counter, 0.02),
      `doctor saw ${f.counts.drops} drops, the rule counted ${counter}`,
    );
    assert.ok(
      f.evidence.some(
        (e) => e.startsWith('nft rule inet irqlens_test input handle') && e.includes(`counter rose by ${counter}`),
      ),
      f.evidence.join('\n'),
    );
    assert.ok(
      f.evidence.some((e) => e.includes(`${tag}vb ipv4/udp`)),
      f.evidence.join('\n'),
    );
  },
);

test(
  'doctor: backlog drops (small netdev_max_backlog, RPS in a test namespace) match softnet_stat dropped within 2%',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const ns = `${tag}c`;
    await sh('ip', ['netns', 'add', ns]);
    try {
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // the namespace's own loopback steers every packet to CPU 1's backlog; the sender runs on CPU 0
      await sh('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 2 > /sys/class/net/lo/queues/rx-0/rps_cpus']);
      savedBacklog = readFileSync(BACKLOG, 'utf8');
      writeFileSync(BACKLOG, '8');
      const before = softnetDropped();
      const r = await doctor(['--duration', '3'], () =>
        execa(
          'ip',
          ['netns', 'exec', ns, 'taskset', '-c', '0', bin('udp-flood'), '-n', '2000000', '-S', '1', '-r', '1000000'],
          {
            timeout: 30_000,
          },
        ),
      );
      const delta = softnetDropped() - before;
      restoreBacklog();
      const f = r.json.findings.find((x) => x.id === 'backlog');
      assert.ok(f, `no backlog finding: ${JSON.stringify(r.json.findings.map((x) => x.id))}`);
      assert.ok(delta > 100, `only ${delta} backlog drops happened (1 s of UDP into a backlog of 8)`);
      assert.ok(
        within(f.counts.drops ?? 0, delta, 0.02),
        `doctor saw ${f.counts.drops} CPU_BACKLOG drops, softnet_stat dropped rose by ${delta}`,
      );
      assert.equal(f.counts.netdev_max_backlog, 8);
    } finally {
      restoreBacklog();
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
    assert.equal(readFileSync(BACKLOG, 'utf8').trim() === '8', false, 'netdev_max_backlog was not restored');
  },
);
