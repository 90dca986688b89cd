// Built-in workloads for `irqlens cost --workload`: real servers on loopback
// with a load generator pinned to another CPU. Bounded in time.
import { reapWithUs } from './reaper.js';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { buildDir, missingBinary } from '../probe/paths.js';
import { UsageError } from '../errors.js';
import { needTool, onPath } from './tools.js';

export interface WorkloadResult {
  name: string;
  /** Requests per second the load generator measured, and its latencies. */
  rps: number;
  latency_us: { p50?: number; p99?: number; p999?: number; avg?: number; max?: number };
  settings: Record<string, number | string>;
}

export interface RunningWorkload {
  /** The server's process id: the traced workload. */
  pid: number;
  /** Starts the load; resolves with the result when it ends. */
  load(): Promise<WorkloadResult>;
  stop(): Promise<void>;
}

export interface WorkloadOptions {
  durationS: number;
  serverCpu: number;
  clientCpu: number;
  work: number;
  wssKb: number;
  conns: number;
  /** A file where the load generator keeps its running count of requests (a uint64), for progress reads. */
  counterFile?: string;
}

function need(bin: string): string {
  if (!existsSync(bin)) throw new UsageError(missingBinary(bin, 'the workload'));
  return bin;
}

function firstLine(p: ResultPromise<{ buffer: false; stdout: 'pipe' }>): Promise<string> {
  return new Promise((resolve, reject) => {
    let acc = '';
    p.stdout.setEncoding('utf8');
    const on = (s: string) => {
      acc += s;
      const nl = acc.indexOf('\n');
      if (nl >= 0) {
        p.stdout.off('data', on);
        resolve(acc.slice(0, nl));
      }
    };
    p.stdout.on('data', on);
    p.catch(reject);
  });
}

async function stopProc(
  p: { kill: (s: NodeJS.Signals) => boolean; catch: (f: () => undefined) => unknown } & PromiseLike<unknown>,
): Promise<void> {
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 3000);
  try {
    await p;
  } catch {
    // a killed server is the expected end
  } finally {
    clearTimeout(t);
  }
}

/** The epoll echo server (test/workloads/echo-server.c) driven by echo-client. */
export async function startEcho(o: WorkloadOptions): Promise<RunningWorkload> {
  const server = need(join(buildDir(), 'echo-server'));
  const client = need(join(buildDir(), 'echo-client'));
  needTool('taskset', 'util-linux', 'the echo server and its client are pinned to CPUs with it');
  // the server outlives the load by a margin, then exits by itself
  const proc = execa(
    'taskset',
    ['-c', String(o.serverCpu), server, '0', String(o.durationS + 30), String(o.work), String(o.wssKb)],
    { buffer: false, stdout: 'pipe' },
  );
  const info = JSON.parse(await firstLine(proc)) as { port: number; pid: number };
  return {
    pid: info.pid,
    async load() {
      const r = await execa(
        'taskset',
        [
          '-c',
          String(o.clientCpu),
          client,
          String(info.port),
          String(o.durationS),
          String(o.conns),
          ...(o.counterFile ? [o.counterFile] : []),
        ],
        { timeout: (o.durationS + 30) * 1000 },
      );
      const j = JSON.parse(r.stdout) as {
        rps: number;
        p50_us: number;
        p99_us: number;
        p999_us: number;
        max_us: number;
      };
      return {
        name: 'echo',
        rps: j.rps,
        latency_us: { p50: j.p50_us, p99: j.p99_us, p999: j.p999_us, max: j.max_us },
        settings: {
          work_steps: o.work,
          wss_kb: o.wssKb,
          conns: o.conns,
          server_cpu: o.serverCpu,
          client_cpu: o.clientCpu,
        },
      };
    },
    stop: () => stopProc(proc),
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => {
      resolve(false);
    });
  });
}

/** Debian's memcached on 127.0.0.1 driven by memcaslap (libmemcached-tools). */
export async function startMemcached(o: WorkloadOptions): Promise<RunningWorkload> {
  const port = 20000 + (process.pid % 20000);
  for (const b of ['memcached', 'memcaslap']) {
    if (!onPath(b))
      throw new UsageError(
        `${b} is not installed: apt-get install memcached libmemcached-tools (or run 'bash scripts/setup.sh')`,
      );
  }
  needTool('taskset', 'util-linux', 'memcached and memcaslap are pinned to CPUs with it');
  const proc = execa(
    'taskset',
    [
      '-c',
      String(o.serverCpu),
      'memcached',
      '-l',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      '0',
      '-t',
      '1',
      '-u',
      'nobody',
      '-m',
      '64',
    ],
    { buffer: false, stdout: 'pipe', reject: false },
  );
  const reaper = proc.pid !== undefined ? reapWithUs(proc.pid) : undefined;
  // wait for it to accept connections
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 100 || proc.exitCode !== null) {
      await stopProc(proc);
      reaper?.release();
      throw new UsageError(`memcached did not start on 127.0.0.1:${port} (is the port in use?)`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return {
    pid: proc.pid ?? 0,
    async load() {
      // -S: memcaslap prints latency statistics only with a statistics interval
      const load = execa(
        'taskset',
        [
          '-c',
          String(o.clientCpu),
          'memcaslap',
          '-s',
          `127.0.0.1:${port}`,
          '-t',
          `${o.durationS}s`,
          '-S',
          `${o.durationS}s`,
          '-T',
          '1',
          '-c',
          String(o.conns * 4),
        ],
        {
          timeout: (o.durationS + 30) * 1000,
          reject: false,
        },
      );
      const loadReaper = load.pid !== undefined ? reapWithUs(load.pid) : undefined;
      const r = await load;
      loadReaper?.release();
      const out = r.stdout + r.stderr;
      const tps = /TPS:\s*(\d+)/.exec(out);
      // the run's own block; the periodic get/set blocks before it have the same keys
      const total = out.slice(Math.max(0, out.lastIndexOf('Total Statistics')));
      const avg = /Avg:\s*(\d+)/.exec(total);
      const max = /Max:\s*(\d+)/.exec(total);
      if (!tps?.[1]) throw new Error(`memcaslap printed no throughput:\n${out.slice(-500)}`);
      return {
        name: 'memcached',
        rps: Number(tps[1]),
        latency_us: { ...(avg?.[1] ? { avg: Number(avg[1]) } : {}), ...(max?.[1] ? { max: Number(max[1]) } : {}) },
        settings: { conns: o.conns * 4, server_cpu: o.serverCpu, client_cpu: o.clientCpu, port },
      };
    },
    stop: async () => {
      await stopProc(proc);
      reaper?.release();
    },
  };
}
