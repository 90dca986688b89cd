// Records the helper's stream to a file: spawns the helper (as the live Probe
// does), hands every frame to the writer untouched, and keeps the counters a
// status line shows. Stopping always finishes the file with its index.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { helperArgs, type ProbeOptions } from '../probe/client.js';
import { ProbeError } from '../probe/errors.js';
import { helperPath, missingBinary } from '../probe/paths.js';
import { decodeHello, decodeSnapshot } from '../stream/decode.js';
import { FrameSplitter, type Frame } from '../stream/frames.js';
import { FRAME } from '../stream/layout.js';
import type { Hello } from '../stream/types.js';
import { RecordError } from './errors.js';
import type { RecordingHeader } from './format.js';
import { RecordingWriter, type WriterOptions } from './writer.js';

const SPAWN = { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false } as const;
type HelperProcess = ResultPromise<typeof SPAWN>;

export interface CaptureStatus {
  elapsedMs: number;
  events: number;
  fileBytes: number;
  rawBytes: number;
  /** Records lost in the kernel so far (ring or map full), from the latest snapshot. */
  lost: number;
}

export interface CaptureSummary extends CaptureStatus {
  path: string;
  chunks: number;
  frames: number;
  /** How the stream ended: "end" (the helper's end frame) or why not. */
  ended: string;
  warnings: string[];
}

export interface CaptureOptions extends ProbeOptions, WriterOptions {
  path: string;
  /** Builds the header once the helper's hello says what it found (PMU, CPUs, kernel). */
  header: (hello: Hello) => RecordingHeader;
  onStatus?: (s: CaptureStatus) => void;
  onWarning?: (line: string) => void;
  statusMs?: number;
}

function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('warning:') && !l.startsWith('libbpf:'));
  return (lines[lines.length - 1] ?? '').replace(/^irqlens-helper: /, '');
}

export class Capture {
  readonly warnings: string[] = [];
  /** Settles when the helper has exited and the file is finished, whoever stopped it. */
  readonly done: Promise<CaptureSummary>;
  private writer: RecordingWriter | undefined;
  private readonly splitter = new FrameSplitter();
  private readonly early: Frame[] = [];
  private readonly lost = new Map<string, number>();
  private sawEnd = false;
  private failure: Error | undefined;
  private stderr = '';
  private stderrTail = '';
  private readonly t0 = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private helloResolve: ((h: Hello) => void) | undefined;
  private helloReject: ((e: Error) => void) | undefined;
  private stopping = false;

  private constructor(
    private readonly child: HelperProcess,
    private readonly o: CaptureOptions,
  ) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      this.onStderr(s);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      this.onBytes(chunk);
    });
    child.stdin.on('error', () => undefined); // EPIPE once the helper has gone: its exit says why
    this.done = this.finish();
  }

  /** Starts the helper; resolves once its hello arrived and the file's header is written. */
  static async start(o: CaptureOptions): Promise<Capture> {
    const bin = o.helper ?? helperPath();
    if (!existsSync(bin)) throw new ProbeError(missingBinary(bin, 'the helper'));
    const c = new Capture(execa(bin, helperArgs(o), SPAWN), o);
    const hello = new Promise<Hello>((resolve, reject) => {
      c.helloResolve = resolve;
      c.helloReject = reject;
    });
    // the helper may exit before its hello (no privileges, no BTF): done says why
    c.done.catch((e: unknown) => c.helloReject?.(e instanceof Error ? e : new Error(String(e))));
    await hello;
    return c;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private onStderr(s: string): void {
    this.stderr += s;
    if (this.stderr.length > 1 << 16) this.stderr = this.stderr.slice(-(1 << 15));
    this.stderrTail += s;
    const lines = this.stderrTail.split('\n');
    this.stderrTail = lines.pop() ?? '';
    if (!this.writer) return; // before the hello: startup errors, reported if it fails
    for (const l of lines) this.warn(l);
  }

  private warn(line: string): void {
    const text = line.trim().replace(/^irqlens-helper: (warning: )?/, '');
    if (!text || text.startsWith('libbpf:')) return;
    this.warnings.push(text);
    this.o.onWarning?.(text);
    try {
      this.writer?.note(text);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.failure ??= e instanceof Error ? e : new Error(String(e));
    this.child.kill('SIGTERM');
  }

  private onBytes(chunk: Buffer): void {
    if (this.failure) return;
    try {
      for (const f of this.splitter.push(chunk)) this.onFrame(f);
    } catch (e) {
      this.fail(e);
    }
  }

  private onFrame(f: Frame): void {
    if (!this.writer) {
      if (f.type !== FRAME.HELLO) throw new RecordError('the helper stream did not start with a hello frame');
      const hello = decodeHello(f.payload);
      this.writer = RecordingWriter.create(this.o.path, this.o.header(hello), this.o);
      // startup warnings (e.g. a tracepoint this kernel lacks) belong in the file too
      for (const l of this.stderr.split('\n')) if (l.includes('warning:')) this.warn(l);
      this.timer = setInterval(() => {
        this.tick();
      }, this.o.statusMs ?? 250);
      this.helloResolve?.(hello);
    }
    this.writer.addFrame(f.type, f.flags, f.payload);
    if (f.type === FRAME.SNAPSHOT) {
      for (const l of decodeSnapshot(f.payload, f.flags).lost) this.lost.set(`${l.kind}/${l.reason}`, l.count);
    } else if (f.type === FRAME.END) {
      this.sawEnd = true;
    }
  }

  private tick(): void {
    try {
      this.writer?.tick();
    } catch (e) {
      this.fail(e);
    }
    this.o.onStatus?.(this.status());
  }

  status(): CaptureStatus {
    const s = this.writer?.stats;
    let lost = 0;
    for (const v of this.lost.values()) lost += v;
    return {
      elapsedMs: Date.now() - this.t0,
      events: s?.events ?? 0,
      fileBytes: s?.fileBytes ?? 0,
      rawBytes: s?.rawBytes ?? 0,
      lost,
    };
  }

  private async finish(): Promise<CaptureSummary> {
    const r = await this.child;
    if (this.timer) clearInterval(this.timer);
    const w = this.writer;
    if (!w) {
      const why =
        this.failure?.message ??
        (lastErrorLine(this.stderr) ||
          (r.signal
            ? `the helper was killed by ${r.signal}`
            : `the helper exited with code ${r.exitCode ?? '?'} before it started`));
      throw this.failure instanceof RecordError ? this.failure : new ProbeError(why, r.exitCode || 1);
    }
    if (this.stderrTail.trim()) this.warn(this.stderrTail);
    const ended = this.sawEnd
      ? 'end'
      : this.failure
        ? `failed: ${this.failure.message}`
        : r.signal
          ? `the helper was killed by ${r.signal}`
          : `the helper exited with code ${r.exitCode ?? '?'} without an end frame`;
    w.close(ended);
    if (this.failure) throw this.failure;
    if (!this.stopping && (r.exitCode !== 0 || r.signal))
      throw new ProbeError(lastErrorLine(this.stderr) || ended, r.exitCode || 1);
    return {
      ...this.status(),
      path: w.path,
      chunks: w.stats.chunks,
      frames: w.stats.frames,
      ended,
      warnings: this.warnings,
    };
  }

  /** Stops the helper (its final snapshot and end frame are recorded) and finishes the file. */
  async stop(): Promise<CaptureSummary> {
    this.stopping = true;
    if (this.child.stdin.writable) {
      this.child.stdin.write('stop\n');
      this.child.stdin.end();
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }
}
