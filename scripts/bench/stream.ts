// Benchmark: per-event records into TypeScript, end to end, with zero loss.
//
// epoll-spin (test/workloads/epoll-spin.c) calls epoll_wait(..., 0) at a paced
// rate; the helper runs with `--records epoll --pid <epoll-spin>`, so each call
// is exactly one 32-byte record: BPF ring -> helper -> pipe -> Node ->
// FrameSplitter -> decodeFrame -> countRecords here. Per rate step it reports
// the offered calls/s (epoll-spin's own count), records/s counted in
// TypeScript, records lost in the kernel (ring full, from the final snapshot),
// and the CPU of the helper and of this Node process.
//
//   node dist/scripts/bench/stream.js [--seconds S] [--repeats R] [--ring-bytes N] [--json]
//        [--steps 250000,500000,2000000x2,maxx1,maxx2]
//
// A step is a target rate in calls/s, optionally xTHREADS (the rate is split
// across epoll-spin threads); "max" spins flat out.
//
// Examples:
//   node dist/scripts/bench/stream.js
//   node dist/scripts/bench/stream.js --seconds 2 --repeats 1 --steps 500000,maxx1
//   node dist/scripts/bench/stream.js --ring-bytes 67108864 --json
import { execa } from 'execa';
import { Probe } from '../../src/probe/client.js';
import { countRecords } from '../../src/stream/decode.js';
import { REC } from '../../src/stream/layout.js';
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
  median,
  minMax,
  printHeaderHelp,
  procCpuSeconds,
  selfCpuSeconds,
  systemBusySeconds,
  table,
  wantsHelp,
} from './util.js';

export interface StreamStep {
  label: string;
  targetPerSec: number; // 0: flat out
  threads: number;
  seconds: number;
  offeredCalls: number;
  offeredPerSec: number;
  received: number;
  receivedPerSec: number;
  lostRing: number;
  lostMap: number;
  /** Calls the kernel's epoll_stats map counted for epoll-spin (cross-check). */
  kernelCalls: number;
  /** Time from epoll-spin's exit until every record reached TypeScript. */
  drainMs: number;
  helperCpuPct: number;
  nodeCpuPct: number;
  spinCpuPct: number;
  /** Busy CPU time of everything else on the machine (100 = one CPU): contention. */
  otherCpuPct: number;
  lossless: boolean;
}

export interface StreamGroup {
  label: string;
  target: number;
  threads: number;
  runs: StreamStep[];
}

export interface StreamResult {
  machine: Machine;
  command: string;
  ringBytes: number;
  seconds: number;
  repeats: number;
  steps: StreamGroup[];
  /** One run with a tiny ring that must lose records (checks loss accounting). */
  control: StreamStep | undefined;
  /** The highest median offered rate of a step that was lossless in every repeat. */
  bestLosslessPerSec: number;
  bestLosslessRunPerSec: number;
}

/** Consumes the stream: counts records and keeps the cumulative loss and epoll counters. */
class Counter {
  readonly counts = new Float64Array(8);
  lostRing = 0;
  lostMap = 0;
  readonly calls = new Map<number, number>();
  readonly done: Promise<void>;
  private lastRequestedSeq = -1;
  private seqWaiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    probe: Probe,
    private readonly tgid: number,
  ) {
    this.done = this.run(probe.messages());
  }

  private async run(msgs: AsyncIterable<Message>): Promise<void> {
    try {
      for await (const m of msgs) this.onMessage(m);
    } finally {
      for (const w of this.seqWaiters) w.resolve();
      this.seqWaiters = [];
    }
  }

  private onMessage(m: Message): void {
    if (m.type === 'events') {
      countRecords(m.bytes, this.counts);
      return;
    }
    if (m.type !== 'snapshot') return;
    for (const l of m.lost) {
      if (l.kind !== 'epoll') continue;
      if (l.reason === 'ring_full') this.lostRing = l.count;
      else this.lostMap = l.count;
    }
    for (const e of m.epoll) if (e.tgid === this.tgid) this.calls.set(e.tid, e.calls);
    if (m.requested) {
      this.lastRequestedSeq = m.seq;
      const ready = this.seqWaiters.filter((w) => w.seq <= m.seq);
      this.seqWaiters = this.seqWaiters.filter((w) => w.seq > m.seq);
      for (const w of ready) w.resolve();
    }
  }

  /** Resolves once this consumer (not just the pipe reader) has handled snapshot `seq`. */
  reached(seq: number): Promise<void> {
    if (this.lastRequestedSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.seqWaiters.push({ seq, resolve }));
  }

  get epollRecords(): number {
    return this.counts[REC.EPOLL] ?? 0;
  }

  get kernelCalls(): number {
    let n = 0;
    for (const c of this.calls.values()) n += c;
    return n;
  }
}

interface SpinResult {
  calls: number;
  seconds: number;
  threads: number;
  cpu_seconds: number;
}

async function runStep(
  label: string,
  target: number,
  threads: number,
  seconds: number,
  ringBytes: number,
): Promise<StreamStep> {
  const spin = execa(buildPath('epoll-spin'), ['-w', '-t', String(threads), String(seconds), String(target)], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    timeout: (seconds + 30) * 1000,
  });
  let probe: Probe | undefined;
  try {
    const pid = spin.pid;
    if (pid === undefined) throw new Error('epoll-spin did not start');
    probe = await Probe.start({ records: ['epoll'], pid, ringBytes });
    const helperPid = probe.pid;
    if (helperPid === undefined) throw new Error('the helper has no pid');
    const counter = new Counter(probe, pid);
    // one round trip first: the programs are attached and the stream flows
    await counter.reached((await probe.snapshotNow()).seq);

    const h0 = procCpuSeconds(helperPid) ?? 0;
    const n0 = selfCpuSeconds();
    const b0 = systemBusySeconds();
    const t0 = performance.now();
    spin.stdin.write('go\n');
    spin.stdin.end();
    const r = await spin;
    const tExit = performance.now();
    if (r.exitCode !== 0) throw new Error(`epoll-spin failed (${r.exitCode ?? r.signal ?? '?'}): ${r.stderr}`);
    const res = JSON.parse(r.stdout) as SpinResult;
    // drained: the helper flushes every record before answering a snapshot request
    await counter.reached((await probe.snapshotNow()).seq);
    const tDrained = performance.now();
    const h1 = procCpuSeconds(helperPid) ?? h0;
    const n1 = selfCpuSeconds();
    const b1 = systemBusySeconds();
    const wall = (tDrained - t0) / 1000;
    const other = b1 - b0 - (h1 - h0) - (n1 - n0) - res.cpu_seconds;

    await probe.stop();
    await counter.done;
    probe = undefined;

    const received = counter.epollRecords;
    const lossless = counter.lostRing === 0 && counter.lostMap === 0 && received === res.calls;
    return {
      label,
      targetPerSec: target,
      threads,
      seconds: res.seconds,
      offeredCalls: res.calls,
      offeredPerSec: res.calls / res.seconds,
      received,
      receivedPerSec: received / res.seconds,
      lostRing: counter.lostRing,
      lostMap: counter.lostMap,
      kernelCalls: counter.kernelCalls,
      drainMs: tDrained - tExit,
      helperCpuPct: ((h1 - h0) / wall) * 100,
      nodeCpuPct: ((n1 - n0) / wall) * 100,
      spinCpuPct: (res.cpu_seconds / wall) * 100,
      otherCpuPct: Math.max(0, (other / wall) * 100),
      lossless,
    };
  } finally {
    if (probe) await probe.stop().catch(() => undefined);
    if (spin.exitCode === null) spin.kill('SIGKILL');
    await spin.catch(() => undefined);
  }
}

function parseSteps(s: string): { label: string; target: number; threads: number }[] {
  return s.split(',').map((tok) => {
    const m = /^(.*?)(?:x(\d+))?$/.exec(tok);
    const rate = m?.[1] ?? '';
    const threads = Number(m?.[2] ?? 1);
    if (!(threads >= 1 && threads <= 16)) throw new Error(`--steps: '${tok}': threads must be 1..16`);
    const suffix = `, ${threads} thread${threads > 1 ? 's' : ''}`;
    if (rate === 'max') return { label: `max${suffix}`, target: 0, threads };
    const n = Number(rate);
    if (!(n > 0)) throw new Error(`--steps: '${tok}' is not RATE, RATExTHREADS, max or maxxTHREADS`);
    return { label: `${fmt(n)}${suffix}`, target: n, threads };
  });
}

// one spinning thread tops out near 2 M traced calls/s here: higher steps use two
export const DEFAULT_STEPS = '250000,500000,1000000,1500000,2000000x2,2500000x2,maxx1,maxx2';

export async function runStreamBench(args: string[] = []): Promise<StreamResult> {
  await initClockTicks();
  const seconds = Number(argValue(args, '--seconds') ?? 3);
  if (!(seconds > 0 && seconds <= 60)) throw new Error('--seconds: 0 < S <= 60');
  const repeats = Number(argValue(args, '--repeats') ?? 3);
  if (!(repeats >= 1 && repeats <= 20)) throw new Error('--repeats: 1..20');
  const ringBytes = Number(argValue(args, '--ring-bytes') ?? 16 << 20);
  const steps = parseSteps(argValue(args, '--steps') ?? DEFAULT_STEPS);
  const m = machine();
  log(`stream: ${steps.length} steps x ${repeats} repeats of ${seconds} s, ring ${ringBytes} bytes`);
  const groups: StreamGroup[] = steps.map((s) => ({ ...s, runs: [] }));
  // repeats outermost: a noisy moment hits one run of several steps, not one step
  for (let r = 0; r < repeats; r++) {
    for (const g of groups) {
      log(`stream: repeat ${r + 1}/${repeats} step ${g.label}`);
      g.runs.push(await runStep(g.label, g.target, g.threads, seconds, ringBytes));
    }
  }
  // control: a ring far too small for the rate must lose records, and every
  // call must still be accounted for (received + lost), or the bench is blind
  let control: StreamStep | undefined;
  if (!args.includes('--no-control')) {
    log('stream: control run (64 KiB ring, flat out)');
    control = await runStep('control: max, 1 thread, 64 KiB ring', 0, 1, Math.min(seconds, 2), 64 << 10);
  }
  const allLossless = groups.filter((g) => g.runs.every((x) => x.lossless));
  return {
    machine: m,
    command: `node dist/scripts/bench/stream.js ${args.join(' ')}`.trim(),
    ringBytes,
    seconds,
    repeats,
    steps: groups,
    control,
    bestLosslessPerSec: Math.max(0, ...allLossless.map((g) => median(g.runs.map((x) => x.offeredPerSec)))),
    bestLosslessRunPerSec: Math.max(
      0,
      ...groups.flatMap((g) => g.runs.filter((x) => x.lossless).map((x) => x.offeredPerSec)),
    ),
  };
}

const medMM = (xs: number[], d = 0): string => {
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs), d)} (${fmt(lo, d)}-${fmt(hi, d)})`;
};

export function streamTable(r: StreamResult): { headers: string[]; rows: string[][] } {
  return {
    headers: [
      'step: target calls/s, threads',
      'offered calls/s',
      'records/s in TS',
      'lost (sum)',
      'received = calls',
      'drain ms',
      'helper CPU%',
      'node CPU%',
      'epoll-spin CPU%',
      'other CPU%',
      'lossless runs',
    ],
    rows: r.steps.map((g) => [
      g.label,
      medMM(g.runs.map((x) => x.offeredPerSec)),
      medMM(g.runs.map((x) => x.receivedPerSec)),
      fmt(g.runs.reduce((n, x) => n + x.lostRing + x.lostMap, 0)),
      g.runs.every((x) => x.received === x.offeredCalls && x.kernelCalls === x.offeredCalls) ? 'yes' : 'NO',
      medMM(
        g.runs.map((x) => x.drainMs),
        1,
      ),
      medMM(
        g.runs.map((x) => x.helperCpuPct),
        1,
      ),
      medMM(
        g.runs.map((x) => x.nodeCpuPct),
        1,
      ),
      medMM(g.runs.map((x) => x.spinCpuPct)),
      medMM(g.runs.map((x) => x.otherCpuPct)),
      `${g.runs.filter((x) => x.lossless).length}/${g.runs.length}`,
    ]),
  };
}

export function printStream(r: StreamResult): void {
  const t = streamTable(r);
  process.stdout.write(`\n== stream: epoll records into TypeScript (${machineLine(r.machine)})\n`);
  process.stdout.write(
    `${r.repeats} repeats x ${r.seconds} s per step, ring ${fmt(r.ringBytes)} bytes; median (min-max); ` +
      `records/s = records counted in TS / epoll-spin's run time\n`,
  );
  process.stdout.write(table(t.headers, t.rows) + '\n');
  const best = r.bestLosslessPerSec;
  process.stdout.write(
    `highest rate lossless in every repeat: ${fmt(best)} events/s (goal >= 2,000,000: ${best >= 2e6 ? 'met' : 'NOT met'}); ` +
      `highest lossless single run: ${fmt(r.bestLosslessRunPerSec)} events/s\n`,
  );
  const c = r.control;
  if (c) process.stdout.write(controlLine(c) + '\n');
}

export function controlLine(c: StreamStep): string {
  const lost = c.lostRing + c.lostMap;
  return (
    `control (64 KiB ring, flat out): ${fmt(c.offeredCalls)} calls, ${fmt(c.received)} received, ${fmt(lost)} lost; ` +
    `received + lost = calls: ${c.received + lost === c.offeredCalls ? 'yes' : 'NO'}`
  );
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  runStreamBench(process.argv.slice(2)).then(
    (r) => {
      printStream(r);
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench stream: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
