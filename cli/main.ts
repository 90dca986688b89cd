#!/usr/bin/env node
// irqlens command line: wires commands to their modules; no logic here.
import { Command, CommanderError, Option } from 'commander';
import { fail, UsageError } from './common/errors.js';
import { positiveInt, positiveNumber, probeOptionList } from './common/probe-options.js';
import { snapshotCommand, type SnapshotOpts } from './commands/snapshot.js';
import { topCommand, type TopOpts } from './commands/top.js';
import { reportCommand, type ReportOpts } from './commands/report.js';
import { costCommand, type CostOpts } from './commands/cost.js';
import { registerOfflineCommands } from './commands/register-offline.js';
import { registerServeCommand } from './commands/serve.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExperimentCommand } from './commands/experiment.js';

const program = new Command();
program
  .name('irqlens')
  .description('What hardware interrupts cost a networked workload (eBPF).')
  .version('0.1.0')
  .showHelpAfterError('(run irqlens --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (str) => process.stderr.write(str.replace(/^error: /, 'irqlens: ')) })
  .addHelpText(
    'after',
    `
Examples:
  irqlens                          live per-second summary of this machine's interrupts
  irqlens snapshot --duration 5    totals over 5 seconds
  irqlens snapshot --json | jq .irqs   the same as JSON (schema irqlens.snapshot/1)
  irqlens cost --workload echo     what interrupts cost an epoll echo server (start here)
  irqlens report --comm nginx      what interrupts cost a running process

Needs root, or once: setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep build/irqlens-helper`,
  );

function withProbeOptions(c: Command): Command {
  for (const o of probeOptionList()) c.addOption(o);
  return c;
}

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
      'never turn BPF run-time statistics on (by default they are sampled, 1 s in every 10: while on they slow every BPF program; the status line then has no ns/event)',
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

withProbeOptions(
  program
    .command('snapshot')
    .description('interrupt, softirq, vector, NAPI and epoll totals over a window')
    .addOption(new Option('--duration <seconds>', 'window length').default(5).argParser(positiveNumber('--duration')))
    .option('--json', 'JSON output (schema irqlens.snapshot/1, see docs/snapshot-schema.md)')
    .addHelpText(
      'after',
      '\nExamples:\n  irqlens snapshot --duration 10\n  irqlens snapshot --duration 2 --json > window.json',
    ),
).action((o: SnapshotOpts) => snapshotCommand(o));

program
  .command('report')
  .description("a live window: where each CPU's time went and what interrupts cost each epoll workload")
  .addOption(new Option('--duration <seconds>', 'window length').default(10).argParser(positiveNumber('--duration')))
  .addOption(new Option('--pid <tgid>', 'the workload process').argParser(positiveInt('--pid', 2 ** 30)))
  .option('--cgroup <path>', 'the workload cgroup (v2 directory)')
  .option('--comm <name>', 'the workload process name')
  .addOption(
    new Option('--runs <n>', 'repeat the measurement n times; report median and spread')
      .default(1)
      .argParser(positiveInt('--runs', 100)),
  )
  .option('--json', 'JSON output (schema irqlens.report/1, see docs/report-schema.md)')
  .addHelpText(
    'after',
    '\nExamples:\n  irqlens report --comm memcached --duration 20\n  irqlens report --pid 1234 --json > cost.json',
  )
  .action((o: ReportOpts) => reportCommand(o));

program
  .command('cost')
  .description('run a command (or a built-in workload) and report what interrupts cost it')
  .argument('[command...]', 'the command to run and trace, after --')
  .option(
    '--workload <name>',
    'a built-in workload on loopback: echo (epoll echo server) or memcached (with memcaslap)',
  )
  .addOption(
    new Option(
      '--duration <seconds>',
      'load duration for --workload; with a command, stop it after this long (default: until it exits)',
    )
      .default(10)
      .argParser(positiveNumber('--duration')),
  )
  .addOption(
    new Option('--runs <n>', 'repeat n times; report median and spread')
      .default(1)
      .argParser(positiveInt('--runs', 100)),
  )
  .addOption(
    new Option('--work <steps>', 'echo: pointer-chase steps per request')
      .default(2000)
      .argParser(positiveInt('--work')),
  )
  .addOption(
    new Option('--wss-kb <kb>', 'echo: working-set size (16 = L1-resident control)')
      .default(1024)
      .argParser(positiveInt('--wss-kb')),
  )
  .addOption(new Option('--conns <n>', 'client connections').default(4).argParser(positiveInt('--conns', 256)))
  .addOption(
    new Option('--cpu <n>', 'CPU for the server (the client gets another)').argParser((v) => Number.parseInt(v, 10)),
  )
  .option('--json', 'JSON output (schema irqlens.report/1)')
  .addHelpText(
    'after',
    '\nExamples:\n  irqlens cost --workload echo --duration 10\n  irqlens cost --workload echo --cpu 1 --wss-kb 16     # L1-resident control\n  irqlens cost --runs 5 -- ./my-server --port 8080',
  )
  .action((argv: string[], o: CostOpts, cmd: Command) =>
    costCommand(argv, { ...o, durationGiven: cmd.getOptionValueSource('duration') === 'cli' }),
  );

registerOfflineCommands(program);
registerServeCommand(program);
registerExperimentCommand(program);
registerDoctorCommand(program);

async function main(): Promise<void> {
  // `help NAME` of a command that does not exist is a usage error, not the whole help
  const [verb, topic] = process.argv.slice(2);
  if (verb === 'help' && topic !== undefined && !program.commands.some((c) => c.name() === topic)) {
    throw new UsageError(
      `help: unknown command '${topic}' (commands: ${program.commands.map((c) => c.name()).join(', ')})`,
    );
  }
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end with code 0; usage errors were already printed
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    throw e;
  }
}

// a closed stdout or stderr (`irqlens top --plain | head -2`) ends the command quietly
for (const s of [process.stdout, process.stderr]) s.on('error', fail);

main().catch(fail);
