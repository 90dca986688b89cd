// Benchmark: reducer throughput on a recorded stream, on one core.
//
// Records a real stream once: `irqlens-helper --records all --interval 100`
// with stdout going straight to build/bench/stream-all.bin, for ~5 s, while
// echo-server and echo-client (src/cost/workloads.ts) run on 127.0.0.1 and dd
// writes with O_DIRECT (virtio-blk interrupts). The file is reused while it
// is newer than build/irqlens-helper (--rerecord forces a new one). Then, in
// this process, it times the reduce path over the file's bytes fed in 64 KiB
// chunks, as a pipe delivers them:
//
//   totals     FrameSplitter -> decodeFrame -> reduceTotals            (a)
//   periods    the same + PeriodCollector.add (busy periods and hits)  (b)
//
// and, to show where (b) spends its time, two timing splits: PeriodCollector's
// own in-place fold copied into this file (prototypes, not src) with one
// change each in what becomes of a period record (the earlier 'direct'
// prototype, each BusyPeriod built straight from the bytes, is now what src
// does, so stage (b) times it):
//
//   periods-rows    every period field kept as a row of a Float64Array block
//                   instead of an object graph
//   periods-skip    period records stepped over: what the rest costs
//
// Before timing, rows' periods (materialised back) are checked equal to PeriodCollector's, with its hits and bounds.
// Stages run interleaved within each repeat, each after a forced full GC so
// no stage pays for another's garbage. By default every thread of this
// process is pinned to one CPU (--cpu N, --no-pin), so the figures are one
// core's, GC helper threads included; the original affinity is restored.
// CPU: process.cpuUsage, the main thread's own time (/proc/thread-self/stat)
// and the busy time of others on the same CPU (/proc/stat).
//
//   node dist/scripts/bench/reducer.js [--repeats R] [--cpu N | --no-pin] [--record-seconds S] [--rerecord] [--md] [--json]
//
// Examples:
//   node dist/scripts/bench/reducer.js
//   node dist/scripts/bench/reducer.js --rerecord --md
//   node dist/scripts/bench/reducer.js --repeats 3 --no-pin --json
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execa } from 'execa';
import { IRQ_KINDS, type BusyPeriod, type IrqHit, type IrqKind } from '../../src/attribution/types.js';
import { startEcho } from '../../src/cost/workloads.js';
import { helperPath } from '../../src/probe/paths.js';
import { initialTotals, reduceTotals, type Totals } from '../../src/reduce/totals.js';
import { PeriodCollector, vectorKind } from '../../src/reduce/periods.js';
import { countRecords, decodeFrame } from '../../src/stream/decode.js';
import { recordSize } from '../../src/stream/records.js';
import { StreamError } from '../../src/stream/errors.js';
import { FrameSplitter } from '../../src/stream/frames.js';
import { FRAME, LAYOUT, PERIOD_PMU, PERIOD_STEAL, REC, REC_NAMES } from '../../src/stream/layout.js';
import type { Message } from '../../src/stream/types.js';
import {
  argValue,
  buildPath,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  mdTable,
  median,
  minMax,
  printHeaderHelp,
  selfCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
  wantsHelp,
} from './util.js';

export const CHUNK = 64 << 10;
export const GOAL_PER_SEC = 5e6;

export interface Recording {
  /** How the file was made (from its sidecar .json; absent for a file recorded elsewhere). */
  seconds?: number;
  command?: string;
  load?: string;
  echoRps?: number;
  /** Busy CPU during the recording not spent by the helper, the load or this process (100 = one CPU). */
  otherCpuPct?: number;
  helperCpuPct?: number;
  date?: string;
}

export interface MixRow {
  kind: string;
  count: number;
  /** Bytes the records of this kind take in EVENTS payloads. */
  bytes: number;
}

export interface StageRun {
  ms: number;
  recordsPerSec: number;
  /** process.cpuUsage over the stage / wall time (100 = one core). */
  cpuPct: number;
  /** The main (JavaScript) thread alone (tick-sampled). */
  mainThreadPct: number;
  /** Busy time of others on the CPU this process is pinned to (NaN when not pinned). */
  otherSameCpuPct: number;
  /** Busy time of everything else on the machine. */
  otherCpuPct: number;
}

export interface Stage {
  name: string;
  what: string;
  runs: StageRun[];
}

export interface ReducerResult {
  machine: Machine;
  command: string;
  file: string;
  reused: boolean;
  recording: Recording;
  fileBytes: number;
  records: number;
  /** Bytes of EVENTS payloads (the records themselves). */
  eventBytes: number;
  frames: Record<string, number>;
  /** Records lost in the kernel while recording (final snapshot), by "kind/reason". */
  lost: Record<string, number>;
  streamSeconds: number;
  mix: MixRow[];
  periods: number;
  hits: number;
  /** JS heap PeriodCollector keeps per busy period (its hits included), after a full GC. */
  heapPerPeriod: number;
  /** Bytes the Float64Array rows take per busy period (block slack included). */
  rowsBytesPerPeriod: number;
  /** The prototypes produced exactly PeriodCollector's periods (rows: materialised back), hits and bounds. */
  prototypeIdentical: { rows: boolean };
  /** CPU every thread was pinned to while timing, or undefined. */
  pinnedCpu: number | undefined;
  gcForced: boolean;
  repeats: number;
  stages: Stage[];
}

/* ---- recording ---- */

function streamFile(): string {
  return join(buildPath('bench'), 'stream-all.bin');
}

/** Resolves once the file holds a complete first snapshot: the programs are attached. */
async function waitAttached(path: string, exited: () => boolean, ms = 30_000): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (exited()) throw new Error('the helper exited before attaching');
    const bytes = readFileSync(path);
    if (bytes.length) {
      const frames = new FrameSplitter().push(bytes);
      if (frames.some((f) => f.type === FRAME.SNAPSHOT)) return;
    }
    await sleep(50);
  }
  throw new Error(`the helper did not attach within ${ms / 1000} s`);
}

async function record(path: string, seconds: number): Promise<Recording> {
  mkdirSync(buildPath('bench'), { recursive: true });
  const tmp = `${path}.tmp`;
  const ddFile = join(buildPath('bench'), 'dd.bin');
  const helperArgs = ['--records', 'all', '--interval', '100'];
  let helper: ReturnType<typeof spawn> | undefined;
  let helperExit: Promise<number | null> | undefined;
  let dd: ReturnType<typeof execa> | undefined;
  let stderr = '';
  const echo = await startEcho({ durationS: seconds, serverCpu: 1, clientCpu: 0, work: 0, wssKb: 16, conns: 8 });
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    // stdout straight into the file: no Node in the recording path
    const h = spawn(helperPath(), helperArgs, { stdio: ['pipe', fd, 'pipe'] });
    helper = h;
    helperExit = new Promise((resolve) =>
      h.once('exit', (code) => {
        resolve(code);
      }),
    );
    h.stderr?.setEncoding('utf8');
    h.stderr?.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    await waitAttached(tmp, () => h.exitCode !== null);
    const hp = h.pid ?? 0;
    const h0 = procStatSeconds(`/proc/${hp}/stat`) ?? 0;
    const n0 = selfCpuSeconds();
    const b0 = systemBusySeconds();
    const t0 = performance.now();
    const c0 = reapedCpu();
    const s0 = procStatSeconds(`/proc/${echo.pid}/stat`) ?? 0;
    dd = execa('dd', ['if=/dev/zero', `of=${ddFile}`, 'bs=4k', 'count=20000', 'oflag=direct'], {
      reject: false,
      timeout: (seconds + 30) * 1000,
    });
    const [res] = await Promise.all([echo.load(), dd]);
    const wall = (performance.now() - t0) / 1000;
    const h1 = procStatSeconds(`/proc/${hp}/stat`) ?? h0;
    const children = reapedCpu() - c0; // echo-client and dd
    const server = (procStatSeconds(`/proc/${echo.pid}/stat`) ?? s0) - s0;
    const other = systemBusySeconds() - b0 - (h1 - h0) - (selfCpuSeconds() - n0) - children - server;
    h.stdin?.end('stop\n');
    const code = await withTimeout(helperExit, 10_000);
    if (code !== 0) throw new Error(`the helper exited with ${code ?? 'a signal'}: ${stderr.trim()}`);
    helper = undefined;
    renameSync(tmp, path);
    return {
      seconds,
      command: `irqlens-helper ${helperArgs.join(' ')} > ${path}`,
      load:
        `echo-server (work 0, wss 16 KiB, CPU 1) + echo-client (8 conns, CPU 0) for ${seconds} s, ` +
        'and dd if=/dev/zero bs=4k count=20000 oflag=direct',
      echoRps: res.rps,
      otherCpuPct: Math.max(0, (other / wall) * 100),
      helperCpuPct: ((h1 - h0) / wall) * 100,
      date: new Date().toISOString(),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (helper && helper.exitCode === null) {
      helper.kill('SIGKILL');
      await withTimeout(helperExit ?? Promise.resolve(null), 5000).catch(() => undefined);
    }
    if (dd && dd.exitCode === null) dd.kill('SIGKILL');
    await dd?.catch(() => undefined);
    await echo.stop();
    rmSync(ddFile, { force: true });
    rmSync(tmp, { force: true });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      t = setTimeout(() => {
        reject(new Error(`timed out after ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(t);
  });
}

/* ---- CPU time ---- */

let clkTck = 100;

async function readClockTicks(): Promise<void> {
  try {
    const v = Number((await execa('getconf', ['CLK_TCK'])).stdout.trim());
    if (v > 0) clkTck = v;
  } catch {
    // 100 on every Linux this runs on
  }
}

/** utime + stime in seconds from a /proc stat file (a process or a thread). */
function procStatSeconds(file: string): number | undefined {
  let s: string;
  try {
    s = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / clkTck;
}

/** Busy seconds of one CPU (/proc/stat cpuN: user..steal). */
export function cpuBusySeconds(cpu: number): number {
  const line =
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `)) ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (v[i] ?? 0), 0) / clkTck;
}

/**
 * Pins every thread of this process to `cpus` (taskset list syntax); resolves
 * to a function that restores the affinity it had. Threads created later
 * inherit the pin from their creator.
 */
export async function pinSelf(cpus: string): Promise<() => Promise<void>> {
  const pid = String(process.pid);
  const before = /:\s*([0-9a-f,]+)\s*$/i.exec((await execa('taskset', ['-p', pid])).stdout)?.[1];
  if (!before) throw new Error('taskset -p printed no affinity mask');
  await execa('taskset', ['-a', '-p', '-c', cpus, pid]);
  return async () => {
    await execa('taskset', ['-a', '-p', before, pid], { reject: false });
  };
}

function reapedCpu(): number {
  const rest = readFileSync('/proc/self/stat', 'utf8');
  const f = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / clkTck;
}

/* ---- the reduce path ---- */

interface Sink {
  add(m: Message): void;
}

/** FrameSplitter -> decodeFrame -> reduceTotals (-> sink) over `bytes` in 64 KiB chunks. */
export function reducePass(bytes: Uint8Array, sink?: Sink): Totals {
  const splitter = new FrameSplitter();
  let totals: Totals | undefined;
  for (let o = 0; o < bytes.length; o += CHUNK) {
    for (const f of splitter.push(bytes.subarray(o, o + CHUNK))) {
      const m = decodeFrame(f);
      if (m.type === 'hello') totals = initialTotals(m);
      else if (totals) totals = reduceTotals(totals, m);
      else throw new StreamError('the stream does not start with a hello frame');
      sink?.add(m);
    }
  }
  if (splitter.buffered) throw new StreamError(`the stream ends inside a frame (${splitter.buffered} bytes left over)`);
  if (!totals) throw new StreamError('empty stream');
  return totals;
}

const R = LAYOUT.irqlens_rec.fields;

/**
 * Prototype (bench only, not src): PeriodCollector.add's in-place fold, the
 * same record for record, except what happens to a period record: built as
 * kept as a Float64Array row ('rows') or stepped over ('skip').
 */
type PeriodMode = 'rows' | 'skip';

class InPlaceCollector implements Sink {
  readonly rows = new PeriodRows();
  readonly hits: IrqHit[] = [];
  readonly comms = new Map<number, string>();
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = 0;
  stealKnown = false;

  constructor(private readonly mode: PeriodMode) {}

  add(m: Message): void {
    if (m.type === 'snapshot') {
      for (const e of m.epoll) this.comms.set(e.tgid, e.comm);
      return;
    }
    if (m.type !== 'events') return;
    const b = m.bytes;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let off = 0; off < b.length;) {
      const kind = dv.getUint16(off, true);
      const size = recordSize(kind);
      if (!size || b.length - off < size)
        throw new StreamError(`event batch: bad record (kind ${kind}) at byte ${off}`);
      if (kind === REC.PERIOD) {
        if (this.mode === 'rows' && this.rows.push(dv, off)) this.stealKnown = true;
      } else if (
        kind === REC.HARDIRQ ||
        kind === REC.VECTOR ||
        (kind === REC.SOFTIRQ && dv.getUint32(off + R.arg0, true) === 1)
      ) {
        const ts = dv.getUint32(off + R.ts_ns + 4, true) * 0x100000000 + dv.getUint32(off + R.ts_ns, true);
        const durNs = dv.getUint32(off + R.dur_ns, true);
        const cpu = dv.getUint16(off + R.cpu, true);
        const hitKind: IrqKind =
          kind === REC.HARDIRQ
            ? 'device'
            : kind === REC.VECTOR
              ? vectorKind(dv.getUint32(off + R.id, true))
              : 'softirq';
        if (ts < this.firstNs) this.firstNs = ts;
        if (ts + durNs > this.lastNs) this.lastNs = ts + durNs;
        this.hits.push({ tsNs: ts, cpu, kind: hitKind, durNs });
      }
      off += size;
    }
  }
}

const P = LAYOUT.irqlens_period_rec.fields;
const NK = IRQ_KINDS.length;
/** Row layout of PeriodRows: 13 scalars, then irqCount and irqNs per kind. */
const COL = {
  tgid: 0,
  tid: 1,
  start: 2,
  end: 3,
  cpuStart: 4,
  cpuEnd: 5,
  flags: 6,
  events: 7,
  switches: 8,
  offCpu: 9,
  steal: 10,
  cycles: 11,
  instr: 12,
  count: 13,
  ns: 13 + NK,
} as const;
const ROW = 13 + 2 * NK;
const ROWS_PER_BLOCK = 4096;

function u64at(dv: DataView, o: number): number {
  return dv.getUint32(o + 4, true) * 0x100000000 + dv.getUint32(o, true);
}

/** Busy periods as rows of preallocated Float64Array blocks: no object per period. */
class PeriodRows {
  readonly blocks: Float64Array[] = [];
  length = 0;
  private cur = new Float64Array(0);
  private at = 0;

  /** Appends the period record at `off`; returns whether its steal time is known. */
  push(dv: DataView, off: number): boolean {
    if (this.at === this.cur.length) {
      this.cur = new Float64Array(ROWS_PER_BLOCK * ROW);
      this.blocks.push(this.cur);
      this.at = 0;
    }
    const c = this.cur;
    const i = this.at;
    const flags = dv.getUint16(off + P.flags, true);
    c[i + COL.tgid] = dv.getUint32(off + P.tgid, true);
    c[i + COL.tid] = dv.getUint32(off + P.tid, true);
    c[i + COL.start] = u64at(dv, off + P.start_ns);
    c[i + COL.end] = u64at(dv, off + P.end_ns);
    c[i + COL.cpuStart] = dv.getUint16(off + P.cpu_start, true);
    c[i + COL.cpuEnd] = dv.getUint16(off + P.cpu_end, true);
    c[i + COL.flags] = flags;
    c[i + COL.events] = dv.getUint32(off + P.events, true);
    c[i + COL.switches] = dv.getUint32(off + P.switches, true);
    c[i + COL.offCpu] = u64at(dv, off + P.offcpu_ns);
    c[i + COL.steal] = u64at(dv, off + P.steal_ns);
    c[i + COL.cycles] = u64at(dv, off + P.cycles);
    c[i + COL.instr] = u64at(dv, off + P.instructions);
    for (let k = 0; k < NK; k++) {
      c[i + COL.count + k] = dv.getUint32(off + P.irq_count + 4 * k, true);
      c[i + COL.ns + k] = dv.getUint32(off + P.irq_ns + 4 * k, true);
    }
    this.at += ROW;
    this.length++;
    return (flags & PERIOD_STEAL) !== 0;
  }

  /** Row `n` as the object busyPeriodAt makes (to check the prototype, not timed). */
  get(n: number): BusyPeriod & { stealKnown: boolean } {
    const c = this.blocks[Math.floor(n / ROWS_PER_BLOCK)] ?? new Float64Array(ROWS_PER_BLOCK * ROW);
    const i = (n % ROWS_PER_BLOCK) * ROW;
    const v = (k: number): number => c[i + k] ?? NaN;
    const flags = v(COL.flags);
    const pmu = (flags & PERIOD_PMU) !== 0;
    const kinds = (base: number): Record<IrqKind, number> => {
      const out = {} as Record<IrqKind, number>;
      IRQ_KINDS.forEach((k, j) => {
        out[k] = v(base + j);
      });
      return out;
    };
    return {
      tgid: v(COL.tgid),
      tid: v(COL.tid),
      startNs: v(COL.start),
      endNs: v(COL.end),
      cpuStart: v(COL.cpuStart),
      cpuEnd: v(COL.cpuEnd),
      events: v(COL.events),
      switches: v(COL.switches),
      offCpuNs: v(COL.offCpu),
      stealNs: v(COL.steal),
      stealKnown: (flags & PERIOD_STEAL) !== 0,
      irqCount: kinds(COL.count),
      irqNs: kinds(COL.ns),
      cycles: pmu ? v(COL.cycles) : null,
      instructions: pmu ? v(COL.instr) : null,
    };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function identical(p: PeriodCollector, q: InPlaceCollector, period: (i: number) => unknown, n: number): boolean {
  if (p.periods.length !== n || p.hits.length !== q.hits.length) return false;
  if (p.firstNs !== q.firstNs || p.lastNs !== q.lastNs || p.stealKnown !== q.stealKnown) return false;
  if (!sameValue(Object.fromEntries(p.comms), Object.fromEntries(q.comms))) return false;
  for (let i = 0; i < n; i++) if (!sameValue(p.periods[i], period(i))) return false;
  for (let i = 0; i < p.hits.length; i++) if (!sameValue(p.hits[i], q.hits[i])) return false;
  return true;
}

/**
 * Runs PeriodCollector and the prototypes once and compares their output.
 * A function of its own, so none stays reachable (a big live heap would slow
 * every later GC) while the stages are timed.
 */
function checkPrototypes(
  bytes: Uint8Array,
  gc: (() => void) | undefined,
): {
  prototypeIdentical: ReducerResult['prototypeIdentical'];
  periods: number;
  hits: number;
  heapPerPeriod: number;
  rowsBytesPerPeriod: number;
} {
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const ref = new PeriodCollector();
  reducePass(bytes, ref);
  gc?.();
  const heapPerPeriod = gc ? (process.memoryUsage().heapUsed - h0) / ref.periods.length : NaN;
  const rows = new InPlaceCollector('rows');
  reducePass(bytes, rows);
  return {
    prototypeIdentical: { rows: identical(ref, rows, (i) => rows.rows.get(i), rows.rows.length) },
    periods: ref.periods.length,
    hits: ref.hits.length,
    heapPerPeriod,
    rowsBytesPerPeriod: rows.rows.blocks.reduce((n, b) => n + b.byteLength, 0) / rows.rows.length,
  };
}

/** A full GC before each timed stage, so no stage pays for another's garbage. */
function gcFunction(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const g = runInNewContext('gc') as unknown;
    return typeof g === 'function' ? (g as () => void) : undefined;
  } catch {
    return undefined;
  }
}

interface StageDef {
  name: string;
  what: string;
  sink: () => Sink | undefined;
}

export const STAGES: readonly StageDef[] = [
  { name: 'totals', what: '(a) FrameSplitter + decodeFrame + reduceTotals', sink: () => undefined },
  { name: 'periods', what: '(b) (a) + PeriodCollector.add', sink: () => new PeriodCollector() },
  {
    name: 'periods-rows',
    what: 'split: (b), periods kept as Float64Array rows, not objects (prototype, same data)',
    sink: () => new InPlaceCollector('rows'),
  },
  {
    name: 'periods-skip',
    what: 'split: (b), period records stepped over (prototype)',
    sink: () => new InPlaceCollector('skip'),
  },
];

function timeStage(
  bytes: Uint8Array,
  records: number,
  def: StageDef,
  gc: (() => void) | undefined,
  cpu: number | undefined,
): StageRun {
  gc?.();
  const threadFile = '/proc/thread-self/stat';
  const sink = def.sink();
  const m0 = procStatSeconds(threadFile) ?? 0;
  const c0 = selfCpuSeconds();
  const b0 = systemBusySeconds();
  const p0 = cpu === undefined ? 0 : cpuBusySeconds(cpu);
  const t0 = performance.now();
  const totals = reducePass(bytes, sink);
  const ms = performance.now() - t0;
  const c1 = selfCpuSeconds();
  const m1 = procStatSeconds(threadFile) ?? m0;
  const b1 = systemBusySeconds();
  const p1 = cpu === undefined ? 0 : cpuBusySeconds(cpu);
  const got = totals.records.reduce((n, x) => n + x, 0);
  if (got !== records) throw new Error(`stage ${def.name}: ${got} records, expected ${records}`);
  const wall = ms / 1000;
  return {
    ms,
    recordsPerSec: records / wall,
    cpuPct: ((c1 - c0) / wall) * 100,
    mainThreadPct: ((m1 - m0) / wall) * 100,
    otherSameCpuPct: cpu === undefined ? NaN : Math.max(0, ((p1 - p0 - (c1 - c0)) / wall) * 100),
    otherCpuPct: Math.max(0, ((b1 - b0 - (c1 - c0)) / wall) * 100),
  };
}

export async function runReducerBench(args: string[] = []): Promise<ReducerResult> {
  await initClockTicks();
  await readClockTicks();
  const repeats = Number(argValue(args, '--repeats') ?? 7);
  if (!(repeats >= 1 && repeats <= 50)) throw new Error('--repeats: 1..50');
  const recordSeconds = Number(argValue(args, '--record-seconds') ?? 5);
  const ncpu = cpus().length;
  const pinCpu = args.includes('--no-pin') ? undefined : Number(argValue(args, '--cpu') ?? Math.min(1, ncpu - 1));
  if (pinCpu !== undefined && !(Number.isInteger(pinCpu) && pinCpu >= 0 && pinCpu < ncpu))
    throw new Error(`--cpu: 0..${ncpu - 1}`);
  if (!(recordSeconds > 0 && recordSeconds <= 30)) throw new Error('--record-seconds: 0 < S <= 30');
  const path = streamFile();
  const sidecar = path.replace(/\.bin$/, '.json');
  const helper = helperPath();
  if (!existsSync(helper)) throw new Error(`${helper} is not built: npm run build`);
  const fresh = existsSync(path) && statSync(path).mtimeMs > statSync(helper).mtimeMs;
  let recording: Recording = {};
  if (fresh && !args.includes('--rerecord')) {
    log(`reducer: reusing ${path} (newer than the helper)`);
    try {
      recording = JSON.parse(readFileSync(sidecar, 'utf8')) as Recording;
    } catch {
      // recorded by hand: nothing known about how
    }
  } else {
    if (process.getuid?.() !== 0) throw new Error(`recording ${path} needs root (the helper loads BPF programs)`);
    log(`reducer: recording ${path} for ${recordSeconds} s (echo on 127.0.0.1 + dd)`);
    recording = await record(path, recordSeconds);
    writeFileSync(sidecar, JSON.stringify(recording, null, 2) + '\n');
  }

  const bytes = readFileSync(path);
  // what is in the file: frames, record mix, loss, time span
  const frames: Record<string, number> = {};
  const counts = new Float64Array(8);
  let eventBytes = 0;
  let firstTs = 0n;
  let lastTs = 0n;
  const lost: Record<string, number> = {};
  const splitter = new FrameSplitter();
  for (let o = 0; o < bytes.length; o += CHUNK) {
    for (const f of splitter.push(bytes.subarray(o, o + CHUNK))) {
      const name = Object.entries(FRAME).find(([, v]) => v === f.type)?.[0] ?? String(f.type);
      frames[name] = (frames[name] ?? 0) + 1;
      const m = decodeFrame(f);
      if (m.type === 'events') {
        countRecords(m.bytes, counts);
        eventBytes += m.bytes.length;
      } else if (m.type === 'hello') firstTs = m.monoNs;
      else if (m.type === 'end') lastTs = m.tsNs;
      else for (const l of m.lost) lost[`${l.kind}/${l.reason}`] = l.count;
    }
  }
  if (!frames.END) throw new Error(`${path} has no end frame: delete it and run again`);
  const mix: MixRow[] = [];
  for (let k = 1; k < counts.length; k++) {
    const n = counts[k] ?? 0;
    if (n) mix.push({ kind: REC_NAMES[k] ?? String(k), count: n, bytes: n * recordSize(k) });
  }
  const records = mix.reduce((n, r) => n + r.count, 0);

  const gc = gcFunction();
  // the prototypes must fold exactly like PeriodCollector, or their timings mean nothing
  const { prototypeIdentical, periods, hits, heapPerPeriod, rowsBytesPerPeriod } = checkPrototypes(bytes, gc);

  const stages: Stage[] = STAGES.map((s) => ({ name: s.name, what: s.what, runs: [] }));
  log(
    `reducer: ${fmt(records)} records, ${fmt(bytes.length)} bytes; ${stages.length} stages x ${repeats} repeats` +
      (pinCpu === undefined ? ', not pinned' : `, every thread pinned to CPU ${pinCpu}`),
  );
  const unpin = pinCpu === undefined ? undefined : await pinSelf(String(pinCpu));
  try {
    for (let r = 0; r < repeats; r++) {
      STAGES.forEach((def, i) => {
        stages[i]?.runs.push(timeStage(bytes, records, def, gc, pinCpu));
      });
    }
  } finally {
    await unpin?.();
  }
  return {
    machine: machine(),
    command: `node dist/scripts/bench/reducer.js ${args.join(' ')}`.trim(),
    file: path,
    reused: fresh && !args.includes('--rerecord'),
    recording,
    fileBytes: bytes.length,
    records,
    eventBytes,
    frames,
    lost,
    streamSeconds: Number(lastTs - firstTs) / 1e9,
    mix,
    periods,
    hits,
    heapPerPeriod,
    rowsBytesPerPeriod,
    prototypeIdentical,
    pinnedCpu: pinCpu,
    gcForced: gc !== undefined,
    repeats,
    stages,
  };
}

/* ---- output ---- */

const medMM = (xs: number[], d = 0, scale = 1): string => {
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs) / scale, d)} (${fmt(lo / scale, d)}-${fmt(hi / scale, d)})`;
};

export function reducerTables(r: ReducerResult): {
  mix: { headers: string[]; rows: string[][] };
  stages: { headers: string[]; rows: string[][] };
} {
  return {
    mix: {
      headers: ['record kind', 'records', 'share', 'bytes each'],
      rows: r.mix.map((m) => [m.kind, fmt(m.count), `${fmt((m.count / r.records) * 100, 1)}%`, fmt(m.bytes / m.count)]),
    },
    stages: {
      headers: [
        'stage',
        'what runs',
        'M records/s',
        'ns/record',
        'process CPU%',
        'main thread CPU%',
        'other CPU% same core',
        'other CPU% machine',
      ],
      rows: r.stages.map((s) => [
        s.name,
        s.what,
        medMM(
          s.runs.map((x) => x.recordsPerSec),
          2,
          1e6,
        ),
        fmt(1e9 / median(s.runs.map((x) => x.recordsPerSec)), 0),
        medMM(s.runs.map((x) => x.cpuPct)),
        medMM(s.runs.map((x) => x.mainThreadPct)),
        r.pinnedCpu === undefined ? '-' : medMM(s.runs.map((x) => x.otherSameCpuPct)),
        medMM(s.runs.map((x) => x.otherCpuPct)),
      ]),
    },
  };
}

export function reducerSummary(r: ReducerResult): string[] {
  const rate = (name: string): number =>
    median(r.stages.find((s) => s.name === name)?.runs.map((x) => x.recordsPerSec) ?? []);
  const goal = (x: number): string => (x >= GOAL_PER_SEC ? 'met' : 'NOT met');
  const rec = r.recording;
  const lost = Object.entries(r.lost).filter(([, n]) => n > 0);
  return [
    `file: ${r.file} (${r.reused ? 'reused' : 'recorded now'}): ${fmt(r.fileBytes)} bytes, ${fmt(r.records)} records over ${fmt(r.streamSeconds, 1)} s ` +
      `(${fmt(r.records / r.streamSeconds)} records/s); frames ${Object.entries(r.frames)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    `bytes per record on disk: ${fmt(r.fileBytes / r.records, 1)} (whole file), ${fmt(r.eventBytes / r.records, 1)} (records alone); ` +
      `lost while recording: ${lost.length ? lost.map(([k, n]) => `${k} ${fmt(n)}`).join(', ') : 'none'}`,
    rec.load
      ? `recorded with: ${rec.command ?? ''}; load: ${rec.load}; echo ${fmt(rec.echoRps ?? NaN)} requests/s, helper ${fmt(rec.helperCpuPct ?? NaN)}% CPU, ` +
        `other CPU ${fmt(rec.otherCpuPct ?? NaN)}%, ${rec.date ?? ''}`
      : 'recorded with: unknown (no sidecar .json)',
    `PeriodCollector output: ${fmt(r.periods)} busy periods, ${fmt(r.hits)} interrupt hits, ${fmt(r.heapPerPeriod)} bytes of JS heap ` +
      `per period (hits included; as rows: ${fmt(r.rowsBytesPerPeriod)} bytes); prototypes identical to it: ` +
      `rows ${r.prototypeIdentical.rows ? 'yes' : 'NO'}; ` +
      `forced GC before each stage: ${r.gcForced ? 'yes' : 'no'}; ` +
      (r.pinnedCpu === undefined ? 'not pinned' : `every thread pinned to CPU ${r.pinnedCpu}`),
    `goal >= ${fmt(GOAL_PER_SEC)} records/s on one core: (a) ${fmt(rate('totals'))}/s ${goal(rate('totals'))}; ` +
      `(b) ${fmt(rate('periods'))}/s ${goal(rate('periods'))}`,
  ];
}

export function printReducer(r: ReducerResult): void {
  const t = reducerTables(r);
  process.stdout.write(`\n== reducer: recorded stream through the reduce path (${machineLine(r.machine)})\n`);
  process.stdout.write(
    `${r.repeats} repeats per stage, 64 KiB chunks, median (min-max); CPU% 100 = one core; records/s = records in the file / wall time\n`,
  );
  process.stdout.write(table(t.mix.headers, t.mix.rows) + '\n\n');
  process.stdout.write(table(t.stages.headers, t.stages.rows) + '\n');
  process.stdout.write(reducerSummary(r).join('\n') + '\n');
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  runReducerBench(process.argv.slice(2)).then(
    (r) => {
      printReducer(r);
      if (process.argv.includes('--md')) {
        const t = reducerTables(r);
        process.stdout.write(
          ['', mdTable(t.mix.headers, t.mix.rows), '', mdTable(t.stages.headers, t.stages.rows), ''].join('\n') + '\n',
        );
      }
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench reducer: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
