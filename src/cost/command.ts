// `record -- <command>` and `cost -- <command>`: the command runs in a cgroup of its own (so its
// children are traced too) that the helper filters on. Without cgroup v2 or
// root, the helper traces the command's pid only.
import { execa } from 'execa';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/** The traced command could not be started where it must run. */
export class CommandError extends Error {
  override name = 'CommandError';
}

function cgroup2Root(): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, dir, type] = line.split(' ');
      if (type === 'cgroup2' && dir) return dir;
    }
  } catch {
    // no /proc: no cgroups either
  }
  return undefined;
}

export function makeCgroup(tag: string): string | undefined {
  const root = cgroup2Root();
  if (process.getuid?.() !== 0 || !root) return undefined;
  const path = `${root}/irqlens-${tag}-${process.pid}`;
  try {
    mkdirSync(path);
  } catch {
    return undefined;
  }
  return path;
}

/** Kills whatever is still in the cgroup and removes it (bounded: about a second). */
export async function removeCgroup(path: string): Promise<void> {
  try {
    if (existsSync(`${path}/cgroup.kill`) && readFileSync(`${path}/cgroup.procs`, 'utf8').trim())
      writeFileSync(`${path}/cgroup.kill`, '1');
  } catch {
    // already empty or gone
  }
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(path);
      return;
    } catch (e) {
      // the helper (--own-cgroup) may have removed it already
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  process.stderr.write(`irqlens: could not remove ${path}\n`);
}

export async function commandExists(cmd: string): Promise<boolean> {
  const r = await execa('sh', ['-c', 'command -v "$1"', 'sh', cmd], { reject: false });
  return r.exitCode === 0;
}

/** The started command: awaited for its exit, killed on stop. */
export type Child = Promise<{ exitCode?: number }> & Pick<ChildProcess, 'kill' | 'exitCode' | 'signalCode' | 'pid'>;

/**
 * Starts the command, inside `cgroup` when given. The wrapper shell waits on fd 3 until Node has moved it into the
 * cgroup, then becomes the command: nothing it starts runs outside, and a stop that comes first (the cgroup removed)
 * or a parent that dies (fd 3 closes unwritten) means the command never runs.
 */
export function startCommand(argv: string[], cgroup: string | undefined): Child {
  const [cmd = '', ...args] = argv;
  if (!cgroup) return execa(cmd, args, { stdio: 'inherit', reject: false });
  const child = execa('sh', ['-c', 'read _ <&3 && exec 3<&- && exec "$@"', 'sh', cmd, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    reject: false,
  });
  const gate = child.stdio[3];
  try {
    if (child.pid === undefined) throw new Error('it did not start');
    writeFileSync(`${cgroup}/cgroup.procs`, String(child.pid));
  } catch (e) {
    child.kill('SIGKILL');
    throw new CommandError(`cannot run the command in ${cgroup}: ${(e as Error).message}`);
  }
  if (gate instanceof Writable) gate.end('go\n');
  return child;
}
