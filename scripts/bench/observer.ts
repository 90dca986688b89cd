// Benchmark: what each tracer takes from a loaded server, as CPU time (its processes plus its BPF programs)
// and as throughput against untraced windows on both sides of it. One memcached load runs throughout,
// so a tracer's phase is compared with the minutes around it, not with another run of the load.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Rng } from '../../src/attribution/rng.js';
import { onInterrupt } from './cleanup.js';
import { loadArgs, memcaslapArgs, NAMES, startServer, startTracer, type Condition, type Tracer } from './overhead.js';
import { progIdsOf } from './probe-cost.js';
import {
  argValue,
  fmt,
  initClockTicks,
  intArg,
  isMain,
  log,
  machine,
  machineLine,
  mdTable,
  median,
  minMax,
  procCpuSeconds,
  sleep,
  systemBusySeconds,
  type Machine,
} from './util.js';

export const OBSERVER_HELP = `Benchmark: what each tracer takes from a loaded server, in CPU time and in throughput.

Load: memcached (1 worker thread, pinned to --server-cpu, default 1) on 127.0.0.1 and memcaslap
(1 thread, --concurrency 64, pinned to --client-cpu, default 0), started once and kept running for the
whole benchmark. Throughput is memcached's own request counters (stats: cmd_get + cmd_set) read at the
edges of each window.

Per round, the traced conditions in a seeded random order, each preceded by an untraced window:
  untraced window (--seconds)
  start the tracer, wait until its programs are attached, --settle seconds
  throughput window (--seconds): requests/s, and the CPU of the tracer's processes
  BPF window (--bpf-seconds): kernel.bpf_stats_enabled on, run time of the tracer's own programs
  stop the tracer
and one untraced window after the last round.

Per traced phase:
  throughput ratio   its requests/s over the mean of the untraced windows just before and after it
  processes CPU%     the tracer's processes (Node and helper; the peers' tools) in the throughput window
  BPF CPU%           its programs' run time (the kernel's run_time_ns) in the BPF window, per second
  observer CPU%      the two together: what it takes from the machine, 100 = one CPU
  ratio to D         observer CPU over libbpf-tools' in the same round
The throughput window runs with statistics off, as the tools run by default. run_time_ns leaves out
the tracepoint's own dispatch, the same for every tool here (each attaches the same tracepoints
through BTF-typed programs, bpftrace through classic ones, whose record filling is not counted).

Conditions (overhead.js's letters): C irqlens top (tmux), D libbpf-tools hardirqs+softirqs, E bpftrace,
B irqlens record, J irqlens serve, R irqlens top --workloads --pid <memcached>, S irqlens record
--workloads --pid <memcached>, T record's default before 2026-12-07, and the others overhead.js lists.

Usage:
  node dist/scripts/bench/observer.js [--conditions C,D] [--rounds 6] [--seconds 6] [--settle 2]
       [--bpf-seconds 3] [--seed N] [--concurrency 64] [--server-cpu 1] [--client-cpu 0] [--json]

Examples:
  node dist/scripts/bench/observer.js
  node dist/scripts/bench/observer.js --conditions B,C,D,E,R --rounds 8 --json > observer.json

Loopback only; kernel.bpf_stats_enabled is put back to its start value after every BPF window and on
Ctrl-C. Prints figures; never fails on a number.`;

export interface Phase {
  condition: Condition;
  round: number;
  /** memcached requests per second in the throughput window. */
  rps: number;
  /** The mean of the untraced windows before and after it. */
  untracedRps: number;
  processesCpuPct: number;
  bpfCpuPct: number;
  /** BPF program runs per second in the BPF window (all the tracer's programs). */
  bpfRunsPerS: number;
  /** Per program in the BPF window: runs a second and ns a run (where it ran). */
  progs: { name: string; runsPerS: number; nsPerRun: number }[];
  /** The whole machine's busy time in the throughput window, % of a CPU (200 = both of 2 CPUs busy). */
  systemBusyPct: number;
}

export interface ObserverResult {
  machine: Machine;
  command: string;
  rounds: number;
  seconds: number;
  settle: number;
  bpfSeconds: number;
  seed: number;
  conditions: Condition[];
  /** Requests/s of every untraced window, in order. */
  untraced: number[];
  phases: Phase[];
}

const STATS = '/proc/sys/kernel/bpf_stats_enabled';

/** memcached's own count of requests served (get + set). */
export async function memcachedRequests(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('memcached stats: no answer in 5 s'));
    }, 5000);
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\nEND\r\n')) return;
      clearTimeout(timer);
      s.end();
      resolve(parseRequests(buf));
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.write('stats\r\n');
  });
}

/** cmd_get + cmd_set from a `stats` answer. */
export function parseRequests(text: string): number {
  const stat = (k: string): number => {
    const m = new RegExp(`^STAT ${k} (\\d+)`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`memcached stats has no ${k}`);
    return Number(m[1]);
  };
  return stat('cmd_get') + stat('cmd_set');
}

interface ProgCounters {
  id: number;
  name?: string;
  run_cnt?: number;
  run_time_ns?: number;
}

/** Run count and time of the given programs (bpftool's view of the kernel's counters), by id. */
async function progCounters(ids: ReadonlySet<number>): Promise<Map<number, ProgCounters>> {
  const r = await execa('bpftool', ['prog', 'show', '--json']);
  const all = JSON.parse(r.stdout) as ProgCounters[];
  return new Map(all.filter((p) => ids.has(p.id)).map((p) => [p.id, p]));
}

/** Requests per second over `seconds`, read from memcached's counters. */
async function rpsOver(port: number, seconds: number): Promise<number> {
  const r0 = await memcachedRequests(port);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const r1 = await memcachedRequests(port);
  return (r1 - r0) / ((performance.now() - t0) / 1000);
}

interface PhaseOpts {
  port: number;
  serverPid: number;
  seconds: number;
  settle: number;
  bpfSeconds: number;
  tmp: string;
  statsStart: string;
}

async function tracedPhase(c: Exclude<Condition, 'A'>, o: PhaseOpts): Promise<Omit<Phase, 'round' | 'untracedRps'>> {
  let tracer: Tracer | undefined = await startTracer(c, o.tmp, o.seconds * 4 + 60, o.serverPid);
  try {
    await sleep(o.settle * 1000);
    const pids = tracer.pids();
    const cpu = (): number => pids.reduce((n, p) => n + (procCpuSeconds(p) ?? 0), 0);
    const p0 = cpu();
    const b0 = systemBusySeconds();
    const t0 = performance.now();
    const rps = await rpsOver(o.port, o.seconds);
    const wall = (performance.now() - t0) / 1000;
    const processes = cpu() - p0;
    const busy = systemBusySeconds() - b0;
    // the programs the tracer's processes hold now (a helper's, or each peer tool's)
    const ids = new Set(pids.flatMap(progIdsOf));
    writeFileSync(STATS, '1');
    let progs: Phase['progs'];
    let bpfWall: number;
    try {
      const s0 = await progCounters(ids);
      const w0 = performance.now();
      await sleep(o.bpfSeconds * 1000);
      const s1 = await progCounters(ids);
      bpfWall = (performance.now() - w0) / 1000;
      progs = [...s1.values()].flatMap((p) => {
        const q = s0.get(p.id);
        const runs = (p.run_cnt ?? 0) - (q?.run_cnt ?? 0);
        const ns = (p.run_time_ns ?? 0) - (q?.run_time_ns ?? 0);
        return q && runs > 0 ? [{ name: p.name ?? String(p.id), runsPerS: runs / bpfWall, nsPerRun: ns / runs }] : [];
      });
    } finally {
      writeFileSync(STATS, o.statsStart);
    }
    await tracer.stop();
    tracer = undefined;
    return {
      condition: c,
      rps,
      processesCpuPct: (processes / wall) * 100,
      bpfCpuPct: progs.reduce((n, p) => n + (p.runsPerS * p.nsPerRun) / 1e7, 0),
      bpfRunsPerS: progs.reduce((n, p) => n + p.runsPerS, 0),
      progs,
      systemBusyPct: (busy / wall) * 100,
    };
  } finally {
    await tracer?.stop();
  }
}

/** A seeded shuffle, so a run's order can be repeated. */
function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function runObserverBench(args: string[] = []): Promise<ObserverResult> {
  await initClockTicks();
  if (process.getuid?.() !== 0) throw new Error('needs root (the tracers load BPF programs)');
  const rounds = intArg(args, '--rounds', 6, 1, 50);
  const seconds = intArg(args, '--seconds', 6, 2, 60);
  const settle = intArg(args, '--settle', 2, 0, 60);
  const bpfSeconds = intArg(args, '--bpf-seconds', 3, 1, 60);
  const seed = intArg(args, '--seed', 1, 0, 2 ** 31);
  const { concurrency, serverCpu, clientCpu } = loadArgs(args);
  const conditions = (argValue(args, '--conditions') ?? 'C,D').split(',') as Condition[];
  const known = Object.keys(NAMES).filter((c) => c !== 'A');
  if (!conditions.length || conditions.some((c) => !known.includes(c)))
    throw new Error(`--conditions: a list of ${known.join(',')} (the untraced windows come by themselves)`);
  const traced = conditions as Exclude<Condition, 'A'>[];
  const statsStart = readFileSync(STATS, 'utf8').trim();
  const tmp = mkdtempSync(join(tmpdir(), 'irqlens-observer-'));
  const port = 20000 + (process.pid % 20000);
  const server = await startServer(serverCpu, port);
  // one closed-loop load for the whole benchmark, longer than it can take; stopped at the end
  const total = rounds * traced.length * (2 * seconds + settle + bpfSeconds + 40) + 120;
  const load = execa('taskset', memcaslapArgs(port, total, concurrency, clientCpu, false), {
    reject: false,
    stdout: 'ignore',
    stderr: 'ignore',
  });
  const restore = async (): Promise<void> => {
    writeFileSync(STATS, statsStart);
    if (load.exitCode === null) load.kill('SIGTERM');
    await load;
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  const unregister = onInterrupt(restore);
  const rng = Rng.stream(seed, 'observer order');
  const untraced: number[] = [];
  const pending: Omit<Phase, 'untracedRps'>[] = [];
  try {
    await sleep(2000); // memcaslap's connections up and warm
    const o: PhaseOpts = { port, serverPid: server.pid, seconds, settle, bpfSeconds, tmp, statsStart };
    for (let r = 0; r < rounds; r++) {
      for (const c of shuffled(traced, rng)) {
        untraced.push(await rpsOver(port, seconds));
        const p = await tracedPhase(c, o);
        pending.push({ ...p, round: r });
        log(
          `observer: round ${r + 1}/${rounds} ${NAMES[c]}: ${fmt(p.rps)} req/s (untraced before ${fmt(untraced.at(-1) ?? 0)}), ` +
            `processes ${fmt(p.processesCpuPct, 2)}% + BPF ${fmt(p.bpfCpuPct, 2)}% of a CPU`,
        );
        await sleep(500);
      }
    }
    untraced.push(await rpsOver(port, seconds));
  } finally {
    await restore();
    unregister();
  }
  // phase i sits between untraced windows i and i + 1
  const phases = pending.map((p, i) => ({ ...p, untracedRps: ((untraced[i] ?? 0) + (untraced[i + 1] ?? 0)) / 2 }));
  return {
    machine: machine(),
    command: `node dist/scripts/bench/observer.js ${args.join(' ')}`.trim(),
    rounds,
    seconds,
    settle,
    bpfSeconds,
    seed,
    conditions: traced,
    untraced,
    phases,
  };
}

const medMM = (xs: readonly number[], d: number): string => {
  if (!xs.length) return '-';
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs), d)} (${fmt(lo, d)}-${fmt(hi, d)})`;
};

const observerCpu = (p: Phase): number => p.processesCpuPct + p.bpfCpuPct;

/** Observer CPU over libbpf-tools' in the same round, where the round has both. */
function toPeer(r: ObserverResult, c: Condition): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.rounds; i++) {
    const x = r.phases.find((p) => p.round === i && p.condition === c);
    const d = r.phases.find((p) => p.round === i && p.condition === 'D');
    if (x && d && observerCpu(d) > 0) out.push(observerCpu(x) / observerCpu(d));
  }
  return out;
}

export function observerTable(r: ObserverResult): { headers: string[]; rows: string[][] } {
  return {
    headers: [
      'condition',
      'throughput cost % (vs untraced around it)',
      'processes CPU%',
      'BPF CPU%',
      'observer CPU% (100 = one CPU)',
      'observer CPU / libbpf-tools (same round)',
      'BPF runs/s',
    ],
    rows: r.conditions.map((c) => {
      const ps = r.phases.filter((p) => p.condition === c);
      return [
        NAMES[c],
        medMM(
          ps.map((p) => (1 - p.rps / p.untracedRps) * 100),
          1,
        ),
        medMM(
          ps.map((p) => p.processesCpuPct),
          2,
        ),
        medMM(
          ps.map((p) => p.bpfCpuPct),
          2,
        ),
        medMM(ps.map(observerCpu), 2),
        c === 'D' || !r.conditions.includes('D') ? '-' : medMM(toPeer(r, c), 2),
        medMM(
          ps.map((p) => p.bpfRunsPerS),
          0,
        ),
      ];
    }),
  };
}

/** Per program of each condition: median runs a second and ns a run over the rounds. */
export function programTable(r: ObserverResult): { headers: string[]; rows: string[][] } {
  const rows: string[][] = [];
  for (const c of r.conditions) {
    const ps = r.phases.filter((p) => p.condition === c);
    const names = [...new Set(ps.flatMap((p) => p.progs.map((x) => x.name)))];
    for (const name of names) {
      const xs = ps.flatMap((p) => p.progs.filter((x) => x.name === name));
      const cpu = median(xs.map((x) => (x.runsPerS * x.nsPerRun) / 1e7));
      rows.push([
        NAMES[c],
        name,
        fmt(median(xs.map((x) => x.runsPerS))),
        fmt(median(xs.map((x) => x.nsPerRun))),
        fmt(cpu, 2),
      ]);
    }
  }
  return { headers: ['condition', 'program', 'runs/s', 'ns/run', 'CPU%'], rows };
}

export function printObserver(r: ObserverResult): void {
  const t = observerTable(r);
  const p = programTable(r);
  const [lo, hi] = minMax(r.untraced);
  process.stdout.write(
    `${machineLine(r.machine)}\n${r.command}\n` +
      `untraced: ${fmt(median(r.untraced))} req/s (${fmt(lo)}-${fmt(hi)}) over ${r.untraced.length} windows; ` +
      `medians over ${r.rounds} rounds, min-max in brackets\n\n${mdTable(t.headers, t.rows)}\n\n` +
      `BPF window, per program (medians over the rounds):\n\n${mdTable(p.headers, p.rows)}\n`,
  );
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(OBSERVER_HELP + '\n');
  } else {
    runObserverBench(args).then(
      (r) => {
        printObserver(r);
        if (args.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
      },
      (e: unknown) => {
        process.stderr.write(`bench observer: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
