// How the offline commands open a recording: every problem the reader finds is
// one line on stderr as it is found; a damaged recording ends with exit code 1
// after the command has done what it could with the readable rest.
import { errnoText } from '../output/errno.js';
import { openSync } from 'node:fs';
import { RecordError } from './errors.js';
import { Recording } from './reader.js';

export function openRecording(path: string): Recording {
  const rec = Recording.open(path);
  const say = (message: string) => process.stderr.write(`irqlens: ${path}: ${message}\n`);
  for (const i of rec.issues) say(i.message);
  rec.onIssue = (i) => {
    say(i.message);
  };
  return rec;
}

export function closeRecording(rec: Recording): void {
  rec.close();
  if (rec.damaged) process.exitCode = 1;
}

/** An output file opened for writing, or the file descriptor given (e.g. 1 for stdout). */
export function openOut(path: string | number): number {
  if (typeof path === 'number') return path;
  try {
    return openSync(path, 'w');
  } catch (e) {
    throw new RecordError(`cannot write ${path}: ${errnoText(e)}`, undefined, { cause: e });
  }
}
