// Benchmark: what busy-period tracking costs the traced workload's throughput.
//
// The echo workload of `irqlens cost --workload echo` (src/cost/workloads.ts):
// echo-server pinned to CPU 1 (fixed work per request: a pointer chase of
// --work steps through --wss-kb KiB), echo-client pinned to CPU 0 with
// --conns connections in a closed loop on 127.0.0.1, --seconds per run.
// Conditions, interleaved A B C, A B C, ... for --rounds rounds:
//
//   A  untraced
//   B  the helper with its default records (burst only: aggregation, no
//      busy periods), --pid <server> --cpus 0
//   C  the helper as `irqlens cost` runs it (src/cost/measure.ts):
//      --records period,hardirq,vector,softirq,burst --pid <server> --cpus 0
//
// and, with --conditions A,B,C,D,E, two diagnostic ones:
//
//   D  B without the epoll probes (--no-epoll): the epoll syscall
//      tracepoints' share, by difference with B
//   E  C without busy periods (per-interrupt records only): period
//      tracking's own share, by difference with C
//
// --prog-stats runs the helpers with BPF run-time statistics on and reports
// BPF ns per request by program (the statistics add two clock reads per
// program run, so the throughput of such a run is not the plain figure).
// All helpers use --interval 200 (as `irqlens cost` does), so B and C differ
// only in the records, that is, in busy-period tracking and per-interrupt
// records. The helper's stdout is drained by this process, pinned to the
// client's CPU like `irqlens cost` pins itself off the server's CPU:
// FrameSplitter + decodeFrame + countRecords, so the pipe never blocks.
// Reported per run: the client's requests/s and latency, CPU% of the server,
// the client, the helper, this reader and everything else (contention), and
// each CPU's busy%. Ratios B/A and C/A are paired within a round.
//
//   node dist/scripts/bench/period-overhead.js [--rounds R] [--seconds S] [--work N] [--wss-kb KB] [--conns N]
//        [--conditions A,B,C,D,E] [--prog-stats] [--wait-quiet S] [--retries N] [--md] [--json]
//
// --wait-quiet S waits, before each round and for at most S seconds, until
// the machine is idle and no other tracer (irqlens-helper, bpftrace, ...) is
// running. A run is disturbed when others used more than 10% of a CPU during
// it or another tracer was seen; such a run is run again (after waiting
// again) up to --retries times (default 3 with --wait-quiet, else 0), and
// the last attempt counts. The ratios are also given over the rounds in
// which no counted run was disturbed.
//
// Examples:
//   node dist/scripts/bench/period-overhead.js --rounds 6 --wait-quiet 300 --md
//   node dist/scripts/bench/period-overhead.js --conditions A,B,C,D,E --prog-stats --rounds 3
import { execa, type ResultPromise } from 'execa';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { startEcho } from '../../src/cost/workloads.js';
import { helperArgs, type ProbeOptions } from '../../src/probe/client.js';
import { helperPath } from '../../src/probe/paths.js';
import { countRecords, decodeFrame } from '../../src/stream/decode.js';
import { FrameSplitter } from '../../src/stream/frames.js';
import { REC, REC_NAMES } from '../../src/stream/layout.js';
import { cpuBusySeconds, pinSelf } from './reducer.js';
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
  printHeaderHelp,
  procCpuSeconds,
  reapedChildrenCpuSeconds,
  selfCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
  wantsHelp,
} from './util.js';

export type Condition = 'A' | 'B' | 'C' | 'D' | 'E';
export const CONDITIONS: readonly Condition[] = ['A', 'B', 'C', 'D', 'E'];
export const DEFAULT_CONDITIONS = 'A,B,C';
export const GOAL_PCT = 3;

/** Records `irqlens cost` streams (src/cost/measure.ts). */
const COST_RECORDS = ['period', 'hardirq', 'vector', 'softirq', 'burst'];
const INTERVAL_MS = 200;

export interface OverheadRun {
  condition: Condition;
  round: number;
  rps: number;
  p50Us: number;
  p99Us: number;
  seconds: number;
  /** CPU% (100 = one CPU) over the load. */
  serverCpuPct: number;
  clientCpuPct: number;
  helperCpuPct: number;
  readerCpuPct: number;
  /** Busy CPU not spent by the server, client, helper or this process. */
  otherCpuPct: number;
  serverCpuBusyPct: number;
  clientCpuBusyPct: number;
  /** Records the helper streamed during the load, per second, by kind. */
  recordsPerSec: Record<string, number>;
  bytesPerSec: number;
  /** Records lost in the kernel (final snapshot), all kinds. */
  lost: number;
  /** Other tracers (another irqlens-helper, bpftrace, libbpf-tools) seen during the load. */
  foreignTracers: string[];
  /** With --prog-stats: BPF runs and run time per program over the load (snapshot granularity). */
  bpf: { name: string; runs: number; ns: number }[];
}

export interface OverheadResult {
  machine: Machine;
  command: string;
  rounds: number;
  seconds: number;
  work: number;
  wssKb: number;
  conns: number;
  serverCpu: number;
  clientCpu: number;
  conditions: Condition[];
  /** The helpers ran with --prog-stats (BPF run time per program; it slows every program a little). */
  progStats: boolean;
  helperArgs: Record<Exclude<Condition, 'A'>, string>;
  /** Seconds waited for a quiet machine (before each round and each repeated run). */
  waitedS: number[];
  /** A disturbed run is run again up to this many times; the last one counts. */
  retries: number;
  runs: OverheadRun[];
  /** Disturbed runs that were run again (not in the figures). */
  discarded: OverheadRun[];
}

/** A run is disturbed when others used > 10% of a CPU or another tracer was attached. */
export const DISTURBED_PCT = 10;
export function disturbed(x: OverheadRun): boolean {
  return x.otherCpuPct > DISTURBED_PCT || x.foreignTracers.length > 0;
}

const TRACERS = new Set(['irqlens-helper', 'bpftrace', 'hardirqs', 'softirqs', 'runqlat', 'bpftool']);

/** Tracing tools running on the machine that are not ours (their programs would trace our runs too). */
export function foreignTracers(mine: ReadonlySet<number>): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || mine.has(Number(d))) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (TRACERS.has(comm)) out.push(`${comm}[${d}]`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Waits (at most `maxS` seconds) until the machine is idle and nobody else is tracing; returns the seconds waited. */
export async function waitQuiet(maxS: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; (performance.now() - t0) / 1000 < maxS; i++) {
    const busy = await backgroundCpuPct(1000);
    const tracers = foreignTracers(new Set());
    if (busy < DISTURBED_PCT && !tracers.length) break;
    if (i % 10 === 0)
      log(
        `period-overhead: waiting for a quiet machine (busy ${fmt(busy)}%${tracers.length ? `, tracing: ${tracers.join(' ')}` : ''}), up to ${maxS} s`,
      );
  }
  return (performance.now() - t0) / 1000;
}

/** Drains the helper's stdout: splits and decodes frames, counts records and bytes. */
class Reader {
  bytes = 0;
  readonly counts = new Float64Array(8);
  lost = 0;
  progNames: string[] = [];
  /** Cumulative BPF run count and time per program (--prog-stats), from the latest snapshot. */
  readonly progStat = new Map<number, { runCnt: number; runTimeNs: number }>();
  private splitter = new FrameSplitter();
  private snapshots = 0;
  private waiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      for (const f of this.splitter.push(chunk)) {
        const m = decodeFrame(f);
        if (m.type === 'events') countRecords(m.bytes, this.counts);
        else if (m.type === 'hello') this.progNames = m.progs.map((p) => p.name);
        else if (m.type === 'snapshot') {
          this.lost = m.lost.reduce((n, l) => n + l.count, 0);
          for (const p of m.progStat) this.progStat.set(p.prog, { runCnt: p.runCnt, runTimeNs: p.runTimeNs });
          this.snapshots++;
          for (const w of this.waiters.splice(0)) w();
        }
      }
    });
  }

  /** Resolves at the first snapshot: the helper has attached its programs. */
  attached(): Promise<void> {
    if (this.snapshots) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  snapshot(): { bytes: number; counts: number[]; progStat: Map<number, { runCnt: number; runTimeNs: number }> } {
    return { bytes: this.bytes, counts: [...this.counts], progStat: new Map(this.progStat) };
  }
}

const SPAWN = { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false } as const;
type Helper = ResultPromise<typeof SPAWN>;

function probeOptions(c: Exclude<Condition, 'A'>, pid: number, helperCpu: number, progStats = false): ProbeOptions {
  const base: ProbeOptions = { intervalMs: INTERVAL_MS, pid, cpus: [helperCpu], ...(progStats ? { progStats } : {}) };
  switch (c) {
    case 'B':
      return base;
    case 'C':
      return { ...base, records: COST_RECORDS };
    case 'D':
      return { intervalMs: INTERVAL_MS, noEpoll: true, cpus: [helperCpu], ...(progStats ? { progStats } : {}) };
    case 'E':
      return { ...base, records: COST_RECORDS.filter((k) => k !== 'period') };
  }
}

/** Resolves at the helper's first snapshot; rejects if it exits first or takes over 30 s. */
function attachedOrFail(h: Helper, r: Reader, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      reject(new Error('the helper did not attach within 30 s'));
    }, 30_000);
    void h.then(() => {
      clearTimeout(t);
      reject(
        new Error(`the helper exited before attaching (${h.exitCode ?? h.signalCode ?? '?'}): ${stderr().trim()}`),
      );
    });
    void r.attached().then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function stopHelper(h: Helper): Promise<void> {
  if (h.exitCode !== null) return;
  h.stdin.end('stop\n');
  const t = setTimeout(() => h.kill('SIGKILL'), 10_000);
  try {
    await h;
  } finally {
    clearTimeout(t);
  }
}

interface Opts {
  progStats: boolean;
  seconds: number;
  work: number;
  wssKb: number;
  conns: number;
  serverCpu: number;
  clientCpu: number;
}

async function runOne(condition: Condition, round: number, o: Opts): Promise<OverheadRun> {
  const w = await startEcho({
    durationS: o.seconds,
    serverCpu: o.serverCpu,
    clientCpu: o.clientCpu,
    work: o.work,
    wssKb: o.wssKb,
    conns: o.conns,
  });
  let helper: Helper | undefined;
  let reader: Reader | undefined;
  let stderr = '';
  try {
    if (condition !== 'A') {
      const h = execa(helperPath(), helperArgs(probeOptions(condition, w.pid, o.clientCpu, o.progStats)), SPAWN);
      helper = h;
      h.stderr.setEncoding('utf8');
      h.stderr.on('data', (s: string) => {
        stderr = (stderr + s).slice(-4000);
      });
      const r = new Reader(h.stdout);
      reader = r;
      await attachedOrFail(h, r, () => stderr);
    }
    const hp = helper?.pid;
    const s0 = procCpuSeconds(w.pid) ?? 0;
    const h0 = hp === undefined ? 0 : (procCpuSeconds(hp) ?? 0);
    const n0 = selfCpuSeconds();
    const c0 = reapedChildrenCpuSeconds();
    const b0 = systemBusySeconds();
    const sc0 = cpuBusySeconds(o.serverCpu);
    const cc0 = cpuBusySeconds(o.clientCpu);
    const r0 = reader?.snapshot();
    const mine = new Set([w.pid, ...(hp === undefined ? [] : [hp])]);
    const seen = new Set(foreignTracers(mine));
    const sampler = setInterval(() => {
      for (const t of foreignTracers(mine)) seen.add(t);
    }, 500);
    const t0 = performance.now();
    let res: Awaited<ReturnType<typeof w.load>>;
    try {
      res = await w.load(); // echo-client is reaped here: its CPU time is in c1 - c0
    } finally {
      clearInterval(sampler);
    }
    const wall = (performance.now() - t0) / 1000;
    for (const t of foreignTracers(mine)) seen.add(t);
    const r1 = reader?.snapshot();
    const s1 = procCpuSeconds(w.pid) ?? s0;
    const h1 = hp === undefined ? 0 : (procCpuSeconds(hp) ?? h0);
    const n1 = selfCpuSeconds();
    const c1 = reapedChildrenCpuSeconds();
    const b1 = systemBusySeconds();
    const sc1 = cpuBusySeconds(o.serverCpu);
    const cc1 = cpuBusySeconds(o.clientCpu);
    if (helper) {
      await stopHelper(helper);
      if (helper.exitCode !== 0)
        throw new Error(`the helper exited with ${helper.exitCode ?? helper.signalCode ?? '?'}: ${stderr.trim()}`);
    }
    const pct = (s: number): number => (s / wall) * 100;
    const recordsPerSec: Record<string, number> = {};
    if (r0 && r1) {
      r1.counts.forEach((n, k) => {
        const d = n - (r0.counts[k] ?? 0);
        if (d) recordsPerSec[REC_NAMES[k] ?? String(k)] = d / wall;
      });
    }
    return {
      condition,
      round,
      rps: res.rps,
      p50Us: res.latency_us.p50 ?? NaN,
      p99Us: res.latency_us.p99 ?? NaN,
      seconds: wall,
      serverCpuPct: pct(s1 - s0),
      clientCpuPct: pct(c1 - c0),
      helperCpuPct: pct(h1 - h0),
      readerCpuPct: pct(n1 - n0),
      otherCpuPct: Math.max(0, pct(b1 - b0 - (s1 - s0) - (c1 - c0) - (h1 - h0) - (n1 - n0))),
      serverCpuBusyPct: pct(sc1 - sc0),
      clientCpuBusyPct: pct(cc1 - cc0),
      recordsPerSec,
      bytesPerSec: r0 && r1 ? (r1.bytes - r0.bytes) / wall : 0,
      lost: reader?.lost ?? 0,
      foreignTracers: [...seen],
      bpf: reader && r0 && r1 ? bpfDelta(reader.progNames, r0.progStat, r1.progStat) : [],
    };
  } finally {
    if (helper && helper.exitCode === null) {
      helper.kill('SIGKILL');
      await helper.catch(() => undefined);
    }
    await w.stop();
  }
}

type ProgStats = Map<number, { runCnt: number; runTimeNs: number }>;

function bpfDelta(names: string[], a: ProgStats, b: ProgStats): OverheadRun['bpf'] {
  const out: OverheadRun['bpf'] = [];
  for (const [prog, v] of b) {
    const runs = v.runCnt - (a.get(prog)?.runCnt ?? 0);
    if (runs > 0)
      out.push({ name: names[prog] ?? `prog${prog}`, runs, ns: v.runTimeNs - (a.get(prog)?.runTimeNs ?? 0) });
  }
  return out;
}

export async function runOverheadBench(args: string[] = []): Promise<OverheadResult> {
  await initClockTicks();
  if (process.getuid?.() !== 0) throw new Error('needs root (the helper loads BPF programs)');
  const n = cpus().length;
  if (n < 2) throw new Error('needs 2 CPUs: the server on one, the client and the helper on another');
  const o: Opts = {
    progStats: args.includes('--prog-stats'),
    seconds: Number(argValue(args, '--seconds') ?? 5),
    work: intArg(args, '--work', 2000, 0, 1e7),
    wssKb: intArg(args, '--wss-kb', 1024, 1, 1 << 20),
    conns: intArg(args, '--conns', 4, 1, 256),
    serverCpu: intArg(args, '--server-cpu', 1, 0, n - 1),
    clientCpu: intArg(args, '--client-cpu', 0, 0, n - 1),
  };
  if (!(o.seconds > 0 && o.seconds <= 60)) throw new Error('--seconds: 0 < S <= 60');
  if (o.serverCpu === o.clientCpu) throw new Error('--server-cpu and --client-cpu must differ');
  const rounds = intArg(args, '--rounds', 5, 1, 20);
  const waitQuietS = Number(argValue(args, '--wait-quiet') ?? 0);
  if (!(waitQuietS >= 0 && waitQuietS <= 3600)) throw new Error('--wait-quiet: 0..3600 seconds');
  const waitedS: number[] = [];
  const retries = intArg(args, '--retries', waitQuietS ? 3 : 0, 0, 10);
  const conditions = (argValue(args, '--conditions') ?? DEFAULT_CONDITIONS).split(',') as Condition[];
  if (!conditions.length || conditions.some((c) => !CONDITIONS.includes(c)) || !conditions.includes('A')) {
    throw new Error(`--conditions: a list of ${CONDITIONS.join(',')} that includes A`);
  }
  const progStats = o.progStats;
  const discarded: OverheadRun[] = [];
  const m = machine();
  const runs: OverheadRun[] = [];
  log(
    `period-overhead: ${rounds} rounds x ${conditions.join(' ')}, ${o.seconds} s each${progStats ? ', BPF run-time statistics on' : ''}; echo work ${o.work}, wss ${o.wssKb} KiB, ${o.conns} conns`,
  );
  // this process reads the helper's stream: keep it off the server's CPU, as `irqlens cost` does
  const unpin = await pinSelf(String(o.clientCpu));
  try {
    for (let r = 0; r < rounds; r++) {
      if (waitQuietS) waitedS.push(await waitQuiet(waitQuietS));
      for (const c of conditions) {
        for (let attempt = 0; ; attempt++) {
          log(
            `period-overhead: round ${r + 1}/${rounds} condition ${c}${attempt ? ` (repeat ${attempt}: the last run was disturbed)` : ''}`,
          );
          const run = await runOne(c, r, o);
          log(
            `period-overhead:   ${fmt(run.rps)} requests/s, helper ${fmt(run.helperCpuPct, 1)}% CPU, other ${fmt(run.otherCpuPct)}%` +
              (run.foreignTracers.length ? `, other tracers: ${run.foreignTracers.join(' ')}` : ''),
          );
          await sleep(500);
          if (!disturbed(run) || attempt >= retries) {
            runs.push(run);
            break;
          }
          discarded.push(run);
          if (waitQuietS) waitedS.push(await waitQuiet(waitQuietS));
        }
      }
    }
  } finally {
    await unpin();
  }
  const shown = (c: Exclude<Condition, 'A'>): string =>
    `irqlens-helper ${helperArgs(probeOptions(c, 0, o.clientCpu, progStats))
      .join(' ')
      .replace('--pid 0', '--pid <server>')}`;
  return {
    machine: m,
    command: `node dist/scripts/bench/period-overhead.js ${args.join(' ')}`.trim(),
    rounds,
    ...o,
    conditions,
    progStats,
    helperArgs: { B: shown('B'), C: shown('C'), D: shown('D'), E: shown('E') },
    waitedS,
    retries,
    runs,
    discarded,
  };
}

/* ---- output ---- */

const medMM = (xs: number[], d = 0): string => {
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs), d)} (${fmt(lo, d)}-${fmt(hi, d)})`;
};

/** Per round, x's requests/s over A's. */
export function pairedRatios(r: OverheadResult, c: Condition, cleanOnly = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.rounds; i++) {
    if (cleanOnly && r.runs.some((x) => x.round === i && disturbed(x))) continue;
    const a = r.runs.find((x) => x.round === i && x.condition === 'A');
    const b = r.runs.find((x) => x.round === i && x.condition === c);
    if (a && b) out.push(b.rps / a.rps);
  }
  return out;
}

export function cleanRounds(r: OverheadResult): number {
  let n = 0;
  for (let i = 0; i < r.rounds; i++) if (!r.runs.some((x) => x.round === i && disturbed(x))) n++;
  return n;
}

const LABEL: Record<Condition, string> = {
  A: 'A untraced',
  B: 'B helper, default records (aggregation)',
  C: 'C helper, irqlens cost records (busy periods)',
  D: 'D = B without the epoll probes (--no-epoll)',
  E: 'E = C without busy periods',
};

export function overheadTables(r: OverheadResult): {
  runs: { headers: string[]; rows: string[][] };
  ratios: { headers: string[]; rows: string[][] };
} {
  const of = (c: Condition): OverheadRun[] => r.runs.filter((x) => x.condition === c);
  const recs = (x: OverheadRun): number => Object.values(x.recordsPerSec).reduce((n, v) => n + v, 0);
  const period = (x: OverheadRun): number => x.recordsPerSec[REC_NAMES[REC.PERIOD] ?? 'period'] ?? 0;
  return {
    runs: {
      headers: [
        'condition',
        'requests/s',
        'p50 us',
        'p99 us',
        'server CPU us/request',
        'server CPU%',
        'client CPU%',
        'helper CPU%',
        'reader CPU%',
        'other CPU%',
        `CPU${r.serverCpu} busy%`,
        `CPU${r.clientCpu} busy%`,
        'records/s streamed',
        'periods/s',
        'lost',
        'disturbed runs',
        'runs repeated',
      ],
      rows: r.conditions.map((c) => {
        const xs = of(c);
        return [
          LABEL[c],
          medMM(xs.map((x) => x.rps)),
          medMM(
            xs.map((x) => x.p50Us),
            1,
          ),
          medMM(
            xs.map((x) => x.p99Us),
            1,
          ),
          medMM(
            xs.map((x) => (x.serverCpuPct / 100 / x.rps) * 1e6),
            1,
          ),
          medMM(xs.map((x) => x.serverCpuPct)),
          medMM(xs.map((x) => x.clientCpuPct)),
          c === 'A'
            ? '-'
            : medMM(
                xs.map((x) => x.helperCpuPct),
                1,
              ),
          medMM(
            xs.map((x) => x.readerCpuPct),
            1,
          ),
          medMM(xs.map((x) => x.otherCpuPct)),
          medMM(xs.map((x) => x.serverCpuBusyPct)),
          medMM(xs.map((x) => x.clientCpuBusyPct)),
          c === 'A' ? '-' : medMM(xs.map(recs)),
          c === 'A' ? '-' : medMM(xs.map(period)),
          c === 'A' ? '-' : fmt(xs.reduce((n, x) => n + x.lost, 0)),
          `${xs.filter(disturbed).length}/${xs.length}`,
          fmt(r.discarded.filter((x) => x.condition === c).length),
        ];
      }),
    },
    ratios: {
      headers: [
        'ratio (paired per round)',
        'median',
        'min-max',
        'overhead % (median)',
        'ratio of medians',
        `clean rounds (${cleanRounds(r)}): median`,
        'clean: min-max',
      ],
      rows: r.conditions
        .filter((c): c is Exclude<Condition, 'A'> => c !== 'A')
        .map((c) => {
          const rs = pairedRatios(r, c);
          const [lo, hi] = minMax(rs);
          const cl = pairedRatios(r, c, true);
          const [clo, chi] = minMax(cl);
          const ofMedians = median(of(c).map((x) => x.rps)) / median(of('A').map((x) => x.rps));
          return [
            `${c}/A`,
            fmt(median(rs), 3),
            `${fmt(lo, 3)}-${fmt(hi, 3)}`,
            fmt((1 - median(rs)) * 100, 1),
            fmt(ofMedians, 3),
            cl.length ? fmt(median(cl), 3) : '-',
            cl.length ? `${fmt(clo, 3)}-${fmt(chi, 3)}` : '-',
          ];
        }),
    },
  };
}

/** With --prog-stats: BPF time per request by program, median over a condition's runs. */
export function bpfTable(r: OverheadResult): { headers: string[]; rows: string[][] } {
  const rows: string[][] = [];
  for (const c of r.conditions) {
    const xs = r.runs.filter((x) => x.condition === c && x.bpf.length);
    if (!xs.length) continue;
    const requests = (x: OverheadRun): number => x.rps * x.seconds;
    const names = [...new Set(xs.flatMap((x) => x.bpf.map((p) => p.name)))];
    for (const name of names) {
      const per = xs.map((x) => ({ x, p: x.bpf.find((p) => p.name === name) }));
      rows.push([
        c,
        name,
        fmt(median(per.map(({ x, p }) => (p?.runs ?? 0) / requests(x))), 2),
        fmt(median(per.filter(({ p }) => p?.runs).map(({ p }) => (p?.ns ?? 0) / (p?.runs ?? 1)))),
        fmt(median(per.map(({ x, p }) => (p?.ns ?? 0) / requests(x)))),
      ]);
    }
    rows.push([
      c,
      'all programs',
      '',
      '',
      fmt(median(xs.map((x) => x.bpf.reduce((n, p) => n + p.ns, 0) / requests(x)))),
    ]);
  }
  return { headers: ['condition', 'program', 'runs/request', 'ns/run', 'BPF ns/request'], rows };
}

export function overheadSummary(r: OverheadResult): string[] {
  const c = (1 - median(pairedRatios(r, 'C'))) * 100;
  const clean = pairedRatios(r, 'C', true);
  const cc = (1 - median(clean)) * 100;
  const a = r.runs.filter((x) => x.condition === 'A').map((x) => x.rps);
  const [lo, hi] = minMax(a);
  return [
    ...r.conditions.filter((c): c is Exclude<Condition, 'A'> => c !== 'A').map((k) => `${k}: ${r.helperArgs[k]}`),
    r.waitedS.length
      ? `waited for a quiet machine ${r.waitedS.length} times, ${fmt(r.waitedS.reduce((n, x) => n + x, 0))} s in all; ` +
        `${r.discarded.length} disturbed runs were run again (up to ${r.retries} times each)`
      : 'did not wait for a quiet machine',
    `run-to-run spread of A (untraced): ${fmt(((hi - lo) / median(a)) * 100, 1)}% of its median`,
    `goal: busy-period tracking (C) costs <= ${GOAL_PCT}% of throughput: ${fmt(c, 1)}% over all rounds -> ${c <= GOAL_PCT ? 'met' : 'NOT met'}` +
      (clean.length
        ? `; ${fmt(cc, 1)}% over the ${clean.length} undisturbed rounds -> ${cc <= GOAL_PCT ? 'met' : 'NOT met'}`
        : '; no undisturbed round'),
  ];
}

export function printOverhead(r: OverheadResult): void {
  const t = overheadTables(r);
  process.stdout.write(`\n== period-overhead: echo throughput untraced vs traced (${machineLine(r.machine)})\n`);
  process.stdout.write(
    `${r.rounds} rounds x ${r.conditions.join(' ')}, ${r.seconds} s per run${r.progStats ? ' (BPF run-time statistics on)' : ''}; echo-server on CPU ${r.serverCpu} (work ${r.work}, wss ${r.wssKb} KiB), ` +
      `echo-client on CPU ${r.clientCpu} (${r.conns} conns), helper and reader on CPU ${r.clientCpu}; median (min-max); CPU% 100 = one CPU\n`,
  );
  process.stdout.write(table(t.runs.headers, t.runs.rows) + '\n\n');
  process.stdout.write(table(t.ratios.headers, t.ratios.rows) + '\n');
  if (r.progStats) {
    const b = bpfTable(r);
    process.stdout.write(
      '\nBPF run time per request (both CPUs; requests = requests/s x run seconds)\n' + table(b.headers, b.rows) + '\n',
    );
  }
  process.stdout.write(overheadSummary(r).join('\n') + '\n');
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  runOverheadBench(process.argv.slice(2)).then(
    (r) => {
      printOverhead(r);
      if (process.argv.includes('--md')) {
        const t = overheadTables(r);
        const out = ['', mdTable(t.runs.headers, t.runs.rows), '', mdTable(t.ratios.headers, t.ratios.rows), ''];
        if (r.progStats) {
          const b = bpfTable(r);
          out.push(mdTable(b.headers, b.rows), '');
        }
        process.stdout.write(out.join('\n') + '\n');
      }
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench period-overhead: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
