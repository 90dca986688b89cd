// `irqlens top` (and plain `irqlens`): the live terminal UI when both ends
// are a terminal, else the plain per-interval text summary (pipes, logs).
// This module owns the probe and reads sysfs; the UI (ui/) only gets
// reduced state through the store.
import { Option, type Command } from 'commander';
import { StatsSampler } from '../../src/live/stats-sampler.js';
import {
  LIVE_RING_BYTES,
  PROBE_GROUPS,
  TEXT_TOP_PROBES,
  topProbes,
  liveWorkloadOptions,
} from '../../src/probe/options.js';
import { Probe } from '../../src/probe/client.js';
import { ProbeError } from '../../src/probe/errors.js';
import { Tracker } from '../../src/probe/tracker.js';
import { nicQueues } from '../../src/procfs/nic.js';
import { summaryHeader, summaryLines } from '../../src/report/summary-text.js';
import {
  positiveInt,
  positiveNumber,
  toProbeOptions,
  withProbeOptions,
  type RawProbeOpts,
} from '../common/probe-options.js';
import { UsageError } from '../common/errors.js';
import { onInterrupt } from '../common/signals.js';
import { LiveStore } from '../../src/live/store.js';
import { Sampler } from '../../src/live/sampler.js';
import { EstimateRunner } from '../../src/live/estimate-runner.js';
import { WorkloadFeedCollector } from '../../src/live/workload-feed.js';
import { themeFromEnv } from '../../ui/model/theme.js';
import { Recorder } from '../../src/live/recorder.js';
import { ifaceNames, ownNetns } from '../../src/netstat/counters.js';

export interface TopOpts extends RawProbeOpts {
  interval: number;
  count?: number;
  /** Trace busy periods and estimate each workload's interrupt tax. */
  workloads?: boolean;
  /** Every probe group from the start, instead of napi and epoll only while a panel shows them. */
  allProbes?: boolean;
  /** BPF run-time statistics for the status line (--no-prog-stats turns them off). */
  progStats: boolean;
  progStatsAlways?: boolean;
  /** Plain text even on a terminal. */
  plain?: boolean;
}

/** Per-event records the workload estimate needs: busy periods and the interrupts around them. */
// attribution keeps only softirq runs raised by interrupts: stream just those

/** NIC queues are re-read this often (devices and IRQ affinity rarely change). */
const QUEUES_EVERY_MS = 30_000;

export async function topCommand(o: TopOpts): Promise<void> {
  const interactive = !o.plain && process.stdout.isTTY && process.stdin.isTTY;
  return interactive ? liveTop(o) : plainTop(o);
}

async function plainTop(o: TopOpts): Promise<void> {
  // the text summary has no epoll or softirq-origin figures: those probes would cost and show nothing
  const probes = o.allProbes ? [...PROBE_GROUPS] : TEXT_TOP_PROBES;
  const probe = await Probe.start({ ...toProbeOptions(o, LIVE_RING_BYTES), intervalMs: 100, probes });
  let stopping = false;
  const cleanup = onInterrupt(async () => {
    stopping = true;
    await probe.stop();
  });
  try {
    const tracker = new Tracker(probe);
    await tracker.edge();
    process.stdout.write(summaryHeader({ hello: probe.hello }) + '\n');
    for (let i = 0; !stopping && (o.count === undefined || i < o.count); i++) {
      await new Promise((r) => setTimeout(r, o.interval * 1000));
      if (stopping) break;
      // this loop is the tracker's only marker: each mark closes the interval since the last
      const iv = (await tracker.edge()).interval;
      const clock = new Date().toTimeString().slice(0, 8);
      if (iv) process.stdout.write(summaryLines(iv.window, clock).join('\n') + '\n\n');
    }
  } catch (e) {
    if (!stopping) throw e;
  } finally {
    cleanup();
    await probe.stop();
  }
}

/**
 * Loads the UI (ink, react) only for a terminal. ink draws only a final frame when it believes it
 * runs in CI; with a terminal on both ends a person is watching. React's development build costs
 * several times the CPU per redraw: production unless NODE_ENV says otherwise.
 */
async function importTui(): Promise<typeof import('../../ui/tui/run.js')> {
  process.env.NODE_ENV ??= 'production';
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await import('../../ui/tui/run.js');
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

/** The live view's probe settings as `irqlens record` options, so r records what top shows. */
function recordArgs(o: TopOpts): string[] {
  const a = ['--records', o.records, '--window-us', String(o.windowUs), '--burst-packets', String(o.burstPackets)];
  if (o.pid !== undefined) a.push('--pid', String(o.pid));
  if (o.cgroup !== undefined) a.push('--cgroup', o.cgroup);
  if (o.ringBytes !== undefined) a.push('--ring-bytes', String(o.ringBytes));
  if (o.dropUnspecified) a.push('--drop-unspecified');
  return a;
}

async function liveTop(o: TopOpts): Promise<void> {
  const base = toProbeOptions(o, LIVE_RING_BYTES);
  const { mountTui } = await importTui();
  // periodic snapshots are not needed: every interval asks for its own
  // statistics are off until asked for (b), then sampled a second in ten: they slow every BPF program while on
  const always = o.progStats && (o.progStatsAlways ?? false);
  // the busy-period estimate keeps its groups attached; napi (and epoll without it) attach with their panels
  const groups = { workloads: o.workloads ?? false, allProbes: o.allProbes ?? false };
  let probes = topProbes('irqs', groups);
  const probe = await Probe.start({
    ...base,
    ...liveWorkloadOptions(base.records, o.workloads ?? false),
    // the estimate needs only the raises' origin; top shows no raise-to-run latency (a clock read per raise)
    raiseLatency: false,
    intervalMs: 60_000,
    progStats: always,
    probes,
  });
  // off until the BPF cost is asked for (b), then sampled while it is shown
  const statsSampler =
    o.progStats && !always
      ? new StatsSampler((on) => {
          probe.setProgStats(on);
        })
      : null;
  const tracker = new Tracker(probe);
  const store = new LiveStore();
  store.dispatch({
    type: 'started',
    hello: probe.hello,
    stats: always ? 'on' : o.progStats ? 'on-demand' : 'off',
    workloads: o.workloads ?? false,
    probes,
    utcOffsetMin: -new Date().getTimezoneOffset(),
    netns: ownNetns(),
    ifNames: ifaceNames(),
  });
  let queuesAt = Date.now();
  store.dispatch({ type: 'queues', queues: nicQueues() });
  const runner = o.workloads ? new EstimateRunner() : null;
  const feed = runner
    ? new WorkloadFeedCollector(probe.hello, runner.run, (f) => {
        store.dispatch({ type: 'workloads', feed: f });
      })
    : null;
  if (feed) {
    feed.sampleWith(probe);
    tracker.onMessage((_t, m) => {
      feed.add(m);
    });
  }
  const sampler = new Sampler({
    tracker,
    store,
    intervalS: o.interval,
    ...(o.count !== undefined ? { count: o.count } : {}),
    warnings: () => probe.warnings,
    onMark: (tsNs, atMs) => {
      feed?.mark(tsNs, atMs);
      if (atMs - queuesAt >= QUEUES_EVERY_MS) {
        queuesAt = atMs;
        store.dispatch({ type: 'queues', queues: nicQueues() });
      }
    },
  });

  const recorder = new Recorder(recordArgs(o));
  let quit: () => void = () => undefined;
  const quitRequested = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const tui = mountTui({
    source: store,
    theme: themeFromEnv(process.env),
    initial: { intervalS: o.interval },
    controller: {
      setIntervalS: (s) => {
        sampler.setIntervalS(s);
      },
      quit,
      toggleRecording: () => recorder.toggle(),
      panelShown: (panel) => {
        const want = topProbes(panel, groups);
        if (want.join() === probes.join()) return;
        probes = want;
        probe.setProbes(want);
        store.dispatch({ type: 'probes', groups: want, atMs: Date.now() });
      },
      bpfCostShown: (shown) => {
        if (!statsSampler || shown === statsSampler.running) return;
        if (shown) statsSampler.start();
        else statsSampler.stop();
        store.dispatch({ type: 'stats', stats: shown ? 'sampled' : 'on-demand' });
      },
    },
  });
  let finishing: Promise<void> | null = null;
  // every exit path (q, Ctrl-C, SIGTERM, a probe error) ends here: UI off, terminal back, probes detached
  const finish = (): Promise<void> =>
    (finishing ??= (async () => {
      sampler.stop();
      statsSampler?.stop();
      tui.close();
      await recorder.stop();
      await runner?.close();
      await probe.stop();
    })());
  const offSignals = onInterrupt(finish);
  let failure: Error | null = null;
  const running = sampler.run();
  // the stream ending on its own (the helper died) is a failure even between intervals
  const streamEnd = tracker.done.then(() => {
    if (!finishing) throw new ProbeError('the helper stopped unexpectedly (its stream ended)');
  });
  // a render error ends the UI (ink shows nothing useful after it): a failure like any other
  const uiEnd = tui.exited.then(() => {
    if (!finishing) throw new Error('the terminal UI ended unexpectedly');
  });
  // whichever loses the race may still reject later (a mark cut short by the stop): that is expected
  for (const p of [running, streamEnd, uiEnd]) p.catch(() => undefined);
  try {
    await Promise.race([running, quitRequested, streamEnd, uiEnd]);
  } catch (e) {
    if (!finishing) {
      failure = e instanceof Error ? e : new Error(String(e));
      store.dispatch({ type: 'fatal', message: failure.message });
    }
  } finally {
    await finish();
    offSignals();
  }
  if (failure) throw failure;
}

/** Adds `irqlens top` to the program. */
export function registerTopCommand(program: Command): void {
  withProbeOptions(
    program
      .command('top', { isDefault: true })
      .description('live view of interrupts, softirqs, system vectors, NIC queues and workloads (default command)')
      .addOption(
        new Option('--interval <seconds>', 'refresh interval (+ and - change it live)')
          .default(1)
          .argParser(positiveNumber('--interval')),
      )
      .addOption(new Option('--count <n>', 'stop after n intervals').argParser(positiveInt('--count')))
      .option(
        '--workloads',
        "trace epoll busy periods and estimate each workload's interrupt tax (more CPU; limit with --pid)",
      )
      .option(
        '--all-probes',
        'keep every probe attached from the start: NAPI polls and micro-bursts, and epoll, even while no panel shows them (by default they attach while the nic, bursts or workloads panel is on screen; they cost a busy server a few percent, see BENCHMARKS.md)',
      )
      .option(
        '--prog-stats-always',
        'keep BPF run-time statistics on throughout (ns/event every interval, at the cost of every BPF program)',
      )
      .option(
        '--no-prog-stats',
        'never turn BPF run-time statistics on, not even with b (by default they are off until b asks for the BPF cost, then sampled 1 s in every 10 while it is shown: while on they slow every BPF program)',
      )
      .option('--plain', 'plain text per interval even on a terminal (the default when stdout or stdin is not one)')
      .addHelpText(
        'after',
        `
On a terminal: a live UI. Keys: q quit, p pause, tab/arrows move between panels, s sort,
f filter (cpu:1 irq:virtio dev:eth0 proc:nginx), + / - refresh interval, ? help.
NO_COLOR turns colours off. Not a terminal (or --plain): plain text lines per interval.

Examples:
  irqlens top --interval 2
  irqlens top --workloads --pid 1234     # with the interrupt tax of process 1234
  irqlens top --count 5 | tee irqs.log   # plain text`,
      )
      .argument('[command...]'),
  ).action((extra: string[], o: TopOpts) => {
    // `top` is the default command, so a mistyped command name lands here
    if (extra.length)
      throw new UsageError(
        `unknown command '${extra[0] ?? ''}' (commands: ${program.commands.map((c) => c.name()).join(', ')})`,
      );
    return topCommand(o);
  });
}
