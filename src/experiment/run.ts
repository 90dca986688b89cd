// `irqlens experiment`: the paper's method as a command. Conditions A and B
// alternate in short phases (pairs in a seeded random order, a settle time
// dropped after each switch) while one probe traces the workload's busy
// periods; each phase's throughput is the events it served per second. The
// measured B-vs-A slowdown, with a bootstrap interval over pairs, stands next
// to the passive estimate that irqlens computes from the same periods.
import { execa } from 'execa';
import { closeSync, existsSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { buildDir } from '../probe/paths.js';
import { Probe } from '../probe/client.js';
import { Tracker } from '../probe/tracker.js';
import { RECORD_PRESETS } from '../probe/options.js';
import { PeriodCollector } from '../reduce/periods.js';
import { windowOf } from '../reduce/totals.js';
import { directShare, pairPredictions, passiveInWorker, priceWithB } from './passive.js';
import { makeCgroup, removeCgroup, startCommand, type Child } from '../cost/command.js';
import { startEcho, type RunningWorkload } from '../cost/workloads.js';
import { Switches, type SwitchSpec } from './switches.js';
import { onOurExit } from '../cost/reaper.js';
import {
  bootstrapMedian,
  median,
  pairSlowdowns,
  phaseOrder,
  predictedSlowdown,
  slowdownOf,
  slowdownWithSteal,
  predictedWithSteal,
  intervalsOverlap,
  stealShare,
  stealSlowdown,
  throughput,
  type Condition,
  type Phase,
} from './stats.js';

export const EXPERIMENT_SCHEMA = 'irqlens.experiment/1';

export interface ExperimentOptions extends SwitchSpec {
  /** A built-in workload (echo: the epoll echo server with fixed work per request) or a command. */
  workload:
    | { builtin: 'echo' | 'spin'; serverCpu: number; clientCpu: number; work: number; wssKb: number; conns: number }
    | { argv: string[] };
  phaseS: number;
  pairs: number;
  settleS: number;
  seed: number;
  onProgress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Pairs with a prediction each, at least, for the median over pairs (else the pooled prediction stands). */
const MIN_PREDICTED_PAIRS = 5;

/**
 * The self-driven workload: epoll_wait on an always-ready eventfd, then a fixed pointer chase through
 * its working set, on one CPU. No load generator shares a CPU with the switched load, so what B changes
 * on the workload's CPU is all that differs.
 */
function startSpin(cpu: number, work: number, wssKb: number, seconds: number, counter: string): RunningWorkload {
  const bin = join(buildDir(), 'epoll-spin');
  if (!existsSync(bin)) throw new UsageError(`${bin} is missing: build it (npm run build)`);
  const p = execa(
    'taskset',
    ['-c', String(cpu), bin, '-k', String(work), '-m', String(wssKb), '-c', counter, String(Math.ceil(seconds))],
    { reject: false, buffer: false, stdio: 'ignore' },
  );
  const pid = p.pid ?? 0;
  return {
    pid,
    load: async () => {
      await p;
      return { name: 'spin', rps: 0, latency_us: {}, settings: { work_steps: work, wss_kb: wssKb, cpu } };
    },
    stop: async () => {
      p.kill('SIGKILL');
      await p;
    },
  };
}

/**
 * The running count a built-in workload keeps in a file (a uint64 it updates as it serves): its own
 * measure of the work done, read at each phase's edges, next to the events its busy periods show.
 */
class WorkCounter {
  readonly path = join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `irqlens-exp-${process.pid}.count`);
  private fd: number | null = null;
  private readonly buf = Buffer.alloc(8);
  // removes the file after kill -9 of irqlens too
  private readonly reaper = onOurExit(`rm -f '${this.path}'`);

  constructor() {
    // ours before the workload starts, so it can be read from the first phase on
    writeFileSync(this.path, Buffer.alloc(8), { mode: 0o600 });
    this.fd = openSync(this.path, 'r');
  }

  read(): number {
    if (this.fd === null) return NaN;
    return readSync(this.fd, this.buf, 0, 8, 0) === 8 ? Number(this.buf.readBigUInt64LE(0)) : NaN;
  }

  remove(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
    this.reaper.release();
  }
}

/**
 * The workload's count at the mark's time `tsNs`, from reads at monotonic times t0 (just before the mark was asked
 * for) and t1 (just after it came back), linearly between them. The mark resolves only once the helper's snapshot
 * is back, tens of ms after its timestamp on a loaded VM: a read after it alone put 5% of a 1 s phase's count
 * into the wrong phase.
 */
export function workAt(t0: bigint, w0: number, t1: bigint, w1: number, tsNs: bigint): number {
  if (t1 <= t0 || w1 < w0) return w1;
  const f = Math.min(1, Math.max(0, Number(tsNs - t0) / Number(t1 - t0)));
  return Math.round(w0 + f * (w1 - w0));
}

export async function runExperiment(o: ExperimentOptions): Promise<Record<string, unknown>> {
  const say = o.onProgress ?? (() => undefined);
  const builtin = 'builtin' in o.workload ? o.workload : null;
  const argv = 'argv' in o.workload ? o.workload.argv : null;
  const totalS = o.pairs * 2 * (o.phaseS + o.settleS) + 2;
  let running: RunningWorkload | null = null;
  let child: Child | null = null;
  const cg = argv ? makeCgroup('exp') : undefined;
  const pids = (): number[] => {
    if (running) return [running.pid];
    if (child?.pid !== undefined) return [child.pid];
    return [];
  };
  const switches = Switches.prepare(o, pids);
  const counter = builtin ? new WorkCounter() : null;
  // the echo workload is traced by its pid, a command by its cgroup (so its children count too)
  let probe: Probe;
  try {
    if (builtin?.builtin === 'spin') {
      running = startSpin(builtin.serverCpu, builtin.work, builtin.wssKb, totalS + 5, counter?.path ?? '');
    } else if (builtin) {
      running = await startEcho({
        durationS: totalS + 5,
        serverCpu: builtin.serverCpu,
        clientCpu: builtin.clientCpu,
        work: builtin.work,
        wssKb: builtin.wssKb,
        conns: builtin.conns,
        ...(counter ? { counterFile: counter.path } : {}),
      });
    }
    probe = await Probe.start({
      records: [...RECORD_PRESETS.workloads],
      intervalMs: 60_000,
      ...(running ? { pid: running.pid } : {}),
      ...(cg ? { cgroup: cg, ownCgroup: true } : {}),
    });
  } catch (e) {
    // nothing changed yet: what was started goes
    counter?.remove();
    if (running) await running.stop();
    if (cg) await removeCgroup(cg);
    throw e;
  }
  const tracker = new Tracker(probe);
  const target = running?.pid;
  const collector = new PeriodCollector(target !== undefined ? (tgid) => tgid === target : () => true);
  tracker.onMessage((_t, m) => {
    collector.add(m);
  });
  const phases: Phase[] = [];
  // where the workload runs: a built-in's CPU; a command's are not known ahead, so every CPU's mean
  const stealCpus = builtin ? [builtin.serverCpu] : Array.from({ length: probe.hello.ncpus }, (_, i) => i);
  let loadDone: Promise<unknown> = Promise.resolve();
  try {
    switches.arm();
    if (running) loadDone = running.load().catch(() => undefined);
    if (argv) child = startCommand(argv, cg);
    await sleep(1000); // warm-up: connections, caches, the first periods
    // a mark and the workload's own count at its timestamp
    const markWithWork = async () => {
      const t0 = process.hrtime.bigint(); // CLOCK_MONOTONIC, the clock of the mark's tsNs
      const w0 = counter?.read();
      const m = await tracker.mark();
      const w1 = counter?.read();
      const t1 = process.hrtime.bigint();
      return { m, work: w0 === undefined || w1 === undefined ? undefined : workAt(t0, w0, t1, w1, m.tsNs) };
    };
    const first = await tracker.mark();
    const order = phaseOrder(o.pairs, o.seed);
    for (const [i, pair] of order.entries()) {
      for (const c of pair) {
        await switches.set(c);
        await sleep(o.settleS * 1000);
        const { m: a, work: workFrom } = await markWithWork();
        await sleep(o.phaseS * 1000);
        const { m: b, work: workTo } = await markWithWork();
        const cpuTime = windowOf(a, b).cpuTime.filter((r) => stealCpus.includes(r.cpu));
        phases.push({
          pair: i,
          condition: c,
          fromNs: Number(a.tsNs),
          toNs: Number(b.tsNs),
          events: 0,
          ...(workFrom !== undefined && workTo !== undefined && workTo >= workFrom ? { work: workTo - workFrom } : {}),
          ...(cpuTime.length ? { stealNs: cpuTime.reduce((x, r) => x + r.stealNs, 0) / cpuTime.length } : {}),
        });
      }
      say(`experiment: pair ${i + 1}/${o.pairs} (${pair.join(' then ')}) done`);
      if (child && child.exitCode !== null) break;
    }
    const last = await tracker.mark();
    await switches.restore();
    say(`experiment: phases done, the machine restored; estimating from ${collector.periods.length} busy periods...`);
    // each phase's work: events of the busy periods that started in it
    for (const p of collector.periods) {
      const ph = phases.find((x) => p.startNs >= x.fromNs && p.startNs < x.toNs);
      if (ph) ph.events += p.events;
    }
    const slow = pairSlowdowns(phases);
    const measured = bootstrapMedian(slow, o.seed);
    // the same from the built-in workload's own count, which no probe touches
    const byWork = phases.every((p) => p.work !== undefined)
      ? pairSlowdowns(phases.map((p) => ({ ...p, events: p.work ?? 0 })))
      : [];
    const measuredByWork = byWork.length ? bootstrapMedian(byWork, o.seed) : null;
    const window = windowOf(first, last);
    const byCond = (c: Condition) => {
      const mine = phases.filter((p) => p.condition === c);
      const inMine = (ns: number) => mine.some((x) => ns >= x.fromNs && ns < x.toNs);
      return {
        throughput: median(mine.map(throughput)),
        input: {
          window,
          periods: collector.periods.filter((p) => inMine(p.startNs)),
          hits: collector.hits.filter((h) => inMine(h.tsNs)),
          comms: [...collector.comms],
          stealKnown: collector.stealKnown,
          fromNs: Math.min(...mine.map((x) => x.fromNs)),
          toNs: Math.max(...mine.map((x) => x.toNs)),
          phases: mine.map((x) => ({ pair: x.pair, fromNs: x.fromNs, toNs: x.toNs })),
        },
      };
    };
    // each condition in a worker of its own, both at once: the main thread stays free for Ctrl-C
    const [a, b] = [byCond('A'), byCond('B')];
    const [resA, resB] = await Promise.all([passiveInWorker(a.input), passiveInWorker(b.input)]);
    const A = { throughput: a.throughput, estimate: priceWithB(resA, resB) };
    const B = { throughput: b.throughput, estimate: resB.estimate };
    const pooled = A.estimate.tax && B.estimate.tax ? predictedSlowdown(A.estimate.tax, B.estimate.tax) : null;
    // the prediction per pair, its median and bootstrap interval over pairs: the measurement's own statistic,
    // so the interval carries the phase-to-phase spread that the pooled estimate's interval does not
    const byPair = pairPredictions(resA, resB);
    const fromPairs = byPair.slowdowns.length >= MIN_PREDICTED_PAIRS;
    const predicted = fromPairs ? bootstrapMedian(byPair.slowdowns, o.seed) : pooled;
    const stealOf = (c: Condition) => median(phases.filter((p) => p.condition === c).map(stealShare));
    const steal = { a: stealOf('A'), b: stealOf('B') };
    // with steal, per pair as the prediction is: each phase's own steal share next to its own tax
    const phaseSteal = (pair: number, c: Condition) => {
      const ph = phases.find((p) => p.pair === pair && p.condition === c);
      return ph ? stealShare(ph) : NaN;
    };
    const pairsWithSteal = byPair.taxes
      .map((t) => slowdownWithSteal(t.a, phaseSteal(t.pair, 'A'), t.b, phaseSteal(t.pair, 'B')))
      .filter(Number.isFinite);
    const taxA = A.estimate.tax ?? directShare(resA);
    const taxB = B.estimate.tax ?? directShare(resB);
    const stealDirectOnly = (!A.estimate.tax && taxA !== null) || (!B.estimate.tax && taxB !== null);
    const stealByPair = fromPairs && pairsWithSteal.length >= MIN_PREDICTED_PAIRS;
    const withSteal = stealByPair
      ? bootstrapMedian(pairsWithSteal, o.seed)
      : taxA && taxB
        ? predictedWithSteal(taxA, steal.a, taxB, steal.b)
        : null;
    const covered =
      predicted !== null && Number.isFinite(measured.value)
        ? measured.value >= predicted.lo && measured.value <= predicted.hi
        : null;
    return {
      schema: EXPERIMENT_SCHEMA,
      host: probe.hello.host,
      kernel: probe.hello.kernel,
      workload: builtin
        ? {
            builtin: builtin.builtin,
            server_cpu: builtin.serverCpu,
            client_cpu: builtin.clientCpu,
            work_steps: builtin.work,
            wss_kb: builtin.wssKb,
            conns: builtin.conns,
          }
        : { command: argv },
      b_condition: switches.describe(),
      phase_s: o.phaseS,
      settle_s: o.settleS,
      pairs: slow.length,
      seed: o.seed,
      phases: phases.map((p) => ({
        pair: p.pair,
        condition: p.condition,
        seconds: (p.toNs - p.fromNs) / 1e9,
        events: p.events,
        throughput: throughput(p),
        work: p.work ?? null,
        steal_share: stealShare(p),
      })),
      throughput: { a_median: A.throughput, b_median: B.throughput },
      measured_slowdown: measured,
      measured_slowdown_by_work: measuredByWork,
      passive: {
        a: A.estimate,
        b: B.estimate,
        predicted_slowdown: predicted,
        predicted_from: predicted === null ? null : fromPairs ? 'pairs' : 'pooled',
        pairs_predicted: byPair.slowdowns.length,
        phases_priced: byPair.priced,
        predicted_slowdown_pooled: pooled,
        // experimental: the pooled point with after-effects charged (A's own, else none)
        predicted_slowdown_with_after:
          typeof B.estimate.tax_with_after === 'number'
            ? slowdownOf(A.estimate.tax_with_after ?? A.estimate.tax?.value ?? 0, B.estimate.tax_with_after)
            : null,
        interval_covers_measured: covered,
        intervals_overlap: intervalsOverlap(predicted, measured),
        // B's tax a lower bound (no undisturbed periods): so is the predicted slowdown; does the truth lie above it?
        predicted_is_lower_bound: predicted !== null && B.estimate.lower_bound,
        lower_bound_holds:
          predicted !== null && B.estimate.lower_bound && Number.isFinite(measured.value)
            ? measured.value >= predicted.lo
            : null,
      },
      steal: {
        cpus: stealCpus,
        a_median: steal.a,
        b_median: steal.b,
        slowdown: stealSlowdown(steal.a, steal.b),
        predicted_slowdown_with_steal: withSteal,
        // true when a condition without a tax of its own counted its interrupts' handler time only
        direct_only: withSteal !== null && !stealByPair && stealDirectOnly,
        interval_covers_measured:
          withSteal && Number.isFinite(measured.value)
            ? measured.value >= withSteal.lo && measured.value <= withSteal.hi
            : null,
      },
    };
  } finally {
    counter?.remove();
    await switches.restore();
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await probe.stop();
    if (cg) await removeCgroup(cg);
    if (running) await running.stop();
    await Promise.race([loadDone, sleep(2000)]);
  }
}
