// Where the built CLI is, as package.json's bin names it (it has moved before).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';

export function cliPath(): string {
  const pj = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { bin: { irqlens: string } };
  return join(repoRoot(), pj.bin.irqlens);
}
