// How the offline commands open a recording: every problem the reader finds is
// one line on stderr as it is found; a damaged recording ends with exit code 1
// after the command has done what it could with the readable rest. CLI
// behaviour (stderr, the exit code), so it lives here and not in src/record.
import { Recording } from '../../src/record/reader.js';

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
