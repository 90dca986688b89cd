// `irqlens cost`: run a command (or a built-in workload), trace it and its
// children, and report what interrupts cost it.
import { Option, type Command } from 'commander';
import { positiveInt, positiveNumber } from '../common/probe-options.js';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { commandExists, makeCgroup, removeCgroup, startCommand, type Child } from '../../src/cost/command.js';
import { cpus } from 'node:os';
import { measure, type Measurement } from '../../src/cost/measure.js';
import { startEcho, startMemcached, type WorkloadResult } from '../../src/cost/workloads.js';
import { buildReport } from '../../src/report/cost-report.js';
import { reportText } from '../../src/report/report-text.js';
import { nicQueues } from '../../src/procfs/nic.js';
import { UsageError } from '../common/errors.js';
import { progress } from './report.js';

export interface CostOpts {
  json?: boolean;
  runs: number;
  workload?: string;
  duration: number;
  /** --duration was given (with a command: stop it after that long; without, the command's own end). */
  durationGiven?: boolean;
  work: number;
  wssKb: number;
  conns: number;
  cpu?: number;
}

/** True when `pid` is `ancestor` or one of its descendants (fallback without cgroups). */
function descendantOf(ancestor: number, pid: number, cache: Map<number, boolean>): boolean {
  const known = cache.get(pid);
  if (known !== undefined) return known;
  let cur = pid;
  let found = false;
  for (let i = 0; i < 64 && cur > 1; i++) {
    if (cur === ancestor) {
      found = true;
      break;
    }
    try {
      const m = /^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${cur}/stat`, 'utf8'));
      cur = m?.[1] ? Number(m[1]) : 0;
    } catch {
      break;
    }
  }
  cache.set(pid, found);
  return found;
}

async function costOfCommand(argv: string[], o: CostOpts): Promise<void> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new UsageError("give a command after '--', e.g. irqlens cost -- ./server --port 8080");
  if (!(await commandExists(cmd))) throw new UsageError(`cannot run '${cmd}': no such command or file`);
  const runs: Measurement[] = [];
  let exitCode = 0;
  for (let i = 0; i < o.runs; i++) {
    const cg = makeCgroup(`cost-${i}`);
    if (!cg && i === 0)
      process.stderr.write(
        'irqlens: no cgroup v2 (or not root): tracing the command and the children it still has when they are seen\n',
      );
    const seen = new Map<number, boolean>();
    let child: Child | undefined;
    let done: Promise<unknown> = Promise.resolve();
    let cutShort = false;
    let timer: NodeJS.Timeout | undefined;
    // --duration bounds the window; the command is stopped when it runs longer
    const limit = o.durationGiven
      ? new Promise<void>(
          (r) =>
            (timer = setTimeout(() => {
              cutShort = true;
              r();
            }, o.duration * 1000)),
        )
      : undefined;
    try {
      runs.push(
        await measure({
          ...(cg ? { cgroup: cg, ownCgroup: true } : {}),
          onReady: () => {
            // join the cgroup before exec, so every process the command starts is inside it
            child = startCommand([cmd, ...args], cg);
            done = child;
          },
          get until() {
            return limit ? Promise.race([done, limit]) : done;
          },
          ...(cg ? {} : { accept: (tgid: number) => child?.pid !== undefined && descendantOf(child.pid, tgid, seen) }),
          onProgress: progress(
            !o.json && process.stderr.isTTY,
            `tracing ${cmd}${o.runs > 1 ? ` (run ${i + 1}/${o.runs})` : ''}`,
          ),
        }),
      );
      if (cutShort && child && child.exitCode === null) child.kill('SIGTERM');
      const r = (await done) as { exitCode?: number; failed?: boolean; code?: string } | undefined;
      if (r?.code === 'ENOENT') throw new UsageError(`cannot run '${cmd}': command not found`);
      // a command we stopped at --duration did not fail
      if (!cutShort) exitCode = r?.exitCode ?? exitCode;
    } finally {
      clearTimeout(timer);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (cg) await removeCgroup(cg);
    }
  }
  if (!process.stderr.isTTY || o.json) {
    // progress lines are TTY-only
  } else process.stderr.write('\r\x1b[K');
  const r = buildReport(runs, { queues: nicQueues(), extra: { command: argv } });
  process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : reportText(r));
  if (exitCode) process.exitCode = exitCode;
}

async function costOfWorkload(name: string, o: CostOpts): Promise<void> {
  const n = cpus().length;
  const serverCpu = o.cpu ?? 0;
  if (serverCpu < 0 || serverCpu >= n)
    throw new UsageError(`--cpu: ${serverCpu} is not a CPU of this machine (0..${n - 1})`);
  const wo = {
    durationS: o.duration,
    serverCpu,
    clientCpu: n > 1 ? (serverCpu + 1) % n : serverCpu,
    work: o.work,
    wssKb: o.wssKb,
    conns: o.conns,
  };
  const runs: Measurement[] = [];
  const results: WorkloadResult[] = [];
  let tgid = 0;
  if (n > 1) {
    // Node's own decoding stays off the measured CPU too
    const others = Array.from({ length: n }, (_, c) => c)
      .filter((c) => c !== serverCpu)
      .join(',');
    await execa('taskset', ['-a', '-p', '-c', others, String(process.pid)], { reject: false });
  }
  for (let i = 0; i < o.runs; i++) {
    const w = name === 'echo' ? await startEcho(wo) : await startMemcached(wo);
    tgid = w.pid;
    let load: Promise<WorkloadResult> | undefined;
    try {
      runs.push(
        await measure({
          pid: w.pid,
          // the tool's own polling stays off the measured CPU
          ...(n > 1 ? { cpus: Array.from({ length: n }, (_, c) => c).filter((c) => c !== serverCpu) } : {}),
          onReady: () => {
            load = w.load();
          },
          get until() {
            return load;
          },
          onProgress: progress(
            !o.json && process.stderr.isTTY,
            `${name}${o.runs > 1 ? ` run ${i + 1}/${o.runs}` : ''}`,
            o.duration * 1000,
          ),
        }),
      );
      if (load) results.push(await load);
    } finally {
      await w.stop();
    }
  }
  if (!o.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const rps = results.map((r) => r.rps);
  const r = buildReport(runs, {
    tgids: [tgid],
    queues: nicQueues(),
    extra: { workload: { ...results[results.length - 1], rps_runs: rps } },
  });
  if (o.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  const last = results[results.length - 1];
  let text = reportText(r);
  if (last) {
    const lat = Object.entries(last.latency_us)
      .map(([k, v]) => `${k} ${v} us`)
      .join(', ');
    text += `\n${name} throughput: ${Math.round(last.rps)} requests/s${rps.length > 1 ? ` (runs: ${rps.map((x) => Math.round(x)).join(', ')})` : ''}${lat ? `; latency ${lat}` : ''}\n`;
    text += `settings: ${Object.entries(last.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`;
  }
  process.stdout.write(text);
}

export async function costCommand(argv: string[], o: CostOpts): Promise<void> {
  if (o.workload !== undefined) {
    if (argv.length) throw new UsageError('give either --workload or a command after --, not both');
    if (o.workload !== 'echo' && o.workload !== 'memcached')
      throw new UsageError(`--workload: '${o.workload}' is not a built-in workload (echo, memcached)`);
    await costOfWorkload(o.workload, o);
    return;
  }
  await costOfCommand(argv, o);
}

/** Adds `irqlens cost` to the program. */
export function registerCostCommand(program: Command): void {
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
}
