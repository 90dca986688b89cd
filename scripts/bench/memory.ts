// Benchmark: does the whole tool's memory stay bounded over a long run at a
// high event rate? Samples VmRSS of every irqlens process while it runs.
import { execa, type ResultPromise } from 'execa';
import { WebSocket } from 'ws';
import { decode } from '../../src/serve/wire.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from './cleanup.js';
import { descendants, Session } from './tty.js';
import {
  argValue,
  backgroundCpuPct,
  buildPath,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  mdTable,
  procCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
} from './util.js';
import { cliArgv } from '../../src/probe/launch.js';

export const MEMORY_HELP = `Benchmark: RSS of the whole tool over a long run at a high event rate (is it bounded?).

Load: epoll-spin (test/workloads/epoll-spin.c) calls epoll_wait at --rate calls/s
for the whole run. Tools, side by side on that load:
  record   irqlens record --records all --pid <epoll-spin> to a temp file (deleted
           afterwards): one epoll and one busy-period record per call, so the
           default 500,000 calls/s is about 1,000,000 records/s; the rate is
           measured from record's own event count, not assumed
  top      irqlens top --workloads --pid <epoll-spin> in a real terminal (tmux,
           120x40, the ink UI): one busy-period record per call into the UI
           (500,000/s by default; its own "cost: ... rec/s" status is printed)
  serve    irqlens serve --workloads --pid <epoll-spin> --port 0 with one websocket
           client reading every frame (a page open: 10 frames/s, the NAPI probe on)
Every --sample-s seconds: VmRSS (/proc/PID/status) of each tool's Node process
and its irqlens-helper. Printed: first minute vs last minute (mean), max, the
slope per minute after the first minute, the mean of every minute, and a verdict per tool (its Node
process plus its helper): flat when the last minute's mean is within 5% of the second minute's (the
first holds start-up), and bounded when no sample exceeds 150 MiB.

Usage:
  node dist/scripts/bench/memory.js [--minutes 10] [--rate 500000] [--sample-s 5]
       [--tools record,top,serve] [--md] [--json]

Examples:
  node dist/scripts/bench/memory.js                    # the 10-minute run
  node dist/scripts/bench/memory.js --minutes 1        # smoke run
  node dist/scripts/bench/memory.js --tools record --minutes 2 --json

Takes --minutes plus about 20 s. Not part of 'npm run bench' unless all.js gets
--memory (10 minutes is too long for the default run). Loopback only, nothing
leaves the machine; every child is stopped on exit and on Ctrl-C.`;

type Tool = 'record' | 'top' | 'serve';
const TOOLS: readonly Tool[] = ['record', 'top', 'serve'];
/** The issue's bound: each tool's Node process and helper together, at every sample. */
const LIMIT_MB = 150;

/** One process the benchmark watches: label like "record node". */
interface Watched {
  label: string;
  pid: number;
}

export interface MemSample {
  t: number; // seconds since the load started
  rssKb: Record<string, number>;
}

export interface MemSeries {
  label: string;
  firstMinMb: number;
  /** The second window's mean: the reference once start-up is over. */
  secondMinMb: number;
  lastMinMb: number;
  maxMb: number;
  /** Least-squares slope after the first window, MiB per minute. */
  slopeMbPerMin: number;
  cpuPct: number;
}

export interface MemoryResult {
  machine: Machine;
  command: string;
  minutes: number;
  rate: number;
  tools: Tool[];
  windowS: number;
  backgroundCpuPct: number;
  otherCpuPct: number;
  load: { calls: number; seconds: number; perSec: number; cpuPct: number };
  record?: {
    events: number;
    durationS: number;
    perLoadSec: number;
    bytes: number;
    lost: number;
    bytesPerEvent: number | null;
  };
  /** The UI's own "cost: N ev/s" status figure, last seen (kernel events its programs ran). */
  topCostLine?: string;
  series: MemSeries[];
  samples: MemSample[];
  /** Per tool (Node + helper): last window within 5% of the second, and every sample under LIMIT_MB. */
  verdicts: { tool: Tool; flat: boolean; maxMb: number; underLimit: boolean }[];
  flat: boolean;
}

function vmRssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (bounded) for an irqlens-helper below `pid`: the tool has attached its probes. */
async function helperBelow(pid: number, ms = 30_000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const h = descendants(pid).find((p) => p.comm === 'irqlens-helper');
    if (h) return h.pid;
    if (Date.now() > end) throw new Error(`no irqlens-helper appeared below pid ${pid}`);
    await sleep(200);
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function slope(ts: number[], ys: number[]): number {
  const mt = mean(ts);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ts.length; i++) {
    num += ((ts[i] ?? 0) - mt) * ((ys[i] ?? 0) - my);
    den += ((ts[i] ?? 0) - mt) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

/** First-window vs last-window means, max and slope of one label's series (MiB). */
export function summarize(label: string, samples: MemSample[], windowS: number, cpuPct: number): MemSeries {
  const pts = samples
    .filter((s) => s.rssKb[label] !== undefined)
    .map((s) => ({ t: s.t, mb: (s.rssKb[label] ?? 0) / 1024 }));
  const end = pts.length ? (pts[pts.length - 1]?.t ?? 0) : 0;
  const after = pts.filter((p) => p.t >= windowS);
  return {
    label,
    firstMinMb: mean(pts.filter((p) => p.t <= windowS).map((p) => p.mb)),
    secondMinMb: mean(pts.filter((p) => p.t > windowS && p.t <= 2 * windowS).map((p) => p.mb)),
    lastMinMb: mean(pts.filter((p) => p.t >= end - windowS).map((p) => p.mb)),
    maxMb: Math.max(...pts.map((p) => p.mb)),
    slopeMbPerMin:
      slope(
        after.map((p) => p.t),
        after.map((p) => p.mb),
      ) * 60,
    cpuPct,
  };
}

type Spin = ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; reject: false }>;
type Rec = ResultPromise<{ stdout: 'pipe'; stderr: 'pipe'; reject: false }>;

export async function runMemoryBench(args: string[] = []): Promise<MemoryResult> {
  await initClockTicks();
  const minutes = Number(argValue(args, '--minutes') ?? 10);
  const rate = Number(argValue(args, '--rate') ?? 500_000);
  const sampleS = Number(argValue(args, '--sample-s') ?? 5);
  const tools = (argValue(args, '--tools') ?? TOOLS.join(',')).split(',') as Tool[];
  for (const t of tools) if (!TOOLS.includes(t)) throw new Error(`--tools: unknown '${t}' (use ${TOOLS.join(', ')})`);
  if (!(minutes >= 0.5 && minutes <= 120)) throw new Error('--minutes: 0.5..120');
  if (!(rate > 0 && sampleS >= 1 && sampleS <= 60)) throw new Error('--rate > 0, --sample-s 1..60');
  const seconds = minutes * 60;
  // first/last "minute": a minute, or a quarter of a short smoke run
  const windowS = Math.min(60, seconds / 4);
  // started as the bin starts it: its Node flags shape the memory measured here
  const cli = cliArgv();
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-mem-'));
  const bg = await backgroundCpuPct(2000);
  log(
    `memory: background CPU ${fmt(bg, 1)}% (100 = one CPU); ${tools.join('+')} for ${fmt(minutes, 1)} min at ${fmt(rate)} calls/s`,
  );

  let spin: Spin | undefined;
  let rec: Rec | undefined;
  let session: Session | undefined;
  let srv: Rec | undefined;
  let client: WebSocket | undefined;
  const stopAll = async (): Promise<void> => {
    client?.terminate();
    client = undefined;
    srv?.kill('SIGINT');
    if (srv) await srv;
    srv = undefined;
    if (session) await session.quit();
    session = undefined;
    rec?.kill('SIGINT');
    if (rec) await rec;
    rec = undefined;
    spin?.kill('SIGKILL');
    if (spin) await spin;
    spin = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onInterrupt(stopAll);
  try {
    // the load waits for "go" so the tools can name its pid and attach first
    spin = execa(buildPath('epoll-spin'), ['-w', String(seconds), String(rate)], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
    });
    const spinPid = spin.pid;
    if (spinPid === undefined) throw new Error('epoll-spin did not start');
    // a load that refused its arguments exits at once: fail now, not after the whole run
    const early = await Promise.race([spin, sleep(300).then(() => null)]);
    if (early) throw new Error(`epoll-spin exited at once: ${early.stderr}`);
    const watched: Watched[] = [];
    if (tools.includes('record')) {
      // --duration only as a safety bound: the bench stops it with SIGINT
      rec = execa(
        'node',
        [
          ...cli,
          'record',
          '-o',
          join(dir, 'mem.irqrec'),
          '--pid',
          String(spinPid),
          '--json',
          '--duration',
          String(seconds + 120),
        ],
        {
          stdout: 'pipe',
          stderr: 'pipe',
          reject: false,
        },
      );
      if (rec.pid === undefined) throw new Error('irqlens record did not start');
      watched.push({ label: 'record node', pid: rec.pid }, { label: 'record helper', pid: await helperBelow(rec.pid) });
    }
    if (tools.includes('top')) {
      session = await Session.start(
        `node ${cli.join(' ')} top --workloads --pid ${spinPid}; exec sleep ${Math.ceil(seconds) + 300}`,
      );
      await session.waitFor(/^cost: \S+ ev\/s/m);
      const procs = descendants(await session.panePid());
      const node = procs.find((p) => p.comm.startsWith('node'));
      const helper = procs.find((p) => p.comm === 'irqlens-helper');
      if (!node || !helper) throw new Error(`no node or helper under the tmux pane: ${JSON.stringify(procs)}`);
      watched.push({ label: 'top node', pid: node.pid }, { label: 'top helper', pid: helper.pid });
    }
    let frames = 0;
    if (tools.includes('serve')) {
      const proc = execa('node', [...cli, 'serve', '--workloads', '--pid', String(spinPid), '--port', '0'], {
        stdout: 'pipe',
        stderr: 'pipe',
        reject: false,
      });
      srv = proc;
      if (proc.pid === undefined) throw new Error('irqlens serve did not start');
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        void proc.then((r) => {
          reject(new Error(`irqlens serve exited: ${r.stderr}`));
        });
      });
      // a page: reads every frame as it comes, so the server never drops one for it
      client = await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace('http', 'ws')}ws`);
        ws.on('message', (d: Buffer) => {
          if (decode(new Uint8Array(d)).type === 'frame') frames++;
        });
        ws.on('open', () => {
          resolve(ws);
        });
        ws.on('error', reject);
      });
      watched.push({ label: 'serve node', pid: proc.pid }, { label: 'serve helper', pid: await helperBelow(proc.pid) });
    }
    await sleep(1000);
    const cpu0 = watched.map((w) => procCpuSeconds(w.pid) ?? 0);
    const b0 = systemBusySeconds();
    spin.stdin.end('go\n');
    const t0 = performance.now();
    const samples: MemSample[] = [];
    let topCostLine: string | undefined;
    for (let next = 0; ; next += sampleS) {
      const wait = t0 + next * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const t = (performance.now() - t0) / 1000;
      if (t > seconds) break;
      const rssKb: Record<string, number> = {};
      let total = 0;
      for (const w of watched) {
        const kb = vmRssKb(w.pid);
        if (kb === undefined)
          throw new Error(
            `${w.label} (pid ${w.pid}) exited during the run${rec && rec.exitCode !== null ? `: ${(await rec).stderr}` : ''}`,
          );
        rssKb[w.label] = kb;
        total += kb;
      }
      rssKb.total = total;
      for (const tool of tools)
        rssKb[`${tool} total`] = watched
          .filter((w) => w.label.startsWith(`${tool} `))
          .reduce((a, w) => a + (rssKb[w.label] ?? 0), 0);
      samples.push({ t, rssKb });
      if (session) topCostLine = /^cost: .*$/m.exec(await session.screen())?.[0]?.trim() ?? topCostLine;
      if (samples.length % Math.max(1, Math.round(60 / sampleS)) === 0)
        log(`memory: ${fmt(t, 0)} s, total RSS ${fmt(total / 1024, 1)} MiB`);
    }
    const cpu1 = watched.map((w) => procCpuSeconds(w.pid) ?? 0);
    const b1 = systemBusySeconds();
    const wall = (performance.now() - t0) / 1000;
    const sr = await spin;
    spin = undefined;
    if (sr.exitCode !== 0) throw new Error(`epoll-spin failed: ${sr.stderr}`);
    const sj = JSON.parse(sr.stdout) as { calls: number; seconds: number; cpu_seconds: number };
    let record: MemoryResult['record'];
    if (rec) {
      rec.kill('SIGINT');
      const rr = await rec;
      rec = undefined;
      const j = JSON.parse(rr.stdout) as {
        events: number;
        duration_s: number;
        bytes: number;
        lost_records: number;
        bytes_per_event: number | null;
      };
      record = {
        events: j.events,
        durationS: j.duration_s,
        perLoadSec: j.events / sj.seconds,
        bytes: j.bytes,
        lost: j.lost_records,
        bytesPerEvent: j.bytes_per_event,
      };
    }
    const toolCpu = cpu1.reduce((a, b) => a + b, 0) - cpu0.reduce((a, b) => a + b, 0);
    const series = [
      ...watched.map((w, i) => summarize(w.label, samples, windowS, (((cpu1[i] ?? 0) - (cpu0[i] ?? 0)) / wall) * 100)),
      summarize('total', samples, windowS, (toolCpu / wall) * 100),
    ];
    const verdicts = tools.map((tool) => {
      const t = summarize(`${tool} total`, samples, windowS, 0);
      return { tool, flat: t.lastMinMb <= t.secondMinMb * 1.05, maxMb: t.maxMb, underLimit: t.maxMb < LIMIT_MB };
    });
    const flat = verdicts.every((v) => v.flat);
    if (tools.includes('serve')) log(`memory: the serve client read ${fmt(frames)} frames`);
    return {
      machine: machine(),
      command: `node dist/scripts/bench/memory.js ${args.join(' ')}`.trim(),
      minutes,
      rate,
      tools,
      windowS,
      backgroundCpuPct: bg,
      otherCpuPct: Math.max(0, ((b1 - b0 - toolCpu - sj.cpu_seconds) / wall) * 100),
      load: {
        calls: sj.calls,
        seconds: sj.seconds,
        perSec: sj.calls / sj.seconds,
        cpuPct: (sj.cpu_seconds / wall) * 100,
      },
      ...(record ? { record } : {}),
      ...(topCostLine ? { topCostLine } : {}),
      series,
      samples,
      verdicts,
      flat,
    };
  } finally {
    await stopAll();
    unregister();
  }
}

export function memoryTable(r: MemoryResult): { headers: string[]; rows: string[][] } {
  const w = r.windowS >= 60 ? 'minute' : `${fmt(r.windowS, 0)} s`;
  return {
    headers: [
      'process',
      `RSS first ${w} MiB (mean)`,
      `RSS second ${w} MiB (mean)`,
      `RSS last ${w} MiB (mean)`,
      'change MiB',
      'max MiB',
      'slope MiB/min (after first window)',
      'CPU%',
    ],
    rows: r.series.map((s) => [
      s.label,
      fmt(s.firstMinMb, 1),
      fmt(s.secondMinMb, 1),
      fmt(s.lastMinMb, 1),
      fmt(s.lastMinMb - s.firstMinMb, 1),
      fmt(s.maxMb, 1),
      fmt(s.slopeMbPerMin, 2),
      fmt(s.cpuPct, 1),
    ]),
  };
}

/** Mean RSS per window (a minute, or a quarter of a short run) per process: shows where growth stops. */
export function perWindowTable(r: MemoryResult): { headers: string[]; rows: string[][] } {
  const n = Math.max(1, Math.round((r.minutes * 60) / r.windowS));
  const labels = r.series.map((x) => x.label);
  const w = r.windowS >= 60 ? 'min' : `x${fmt(r.windowS, 0)}s`;
  return {
    headers: ['mean RSS MiB', ...Array.from({ length: n }, (_, i) => `${w} ${i + 1}`)],
    rows: labels.map((l) => [
      l,
      ...Array.from({ length: n }, (_, i) => {
        const xs = r.samples
          .filter((x) => x.t >= i * r.windowS && x.t < (i + 1) * r.windowS)
          .map((x) => (x.rssKb[l] ?? 0) / 1024);
        return xs.length ? fmt(xs.reduce((a, b) => a + b, 0) / xs.length, 0) : '-';
      }),
    ]),
  };
}

export function memorySummary(r: MemoryResult): string[] {
  const out = [
    `load: epoll-spin ${fmt(r.load.perSec)} calls/s for ${fmt(r.load.seconds, 1)} s (${fmt(r.load.cpuPct, 0)}% of a CPU); background CPU before ${fmt(r.backgroundCpuPct, 0)}%, other CPU during ${fmt(r.otherCpuPct, 0)}% (100 = one CPU)`,
  ];
  if (r.record) {
    out.push(
      `record: ${fmt(r.record.events)} events (its own count) = ${fmt(r.record.perLoadSec)} events/s of load, ${fmt(r.record.lost)} lost, ` +
        `${fmt(r.record.bytes / 1e6, 1)} MB on disk (${r.record.bytesPerEvent ?? '-'} bytes/event), file deleted`,
    );
  }
  if (r.topCostLine) out.push(`top's status line at the end: "${r.topCostLine}"`);
  for (const v of r.verdicts) {
    const t = r.series.find((x) => x.label === `${v.tool} node`);
    out.push(
      `${v.tool} (node + helper): ${v.flat ? 'flat' : 'NOT flat'} (last window within 5% of the second), max ${fmt(v.maxMb, 1)} MiB: ` +
        `${v.underLimit ? 'under' : 'NOT under'} ${LIMIT_MB} MiB${t ? `; its Node process used ${fmt(t.cpuPct, 1)}% of a CPU` : ''}`,
    );
  }
  return out;
}

export function printMemory(r: MemoryResult): void {
  const t = memoryTable(r);
  process.stdout.write(
    `\n== memory: RSS over ${fmt(r.minutes, 1)} min, ${r.tools.join(' + ')} (${machineLine(r.machine)})\n`,
  );
  process.stdout.write(table(t.headers, t.rows) + '\n');
  const p = perWindowTable(r);
  process.stdout.write(table(p.headers, p.rows) + '\n');
  for (const l of memorySummary(r)) process.stdout.write(l + '\n');
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(MEMORY_HELP + '\n');
  } else {
    runMemoryBench(args).then(
      (r) => {
        printMemory(r);
        if (args.includes('--md')) {
          const t = memoryTable(r);
          const p = perWindowTable(r);
          process.stdout.write(
            `\n${mdTable(t.headers, t.rows)}\n\n${mdTable(p.headers, p.rows)}\n\n${memorySummary(r)
              .map((l) => `- ${l}`)
              .join('\n')}\n`,
          );
        }
        if (args.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
      },
      (e: unknown) => {
        process.stderr.write(`bench memory: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
