// How the CLI ends on a failure: one line, no stack, an exit code that says why.
import { ProbeError } from '../probe/errors.js';
import { StreamError } from '../stream/errors.js';
import { RecordError } from '../record/errors.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return 2;
  if (e instanceof ProbeError) return e.exitCode || 1;
  return 1;
}

export function describe(e: unknown): string {
  if (e instanceof UsageError || e instanceof ProbeError || e instanceof StreamError || e instanceof RecordError) return e.message;
  if (e instanceof Error) return `internal error: ${e.message} (please report it)`;
  return String(e);
}

export function fail(e: unknown): never {
  process.stderr.write(`irqlens: ${describe(e)}\n`);
  if (process.env.IRQLENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  process.exit(exitCodeOf(e));
}
