// `irqlens experiment`: options in, src/experiment does the work; text or JSON out.
import { Option, type Command } from 'commander';
import { cpus } from 'node:os';
import { runExperiment } from '../../src/experiment/run.js';
import type { Interval } from '../../src/attribution/types.js';
import { UsageError } from '../common/errors.js';
import { onInterrupt } from '../common/signals.js';
import { positiveInt, positiveNumber } from '../common/probe-options.js';

interface ExperimentOpts {
  load?: string;
  pinUnder?: string;
  sysctl?: string[];
  sysfs?: string[];
  coalesce?: string[];
  napi?: string[];
  workload?: string;
  cpu?: number;
  work: number;
  wssKb: number;
  conns: number;
  phaseS: number;
  settleS: number;
  pairs: number;
  seed: number;
  json?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const iv = (i: Interval | null) => (i ? `${pct(i.value)} [${pct(i.lo)}, ${pct(i.hi)}]` : 'n/a');

function text(r: Record<string, unknown>): string {
  const t = r.throughput as { a_median: number; b_median: number };
  const m = r.measured_slowdown as Interval;
  const p = r.passive as {
    a: { tax: Interval | null; note: string | null };
    b: { tax: Interval | null; note: string | null };
    predicted_slowdown: Interval | null;
    predicted_from: 'pairs' | 'pooled' | null;
    pairs_predicted: number;
    predicted_slowdown_pooled: Interval | null;
    interval_covers_measured: boolean | null;
    intervals_overlap: boolean | null;
    predicted_is_lower_bound: boolean;
    lower_bound_holds: boolean | null;
  };
  const st = r.steal as {
    a_median: number;
    b_median: number;
    slowdown: number;
    predicted_slowdown_with_steal: Interval | null;
    direct_only: boolean;
    interval_covers_measured: boolean | null;
  };
  const covers = (c: boolean | null) =>
    c === null ? '' : c ? ' (covers the measured slowdown)' : ' (does NOT cover the measured slowdown)';
  return [
    `irqlens experiment: ${String(r.pairs)} pairs of ${String(r.phase_s)} s phases on ${String(r.host)} (seed ${String(r.seed)})`,
    `B: ${(r.b_condition as string[]).join('; ')}`,
    `throughput (events/s, median of phases): A ${t.a_median.toFixed(0)}, B ${t.b_median.toFixed(0)}`,
    `measured slowdown of B vs A (median over pairs, 95% bootstrap interval): ${iv(m)}`,
    ...(r.measured_slowdown_by_work
      ? [`  the same from the workload's own count of its work: ${iv(r.measured_slowdown_by_work as Interval)}`]
      : []),
    `passive estimate: tax A ${iv(p.a.tax)}, tax B ${iv(p.b.tax)}${(p.a.note ?? p.b.note) ? ` (${p.a.note ?? p.b.note ?? ''})` : ''}`,
    `predicted slowdown from the passive estimate${p.predicted_from === 'pairs' ? ` (median over ${p.pairs_predicted} pairs, each phase estimated alone)` : ''}: ${iv(p.predicted_slowdown)}${covers(p.interval_covers_measured)}` +
      (p.interval_covers_measured === false && p.intervals_overlap !== null
        ? p.intervals_overlap
          ? '; the two intervals overlap'
          : '; the two intervals do not overlap'
        : ''),
    ...(p.predicted_from === 'pairs' ? [`  from the pooled phases: ${iv(p.predicted_slowdown_pooled)}`] : []),
    ...(p.predicted_is_lower_bound
      ? [
          `  a lower bound: B's periods never had a quiet moment, so what persists between interrupts is not counted (${p.lower_bound_holds === null ? 'no measured slowdown to hold it to' : p.lower_bound_holds ? 'the measured slowdown is above it' : 'the measured slowdown is NOT above it'})`,
        ]
      : []),
    `hypervisor steal on the workload's CPU: A ${pct(st.a_median)}, B ${pct(st.b_median)} (alone a ${pct(st.slowdown)} slowdown; no guest interrupt, so not in the estimate)`,
    `predicted with steal: ${iv(st.predicted_slowdown_with_steal)}${covers(st.interval_covers_measured)}` +
      (st.direct_only ? ' (interrupts too rare to estimate counted at their handler time only)' : ''),
    '',
  ].join('\n');
}

export function registerExperimentCommand(program: Command): void {
  program
    .command('experiment')
    .description(
      "measure what a change costs or buys: conditions A and B alternate in short phases while the workload's throughput is measured",
    )
    .argument('[command...]', 'the workload to run, after -- (an epoll server); or --workload echo')
    .option('--load <cmd>', 'B runs this command (started each B phase, stopped after it), e.g. a disk load')
    .option(
      '--pin-under <irq>',
      'B pins the workload to the CPUs taking this IRQ (a name in /proc/interrupts); A to the others',
    )
    .option('--sysctl <key=value...>', 'B sets these sysctls, A keeps their values (restored at the end)')
    .option(
      '--sysfs <path=value...>',
      'B writes these sysfs files (e.g. /sys/class/net/eth0/napi_defer_hard_irqs=2), A keeps them',
    )
    .option(
      '--coalesce <dev:param=value...>',
      "B sets the NIC's interrupt coalescing with ethtool -C (e.g. eth0:rx-usecs=50 eth0:adaptive-rx=off), A keeps what ethtool -c shows",
    )
    .option(
      '--napi <dev:key=value...>',
      "B sets these on every NAPI instance of the device over netlink (irq-suspend-timeout, defer-hard-irqs, gro-flush-timeout), A keeps each one's",
    )
    .option(
      '--workload <name>',
      'built-in workload: spin (epoll_wait then a fixed pointer chase, self-driven, on --cpu) or echo (epoll echo server, its client on another CPU)',
    )
    .addOption(new Option('--cpu <n>', 'echo: the server CPU').argParser(positiveIntOrZero))
    .addOption(
      new Option('--work <steps>', 'spin/echo: pointer-chase steps per busy period')
        .default(2000)
        .argParser(positiveInt('--work')),
    )
    .addOption(
      new Option('--wss-kb <kb>', 'spin/echo: working set (16 = L1-resident)')
        .default(4096)
        .argParser(positiveInt('--wss-kb')),
    )
    .addOption(new Option('--conns <n>', 'echo: client connections').default(4).argParser(positiveInt('--conns', 256)))
    .addOption(
      new Option('--phase-s <s>', 'length of each measured phase')
        .default(1)
        .argParser(positiveNumber('--phase-s', 600)),
    )
    .addOption(
      new Option('--settle-s <s>', 'time dropped after each switch')
        .default(0.2)
        .argParser(positiveNumber('--settle-s', 60)),
    )
    .addOption(
      new Option('--pairs <n>', 'A/B pairs (each in a random order)')
        .default(20)
        .argParser(positiveInt('--pairs', 1000)),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the phase order and the bootstrap').default(1).argParser(positiveInt('--seed')),
    )
    .option('--json', 'JSON output (schema irqlens.experiment/1, docs/experiment-schema.md)')
    .addHelpText(
      'after',
      `
Every change is undone at the end, on Ctrl-C and SIGTERM, and after kill -9 of irqlens (a restorer
process puts the values back and stops the load). Needs root.

Examples:
  # what the disk's interrupts cost a workload on the CPU that takes them (virtio1-req.0 on CPU 1)
  irqlens experiment --workload spin --cpu 1 --load 'taskset -c 0 dd if=/dev/zero of=/var/tmp/x bs=4k count=100000 oflag=direct'
  # what moving a server away from an IRQ buys (IRQ packing)
  irqlens experiment --pin-under virtio1-req.0 --load '...' -- ./my-server
  # deferring hard IRQs (napi_defer_hard_irqs + gro_flush_timeout) on eth0
  irqlens experiment --sysfs /sys/class/net/eth0/napi_defer_hard_irqs=2 --sysfs /sys/class/net/eth0/gro_flush_timeout=200000 -- ./my-server
  # what coalescing eth0's receive interrupts (50 us) buys a server
  irqlens experiment --coalesce eth0:adaptive-rx=off eth0:rx-usecs=50 -- ./my-server
  # IRQ suspension (Linux 6.13; the server must use epoll with prefer_busy_poll): 20 ms, deferral 100, flush 50 us
  irqlens experiment --napi eth0:irq-suspend-timeout=20000000 eth0:defer-hard-irqs=100 eth0:gro-flush-timeout=50000 -- ./my-server`,
    )
    .action(async (argv: string[], o: ExperimentOpts) => {
      if (process.getuid?.() !== 0)
        throw new UsageError('experiment changes the machine and loads probes: run it as root');
      if (o.workload !== undefined && o.workload !== 'echo' && o.workload !== 'spin')
        throw new UsageError(`--workload: '${o.workload}' is not a built-in workload (spin, echo)`);
      if (!o.workload && !argv.length)
        throw new UsageError("give the workload: --workload echo, or a command after '--'");
      if (o.workload && argv.length) throw new UsageError('give either --workload or a command after --, not both');
      const n = cpus().length;
      const serverCpu = o.cpu ?? n - 1;
      if (serverCpu >= n) throw new UsageError(`--cpu: ${serverCpu} is not a CPU of this machine (0..${n - 1})`);
      const cleanup = onInterrupt(() => Promise.resolve(), 'cut-short');
      try {
        const r = await runExperiment({
          ...(o.load !== undefined ? { load: o.load } : {}),
          ...(o.pinUnder !== undefined ? { pinUnder: o.pinUnder } : {}),
          sysctl: o.sysctl ?? [],
          sysfs: o.sysfs ?? [],
          coalesce: o.coalesce ?? [],
          napi: o.napi ?? [],
          workload:
            o.workload === 'spin' || o.workload === 'echo'
              ? {
                  builtin: o.workload,
                  serverCpu,
                  clientCpu: (serverCpu + 1) % n,
                  work: o.work,
                  wssKb: o.wssKb,
                  conns: o.conns,
                }
              : { argv },
          phaseS: o.phaseS,
          settleS: o.settleS,
          pairs: o.pairs,
          seed: o.seed,
          onProgress: (l) => process.stderr.write(`${l}\n`),
        });
        process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : text(r));
      } finally {
        cleanup();
      }
    });
}

function positiveIntOrZero(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--cpu: '${v}' is not a CPU number`);
  return Number(v);
}
