#!/usr/bin/env node
// irqlens command line: wires commands to their modules; no logic here.
import { Command, CommanderError, Option } from 'commander';
import { fail, UsageError } from './errors.js';
import { positiveInt, positiveNumber, probeOptionList } from './probe-options.js';
import { snapshotCommand, type SnapshotOpts } from './commands/snapshot.js';
import { topCommand, type TopOpts } from './commands/top.js';

const program = new Command();
program
  .name('irqlens')
  .description('What hardware interrupts cost a networked workload (eBPF).')
  .version('0.1.0')
  .showHelpAfterError('(run irqlens --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (str) => process.stderr.write(str.replace(/^error: /, 'irqlens: ')) })
  .addHelpText('after', `
Examples:
  irqlens                          live per-second summary of this machine's interrupts
  irqlens snapshot --duration 5    totals over 5 seconds
  irqlens snapshot --json | jq .irqs   the same as JSON (schema irqlens.snapshot/1)

Needs root, or once: setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep build/irqlens-helper`);

function withProbeOptions(c: Command): Command {
  for (const o of probeOptionList()) c.addOption(o);
  return c;
}

withProbeOptions(
  program
    .command('top', { isDefault: true })
    .description('live per-interval summary of interrupts, softirqs, system vectors and NAPI (default command)')
    .addOption(new Option('--interval <seconds>', 'refresh interval').default(1).argParser(positiveNumber('--interval')))
    .addOption(new Option('--count <n>', 'stop after n intervals').argParser(positiveInt('--count')))
    .argument('[command...]'),
).action((extra: string[], o: TopOpts) => {
  // `top` is the default command, so a mistyped command name lands here
  if (extra.length) throw new UsageError(`unknown command '${extra[0] ?? ''}' (commands: ${program.commands.map((c) => c.name()).join(', ')})`);
  return topCommand(o);
});

withProbeOptions(
  program
    .command('snapshot')
    .description('interrupt, softirq, vector, NAPI and epoll totals over a window')
    .addOption(new Option('--duration <seconds>', 'window length').default(5).argParser(positiveNumber('--duration')))
    .option('--json', 'JSON output (schema irqlens.snapshot/1, see docs/snapshot-schema.md)')
    .addHelpText('after', '\nExamples:\n  irqlens snapshot --duration 10\n  irqlens snapshot --duration 2 --json > window.json'),
).action((o: SnapshotOpts) => snapshotCommand(o));

async function main(): Promise<void> {
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

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`irqlens: ${e.message}\n(run irqlens --help for usage)\n`);
    process.exit(2);
  }
  fail(e);
});
