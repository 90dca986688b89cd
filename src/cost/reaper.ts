// A process that must not outlive irqlens, even after kill -9 of irqlens, and
// cannot set PR_SET_PDEATHSIG itself (memcached drops to another user, which
// clears it): a tiny watchdog holds a pipe from us and kills the process when
// the pipe closes, that is when we exit by any path.
import { spawn } from 'node:child_process';

export interface Reaper {
  /** The process ended normally: the watchdog goes. */
  release(): void;
}

export function reapWithUs(pid: number): Reaper {
  const dog = spawn('sh', ['-c', 'read _ || true; kill -KILL "$1" 2>/dev/null', 'sh', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: false,
  });
  dog.unref();
  // the pipe must not keep the event loop alive either
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  dog.on('error', () => undefined);
  return {
    release: () => {
      dog.kill('SIGKILL');
    },
  };
}
