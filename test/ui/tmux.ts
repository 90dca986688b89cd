// A real terminal for end-to-end tests: `irqlens top` in a tmux session of a
// fixed size on a private tmux server, with bounded waits for what it shows.
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { procParent } from '../../src/procfs/process.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const stat = procParent;

export function alive(pid: number): boolean {
  return stat(pid) !== null;
}

/** Every descendant of `root` with its command name. */
export function descendants(root: number): { pid: number; comm: string }[] {
  const kids = new Map<number, { pid: number; comm: string }[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (!s) continue;
    const l = kids.get(s.ppid) ?? [];
    l.push({ pid: Number(d), comm: s.comm });
    kids.set(s.ppid, l);
  }
  const out: { pid: number; comm: string }[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      out.push(k);
      walk(k.pid);
    }
  };
  walk(root);
  return out;
}

export class TmuxSession {
  private constructor(
    readonly socket: string,
    readonly cols: number,
    readonly rows: number,
  ) {}

  /** Starts `command` (a shell command line) in a detached session of cols x rows. */
  static async start(
    command: string,
    cols: number,
    rows: number,
    env: Record<string, string> = {},
  ): Promise<TmuxSession> {
    const socket = `irqlens-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const s = new TmuxSession(socket, cols, rows);
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
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
        'e2e',
        '-x',
        String(cols),
        '-y',
        String(rows),
        ...envArgs,
        command,
      ],
      { timeout: 10_000 },
    );
    return s;
  }

  private tmux(...args: string[]) {
    return execa('tmux', ['-L', this.socket, ...args], { timeout: 10_000 });
  }

  /** The visible screen as text (with -e, with its escape sequences). */
  async capture(escapes = false): Promise<string> {
    const r = await this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'e2e');
    return r.stdout;
  }

  async format(f: string): Promise<string> {
    return (await this.tmux('display-message', '-p', '-t', 'e2e', f)).stdout.trim();
  }

  /** Keys one at a time, as a person types them (tmux key names: Tab, C-c, ...). */
  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) {
      await this.tmux('send-keys', '-t', 'e2e', k);
      await sleep(150);
    }
  }

  /** Polls the screen until `pred` holds; fails after `ms` with the last screen. */
  async waitFor(what: string, pred: (screen: string) => boolean, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = await this.capture();
      if (pred(last)) return last;
      await sleep(200);
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen:\n${last}`);
  }

  async panePid(): Promise<number> {
    return Number(await this.format('#{pane_pid}'));
  }

  async kill(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
