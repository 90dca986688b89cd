// /proc/PID/stat: the command name may hold spaces and parentheses, so the
// fields after it are split from the last ')'.
import { readFileSync } from 'node:fs';

/** Parent pid and command name of a process, or null when it has gone. */
export function procParent(pid: number): { ppid: number; comm: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(s.slice(close + 2).split(' ')[1]) };
  } catch {
    return null;
  }
}
