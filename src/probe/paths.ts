// Where the repository and its build outputs live, from this module's own path
// (dist/src/probe/paths.js), so the CLI works from any working directory.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bpf'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the irqlens repository root');
}

/** The helper binary: IRQLENS_HELPER overrides (e.g. a setcap'd copy). */
export function helperPath(): string {
  return process.env.IRQLENS_HELPER ?? join(repoRoot(), 'build', 'irqlens-helper');
}

export function buildDir(): string {
  return join(repoRoot(), 'build');
}
