// How irqlens's own CLI is started: its file and the Node flags it runs with.
// The bin's shebang (cli/main.ts) and `npm start` carry the same flags (a unit
// test checks both); the live views' recorder and the benchmarks start it here.
import { join } from 'node:path';
import { packageRoot } from './paths.js';

/**
 * A young generation of 2 x 8 MiB, not V8's 2 x 16: under a live view's allocation rate V8 grows it to
 * the maximum and keeps it, though ~2 MiB of it is in use. Measured (BENCHMARKS.md): top's Node RSS
 * -11 MiB, serve's -26 MiB, the same CPU. Smaller (4 MiB) promoted short-lived objects and grew the
 * old generation instead.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export function cliPath(): string {
  return join(packageRoot(), 'dist', 'cli', 'main.js');
}

/** node's arguments before irqlens's own: the flags, then the CLI (this package's, or another build's). */
export function cliArgv(cli = cliPath()): string[] {
  return [...NODE_FLAGS, cli];
}

/** The node binary and its arguments for `irqlens ARGS...`. */
export function cliCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, [...cliArgv(), ...args]];
}
