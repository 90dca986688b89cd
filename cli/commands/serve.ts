// `irqlens serve [FILE]`: the web view and /metrics, live from the probes or
// from a recording, through the same pipeline (src/serve).
import { LIVE_RING_BYTES, SERVE_ON_DEMAND, serveProbes, liveWorkloadOptions } from '../../src/probe/options.js';
import { Command, Option } from 'commander';
import { Probe } from '../../src/probe/client.js';
import { nicQueues } from '../../src/procfs/nic.js';
import { openRecording } from '../common/recording.js';
import { RecordingSource } from '../../src/record/source.js';
import { ServeError } from '../../src/serve/errors.js';
import { metricsText } from '../../src/serve/metrics.js';
import { Pipeline, type MessageSource } from '../../src/serve/pipeline.js';
import { staticRoutes } from '../../src/serve/routes.js';
import { WebServer } from '../../src/serve/server.js';
import { EstimateRunner } from '../../src/live/estimate-runner.js';
import { StatsSampler } from '../../src/live/stats-sampler.js';
import { OnDemandGroups } from '../../src/live/on-demand.js';
import { PROBE_GROUPS } from '../../src/stream/layout.js';
import { UsageError } from '../common/errors.js';
import {
  positiveInt,
  wholeNumber,
  positiveNumber,
  probeOptionList,
  toProbeOptions,
  type RawProbeOpts,
} from '../common/probe-options.js';
import { onInterrupt } from '../common/signals.js';

/** Live snapshots while no page is open, by default (a page gets --interval-ms). */
const IDLE_INTERVAL_MS = 1000;
export interface ServeOpts extends RawProbeOpts {
  port: number;
  host: string;
  token?: string;
  intervalMs: number;
  /** Live with no page open: a snapshot this often (0: every --interval-ms). */
  idleIntervalMs: number;
  speed: number;
  workloads?: boolean;
  /** Keep napi and softirq-raise attached throughout instead of while a page or /metrics reads them. */
  allProbes?: boolean;
  /** BPF run-time statistics for irqlens_bpf_* and the page's tool cost: sampled 1 s in 10 (--no-prog-stats: never). */
  progStats: boolean;
  /** Keep them on throughout: the kernel's own cumulative run counts and times on /metrics. */
  progStatsAlways?: boolean;
}

// attribution keeps only softirq runs raised by interrupts: stream just those

function port(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new UsageError(`--port: '${v}' is not a port from 0 to 65535 (0 picks a free one)`);
  return Number(v);
}

function token(v: string): string {
  if (v.length < 16 || !/^[\x21-\x7e]+$/.test(v))
    throw new UsageError('--token: use at least 16 printable characters without spaces (e.g. $(openssl rand -hex 16))');
  return v;
}

async function serveCommand(file: string | undefined, o: ServeOpts, cmd: Command): Promise<void> {
  const tok = o.token ?? (process.env.IRQLENS_TOKEN ? token(process.env.IRQLENS_TOKEN) : undefined);
  let src: MessageSource;
  let statsSampler: StatsSampler | null = null;
  let queues: () => ReturnType<typeof nicQueues>;
  let demand: OnDemandGroups | null = null;
  // live: the kernel samples busy periods for the estimate (a recording holds what it holds)
  let sampling: Probe | null = null;
  if (file !== undefined) {
    for (const live of [
      'pid',
      'cgroup',
      'records',
      'ringBytes',
      'windowUs',
      'burstPackets',
      'dropUnspecified',
      'progStatsAlways',
      'allProbes',
    ]) {
      if (cmd.getOptionValueSource(live) === 'cli')
        throw new UsageError(
          `--${live.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for live probes; a recording serves what it recorded`,
        );
    }
    const rec = openRecording(file);
    src = new RecordingSource(rec, { speed: o.speed });
    const recorded = rec.header.settings?.queues ?? [];
    queues = () => recorded;
  } else {
    const base = toProbeOptions(o, LIVE_RING_BYTES);
    const always = o.progStats && (o.progStatsAlways ?? false);
    const groups = serveProbes(o.workloads ?? false, o.allProbes ?? false);
    const probe = await Probe.start({
      ...base,
      ...liveWorkloadOptions(base.records, o.workloads ?? false),
      intervalMs: 60_000,
      progStats: always,
      probes: groups.base,
    });
    src = probe;
    sampling = probe;
    if (groups.onDemand.length)
      demand = new OnDemandGroups({
        base: groups.base,
        set: (g) => {
          probe.setProbes(g);
        },
      });
    if (o.progStats && !always)
      statsSampler = new StatsSampler((on) => {
        probe.setProgStats(on);
      });
    let read = nicQueues();
    let at = Date.now();
    // NIC queues are re-read every 30 s (devices and IRQ affinity rarely change)
    queues = () => {
      if (Date.now() - at > 30_000) {
        read = nicQueues();
        at = Date.now();
      }
      return read;
    };
  }
  const onDemand = demand;
  // the groups with a program loaded: a group the kernel lacks (no drop reasons before 5.17) is never attached
  const loadable = new Set(
    src.hello.progs.filter((p) => p.status === 'attached' || p.status === 'disabled').map((p) => p.group),
  );
  const runner = o.workloads ? new EstimateRunner() : null;
  let server: WebServer | null = null;
  const pipeline = new Pipeline(src.hello, {
    intervalMs: o.intervalMs,
    queues,
    estimate: runner?.run ?? null,
    onFrame: (f) => server?.broadcast(f),
    ...(sampling ? { sampling } : {}),
    ...(onDemand
      ? {
          demand: {
            groups: onDemand,
            tick: () => {
              if ((server?.clientCount ?? 0) > 0) onDemand.read(SERVE_ON_DEMAND.page, Date.now());
              else onDemand.tick(Date.now());
            },
          },
        }
      : {}),
    // live with no page open: a snapshot a second is enough for /metrics and the history
    ...(file === undefined && o.idleIntervalMs > o.intervalMs
      ? { idle: { watched: () => (server?.clientCount ?? 0) > 0, everyMs: o.idleIntervalMs } }
      : {}),
    // a recording's intervals are its own snapshots (stream time), whatever the replay speed
    ...(file !== undefined ? { everySnapshotNs: o.intervalMs * 1e6 } : {}),
  });
  let finishing: Promise<void> | null = null;
  const finish = (): Promise<void> =>
    (finishing ??= (async () => {
      pipeline.stopTimer();
      statsSampler?.stop();
      await server?.close();
      await runner?.close();
      await src.stop();
    })());
  const offSignals = onInterrupt(finish);
  try {
    const routes = staticRoutes(`irqlens: ${src.hello.host}`);
    const hello = {
      type: 'hello' as const,
      host: src.hello.host,
      kernel: src.hello.kernel,
      ncpus: src.hello.ncpus,
      source: file ?? 'live',
      intervalMs: o.intervalMs,
      history: 600,
    };
    server = await WebServer.listen(
      { host: o.host, port: o.port, ...(tok ? { token: tok } : {}) },
      {
        static: routes,
        metrics: () => {
          const u = process.cpuUsage();
          onDemand?.read(SERVE_ON_DEMAND.metrics, Date.now());
          return metricsText(pipeline.state, {
            clients: server?.clientCount ?? 0,
            framesSent: server?.framesSent ?? 0,
            framesMissed: server?.framesMissed ?? 0,
            cpuSeconds: (u.user + u.system) / 1e6,
            rssBytes: process.memoryUsage().rss,
            ...(onDemand
              ? { probes: new Map(PROBE_GROUPS.map((g) => [g, loadable.has(g) && onDemand.isAttached(g)])) }
              : {}),
            ...(statsSampler ? { bpf: { nsPerEvent: pipeline.bpfNs, estimatedSeconds: pipeline.bpfSeconds } } : {}),
          });
        },
      },
      hello,
    );
    const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
    process.stdout.write(
      `irqlens serve: http://${shown}:${server.port}/${tok ? '?token=...' : ''} (metrics at /metrics; Ctrl-C stops)\n`,
    );
    for (const w of src.warnings) process.stderr.write(`irqlens: ${w}\n`);
    statsSampler?.start();
    await pipeline.run(src);
    if (file === undefined && !finishing) throw new ServeError('the helper stopped unexpectedly (its stream ended)');
    if (!finishing) {
      server.end(
        `the recording ended at ${pipeline.state.tsNs > 0n ? ((Number(pipeline.state.tsNs) - Number(src.hello.monoNs)) / 1e9).toFixed(1) : '0'} s`,
      );
      process.stdout.write('irqlens serve: the recording ended; still serving it (Ctrl-C stops)\n');
      // serve what was replayed until a signal ends the process (onInterrupt exits)
      await new Promise<never>(() => undefined);
    }
  } finally {
    await finish();
    offSignals();
  }
}

export function registerServeCommand(program: Command): void {
  const c = program
    .command('serve')
    .description('a web view (charts) and a Prometheus /metrics endpoint, live or from a recording')
    .argument('[file]', 'a recording (irqlens record) to serve instead of the live probes')
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').default(7070).argParser(port))
    .addOption(
      new Option('--host <address>', 'address to bind; anything but loopback needs --token').default('127.0.0.1'),
    )
    .addOption(
      new Option(
        '--token <secret>',
        'required by the page, the websocket and /metrics (or set IRQLENS_TOKEN)',
      ).argParser(token),
    )
    .addOption(
      new Option('--interval-ms <ms>', 'update interval').default(100).argParser(positiveInt('--interval-ms', 60_000)),
    )
    .addOption(
      new Option(
        '--idle-interval-ms <ms>',
        'live with no page open: a snapshot this often (each walks every BPF map); 0: every --interval-ms',
      )
        .default(IDLE_INTERVAL_MS)
        .argParser(wholeNumber('--idle-interval-ms', 60_000)),
    )
    .addOption(
      new Option('--speed <x>', 'a recording: times real time').default(1).argParser(positiveNumber('--speed', 1e6)),
    )
    .option(
      '--workloads',
      "trace epoll busy periods and estimate each workload's interrupt tax (more CPU; limit with --pid)",
    )
    .option(
      '--all-probes',
      'keep the NAPI and softirq-raise probes attached from the start (by default they attach while a page is open or /metrics is read: they cost a busy server a few percent, see BENCHMARKS.md)',
    )
    .option(
      '--prog-stats-always',
      "keep BPF run-time statistics on throughout: the kernel's own run counts and times as irqlens_bpf_* (they slow every BPF program while on)",
    )
    .option(
      '--no-prog-stats',
      'never turn BPF run-time statistics on (by default they are sampled, 1 s in every 10; no irqlens_bpf_* metrics, no BPF share on the page)',
    );
  for (const o of probeOptionList('serve')) c.addOption(o);
  c.addHelpText(
    'after',
    `
The page is read-only: nothing on it or on its websocket changes the system. Binding another address
than loopback needs --token; open the page as http://HOST:PORT/?token=SECRET and scrape /metrics with
Authorization: Bearer SECRET. See docs/web.md.

Examples:
  irqlens serve                          # then open http://127.0.0.1:7070/
  irqlens serve run.irqrec --speed 4     # a recording, 4x real time
  irqlens serve --host 0.0.0.0 --token $(openssl rand -hex 16)
  curl -s 127.0.0.1:7070/metrics | grep irqlens_hardirq_total`,
  ).action((file: string | undefined, o: ServeOpts, cmd: Command) => serveCommand(file, o, cmd));
}
