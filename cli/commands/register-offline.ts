// Registers the recording commands (record, replay, slice, export, compare)
// and `report FILE` on the CLI. Kept apart from main.ts so the live commands
// and these evolve independently.
import { Command, Option } from 'commander';
import { UsageError } from '../common/errors.js';
import { positiveInt, positiveNumber, probeOptionList } from '../common/probe-options.js';
import { reportCommand, reportFileCommand, type ReportOpts } from './report.js';
import { recordCommand, type RecordOpts } from './record.js';
import { sliceCommand, type SliceOpts } from './slice.js';
import { exportCommand, type ExportOpts } from './export.js';
import { compareCommand, type CompareOpts } from './compare.js';
import { replayCommand, type ReplayOpts } from './replay.js';
import { htmlReport } from '../../src/serve/html-report.js';
import { writeOutput } from '../../src/output/safe-output.js';
import { closeRecording, openRecording } from '../common/recording.js';

function registerRecord(program: Command): void {
  const c = program
    .command('record')
    .description(
      'record the probe stream to a file, with the NIC and kernel settings, for report/replay/slice/export/compare',
    )
    .argument('[command...]', 'a command to run and trace, after --')
    .requiredOption('-o, --output <file>', 'the recording to write')
    .addOption(
      new Option('--duration <seconds>', 'stop after this long (default: Ctrl-C, or when the command exits)').argParser(
        positiveNumber('--duration'),
      ),
    );
  for (const o of probeOptionList('record')) c.addOption(o);
  c.option(
    '--workloads',
    "also record epoll busy periods for report's interrupt tax (implied by --pid, --cgroup or a command; more CPU on a busy server)",
  )
    .option(
      '--all-probes',
      'attach every probe: NAPI polls, epoll and softirq raise-to-run latency too, for the NIC tables of report and replay (by default only what the recorded kinds need; they cost a busy server a few percent, see BENCHMARKS.md)',
    )
    .addOption(
      // a snapshot a second: at five a second record's own processes took 2.2% of a CPU under load
      // against 1.4% (BENCHMARKS.md 2026-12-07); the per-event records keep their microseconds
      new Option(
        '--snapshot-ms <ms>',
        'snapshot interval: the time resolution of rates and totals offline (per-event records keep theirs)',
      )
        .default(1000)
        .argParser(positiveInt('--snapshot-ms', 60_000)),
    )
    .addOption(new Option('--compression <codec>', 'deflate, brotli (smaller, slower) or none').default('deflate'))
    .option('--force', 'overwrite the output file')
    .addOption(
      new Option('--stop-with-stdin', 'stop when stdin closes (for the program that started the recording)').hideHelp(),
    )
    .option('--json', 'print a JSON summary of the recording on stdout')
    .addHelpText(
      'after',
      `
Ctrl-C or SIGTERM stops the recording cleanly (the file gets its index). A recording that was killed
outright stays readable up to its last chunk (at most a second is lost).

By default a recording costs a busy server less than libbpf-tools' hardirqs + softirqs (BENCHMARKS.md):
every interrupt, softirq and system vector counted, hardirq, vector and drop records. Busy periods
(report's interrupt tax) come with --workloads or a named workload; NAPI polls and micro-bursts with
--records burst (or napi); everything with --all-probes or --records all.

Examples:
  irqlens record -o run.irqrec --duration 30                     # interrupts, softirqs, drops
  irqlens record -o nginx.irqrec --pid $(pidof -s nginx) --duration 60   # + nginx's busy periods and tax
  irqlens record -o srv.irqrec -- ./server --port 8080           # + the server's tax, until it exits
  irqlens record -o all.irqrec --workloads --duration 30         # + every epoll workload's tax
  irqlens record -o nic.irqrec --records hardirq,vector,drop,burst --duration 30   # + NAPI polls, micro-bursts
  irqlens record -o bursts.irqrec --records all --duration 10   # every softirq run and NAPI poll too (100 us burst bins in serve)
Then: irqlens report run.irqrec, irqlens replay run.irqrec, irqlens export run.irqrec --format perfetto -o run.json`,
    )
    .action((argv: string[], o: RecordOpts) => recordCommand(argv, o));
}

function extendReport(program: Command): void {
  const report = program.commands.find((c) => c.name() === 'report');
  if (!report) return;
  report
    .argument('[file]', 'a recording (irqlens record) to report on instead of measuring live')
    .option(
      '--html <out>',
      'with a recording: one self-contained HTML file with the report and its charts (docs/web.md)',
    )
    .option('--force', 'with --html: overwrite an existing file (never the recording itself)')
    .addHelpText('after', '  irqlens report run.irqrec --json       the same report from a recording')
    .action(async (file: string | undefined, o: ReportOpts & { html?: string; force?: boolean }, cmd: Command) => {
      if (file === undefined) {
        if (o.html !== undefined) throw new UsageError('--html needs a recording: irqlens report FILE --html OUT.html');
        await reportCommand(o);
        return;
      }
      for (const live of ['duration', 'runs', 'cgroup']) {
        if (cmd.getOptionValueSource(live) === 'cli')
          throw new UsageError(
            `--${live} is for live reports; a recording's window is what it recorded (cut it with irqlens slice)`,
          );
      }
      const html = o.html;
      if (html !== undefined)
        writeOutput(html, { force: o.force ?? false, inputs: [file] }, (p) => {
          const rec = openRecording(file);
          try {
            return htmlReport(rec, file, p, o);
          } finally {
            closeRecording(rec);
          }
        });
      else reportFileCommand(file, o);
    });
}

function seconds(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || v.trim() === '')
      throw new UsageError(`${name}: '${v}' is not a time in seconds from the recording's start`);
    return n;
  };
}

function cpuList(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m?.[1]) throw new UsageError(`--cpu: '${v}' is not a CPU list (e.g. 0,2-3)`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a || b - a > 4096) throw new UsageError(`--cpu: '${part}' is not a CPU range`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function registerSlice(program: Command): void {
  program
    .command('slice')
    .description('cut a recording by time, CPU, IRQ or device into a new recording')
    .argument('<file>', 'the recording')
    .requiredOption('-o, --output <file>', 'the slice to write')
    .addOption(
      new Option('--from <seconds>', "start, in seconds from the recording's start").argParser(seconds('--from')),
    )
    .addOption(new Option('--to <seconds>', "end, in seconds from the recording's start").argParser(seconds('--to')))
    .addOption(new Option('--cpu <list>', 'keep only these CPUs (e.g. 0,2-3)').argParser(cpuList))
    .addOption(
      new Option(
        '--irq <list>',
        'keep only these device IRQs: numbers or names (a name matches every IRQ whose name contains it)',
      ).argParser(list),
    )
    .addOption(
      new Option('--dev <list>', "keep only these network devices' NAPI instances, bursts and queue IRQs").argParser(
        list,
      ),
    )
    .option('--force', 'overwrite the output file')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      `
The cut is on snapshot boundaries: from the last snapshot at or before --from to the last one at or
before --to, with every frame that arrived between them. Snapshots are cumulative, so the slice starts
with a baseline snapshot holding everything up to --from and report on the slice covers exactly its
window. Times stay on the original recording's clock (a slice of a slice is the same as one slice). --irq and --dev filter device interrupts and NAPI only;
softirqs, system vectors and busy periods are kept (filter those by --cpu).

Examples:
  irqlens slice run.irqrec -o peak.irqrec --from 10 --to 20
  irqlens slice run.irqrec -o cpu1.irqrec --cpu 1
  irqlens slice run.irqrec -o nic.irqrec --dev eth0 --from 5`,
    )
    .action((file: string, o: SliceOpts) => sliceCommand(file, o));
}

function registerExport(program: Command): void {
  program
    .command('export')
    .description('a recording as a Perfetto trace (JSON) or per-interval CSV tables')
    .argument('<file>', 'the recording')
    .requiredOption('-o, --output <file>', "where to write ('-' for stdout)")
    .addOption(new Option('--format <format>', 'perfetto (Chrome trace-event JSON) or csv').default('perfetto'))
    .addOption(new Option('--table <table>', 'csv: cpus, irqs, softirqs, vectors, napi or threads').default('cpus'))
    .addOption(
      new Option('--interval <seconds>', 'csv: join snapshot intervals into rows at least this long').argParser(
        positiveNumber('--interval'),
      ),
    )
    .option('--force', 'overwrite the output file')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      `
perfetto: one track per CPU for device IRQs + system vectors, softirqs and NAPI polls (slices named by
IRQ name, vector or device); per traced thread its busy periods and epoll waits; counter tracks of
per-interval rates (hardirq/s, vectors/s, softirq/s, NET_RX/s, interrupt time %, NAPI packets/s);
instants for micro-bursts and lost records. Per-event tracks need the records (record --records all).

Examples:
  irqlens export run.irqrec --format perfetto -o run.json     # then open it in https://ui.perfetto.dev
  irqlens export run.irqrec --format csv --table irqs --interval 1 -o irqs.csv
  irqlens export run.irqrec --format csv -o - | column -s, -t`,
    )
    .action((file: string, o: ExportOpts) => exportCommand(file, o));
}

function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'two recordings side by side: rates, interrupt tax, throughput and latency, and which differences are beyond noise',
    )
    .argument('<a>', 'the baseline recording')
    .argument('<b>', 'the recording to compare with it')
    .addOption(
      new Option('--interval <seconds>', 'sample length for the noise test (snapshot intervals are joined up to it)')
        .default(1)
        .argParser(positiveNumber('--interval')),
    )
    .option('--json', 'JSON output (schema irqlens.compare/1, see docs/recording-format.md)')
    .addHelpText(
      'after',
      `
Each figure is compared per interval: a 95% bootstrap interval of B - A over the recordings' intervals;
a difference is beyond noise when that interval excludes zero (needs 5 intervals on each side).
Rows are matched by name (IRQ name, vector, device and CPU, process name), so recordings from
different boots or machines compare. Settings that differ (sysctls, NIC settings, IRQ affinity) come first.

Examples:
  irqlens compare before.irqrec after.irqrec
  irqlens compare --interval 2 busy-poll-off.irqrec busy-poll-on.irqrec --json | jq '.irqs'`,
    )
    .action((a: string, b: string, o: CompareOpts) => compareCommand(a, b, o));
}

function speed(v: string): number {
  if (v === 'max' || v === '0') return Infinity;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--speed: '${v}' is not a positive number or 'max'`);
  return n;
}

function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('the live per-interval summary, driven by a recording at its own pace')
    .argument('<file>', 'the recording')
    .addOption(
      new Option('--speed <x>', "times real time, or 'max' for as fast as it reads").default(1).argParser(speed),
    )
    .addOption(
      new Option('--interval <seconds>', 'summary interval').default(1).argParser(positiveNumber('--interval')),
    )
    .addOption(
      new Option('--from <seconds>', 'skip to this time (seconds from the start) without waiting').argParser(
        seconds('--from'),
      ),
    )
    .addOption(new Option('--to <seconds>', 'stop at this time').argParser(seconds('--to')))
    .addHelpText(
      'after',
      `
Examples:
  irqlens replay run.irqrec                   # as it happened
  irqlens replay run.irqrec --speed 10 --from 30
  irqlens replay run.irqrec --speed max > summary.txt`,
    )
    .action((file: string, o: ReplayOpts) => replayCommand(file, o));
}

export function registerOfflineCommands(program: Command): void {
  registerReplay(program);
  registerCompare(program);
  registerExport(program);
  registerRecord(program);
  registerSlice(program);
  extendReport(program);
}
