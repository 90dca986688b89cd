// Benchmark: what each tracer costs a real workload: Debian's memcached
// driven by memcaslap on loopback, untraced vs irqlens record vs irqlens top
// vs libbpf-tools hardirqs+softirqs vs a bpftrace script.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { accepts } from '../../src/cost/workloads.js';
import { onInterrupt } from './cleanup.js';
import { DISTURBED_PCT, foreignTracers, waitQuiet } from './period-overhead.js';
import { BPFTRACE_SCRIPT, spawnTool, stopChild, waitAttached, waitPidAttached } from './probe-cost.js';
import { cpuBusySeconds } from './reducer.js';
import { descendants, Session } from './tty.js';
import {
  argValue,
  backgroundCpuPct,
  fmt,
  initClockTicks,
  intArg,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  mdTable,
  median,
  minMax,
  procCpuSeconds,
  reapedChildrenCpuSeconds,
  selfCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
} from './util.js';
import { cliArgv } from '../../src/probe/launch.js';

export const OVERHEAD_HELP = `Benchmark: what tracing costs a real workload, irqlens against the tools users would pick instead.

Workload: Debian's memcached (1 worker thread, pinned to --server-cpu, default 1)
on 127.0.0.1, driven by memcaslap (libmemcached-tools; 1 thread, --concurrency
connections, default 64, closed loop, pinned to --client-cpu, default 0) for
--seconds per run: the highest load this 2-CPU machine sustains, with the server
and the load generator each on a CPU of its own. memcached is started afresh for
every run. Throughput (TPS) and latency (avg, std, max over the run: its
"Total Statistics", printed because of -S <run time>) are memcaslap's own figures.

Conditions, interleaved A B C D E, A B C D E, ... for --rounds rounds:
  A  untraced
  B  irqlens record -o <temp file> (its defaults); the file is deleted
  C  irqlens top (its defaults) in a real terminal: a detached tmux session, 120x40
  D  libbpf-tools: hardirqs 1 1000 and softirqs 1 1000, together
  E  bpftrace with the script probe-cost.js uses (irq + softirq duration stats and histograms)
and two diagnostic ones (--conditions A,B,C,F,G), to split irqlens's cost:
  F  irqlens record --records burst: aggregation in the kernel, no per-event records
  G  irqlens top --no-prog-stats: without BPF run-time statistics (top's default samples them, 1 s in 10)
  H  irqlens top --prog-stats-always: with them on throughout (top's default before it sampled them)
  I  irqlens top --all-probes: NAPI and epoll probes attached throughout (top's default before they
     attached only while their panels are shown)
  J  irqlens serve --port 0 (its defaults), no web client: the probes, /metrics' state, the frame loop
  K  irqlens serve --port 0 --no-prog-stats: BPF run-time statistics never on (serve samples them 1 s in 10)
  M  irqlens serve --port 0 --interval-ms 1000: one snapshot and frame a second instead of ten
  O  irqlens serve --port 0 --idle-interval-ms 0: ten snapshots a second with no page open (serve's
     default before it slowed to one a second while no page is open)
  P  irqlens serve --port 0 --records burst,drop: no per-poll NAPI records (the page's burst bins)
  Q  irqlens serve --port 0 --all-probes: NAPI and softirq-raise attached throughout (serve's default
     before they attached only while a page is open or /metrics is read)
  N  irqlens top, then every thread of its Node process and helper put at SCHED_IDLE (chrt -i): does
     running only in idle CPU time lower its cost?
  L  irqlens doctor (its defaults) watching through the whole load (--duration longer, stopped by SIGINT)
  R  irqlens top --workloads --pid <memcached>: busy periods and their interrupt tax (the goal there:
     <= 5% and below bpftrace, E)
The tracers are not pinned: they run where the scheduler puts them, as a user's would.
Per run: CPU% of memcached, memcaslap, the tracer's processes and everything
else (contention), and each CPU's busy%. Ratios to A are paired within a round.
The goal: irqlens (B, C) costs <= 3% of throughput and less than each peer (D, E).

Usage:
  node dist/scripts/bench/overhead.js [--rounds 5] [--seconds 10] [--concurrency 64]
       [--conditions A,B,C,D,E] [--server-cpu 1] [--client-cpu 0] [--wait-quiet S] [--md] [--json]

Examples:
  node dist/scripts/bench/overhead.js --rounds 5 --md
  node dist/scripts/bench/overhead.js --conditions A,B,C --rounds 3 --seconds 5
  node dist/scripts/bench/overhead.js --wait-quiet 120 --json > overhead.json

--wait-quiet S waits (at most S seconds, before each round) until the machine is
idle and nobody else is tracing. Runs in which others used more than ${DISTURBED_PCT}% of a
CPU or another tracer was seen are flagged as disturbed (and given separately).
Loopback only. kernel.bpf_stats_enabled is put back to its value at the start
after every run (irqlens top switches it on while it runs). Prints figures; never
fails on a number.`;

export const CONDITIONS = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
  'V',
  'W',
  'X',
] as const;
export type Condition = (typeof CONDITIONS)[number];
const DEFAULT_CONDITIONS = 'A,B,C,D,E';
export const NAMES: Record<Condition, string> = {
  A: 'A untraced',
  B: 'B irqlens record',
  C: 'C irqlens top (tmux)',
  D: 'D libbpf-tools hardirqs+softirqs',
  E: 'E bpftrace',
  F: 'F irqlens record --records burst',
  G: 'G irqlens top --no-prog-stats (tmux)',
  H: 'H irqlens top --prog-stats-always (tmux)',
  I: 'I irqlens top --all-probes (tmux)',
  J: 'J irqlens serve (no client)',
  K: 'K irqlens serve --no-prog-stats (no client)',
  L: 'L irqlens doctor (runs through the load)',
  M: 'M irqlens serve --interval-ms 1000 (no client)',
  N: 'N irqlens top, its processes SCHED_IDLE (chrt -i)',
  O: 'O irqlens serve --idle-interval-ms 0 (no client)',
  P: 'P irqlens serve --records burst,drop (no client)',
  Q: 'Q irqlens serve --all-probes (no client)',
  R: 'R irqlens top --workloads --pid memcached (tmux)',
  S: 'S irqlens record --workloads --pid memcached',
  T: 'T irqlens record as its default was before 2026-12-07 (--all-probes, busy periods and bursts)',
  V: 'V irqlens record with the helper in IRQLENS_BENCH_ALT_HELPER (another build, for an A/B with B)',
  W: "W irqlens top (tmux) from IRQLENS_BENCH_ALT_CLI (another build's dist/cli/main.js, for an A/B with C)",
  X: "X irqlens record --snapshot-ms 200 (five snapshots a second, record's default before 2026-12-07 16:00)",
};
export const GOAL_PCT = 3;

export interface Run {
  condition: Condition;
  round: number;
  tps: number;
  avgUs: number;
  stdUs: number;
  maxUs: number;
  seconds: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** All of the tracer's processes (Node and helper, or the peers' tools). */
  tracerCpuPct: number;
  otherCpuPct: number;
  serverCpuBusyPct: number;
  clientCpuBusyPct: number;
  foreignTracers: string[];
  /** kernel.bpf_stats_enabled after the tracer stopped, if it was not the start value. */
  statsLeft?: string;
}

export interface OverheadResult {
  machine: Machine;
  command: string;
  rounds: number;
  seconds: number;
  concurrency: number;
  serverCpu: number;
  clientCpu: number;
  conditions: Condition[];
  backgroundCpuPct: number;
  waitedS: number[];
  runs: Run[];
}

const STATS = '/proc/sys/kernel/bpf_stats_enabled';

/** A running tracer: the pids whose CPU is the tracer's, and how to stop it. */
export interface Tracer {
  pids: () => number[];
  stop: () => Promise<void>;
}

/** Resolves once an irqlens-helper below `pid` holds BPF programs that stopped changing. */
async function helperAttached(pid: number, ms = 30_000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const h = descendants(pid).find((p) => p.comm === 'irqlens-helper');
    if (h) {
      const gone = (): string | undefined =>
        existsSync(`/proc/${h.pid}`) ? undefined : `irqlens-helper (pid ${h.pid}) exited before attaching`;
      await waitPidAttached(h.pid, 'irqlens-helper', gone, 600, Math.max(1000, end - Date.now()));
      return h.pid;
    }
    if (Date.now() > end) throw new Error(`no irqlens-helper appeared below pid ${pid}`);
    await sleep(100);
  }
}

/** Starts a tracer; it is stopped on Ctrl-C from the moment it is spawned, not only once attached. */
export async function startTracer(
  c: Exclude<Condition, 'A'>,
  tmp: string,
  seconds: number,
  serverPid: number,
): Promise<Tracer> {
  let stopEarly: (() => Promise<void>) | undefined;
  const unregister = onInterrupt(async () => {
    await stopEarly?.();
  });
  try {
    const t = await spawnTracer(
      c,
      tmp,
      seconds,
      (f) => {
        stopEarly = f;
      },
      serverPid,
    );
    return {
      pids: t.pids,
      stop: async () => {
        await t.stop();
        unregister();
      },
    };
  } catch (e) {
    unregister();
    throw e;
  }
}

async function spawnTracer(
  c: Exclude<Condition, 'A'>,
  tmp: string,
  seconds: number,
  onSpawn: (stop: () => Promise<void>) => void,
  serverPid: number,
): Promise<Tracer> {
  const cli = cliArgv();
  switch (c) {
    case 'B':
    case 'F':
    case 'S':
    case 'T':
    case 'V':
    case 'X': {
      const file = join(tmp, 'overhead.irqrec');
      // --duration only bounds it; the bench stops it with SIGINT after the load
      const alt = process.env.IRQLENS_BENCH_ALT_HELPER;
      if (c === 'V' && !alt) throw new Error('condition V needs IRQLENS_BENCH_ALT_HELPER: the path of another build');
      const rec = spawnTool(
        'node',
        [
          ...cli,
          'record',
          '-o',
          file,
          '--force',
          '--duration',
          String(seconds + 120),
          ...(c === 'F' ? ['--records', 'burst'] : []),
          ...(c === 'S' ? ['--workloads', '--pid', String(serverPid)] : []),
          ...(c === 'T' ? ['--all-probes', '--records', 'hardirq,vector,async-softirq,burst,drop,period'] : []),
          ...(c === 'X' ? ['--snapshot-ms', '200'] : []),
        ],
        c === 'V' && alt ? { IRQLENS_HELPER: alt } : {},
      );
      if (rec.pid === undefined) throw new Error('irqlens record did not start');
      const recPid = rec.pid;
      onSpawn(async () => {
        await stopChild(rec);
        rmSync(file, { force: true });
      });
      rec.stdout.resume();
      rec.stderr.resume();
      const helper = await helperAttached(recPid);
      return {
        pids: () => [recPid, helper],
        stop: async () => {
          await stopChild(rec);
          rmSync(file, { force: true });
        },
      };
    }
    case 'J':
    case 'K':
    case 'L':
    case 'M':
    case 'O':
    case 'P':
    case 'Q': {
      // doctor watches for --duration; a longer one than the load, stopped by SIGINT like the others
      const args =
        c === 'L'
          ? ['doctor', '--duration', String(seconds + 120)]
          : [
              'serve',
              '--port',
              '0',
              ...(c === 'K'
                ? ['--no-prog-stats']
                : c === 'M'
                  ? ['--interval-ms', '1000']
                  : c === 'O'
                    ? ['--idle-interval-ms', '0']
                    : c === 'P'
                      ? ['--records', 'burst,drop']
                      : c === 'Q'
                        ? ['--all-probes']
                        : []),
            ];
      const tool = spawnTool('node', [...cli, ...args]);
      if (tool.pid === undefined) throw new Error(`irqlens ${args[0] ?? ''} did not start`);
      const toolPid = tool.pid;
      onSpawn(() => stopChild(tool));
      tool.stdout.resume();
      tool.stderr.resume();
      const helper = await helperAttached(toolPid);
      return { pids: () => [toolPid, helper], stop: () => stopChild(tool) };
    }
    case 'C':
    case 'G':
    case 'H':
    case 'I':
    case 'N':
    case 'R':
    case 'W': {
      const flags: Partial<Record<Condition, string>> = {
        G: ' --no-prog-stats',
        H: ' --prog-stats-always',
        I: ' --all-probes',
        R: ` --workloads --pid ${serverPid}`,
      };
      const flag = flags[c] ?? '';
      const alt = process.env.IRQLENS_BENCH_ALT_CLI;
      if (c === 'W' && !alt)
        throw new Error("condition W needs IRQLENS_BENCH_ALT_CLI: another build's dist/cli/main.js");
      const argv = c === 'W' && alt ? cliArgv(alt) : cli;
      const s = await Session.start(`node ${argv.join(' ')} top${flag}; exec sleep ${seconds + 300}`);
      onSpawn(() => s.quit());
      try {
        await s.waitFor(/^cost: \S+ ev\/s/m);
        const procs = descendants(await s.panePid());
        const node = procs.find((p) => p.comm.startsWith('node'));
        const helper = procs.find((p) => p.comm === 'irqlens-helper');
        if (!node || !helper) throw new Error(`no node or helper under the tmux pane: ${JSON.stringify(procs)}`);
        if (c === 'N') for (const p of [node, helper]) await execa('chrt', ['-i', '-a', '-p', '0', String(p.pid)]);
        return { pids: () => [node.pid, helper.pid], stop: () => s.quit() };
      } catch (e) {
        await s.quit();
        throw e;
      }
    }
    case 'D': {
      const hi = spawnTool('hardirqs', ['1', '1000']);
      const si = spawnTool('softirqs', ['1', '1000']);
      onSpawn(async () => {
        await Promise.all([stopChild(hi), stopChild(si)]);
      });
      for (const ch of [hi, si]) ch.stdout.resume();
      try {
        await Promise.all([waitAttached(hi, 'hardirqs'), waitAttached(si, 'softirqs')]);
      } catch (e) {
        await Promise.all([stopChild(hi), stopChild(si)]);
        throw e;
      }
      return {
        pids: () => [hi.pid ?? 0, si.pid ?? 0],
        stop: async () => {
          await Promise.all([stopChild(hi), stopChild(si)]);
        },
      };
    }
    case 'E': {
      const script = join(tmp, 'irq.bt');
      writeFileSync(script, BPFTRACE_SCRIPT);
      const bt = spawnTool('bpftrace', [script]);
      onSpawn(() => stopChild(bt));
      bt.stdout.resume();
      try {
        await waitAttached(bt, 'bpftrace');
      } catch (e) {
        await stopChild(bt);
        throw e;
      }
      return { pids: () => [bt.pid ?? 0], stop: () => stopChild(bt) };
    }
  }
}

/** memcaslap's own figures: TPS and the "Total Statistics" latency block (printed with -S). */
export interface LoadResult {
  tps: number;
  avgUs: number;
  stdUs: number;
  maxUs: number;
}

/** Parses memcaslap's output; `-S <run time>` makes it print one latency block for the whole run. */
export function parseMemcaslap(out: string): LoadResult {
  const tps = /TPS:\s*(\d+)/.exec(out);
  if (!tps?.[1]) throw new Error(`memcaslap printed no throughput:\n${out.slice(-500)}`);
  const total = out.slice(out.lastIndexOf('Total Statistics'));
  const num = (k: string): number => Number(new RegExp(`${k}:\\s*([\\d.]+)`).exec(total)?.[1] ?? NaN);
  return { tps: Number(tps[1]), avgUs: num('Avg'), stdUs: num('Std'), maxUs: num('Max') };
}

/** The memcached load's options: memcaslap's connections, and the two CPUs server and client are pinned to. */
export function loadArgs(args: readonly string[]): { concurrency: number; serverCpu: number; clientCpu: number } {
  const n = cpus().length;
  const concurrency = intArg(args, '--concurrency', 64, 4, 1024);
  const serverCpu = intArg(args, '--server-cpu', 1, 0, n - 1);
  const clientCpu = intArg(args, '--client-cpu', 0, 0, n - 1);
  if (serverCpu === clientCpu) throw new Error('--server-cpu and --client-cpu must differ');
  return { concurrency, serverCpu, clientCpu };
}

/** taskset + memcaslap on `clientCpu` against 127.0.0.1:`port` for `seconds`; `latency` adds -S (one latency block). */
export function memcaslapArgs(
  port: number,
  seconds: number,
  conc: number,
  clientCpu: number,
  latency: boolean,
): string[] {
  return [
    '-c',
    String(clientCpu),
    'memcaslap',
    '-s',
    `127.0.0.1:${port}`,
    '-t',
    `${seconds}s`,
    ...(latency ? ['-S', `${seconds}s`] : []),
    '-T',
    '1',
    '-c',
    String(conc),
  ];
}

/**
 * memcached as src/cost/workloads.ts starts it (1 worker thread, 64 MiB,
 * loopback only), pinned; memcaslap runs with -S so it reports latency too.
 */
export async function startServer(
  cpu: number,
  port: number,
): Promise<{
  pid: number;
  load: (seconds: number, conc: number, clientCpu: number) => Promise<LoadResult>;
  stop: () => Promise<void>;
}> {
  const proc = execa(
    'taskset',
    [
      '-c',
      String(cpu),
      'memcached',
      '-l',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      '0',
      '-t',
      '1',
      '-u',
      'nobody',
      '-m',
      '64',
    ],
    { reject: false, stdout: 'ignore', stderr: 'pipe' },
  );
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await proc;
  };
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 100 || proc.exitCode !== null) {
      await stop();
      throw new Error(`memcached did not start on 127.0.0.1:${port} (is the port in use?)`);
    }
    await sleep(50);
  }
  return {
    pid: proc.pid ?? 0,
    stop,
    load: async (seconds, conc, clientCpu) => {
      const r = await execa('taskset', memcaslapArgs(port, seconds, conc, clientCpu, true), {
        timeout: (seconds + 30) * 1000,
        reject: false,
      });
      return parseMemcaslap(r.stdout + r.stderr);
    },
  };
}

interface Opts {
  seconds: number;
  concurrency: number;
  serverCpu: number;
  clientCpu: number;
  tmp: string;
  statsStart: string;
}

async function runOne(c: Condition, round: number, o: Opts): Promise<Run> {
  const w = await startServer(o.serverCpu, 20000 + (process.pid % 20000));
  let tracer: Tracer | undefined;
  const unregister = onInterrupt(async () => {
    await tracer?.stop();
    await w.stop();
  });
  try {
    if (c !== 'A') tracer = await startTracer(c, o.tmp, o.seconds, w.pid);
    const tp = tracer?.pids() ?? [];
    const sum = (xs: (number | undefined)[]): number => xs.reduce<number>((n, x) => n + (x ?? 0), 0);
    const s0 = procCpuSeconds(w.pid) ?? 0;
    const t0c = sum(tp.map(procCpuSeconds));
    const n0 = selfCpuSeconds();
    const c0 = reapedChildrenCpuSeconds();
    const b0 = systemBusySeconds();
    const sc0 = cpuBusySeconds(o.serverCpu);
    const cc0 = cpuBusySeconds(o.clientCpu);
    const mine = new Set([w.pid, ...tp]);
    const seen = new Set<string>();
    const sampler = setInterval(() => {
      for (const t of foreignTracers(mine)) seen.add(t);
    }, 500);
    const t0 = performance.now();
    let res: LoadResult;
    try {
      res = await w.load(o.seconds, o.concurrency, o.clientCpu); // memcaslap is reaped here: its CPU time is in c1 - c0
    } finally {
      clearInterval(sampler);
    }
    const wall = (performance.now() - t0) / 1000;
    const s1 = procCpuSeconds(w.pid) ?? s0;
    const t1c = sum(tp.map(procCpuSeconds));
    const n1 = selfCpuSeconds();
    const c1 = reapedChildrenCpuSeconds();
    const b1 = systemBusySeconds();
    const sc1 = cpuBusySeconds(o.serverCpu);
    const cc1 = cpuBusySeconds(o.clientCpu);
    await tracer?.stop();
    tracer = undefined;
    const statsNow = readFileSync(STATS, 'utf8').trim();
    if (statsNow !== o.statsStart) writeFileSync(STATS, o.statsStart);
    const pct = (s: number): number => (s / wall) * 100;
    return {
      condition: c,
      round,
      tps: res.tps,
      avgUs: res.avgUs,
      stdUs: res.stdUs,
      maxUs: res.maxUs,
      seconds: wall,
      serverCpuPct: pct(s1 - s0),
      clientCpuPct: pct(c1 - c0),
      tracerCpuPct: pct(t1c - t0c),
      otherCpuPct: Math.max(0, pct(b1 - b0 - (s1 - s0) - (c1 - c0) - (t1c - t0c) - (n1 - n0))),
      serverCpuBusyPct: pct(sc1 - sc0),
      clientCpuBusyPct: pct(cc1 - cc0),
      foreignTracers: [...seen],
      ...(statsNow !== o.statsStart ? { statsLeft: statsNow } : {}),
    };
  } finally {
    await tracer?.stop();
    await w.stop();
    unregister();
  }
}

export function disturbed(r: Run): boolean {
  return r.otherCpuPct > DISTURBED_PCT || r.foreignTracers.length > 0;
}

export async function runMemcachedOverhead(args: string[] = []): Promise<OverheadResult> {
  await initClockTicks();
  if (process.getuid?.() !== 0) throw new Error('needs root (the tracers load BPF programs)');
  const rounds = intArg(args, '--rounds', 5, 1, 30);
  const seconds = intArg(args, '--seconds', 10, 2, 120);
  const { concurrency, serverCpu, clientCpu } = loadArgs(args);
  const waitQuietS = Number(argValue(args, '--wait-quiet') ?? 0);
  if (!(waitQuietS >= 0 && waitQuietS <= 3600)) throw new Error('--wait-quiet: 0..3600 seconds');
  const conditions = (argValue(args, '--conditions') ?? DEFAULT_CONDITIONS).split(',') as Condition[];
  if (conditions.some((c) => !CONDITIONS.includes(c)) || !conditions.includes('A'))
    throw new Error(`--conditions: a list of ${CONDITIONS.join(',')} that includes A`);
  const statsStart = readFileSync(STATS, 'utf8').trim();
  const tmp = mkdtempSync(join(tmpdir(), 'irqlens-overhead-'));
  const bg = await backgroundCpuPct(2000);
  log(
    `overhead: background CPU ${fmt(bg, 1)}% (100 = one CPU); ${rounds} rounds x ${conditions.join(' ')}, ${seconds} s each, memcaslap concurrency ${concurrency}`,
  );
  const runs: Run[] = [];
  const waitedS: number[] = [];
  const restore = (): void => {
    writeFileSync(STATS, statsStart);
    rmSync(tmp, { recursive: true, force: true });
  };
  const unregister = onInterrupt(restore);
  try {
    for (let r = 0; r < rounds; r++) {
      if (waitQuietS) waitedS.push(await waitQuiet(waitQuietS));
      for (const c of conditions) {
        const run = await runOne(c, r, { seconds, concurrency, serverCpu, clientCpu, tmp, statsStart });
        runs.push(run);
        log(
          `overhead: round ${r + 1}/${rounds} ${NAMES[c]}: ${fmt(run.tps)} TPS, avg ${fmt(run.avgUs)} us, tracer ${fmt(run.tracerCpuPct, 1)}% CPU, ` +
            `other ${fmt(run.otherCpuPct)}%${run.foreignTracers.length ? `, other tracers: ${run.foreignTracers.join(' ')}` : ''}`,
        );
        await sleep(500);
      }
    }
  } finally {
    restore();
    unregister();
  }
  return {
    machine: machine(),
    command: `node dist/scripts/bench/overhead.js ${args.join(' ')}`.trim(),
    rounds,
    seconds,
    concurrency,
    serverCpu,
    clientCpu,
    conditions,
    backgroundCpuPct: bg,
    waitedS,
    runs,
  };
}

const medMM = (xs: number[], d = 0): string => {
  if (!xs.length) return '-';
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs), d)} (${fmt(lo, d)}-${fmt(hi, d)})`;
};

/** X/A per round, for rounds that have both (optionally only undisturbed pairs). */
function paired(r: OverheadResult, c: Condition, f: (x: Run) => number, clean = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.rounds; i++) {
    const a = r.runs.find((x) => x.round === i && x.condition === 'A');
    const b = r.runs.find((x) => x.round === i && x.condition === c);
    if (!a || !b || (clean && (disturbed(a) || disturbed(b)))) continue;
    out.push(f(b) / f(a));
  }
  return out;
}

export function overheadTables(r: OverheadResult): {
  runs: { headers: string[]; rows: string[][] };
  ratios: { headers: string[]; rows: string[][] };
} {
  const runs = {
    headers: [
      'condition',
      'TPS',
      'avg latency us',
      'latency std us',
      'max latency us',
      'memcached CPU%',
      'memcaslap CPU%',
      'tracer CPU%',
      'other CPU%',
      `CPU${r.serverCpu} busy%`,
      `CPU${r.clientCpu} busy%`,
      'disturbed runs',
    ],
    rows: r.conditions.map((c) => {
      const xs = r.runs.filter((x) => x.condition === c);
      return [
        NAMES[c],
        medMM(xs.map((x) => x.tps)),
        medMM(xs.map((x) => x.avgUs)),
        medMM(xs.map((x) => x.stdUs)),
        medMM(xs.map((x) => x.maxUs)),
        medMM(xs.map((x) => x.serverCpuPct)),
        medMM(xs.map((x) => x.clientCpuPct)),
        c === 'A'
          ? '-'
          : medMM(
              xs.map((x) => x.tracerCpuPct),
              1,
            ),
        medMM(xs.map((x) => x.otherCpuPct)),
        medMM(xs.map((x) => x.serverCpuBusyPct)),
        medMM(xs.map((x) => x.clientCpuBusyPct)),
        `${xs.filter(disturbed).length}/${xs.length}`,
      ];
    }),
  };
  const ratios = {
    headers: [
      'condition / A (paired per round)',
      'TPS ratio median',
      'min-max',
      'throughput cost % (median)',
      'avg latency ratio median',
      'TPS ratio, undisturbed pairs only',
    ],
    rows: r.conditions
      .filter((c) => c !== 'A')
      .map((c) => {
        const t = paired(r, c, (x) => x.tps);
        const [lo, hi] = minMax(t);
        const clean = paired(r, c, (x) => x.tps, true);
        return [
          NAMES[c],
          fmt(median(t), 3),
          `${fmt(lo, 3)}-${fmt(hi, 3)}`,
          fmt((1 - median(t)) * 100, 1),
          fmt(median(paired(r, c, (x) => x.avgUs)), 3),
          clean.length ? `${fmt(median(clean), 3)} (${clean.length} rounds)` : '- (0 rounds)',
        ];
      }),
  };
  return { runs, ratios };
}

export function overheadSummary(r: OverheadResult): string[] {
  const cost = (c: Condition): number => (1 - median(paired(r, c, (x) => x.tps))) * 100;
  const out: string[] = [];
  const peers = (['D', 'E'] as const).filter((c) => r.conditions.includes(c));
  // every irqlens condition, in letter order: not the untraced one (A), not the peers (D, E)
  for (const c of CONDITIONS.filter((x) => !'ADE'.includes(x) && r.conditions.includes(x))) {
    const k = cost(c);
    const beats = peers.map((p) => `${NAMES[p]} ${fmt(cost(p), 1)}%: ${k < cost(p) ? 'less' : 'NOT less'}`);
    out.push(
      `${NAMES[c]} costs ${fmt(k, 1)}% of throughput (goal <= ${GOAL_PCT}%: ${k <= GOAL_PCT ? 'met' : 'NOT met'})${beats.length ? `; vs ${beats.join(', ')}` : ''}`,
    );
  }
  const left = r.runs.filter((x) => x.statsLeft !== undefined);
  if (left.length)
    out.push(
      `kernel.bpf_stats_enabled was left changed after ${left.length} run(s) and was put back (${[...new Set(left.map((x) => NAMES[x.condition]))].join(', ')})`,
    );
  out.push(
    `background CPU before the runs: ${fmt(r.backgroundCpuPct, 0)}% (100 = one CPU); disturbed runs (others > ${DISTURBED_PCT}% CPU or another tracer): ${r.runs.filter(disturbed).length}/${r.runs.length}`,
  );
  return out;
}

export function printOverhead(r: OverheadResult): void {
  const t = overheadTables(r);
  process.stdout.write(
    `\n== overhead: memcached + memcaslap on loopback, untraced vs tracers (${machineLine(r.machine)})\n`,
  );
  process.stdout.write(
    `${r.rounds} rounds x ${r.seconds} s, interleaved ${r.conditions.join(' ')}; median (min-max); 100 = one CPU\n`,
  );
  process.stdout.write(table(t.runs.headers, t.runs.rows) + '\n\n' + table(t.ratios.headers, t.ratios.rows) + '\n');
  for (const l of overheadSummary(r)) process.stdout.write(l + '\n');
}

export function overheadMarkdown(r: OverheadResult): string {
  const t = overheadTables(r);
  return [
    mdTable(t.runs.headers, t.runs.rows),
    '',
    mdTable(t.ratios.headers, t.ratios.rows),
    '',
    ...overheadSummary(r).map((l) => `- ${l}`),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(OVERHEAD_HELP + '\n');
  } else {
    runMemcachedOverhead(args).then(
      (r) => {
        printOverhead(r);
        if (args.includes('--md')) process.stdout.write(`\n${overheadMarkdown(r)}\n`);
        if (args.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
      },
      (e: unknown) => {
        process.stderr.write(`bench overhead: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
