// Shared pieces of the real-kernel tests: the root gate, load generators and
// independent sources to compare against.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { buildDir, repoRoot } from '../../src/probe/paths.js';

const isRoot = process.getuid?.() === 0;

/** Every child a kernel test starts, so a test that times out cannot leave one running (or hang the file). */
const children = new Set<{ kill: (s?: NodeJS.Signals) => boolean }>();

export function track<T extends { kill: (s?: NodeJS.Signals) => boolean }>(p: T): T {
  children.add(p);
  return p;
}

/** Kill whatever the tests of this file started; call from after(). */
export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/**
 * Skip reason for kernel tests, or false to run them. Without root in a plain
 * unit run they skip with this reason; under CI they must never skip, so a
 * missing privilege there is a failure (see `assertCanRun`).
 */
export const kernelSkip: string | false =
  isRoot || process.env.CI ? false : 'needs root: the kernel tests load BPF programs (run the suite as root)';

export function assertCanRun(): void {
  if (!isRoot) throw new Error('kernel tests must run as root in CI (CI=true); refusing to skip them');
}

export function bin(name: string): string {
  return join(buildDir(), name);
}

/** A scratch directory on a real disk (not tmpfs), so O_DIRECT writes hit virtio-blk. */
export function diskScratch(): string {
  const dir = join(repoRoot(), 'build', 'test-scratch');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Real disk interrupts: O_DIRECT 4 KiB writes, bounded in count. */
export async function diskLoad(count: number): Promise<void> {
  const file = join(diskScratch(), `dd-${process.pid}.bin`);
  try {
    await execa('dd', ['if=/dev/zero', `of=${file}`, 'bs=4k', `count=${count}`, 'oflag=direct'], { timeout: 60_000 });
  } finally {
    if (existsSync(file)) rmSync(file);
  }
}

/** Loopback TCP ping-pong for `ms` milliseconds (bounded), from this process. */
export async function loopbackTraffic(ms: number, payload = 64): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  let rounds = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(addr.port, '127.0.0.1');
      c.setNoDelay(true);
      const buf = Buffer.alloc(payload, 7);
      const end = Date.now() + ms;
      let got = 0;
      c.on('error', reject);
      c.on('close', () => {
        resolve();
      });
      c.on('connect', () => c.write(buf));
      c.on('data', (d) => {
        got += d.length;
        if (got < payload) return;
        got = 0;
        rounds++;
        if (Date.now() < end && rounds < 5_000_000) c.write(buf);
        else
          c.end(() => {
            resolve();
          });
      });
    });
  } finally {
    await new Promise<void>((r) => {
      server.close(() => {
        r();
      });
    });
  }
  return rounds;
}

export interface Echo {
  port: number;
  pid: number;
  proc: ResultPromise<{ buffer: false; stdout: 'pipe' }>;
}

/** The C epoll echo server (test/workloads/echo-server.c) on 127.0.0.1. */
export async function startEcho(seconds: number, workIters = 0, wssKb = 0, prefix: string[] = []): Promise<Echo> {
  const cmd = prefix.length ? (prefix[0] ?? '') : bin('echo-server');
  const args = prefix.length
    ? [...prefix.slice(1), bin('echo-server'), '0', String(seconds), String(workIters), String(wssKb)]
    : ['0', String(seconds), String(workIters), String(wssKb)];
  const proc = track(execa(cmd, args, { buffer: false, stdout: 'pipe' }));
  const line = await new Promise<string>((resolve, reject) => {
    let acc = '';
    proc.stdout.setEncoding('utf8');
    const onData = (s: string) => {
      acc += s;
      const nl = acc.indexOf('\n');
      if (nl >= 0) {
        proc.stdout.off('data', onData);
        resolve(acc.slice(0, nl));
      }
    };
    proc.stdout.on('data', onData);
    proc.catch(reject);
  });
  const info = JSON.parse(line) as { port: number; pid: number };
  return { ...info, proc };
}

/** Request/response rounds against a port for `ms` milliseconds. */
export async function pingPong(port: number, ms: number, conns = 1): Promise<number> {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1');
      c.setNoDelay(true);
      const end = Date.now() + ms;
      let rounds = 0;
      c.on('error', reject);
      // a server that went away ends the run instead of hanging it
      c.on('close', () => {
        resolve(rounds);
      });
      c.on('connect', () => c.write('x'));
      c.on('data', () => {
        rounds++;
        if (Date.now() < end && rounds < 5_000_000) c.write('x');
        else
          c.end(() => {
            resolve(rounds);
          });
      });
    });
  const r = await Promise.all(Array.from({ length: conns }, one));
  return r.reduce((a, b) => a + b, 0);
}

/** bpftrace running a script; resolves once its probes are attached. */
export async function startBpftrace(script: string): Promise<{ stop(): Promise<string> }> {
  const proc = track(
    execa('bpftrace', ['-e', script], { buffer: false, stdout: 'pipe', stderr: 'pipe', reject: false }),
  );
  let out = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (s: string) => {
    out += s;
  });
  let err = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    err += s;
  });
  const deadline = Date.now() + 30_000;
  while (!/Attaching \d+ probes?/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`bpftrace did not start: ${err || out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // "Attaching" is printed before the attach completes: give it a moment
  await new Promise((r) => setTimeout(r, 300));
  return {
    async stop() {
      proc.kill('SIGINT');
      await proc;
      return out;
    },
  };
}

/** bpftrace map lines `@[key]: value` (or `@: value`) into a Map. */
export function parseBpftraceMap(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const r = /^@(?:\[([^\]]*)\])?:\s+(\d+)/.exec(line.trim());
    if (r?.[2]) m.set(r[1] ?? '', Number(r[2]));
  }
  return m;
}

/** IDs of BPF programs a process holds open, from its fds' fdinfo (prog_id). */
export function progIdsOf(pid: number): Promise<number[]> {
  const ids = new Set<number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
      try {
        const m = /^prog_id:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m?.[1]) ids.add(Number(m[1]));
      } catch {
        // fd closed while we looked
      }
    }
  } catch {
    // the process is gone: it holds nothing
  }
  return Promise.resolve([...ids]);
}

/** Names of the programs a process holds attached: its BPF link fds, each naming its program. */
export async function attachedPrograms(pid: number): Promise<string[]> {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      const m = /^prog_id:\s+(\d+)/m.exec(info);
      if (/^link_type:/m.test(info) && m?.[1]) ids.push(Number(m[1]));
    } catch {
      // fd closed while we looked
    }
  }
  const names: string[] = [];
  for (const id of ids) {
    const r = await execa('bpftool', ['prog', 'show', 'id', String(id), '--json']);
    names.push((JSON.parse(r.stdout) as { name: string }).name);
  }
  return names.sort();
}

export async function liveProgIds(): Promise<Set<number>> {
  const r = await execa('bpftool', ['prog', 'show', '--json']);
  return new Set((JSON.parse(r.stdout) as { id: number }[]).map((p) => p.id));
}

export function within(actual: number, expected: number, frac: number): boolean {
  return Math.abs(actual - expected) <= frac * Math.max(expected, 1);
}

/** Pids (other than ours) whose command line contains every one of `parts`: what a test left running. */
export function pidsWithCmdline(...parts: string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((x) => cmd.includes(x))) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The pid of `ppid`'s child named `comm`, if it has one now. */
export function childOf(ppid: number, comm: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && Number(m[2]) === ppid && m[1] === comm.slice(0, 15)) return Number(d);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
