// How the CLI ends on a failure: one line, no stack, an exit code that says why.
import { ProbeError } from '../../src/probe/errors.js';
import { StreamError } from '../../src/stream/errors.js';
import { RecordError } from '../../src/record/errors.js';
import { UsageError } from '../../src/errors.js';
import { OutputError } from '../../src/output/safe-output.js';
import { ServeError } from '../../src/serve/errors.js';
import { CommandError } from '../../src/cost/command.js';

export { UsageError } from '../../src/errors.js';

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return 2;
  if (e instanceof ProbeError) return e.exitCode || 1;
  return 1;
}

/** A reader that went away (`| head`): the command ends quietly, as it would once the reader is done. */
export function isClosedPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

export function describe(e: unknown): string {
  if (
    e instanceof UsageError ||
    e instanceof ProbeError ||
    e instanceof StreamError ||
    e instanceof RecordError ||
    e instanceof OutputError ||
    e instanceof ServeError ||
    e instanceof CommandError
  )
    return e.message;
  if (e instanceof Error) return `internal error: ${e.message} (please report it)`;
  return String(e);
}

/** The one way the CLI ends on an error: one line (usage errors point at --help), no stack, an exit code that says why. */
export function fail(e: unknown): never {
  if (isClosedPipe(e)) process.exit(0);
  process.stderr.write(`irqlens: ${describe(e)}\n`);
  if (e instanceof UsageError) process.stderr.write('(run irqlens --help for usage)\n');
  if (process.env.IRQLENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  process.exit(exitCodeOf(e));
}
