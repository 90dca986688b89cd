// How the CLI ends on a failure: one line, no stack, an exit code that says why.
import { ProbeError } from '../../src/probe/errors.js';
import { StreamError } from '../../src/stream/errors.js';
import { RecordError } from '../../src/record/errors.js';
import { UsageError } from '../../src/errors.js';
import { OutputError } from '../../src/output/safe-output.js';

export { UsageError } from '../../src/errors.js';

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return 2;
  if (e instanceof ProbeError) return e.exitCode || 1;
  return 1;
}

export function describe(e: unknown): string {
  if (e instanceof UsageError || e instanceof ProbeError || e instanceof StreamError || e instanceof RecordError || e instanceof OutputError) return e.message;
  if (e instanceof Error) return `internal error: ${e.message} (please report it)`;
  return String(e);
}

export function fail(e: unknown): never {
  process.stderr.write(`irqlens: ${describe(e)}\n`);
  if (process.env.IRQLENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  process.exit(exitCodeOf(e));
}
