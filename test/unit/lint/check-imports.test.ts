// The layer check finds cycles between files and between folders, and the
// repository itself has none (the same check `npm run lint` runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycles, folderGraph, importGraph } from '../../../scripts/check-imports.js';
import { repoRoot } from '../../../src/probe/paths.js';

test('cycles: a three-file loop and a self-import are found; a chain is not', () => {
  const g = new Map<string, string[]>([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
    ['e', ['e']],
    ['f', []],
  ]);
  assert.deepEqual(
    cycles(g)
      .map((c) => c.join(','))
      .sort(),
    ['a,b,c', 'e'],
  );
  assert.deepEqual(
    cycles(
      new Map([
        ['x', ['y']],
        ['y', []],
      ]),
    ),
    [],
  );
});

test('folderGraph: files in two folders that import each other make a folder cycle', () => {
  const g = new Map<string, string[]>([
    ['/r/src/a/x.ts', ['/r/src/b/y.ts']],
    ['/r/src/b/y.ts', []],
    ['/r/src/b/z.ts', ['/r/src/a/w.ts']],
    ['/r/src/a/w.ts', []],
  ]);
  assert.deepEqual(cycles(g), []);
  assert.deepEqual(cycles(folderGraph(g)), [['/r/src/a', '/r/src/b']]);
});

test('the repository: no file or folder cycle, and src/ imports neither ui/ nor cli/', () => {
  const root = repoRoot();
  const g = importGraph(root);
  assert.ok(g.size > 100, `the graph holds the sources (${g.size} files)`);
  assert.deepEqual(cycles(g), []);
  assert.deepEqual(cycles(folderGraph(g)), []);
  for (const [f, deps] of g) {
    if (!f.startsWith(`${root}/src/`)) continue;
    for (const d of deps) assert.ok(d.startsWith(`${root}/src/`), `${f} imports ${d}`);
  }
});
