// Benchmark: irqlens serve with 5 web clients at 10 updates/s, and the page's
// frame time in chromium.
//
// Server: `irqlens serve` (live probes, needs root) or a synthetic 16-CPU feed
// (the same WebServer broadcasting 16-CPU frames, in a child process), each
// with 5 websocket clients that decode every message as the page does. Over
// --seconds: the server process's CPU (utime+stime from /proc, 100 = one CPU;
// the helper's CPU is the probes' cost, benchmarked by probe-cost) and its RSS
// (start, end, max of 1 s samples). "load" adds loopback ping-pong traffic
// (tcp-blast -p) for the whole run.
//
// Page: chromium (headless, /usr/bin/chromium) on the live page and on the
// synthetic 16-CPU page at the same time as the 5 clients: the page's redraw
// time (JS, per batched update) and the gap between animation frames, p50 /
// p95 / max.
//
//   node dist/scripts/bench/web.js [--seconds 20] [--configs live,live+load,synthetic16] [--md] [--json]
//
// Examples:
//   node dist/scripts/bench/web.js
//   node dist/scripts/bench/web.js --configs synthetic16 --seconds 10 --md
import { execa, type ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { repoRoot } from '../../src/probe/paths.js';
import { decode } from '../../src/serve/wire.js';
import { WebServer } from '../../src/serve/server.js';
import { staticRoutes } from '../../src/serve/routes.js';
import { synthFrame } from '../../test/web/synth-frames.js';
import {
  buildPath,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  machineLine,
  mdTable,
  printHeaderHelp,
  procCpuSeconds,
  sleep,
  table,
  wantsHelp,
} from './util.js';
import { cliArgv } from '../../src/probe/launch.js';

type Config = 'live' | 'live+load' | 'synthetic16';
const CONFIGS: readonly Config[] = ['live', 'live+load', 'synthetic16'];
const CLIENTS = 5;

export interface WebRun {
  config: Config;
  seconds: number;
  serverCpuPct: number;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  /** Messages each client got per second (10 = every update). */
  msgsPerSecPerClient: number;
  framesMissed: number;
  drawMs: [number, number, number];
  rafGapMs: [number, number, number];
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN;
};
const p50p95max = (xs: number[]): [number, number, number] => [
  pct(xs, 0.5),
  pct(xs, 0.95),
  xs.length ? Math.max(...xs) : NaN,
];

/** The synthetic feed: this script started with --synthetic-server (a child, so its CPU is its own). */
async function syntheticServer(): Promise<void> {
  const hello = {
    type: 'hello' as const,
    host: 'synthetic',
    kernel: 'bench',
    ncpus: 16,
    source: 'synthetic 16-CPU frames',
    intervalMs: 100,
    history: 600,
  };
  const s = await WebServer.listen(
    { host: '127.0.0.1', port: 0 },
    { static: staticRoutes('irqlens bench'), metrics: () => `irqlens_server_frames_missed_total ${s.framesMissed}\n` },
    hello,
  );
  process.stdout.write(`irqlens serve: http://127.0.0.1:${s.port}/\n`);
  let seq = 0;
  setInterval(() => {
    s.broadcast(synthFrame(seq++));
  }, 100);
}

async function startServer(
  config: Config,
): Promise<{ url: string; proc: ResultPromise<{ buffer: false; stdout: 'pipe'; reject: false }> }> {
  const args =
    config === 'synthetic16'
      ? [join(repoRoot(), 'dist', 'scripts', 'bench', 'web.js'), '--synthetic-server']
      : [...cliArgv(), 'serve', '--port', '0'];
  const proc = execa('node', args, { buffer: false, stdout: 'pipe', reject: false });
  proc.stdout.setEncoding('utf8');
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (s: string) => {
      out += s;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    void proc.then(() => {
      reject(new Error(`the server exited: ${out}`));
    });
  });
  return { url, proc };
}

export async function runWebConfig(config: Config, seconds: number): Promise<WebRun> {
  const srv = await startServer(config);
  const pid = srv.proc.pid ?? 0;
  const load =
    config === 'live+load'
      ? execa(buildPath('tcp-blast'), ['-p', String(seconds + 5), '1000000000000', '64'], { reject: false })
      : null;
  const counts = new Array<number>(CLIENTS).fill(0);
  let missed = 0;
  const clients = await Promise.all(
    counts.map(
      (_c, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${srv.url.replace('http', 'ws')}ws`);
          ws.on('message', (d: Buffer) => {
            const m = decode(new Uint8Array(d));
            if (m.type === 'frame') counts[i] = (counts[i] ?? 0) + 1;
            if (m.type === 'missed') missed = Math.max(missed, m.totalMissed);
          });
          ws.on('open', () => {
            resolve(ws);
          });
          ws.on('error', reject);
        }),
    ),
  );
  // loaded here, not at the top: the synthetic server child must not carry playwright in its RSS
  const { launchBrowser } = await import('../../test/web/support.js');
  const b = await launchBrowser();
  try {
    const page = await b.ctx.newPage();
    await page.goto(srv.url);
    await sleep(3000); // the history replay and the first draws settle
    await page.evaluate(() => {
      const g = globalThis as unknown as { gaps: number[]; irqlensStats: { drawMs: number[] } };
      g.gaps = [];
      g.irqlensStats.drawMs.length = 0;
      let last = performance.now();
      const tick = (t: number) => {
        g.gaps.push(t - last);
        last = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    counts.fill(0);
    const cpu0 = procCpuSeconds(pid) ?? NaN;
    const rss0 = rssMb(pid);
    let rssMax = rss0;
    const t0 = performance.now();
    for (let s = 0; s < seconds; s++) {
      await sleep(1000);
      rssMax = Math.max(rssMax, rssMb(pid));
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = procCpuSeconds(pid) ?? NaN;
    const rss1 = rssMb(pid);
    const page1 = await page.evaluate(() => {
      const g = globalThis as unknown as { gaps: number[]; irqlensStats: { drawMs: number[] } };
      return { gaps: g.gaps, draw: g.irqlensStats.drawMs };
    });
    return {
      config,
      seconds: wall,
      serverCpuPct: ((cpu1 - cpu0) / wall) * 100,
      rssStartMb: rss0,
      rssEndMb: rss1,
      rssMaxMb: rssMax,
      msgsPerSecPerClient: counts.reduce((a, c) => a + c, 0) / CLIENTS / wall,
      framesMissed: missed,
      drawMs: p50p95max(page1.draw),
      rafGapMs: p50p95max(page1.gaps.slice(1)),
    };
  } finally {
    await b.close();
    for (const c of clients) c.close();
    load?.kill('SIGTERM');
    await load;
    srv.proc.kill('SIGTERM');
    await srv.proc;
  }
}

const HEAD = [
  'config',
  'server CPU %',
  'RSS start/end/max MB',
  'frames/s per client',
  'missed',
  'redraw ms p50/p95/max',
  'frame gap ms p50/p95/max',
];
const row = (r: WebRun) => [
  r.config,
  fmt(r.serverCpuPct, 1),
  `${fmt(r.rssStartMb, 0)}/${fmt(r.rssEndMb, 0)}/${fmt(r.rssMaxMb, 0)}`,
  fmt(r.msgsPerSecPerClient, 1),
  String(r.framesMissed),
  r.drawMs.map((v) => fmt(v, 1)).join('/'),
  r.rafGapMs.map((v) => fmt(v, 1)).join('/'),
];

async function main(args: string[]): Promise<void> {
  if (args.includes('--synthetic-server')) {
    await syntheticServer();
    return;
  }
  if (wantsHelp(args)) {
    printHeaderHelp(import.meta.url);
    return;
  }
  await initClockTicks();
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 20;
  const c = args.indexOf('--configs');
  const configs = (c >= 0 ? (args[c + 1] ?? '').split(',') : [...CONFIGS]).filter((x): x is Config =>
    (CONFIGS as readonly string[]).includes(x),
  );
  const runs: WebRun[] = [];
  for (const cfg of configs) {
    log(`web: ${cfg}, ${CLIENTS} clients, ${seconds} s`);
    runs.push(await runWebConfig(cfg, seconds));
  }
  const m = machine();
  process.stdout.write(`${machineLine(m)}\n${table(HEAD, runs.map(row))}\n`);
  if (args.includes('--md')) process.stdout.write(`\n${mdTable(HEAD, runs.map(row))}\n`);
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ machine: m, runs }, null, 2) + '\n');
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
