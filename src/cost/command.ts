// `record -- <command>` and `cost -- <command>`: the command runs in a cgroup of its own (so its
// children are traced too) that the helper filters on. Without cgroup v2 or
// root, the helper traces the command's pid only.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

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

export type Child = ResultPromise<{ stdio: 'inherit'; reject: false }>;

/** Starts the command, inside `cgroup` when given (it joins before exec, so everything it starts is inside). */
export function startCommand(argv: string[], cgroup: string | undefined): Child {
  const [cmd = '', ...args] = argv;
  return cgroup
    ? execa('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'sh', cgroup, cmd, ...args], {
        stdio: 'inherit',
        reject: false,
      })
    : execa(cmd, args, { stdio: 'inherit', reject: false });
}
