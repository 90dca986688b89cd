// A real terminal for `irqlens top` in benchmarks (a detached tmux session, so
// the ink UI runs rather than the plain-text path), and process-tree lookups
// to find the UI's Node process and its helper under the tmux pane.
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { procParent } from '../../src/procfs/process.js';
import { sleep } from './util.js';

const ppidOf = procParent;

/** Every process below `root` (children, grandchildren, ...), with its comm. */
export function descendants(root: number): { pid: number; comm: string }[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => ({ pid: Number(d), s: ppidOf(Number(d)) }));
  const out: { pid: number; comm: string }[] = [];
  const walk = (p: number) => {
    for (const c of all) {
      if (c.s?.ppid !== p) continue;
      out.push({ pid: c.pid, comm: c.s.comm });
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}

/** A detached tmux server of its own (private socket), one 120x40 window. */
export class Session {
  private constructor(private readonly socket: string) {}

  static async start(cmd: string): Promise<Session> {
    const socket = `irqlens-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await execa(
      'tmux',
      [
        '-L',
        socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'b',
        '-x',
        '120',
        '-y',
        '40',
        '-e',
        'LANG=C.UTF-8',
        cmd,
      ],
      { timeout: 10_000 },
    );
    return new Session(socket);
  }

  async screen(): Promise<string> {
    return (await execa('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'b'], { timeout: 10_000 })).stdout;
  }

  async panePid(): Promise<number> {
    return Number(
      (
        await execa('tmux', ['-L', this.socket, 'display-message', '-p', '-t', 'b', '#{pane_pid}'], { timeout: 10_000 })
      ).stdout.trim(),
    );
  }

  /** Waits (bounded) until `re` matches the screen: the UI has drawn. */
  async waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = await this.screen();
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`the terminal never showed ${String(re)}:\n${s}`);
      await sleep(200);
    }
  }

  /** q for a clean exit, then the tmux server goes whatever happened. */
  async quit(): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'send-keys', '-t', 'b', 'q'], { timeout: 10_000, reject: false });
    await sleep(1500);
    await execa('tmux', ['-L', this.socket, 'kill-server'], { timeout: 10_000, reject: false });
  }
}
