// Cleanup that must happen even after kill -9 of irqlens: a tiny watchdog holds
// a pipe from us and runs its shell snippet when the pipe closes, that is when
// we exit by any path. It runs in its own session, so a Ctrl-C to our process
// group does not end it before it has done its work. Used to stop processes
// that cannot keep PR_SET_PDEATHSIG (memcached changes user, which clears it)
// and to undo an experiment's settings.
import { spawn } from 'node:child_process';

export interface Reaper {
  /** The cleanup was done in-process (a normal end): the watchdog goes without running it. */
  release(): void;
}

export function onOurExit(script: string): Reaper {
  const dog = spawn('sh', ['-c', `read _ || true\n${script}`], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.unref();
  // the pipe must not keep the event loop alive either
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  dog.on('error', () => undefined);
  return {
    release: () => {
      dog.kill('SIGKILL');
    },
  };
}

/** Kills `pid` when we exit. */
export function reapWithUs(pid: number): Reaper {
  return onOurExit(`kill -KILL ${pid} 2>/dev/null`);
}
