// The CLI's Node flags have one owner (src/probe/launch.ts); the bin's shebang and
// `npm start` repeat them and must agree, or the installed tool runs differently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { cliCommand, cliPath, NODE_FLAGS } from '../../src/probe/launch.js';

test('the bin, its build and npm start run node with the flags of src/probe/launch.ts', () => {
  const shebang = `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`;
  for (const f of [join(repoRoot(), 'cli', 'main.ts'), cliPath()])
    assert.equal(readFileSync(f, 'utf8').split('\n')[0], shebang, f);
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } };
  assert.ok(pkg.scripts.start.endsWith(`node ${NODE_FLAGS.join(' ')} dist/cli/main.js`), pkg.scripts.start);
  assert.deepEqual(cliCommand(['top']), [process.execPath, [...NODE_FLAGS, cliPath(), 'top']]);
});
