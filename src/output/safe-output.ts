// Where a command's output file is written so no data is lost: never over an
// input, never over an existing file without --force, and through a temporary
// file in the same directory that is renamed (or linked, when the name must be
// new) only once complete, so a failure or a full disk leaves no partial file.
import { closeSync, linkSync, openSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { errnoText } from './errno.js';

export class OutputError extends Error {
  override name = 'OutputError';
}

export interface OutputOptions {
  /** Replace an existing file. */
  force?: boolean;
  /** Files the command reads: the output may never be one of them (by device and inode, so links count). */
  inputs?: readonly string[];
  /**
   * Write straight to the final name, created exclusively, when it does not exist yet (a recording:
   * one cut short by kill -9 stays readable under its own name). An existing file is still replaced
   * only through a temporary file.
   */
  inPlace?: boolean;
}

export interface OutputTarget {
  /** The name the user asked for. */
  readonly path: string;
  /** Where to write now (a temporary name, or `path` itself for an in-place recording). */
  readonly writePath: string;
  /** Puts the finished file under its name. */
  commit(): void;
  /** Removes what was written (a failed or refused output). */
  discard(): void;
  /** The error to show for a failed write: system errors in words, naming `path`, not the temporary file. */
  explain(e: unknown): unknown;
}

function explainFor(path: string, writePath: string): (e: unknown) => unknown {
  return (e) => {
    // already in words, and its temporary name (where a raced output is kept) must stay as it is
    if (e instanceof OutputError) return e;
    if (
      e instanceof Error &&
      (e as NodeJS.ErrnoException).syscall !== undefined &&
      (e as NodeJS.ErrnoException).code !== undefined
    ) {
      return new OutputError(`cannot write ${path}: ${errnoText(e)}`, { cause: e });
    }
    if (e instanceof Error && writePath !== path && e.message.includes(writePath))
      e.message = e.message.replaceAll(writePath, path);
    return e;
  };
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OutputError(`cannot use ${path}: ${errnoText(e)}`, { cause: e });
  }
}

const pending = new Set<string>();
let hooked = false;
function track(tmp: string): void {
  pending.add(tmp);
  if (hooked) return;
  hooked = true;
  // an exit before commit (an error, Ctrl-C) removes the temporary file; kill -9 cannot be caught
  process.on('exit', () => {
    for (const p of pending) {
      try {
        unlinkSync(p);
      } catch {
        // already gone
      }
    }
  });
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
}

/** Checks the output against the inputs and --force, and reserves where to write it. */
export function prepareOutput(path: string, o: OutputOptions = {}): OutputTarget {
  // '' would make the temporary file a stray dot-file in the working directory that no rename can place
  if (path.trim() === '') throw new UsageError('the output file name is empty: give a file name');
  const out = statOrNull(path);
  for (const input of o.inputs ?? []) {
    const st = statOrNull(input);
    if (out && st && out.dev === st.dev && out.ino === st.ino) {
      throw new UsageError(
        `${path} is the input ${input}${path === input ? '' : ' (the same file through a link)'}: write the output to another file`,
      );
    }
  }
  if (out?.isDirectory()) throw new UsageError(`${path} is a directory: give a file name`);
  if (out && !o.force) throw new UsageError(`${path} exists: give --force to overwrite it`);
  if (o.inPlace && !out) {
    try {
      closeSync(openSync(path, 'wx'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${path} exists (another process created it just now): give another name, or --force`);
      throw new OutputError(`cannot write ${path}: ${errnoText(e)}`, { cause: e });
    }
    let done = false;
    return {
      path,
      writePath: path,
      explain: explainFor(path, path),
      commit: () => {
        done = true;
      },
      discard: () => {
        if (!done) unlinkQuiet(path);
        done = true;
      },
    };
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(3).toString('hex')}.tmp`);
  try {
    closeSync(openSync(tmp, 'wx'));
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${errnoText(e)}`, { cause: e });
  }
  track(tmp);
  let done = false;
  return {
    path,
    writePath: tmp,
    explain: explainFor(path, tmp),
    commit: () => {
      if (done) return;
      try {
        if (o.force) renameSync(tmp, path);
        else {
          // link fails if the name appeared meanwhile: the exists check and the write are one step
          linkSync(tmp, path);
          unlinkSync(tmp);
        }
      } catch (e) {
        pending.delete(tmp);
        done = true;
        if ((e as NodeJS.ErrnoException).code === 'EEXIST')
          throw new OutputError(
            `${path} was created by another process while this one wrote; the output is kept as ${tmp}`,
            { cause: e },
          );
        throw new OutputError(`cannot write ${path}: ${errnoText(e)}; the output is kept as ${tmp}`, { cause: e });
      }
      pending.delete(tmp);
      done = true;
    },
    discard: () => {
      if (done) return;
      unlinkQuiet(tmp);
      pending.delete(tmp);
      done = true;
    },
  };
}

/** Runs `write` against the target and commits it; on any failure the partial file is removed. */
export function writeOutput<T>(path: string, o: OutputOptions, write: (writePath: string) => T): T {
  const t = prepareOutput(path, o);
  try {
    const r = write(t.writePath);
    t.commit();
    return r;
  } catch (e) {
    t.discard();
    throw t.explain(e);
  }
}
