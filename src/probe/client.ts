// Runs the privileged helper and turns its stdout into typed messages.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { FrameSplitter } from '../stream/frames.js';
import { decodeFrame } from '../stream/decode.js';
import type { Hello, Message, Snapshot } from '../stream/types.js';
import { MAX_PERIOD_EVERY } from '../stream/layout.js';
import { AsyncQueue } from './queue.js';
import { ProbeError } from './errors.js';
import { helperPath, missingBinary } from './paths.js';

export interface ProbeOptions {
  intervalMs?: number;
  windowUs?: number;
  burstPackets?: number;
  ringBytes?: number;
  /** Busy periods opened on every n-th epoll call from the first one (1 when absent); see setPeriodEvery. */
  periodEvery?: number;
  /** Per-event record kinds to stream: hardirq, vector, softirq, napi, epoll, burst, period, drop. */
  records?: string[];
  pid?: number;
  cgroup?: string;
  excludePids?: number[];
  noEpoll?: boolean;
  /** Probe groups attached at start (PROBE_GROUPS); all when absent. */
  probes?: readonly string[];
  /** Also count packet frees without a drop reason. */
  dropUnspecified?: boolean;
  /** false: softirq raises only mark interrupt-raised runs, untimed (no raise-to-run latency, no clock read per raise). */
  raiseLatency?: boolean;
  progStats?: boolean;
  /** The cgroup is the traced command's own: the helper kills what is in it and removes it when it exits, even after kill -9 of irqlens. */
  ownCgroup?: boolean;
  /** CPUs the helper may run on: keep its polling off the measured CPUs. */
  cpus?: number[];
  helper?: string;
}

export function helperArgs(o: ProbeOptions): string[] {
  const a: string[] = [];
  if (o.intervalMs !== undefined) a.push('--interval', String(o.intervalMs));
  if (o.windowUs !== undefined) a.push('--window-us', String(o.windowUs));
  if (o.burstPackets !== undefined) a.push('--burst-packets', String(o.burstPackets));
  if (o.ringBytes !== undefined) a.push('--ring-bytes', String(o.ringBytes));
  if (o.periodEvery !== undefined) a.push('--period-every', String(o.periodEvery));
  if (o.records) a.push('--records', o.records.length ? o.records.join(',') : 'none');
  if (o.pid !== undefined) a.push('--pid', String(o.pid));
  if (o.cgroup !== undefined) a.push('--cgroup', o.cgroup);
  if (o.cgroup !== undefined && o.ownCgroup) a.push('--own-cgroup');
  for (const p of o.excludePids ?? []) a.push('--exclude-pid', String(p));
  if (o.noEpoll) a.push('--no-epoll');
  if (o.raiseLatency === false) a.push('--no-raise-latency');
  if (o.probes) a.push('--probes', o.probes.length ? o.probes.join(',') : 'none');
  if (o.progStats) a.push('--prog-stats');
  if (o.dropUnspecified) a.push('--drop-unspecified');
  if (o.cpus?.length) a.push('--cpus', o.cpus.join(','));
  return a;
}

const SPAWN = { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false } as const;
type HelperProcess = ResultPromise<typeof SPAWN>;

export class Probe {
  readonly warnings: string[] = [];
  private readonly queue = new AsyncQueue<Message>();
  private snapshotWaiters: ((s: Snapshot) => void)[] = [];
  private stderrTail = '';
  private ended = false;
  private every = 1;

  private constructor(
    private readonly child: HelperProcess,
    readonly hello: Hello,
  ) {}

  /** Starts the helper; resolves once its programs are attached (hello received). */
  static async start(opts: ProbeOptions = {}): Promise<Probe> {
    const bin = opts.helper ?? helperPath();
    if (!existsSync(bin)) {
      throw new ProbeError(missingBinary(bin, 'the helper'));
    }
    const child = execa(bin, helperArgs(opts), SPAWN);
    const splitter = new FrameSplitter();
    const early = new AsyncQueue<Message>();
    let stderr = '';
    const ctx: { probe?: Probe } = {};

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      ctx.probe?.onStderr(s);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      let msgs: Message[];
      try {
        msgs = splitter.push(chunk).map(decodeFrame);
      } catch (e) {
        (ctx.probe ? ctx.probe.queue : early).close(e instanceof Error ? e : new Error(String(e)));
        child.kill('SIGTERM');
        return;
      }
      for (const m of msgs) {
        if (ctx.probe) ctx.probe.deliver(m);
        else early.push(m);
      }
    });
    // stdin errors (EPIPE when the helper has gone) are reported via its exit
    child.stdin.on('error', () => undefined);
    void child.then((r) => {
      const target = ctx.probe ? ctx.probe.queue : early;
      if (ctx.probe) ctx.probe.ended = true;
      const msg = lastErrorLine(stderr);
      if (r.exitCode !== 0 || r.signal) {
        const why =
          msg || (r.signal ? `the helper was killed by ${r.signal}` : `the helper exited with code ${r.exitCode}`);
        target.close(new ProbeError(why, r.exitCode ?? 1));
      } else {
        target.close();
      }
    });

    const first = await early.next();
    if (first.done) throw new ProbeError(lastErrorLine(stderr) || 'the helper exited before it started');
    if (first.value.type !== 'hello') throw new ProbeError('the helper stream did not start with a hello frame');
    const probe = new Probe(child, first.value);
    probe.every = opts.periodEvery ?? 1;
    ctx.probe = probe;
    probe.onStderr(stderr);
    // anything that arrived with the hello
    for (const m of early.drain()) probe.deliver(m);
    if (early.isClosed) probe.queue.close(early.closeError);
    return probe;
  }

  private onStderr(s: string): void {
    this.stderrTail += s;
    const lines = this.stderrTail.split('\n');
    this.stderrTail = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.warnings.push(l.replace(/^irqlens-helper: (warning: )?/, ''));
  }

  private deliver(m: Message): void {
    if (m.type === 'snapshot' && m.requested) {
      const waiters = this.snapshotWaiters;
      this.snapshotWaiters = [];
      for (const w of waiters) w(m);
    }
    this.queue.push(m);
  }

  /** Every message after the hello, in stream order. */
  messages(): AsyncIterable<Message> {
    return this.queue;
  }

  /** Turns the kernel's BPF run-time statistics on or off while running (they cost every BPF program). */
  setProgStats(on: boolean): void {
    this.command(on ? 'stats on' : 'stats off');
  }

  /** Attaches exactly these probe groups from now on (only softirq-raise, napi, epoll and drops change while running). */
  setProbes(groups: readonly string[]): void {
    this.command(`probes ${groups.length ? groups.join(',') : 'none'}`);
  }

  /** The busy-period sampling in force: the start option, then each setPeriodEvery. */
  get periodEvery(): number {
    return this.every;
  }

  /** Opens a busy period on every `n`-th epoll call of each traced thread only (1: every call). */
  setPeriodEvery(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_PERIOD_EVERY)
      throw new RangeError(`period-every: ${n} is not in 1..${MAX_PERIOD_EVERY}`);
    this.command(`period-every ${n}`);
    this.every = n;
  }

  command(cmd: string): void {
    if (!this.ended && this.child.stdin.writable) this.child.stdin.write(cmd + '\n');
  }

  /** Asks for a snapshot now; resolves with the next snapshot frame. */
  snapshotNow(): Promise<Snapshot> {
    return new Promise((resolve) => {
      this.snapshotWaiters.push(resolve);
      this.command('snapshot');
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the helper (it detaches everything) and waits for it to exit. */
  async stop(): Promise<void> {
    if (!this.ended) {
      this.command('stop');
      this.child.stdin.end();
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    try {
      await this.child;
    } finally {
      clearTimeout(timer);
    }
  }
}

function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('warning:') && !l.startsWith('libbpf:'));
  return (lines[lines.length - 1] ?? '').replace(/^irqlens-helper: /, '');
}
