// Output files of the exporters: a path opened for writing, or a file
// descriptor passed through (1 for stdout). Opening recordings for the
// command line (issues on stderr, the exit code) is cli/common/recording.ts.
import { errnoText } from '../output/errno.js';
import { openSync } from 'node:fs';
import { RecordError } from './errors.js';

/** An output file opened for writing, or the file descriptor given (e.g. 1 for stdout). */
export function openOut(path: string | number): number {
  if (typeof path === 'number') return path;
  try {
    return openSync(path, 'w');
  } catch (e) {
    throw new RecordError(`cannot write ${path}: ${errnoText(e)}`, undefined, { cause: e });
  }
}
