// `irqlens report`: a live window, per-CPU split and each epoll workload's interrupt cost.
import { Option, type Command } from 'commander';
import { positiveInt, positiveNumber } from '../common/probe-options.js';
import { cgroupProblem } from '../../src/procfs/cgroup.js';
import { readdirSync, readFileSync } from 'node:fs';
import { measure, type Measurement } from '../../src/cost/measure.js';
import { buildReport } from '../../src/report/cost-report.js';
import { reportText } from '../../src/report/report-text.js';
import { nicQueues } from '../../src/procfs/nic.js';
import { UsageError } from '../common/errors.js';
import { onInterrupt } from '../common/signals.js';
import { closeRecording, openRecording } from '../common/recording.js';
import { measurementOf } from '../../src/record/offline.js';

export interface ReportOpts {
  duration: number;
  pid?: number;
  cgroup?: string;
  comm?: string;
  json?: boolean;
  runs: number;
}

export function pidsByComm(name: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export function progress(enabled: boolean, label: string, totalMs?: number): (ms: number) => void {
  return (ms) => {
    if (enabled)
      process.stderr.write(
        `\r${label}: ${(ms / 1000).toFixed(1)}${totalMs ? ` / ${(totalMs / 1000).toFixed(0)}` : ''} s \x1b[K`,
      );
  };
}

export async function reportCommand(o: ReportOpts): Promise<void> {
  if ([o.pid, o.cgroup, o.comm].filter((x) => x !== undefined).length > 1)
    throw new UsageError('give at most one of --pid, --cgroup, --comm');
  const cgProblem = o.cgroup !== undefined ? cgroupProblem(o.cgroup) : null;
  if (cgProblem)
    throw new UsageError(`--cgroup: ${cgProblem} (give a cgroup v2 directory, e.g. /sys/fs/cgroup/system.slice)`);
  let accept: ((tgid: number) => boolean) | undefined;
  let pid = o.pid;
  if (o.comm !== undefined) {
    const pids = pidsByComm(o.comm);
    if (!pids.length) throw new UsageError(`--comm: no running process is named '${o.comm}'`);
    if (pids.length === 1) pid = pids[0];
    else accept = (tgid) => pids.includes(tgid);
  }
  if (pid !== undefined) {
    try {
      readFileSync(`/proc/${pid}/comm`);
    } catch {
      throw new UsageError(`--pid: no process ${pid}`);
    }
  }
  let stopping = false;
  const cleanup = onInterrupt(() => {
    stopping = true;
    return Promise.resolve();
  }, 'cut-short');
  const runs: Measurement[] = [];
  const tty = !o.json && process.stderr.isTTY;
  try {
    for (let i = 0; i < o.runs && !stopping; i++) {
      runs.push(
        await measure({
          ...(pid !== undefined ? { pid } : {}),
          ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
          ...(accept ? { accept } : {}),
          durationMs: o.duration * 1000,
          onProgress: progress(tty, `measuring${o.runs > 1 ? ` run ${i + 1}/${o.runs}` : ''}`, o.duration * 1000),
        }),
      );
    }
  } finally {
    cleanup();
    if (tty) process.stderr.write('\r\x1b[K');
  }
  for (const w of runs.flatMap((m) => m.warnings)) process.stderr.write(`irqlens: ${w}\n`);
  const r = buildReport(runs, { ...(pid !== undefined ? { tgids: [pid] } : {}), queues: nicQueues() });
  process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : reportText(r));
}

/* ---- `irqlens report FILE`: the same report from a recording (src/record) ---- */

export function reportFileCommand(file: string, o: ReportOpts): void {
  const rec = openRecording(file);
  try {
    const comm = o.comm;
    const m = measurementOf(rec);
    // as live: --pid (or the process the recording traced) names the workload; --comm picks by name
    const target = o.pid ?? (rec.hello.targetTgid || undefined);
    const byComm =
      comm === undefined
        ? undefined
        : [...m.collector.comms]
            .filter(([, c]) => c === comm)
            .map(([t]) => t)
            .sort((a, b) => a - b);
    if (byComm && !byComm.length) throw new UsageError(`--comm: no process in ${file} is named '${comm ?? ''}'`);
    const tgids = target !== undefined ? [target] : byComm;
    for (const w of m.warnings) process.stderr.write(`irqlens: ${w}\n`);
    const r = buildReport([m], { ...(tgids ? { tgids } : {}), queues: rec.header.settings?.queues ?? [] });
    process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : reportText(r));
  } finally {
    closeRecording(rec);
  }
}

/** Adds `irqlens report` to the program. */
export function registerReportCommand(program: Command): void {
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
}
