// Is a path a cgroup v2 directory? Checked with the caller's own rights (not the
// setcap'd helper's), so --cgroup cannot probe paths the user may not read.
import { existsSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoText } from '../output/errno.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** null when `path` is a cgroup v2 directory, else why not (one line). */
export function cgroupProblem(path: string): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return `cannot use ${path}: ${errnoText(e)}`;
  }
  if (!isDir) return `${path} is not a directory`;
  let type: number;
  try {
    type = statfsSync(path).type;
  } catch (e) {
    return `cannot use ${path}: ${errnoText(e)}`;
  }
  if (type !== CGROUP2_SUPER_MAGIC || !existsSync(join(path, 'cgroup.procs')))
    return `${path} is not a cgroup v2 directory`;
  return null;
}
