#!/usr/bin/env -S node --max-semi-space-size=8
// irqlens command line: wires commands to their modules; no logic here.
import { Command, CommanderError } from 'commander';
import { fail, UsageError } from './common/errors.js';
import { registerSnapshotCommand } from './commands/snapshot.js';
import { registerTopCommand } from './commands/top.js';
import { registerReportCommand } from './commands/report.js';
import { registerCostCommand } from './commands/cost.js';
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

registerTopCommand(program);
registerSnapshotCommand(program);
registerReportCommand(program);
registerCostCommand(program);
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
