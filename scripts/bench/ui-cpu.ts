// Benchmark: CPU of the `irqlens top` UI process at the default 1 s refresh,
// on an idle machine and under load, in a real terminal (tmux, 120x40).
//
// Per configuration and repeat: start `irqlens top` in a fresh tmux session,
// wait until it draws its first interval, let it settle (--warmup), then read
// utime+stime of the Node process and of the helper from /proc over
// --seconds of wall time. 100 = one CPU. "Other CPU%" is busy time of the
// rest of the machine over the same span (contention).
//
// Configurations:
//   idle            the machine as it is (check "other CPU%")
//   load            epoll-spin at --rate calls/s (default 200,000): every call
//                   runs irqlens's epoll programs; aggregated in the kernel
//   load+workloads  the same with `top --workloads --pid <epoll-spin>`: busy
//                   periods streamed into the UI and estimated every 10 s
//   hits+workloads  `top --workloads --pid <epoll-spin>` with epoll-spin at 100
//                   calls/s: it sleeps between calls in short naps, ~20,000 timer
//                   interrupts a second, so the stream is interrupt records
//                   (which are never sampled), not busy periods
//
//   node dist/scripts/bench/ui-cpu.js [--seconds 15] [--warmup 3] [--repeats 3] [--rate 200000]
//        [--configs idle,load,load+workloads,hits+workloads] [--cli PATH] [--md] [--json]
//   --cli runs another build's dist/cli/main.js (with its own helper), for an A/B of two commits
//
// Examples:
//   node dist/scripts/bench/ui-cpu.js
//   node dist/scripts/bench/ui-cpu.js --configs idle --seconds 30 --md
import { existsSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { onInterrupt } from './cleanup.js';
import { descendants, Session } from './tty.js';
import {
  argValue,
  buildPath,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  mdTable,
  median,
  minMax,
  printHeaderHelp,
  procCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
  wantsHelp,
} from './util.js';
import { cliArgv, cliPath } from '../../src/probe/launch.js';

export type Config = 'idle' | 'load' | 'load+workloads' | 'hits+workloads';
const CONFIGS: readonly Config[] = ['idle', 'load', 'load+workloads', 'hits+workloads'];
/** epoll-spin's rate under hits+workloads: slow enough that it naps between calls. */
const NAPPING_RATE = 100;

export interface UiRun {
  config: Config;
  seconds: number;
  uiCpuPct: number;
  helperCpuPct: number;
  otherCpuPct: number;
  /** epoll-spin's measured rate, 0 without load. */
  loadPerSec: number;
}

export interface UiCpuResult {
  machine: Machine;
  command: string;
  seconds: number;
  repeats: number;
  rate: number;
  runs: UiRun[];
}

async function runOne(config: Config, seconds: number, warmup: number, rate: number, cli: string): Promise<UiRun> {
  let spin: ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; reject: false }> | undefined;
  let session: Session | undefined;
  // tmux servers are daemons: Ctrl-C on the bench does not reach them
  const unregister = onInterrupt(async () => {
    await session?.quit();
  });
  try {
    const args = ['top'];
    if (config !== 'idle') {
      // started first so --pid can name it; it waits for "go" and then runs through warm-up and measurement
      const calls = config === 'hits+workloads' ? NAPPING_RATE : rate;
      spin = execa(buildPath('epoll-spin'), ['-w', String(seconds + warmup + 0.5), String(calls)], {
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'pipe',
        reject: false,
      });
      if (spin.pid === undefined) throw new Error('epoll-spin did not start');
      if (config.endsWith('+workloads')) args.push('--workloads', '--pid', String(spin.pid));
    }
    session = await Session.start(`node ${cliArgv(cli).join(' ')} ${args.join(' ')}; exec sleep 600`);
    const end = Date.now() + 30_000;
    while (!/^cost: \S+ ev\/s/m.test(await session.screen())) {
      if (Date.now() > end) throw new Error(`irqlens top did not draw its first interval:\n${await session.screen()}`);
      await sleep(200);
    }
    const procs = descendants(await session.panePid());
    const node = procs.find((p) => p.comm.startsWith('node'));
    const helper = procs.find((p) => p.comm === 'irqlens-helper');
    if (!node || !helper) throw new Error(`no node or helper under the tmux pane: ${JSON.stringify(procs)}`);
    spin?.stdin.end('go\n');
    await sleep(warmup * 1000);
    const n0 = procCpuSeconds(node.pid) ?? 0;
    const h0 = procCpuSeconds(helper.pid) ?? 0;
    const s0 = spin?.pid !== undefined ? (procCpuSeconds(spin.pid) ?? 0) : 0;
    const b0 = systemBusySeconds();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const n1 = procCpuSeconds(node.pid);
    const h1 = procCpuSeconds(helper.pid);
    const s1 = spin?.pid !== undefined ? (procCpuSeconds(spin.pid) ?? s0) : 0;
    const b1 = systemBusySeconds();
    if (n1 === undefined || h1 === undefined)
      throw new Error(`irqlens top exited during the measurement:\n${await session.screen()}`);
    await session.quit();
    session = undefined;
    let loadPerSec = 0;
    if (spin) {
      const r = await spin;
      spin = undefined;
      if (r.exitCode !== 0) throw new Error(`epoll-spin failed: ${r.stderr}`);
      const j = JSON.parse(r.stdout) as { calls: number; seconds: number };
      loadPerSec = j.calls / j.seconds;
    }
    const pct = (x: number) => (x / wall) * 100;
    return {
      config,
      seconds: wall,
      uiCpuPct: pct(n1 - n0),
      helperCpuPct: pct(h1 - h0),
      otherCpuPct: Math.max(0, pct(b1 - b0 - (n1 - n0) - (h1 - h0) - (s1 - s0))),
      loadPerSec,
    };
  } finally {
    unregister();
    if (session) await session.quit();
    if (spin) {
      spin.kill('SIGKILL');
      await spin;
    }
  }
}

export async function runUiCpuBench(args: string[] = []): Promise<UiCpuResult> {
  await initClockTicks();
  const seconds = Number(argValue(args, '--seconds') ?? 15);
  const warmup = Number(argValue(args, '--warmup') ?? 3);
  const cli = argValue(args, '--cli') ?? cliPath();
  if (!existsSync(cli)) throw new Error(`--cli: ${cli} does not exist (build that checkout first)`);
  const repeats = Number(argValue(args, '--repeats') ?? 3);
  const rate = Number(argValue(args, '--rate') ?? 200_000);
  const configs = (argValue(args, '--configs') ?? CONFIGS.join(',')).split(',') as Config[];
  for (const c of configs)
    if (!CONFIGS.includes(c)) throw new Error(`--configs: unknown '${c}' (use ${CONFIGS.join(', ')})`);
  if (!(seconds > 0 && seconds <= 300 && repeats >= 1 && repeats <= 20 && rate > 0))
    throw new Error('--seconds 1..300, --repeats 1..20, --rate > 0');
  const runs: UiRun[] = [];
  // repeats outermost: a noisy moment hits one run of several configurations, not one configuration
  for (let r = 0; r < repeats; r++) {
    for (const c of configs) {
      log(`ui-cpu: repeat ${r + 1}/${repeats} ${c}`);
      runs.push(await runOne(c, seconds, warmup, rate, cli));
    }
  }
  return {
    machine: machine(),
    command: `node dist/scripts/bench/ui-cpu.js ${args.join(' ')}`.trim(),
    seconds,
    repeats,
    rate,
    runs,
  };
}

const medMM = (xs: number[], d = 1): string => {
  const [lo, hi] = minMax(xs);
  return `${fmt(median(xs), d)} (${fmt(lo, d)}-${fmt(hi, d)})`;
};

export function uiCpuTable(r: UiCpuResult): { headers: string[]; rows: string[][] } {
  const configs = [...new Set(r.runs.map((x) => x.config))];
  return {
    headers: ['configuration', 'load calls/s', 'UI (node) CPU%', 'helper CPU%', 'other CPU%', 'runs'],
    rows: configs.map((c) => {
      const xs = r.runs.filter((x) => x.config === c);
      return [
        c,
        medMM(
          xs.map((x) => x.loadPerSec),
          0,
        ),
        medMM(
          xs.map((x) => x.uiCpuPct),
          2,
        ),
        medMM(
          xs.map((x) => x.helperCpuPct),
          2,
        ),
        medMM(
          xs.map((x) => x.otherCpuPct),
          0,
        ),
        String(xs.length),
      ];
    }),
  };
}

export function printUiCpu(r: UiCpuResult): void {
  const t = uiCpuTable(r);
  process.stdout.write(`\n== ui-cpu: irqlens top at 1 s refresh, 120x40 tmux (${machineLine(r.machine)})\n`);
  process.stdout.write(`${r.repeats} repeats x ${r.seconds} s; median (min-max); 100 = one CPU\n`);
  process.stdout.write(table(t.headers, t.rows) + '\n');
  const idle = r.runs.filter((x) => x.config === 'idle').map((x) => x.uiCpuPct);
  if (idle.length)
    process.stdout.write(
      `idle UI CPU median ${fmt(median(idle), 2)}% (goal <= 3% of a core: ${median(idle) <= 3 ? 'met' : 'NOT met'})\n`,
    );
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  runUiCpuBench(args).then(
    (r) => {
      printUiCpu(r);
      if (args.includes('--md')) {
        const t = uiCpuTable(r);
        process.stdout.write(`\n${mdTable(t.headers, t.rows)}\n`);
      }
      if (args.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench ui-cpu: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
