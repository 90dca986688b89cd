// The r key: a recording runs as its own `irqlens record` process (its own
// helper), so the live view is never slowed by writing; r again stops it with
// SIGINT, which finishes the file with its index.
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { packageRoot } from '../probe/paths.js';

export class Recorder {
  private child: ResultPromise<{ stdio: 'ignore'; reject: false }> | null = null;
  private path = '';

  constructor(private readonly dir = process.cwd()) {}

  async toggle(): Promise<string> {
    if (this.child) {
      await this.stop();
      return `recorded ${this.path}`;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    this.path = join(this.dir, `irqlens-${stamp}.irqrec`);
    const cli = join(packageRoot(), 'dist', 'cli', 'main.js');
    this.child = execa(process.execPath, [cli, 'record', '-o', this.path], { stdio: 'ignore', reject: false });
    const child = this.child;
    void child.then((r) => {
      // it ended by itself (an error): say so on the next toggle
      if (this.child === child && r.exitCode) this.child = null;
    });
    return `recording to ${this.path} (r stops)`;
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
