// The r key: a recording runs as its own `irqlens record` process (its own
// helper), so the live view is never slowed by writing; r again stops it with
// SIGINT, which finishes the file with its index. It records with the live
// view's own probe settings, dies with the view (its stdin is our pipe: when
// it closes, even after kill -9 of the view, it finishes the file and exits),
// and its errors come back as the message the view shows.
import { execa, type ResultPromise } from 'execa';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cliCommand } from '../probe/launch.js';

type Child = ResultPromise<{ stdio: ['pipe', 'ignore', 'pipe']; reject: false; buffer: false }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Recorder {
  private child: Child | null = null;
  private path = '';
  private stderr = '';
  private ended: string | null = null;

  /** `args`: the probe options of the live view, as `irqlens record` takes them. */
  constructor(
    private readonly args: readonly string[] = [],
    private readonly dir = process.cwd(),
    private readonly startMs = 10_000,
  ) {}

  async toggle(): Promise<string> {
    if (this.child) {
      await this.stop();
      return `recorded ${this.path}`;
    }
    if (this.ended !== null) {
      const why = this.ended;
      this.ended = null;
      return `the last recording stopped by itself: ${why}`;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    this.path = join(this.dir, `irqlens-${stamp}.irqrec`);
    this.stderr = '';
    const [node, argv] = cliCommand(['record', '-o', this.path, '--stop-with-stdin', ...this.args]);
    const child: Child = execa(node, argv, {
      stdio: ['pipe', 'ignore', 'pipe'],
      reject: false,
      buffer: false,
    });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4096);
    });
    let exited = false;
    void child.then((r) => {
      exited = true;
      // it ended by itself (an error): the next toggle says so
      if (this.child === child) {
        this.child = null;
        if (r.exitCode) this.ended = this.lastError() ?? `exit code ${r.exitCode}`;
      }
    });
    // started once its file holds the header (the helper is attached), failed if it exits first
    for (const t0 = Date.now(); Date.now() - t0 < this.startMs; await sleep(100)) {
      if (exited) {
        this.ended = null;
        throw new Error(this.lastError() ?? 'irqlens record ended at once');
      }
      if (sizeOf(this.path) > 0) return `recording to ${this.path} (r stops)`;
    }
    return `starting a recording to ${this.path} (r stops)`;
  }

  private lastError(): string | null {
    const lines = this.stderr
      .split(/[\r\n]+/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('recording '));
    const last = lines[lines.length - 1];
    return last ? last.replace(/^irqlens: /, '') : null;
  }

  /** Stops a running recording and waits for its file to be finished. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      await child;
    } finally {
      clearTimeout(t);
    }
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
