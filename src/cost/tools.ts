// External programs the workloads run, found on PATH the way a shell would, so a
// host without them gets one line naming the Debian package instead of ENOENT.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../errors.js';

/** The path of an executable named `tool` on PATH, or undefined. */
export function onPath(tool: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const cand = join(dir, tool);
    try {
      accessSync(cand, constants.X_OK);
      return cand;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Throws the one-line reason and fix when `tool` (from Debian package `pkg`) is not on PATH. */
export function needTool(tool: string, pkg: string, why: string): void {
  if (!onPath(tool))
    throw new UsageError(
      `${tool} is not on PATH (${why}): install Debian's ${pkg} (apt-get install ${pkg}) or add its directory to PATH`,
    );
}
