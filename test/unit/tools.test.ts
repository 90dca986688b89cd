// Finding the workloads' external programs on PATH as a shell does: only
// executable files count, empty PATH entries are skipped, and a missing one
// is one line naming the Debian package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needTool, onPath } from '../../src/cost/tools.js';
import { UsageError } from '../../src/errors.js';

test('onPath finds the first executable of that name and skips non-executable files', () => {
  const d = mkdtempSync(join(tmpdir(), 'irqlens-tools-'));
  try {
    for (const sub of ['a', 'b', 'c']) mkdirSync(join(d, sub));
    writeFileSync(join(d, 'a', 'tool'), '#!/bin/sh\n');
    chmodSync(join(d, 'a', 'tool'), 0o644);
    writeFileSync(join(d, 'b', 'tool'), '#!/bin/sh\n');
    chmodSync(join(d, 'b', 'tool'), 0o755);
    writeFileSync(join(d, 'c', 'tool'), '#!/bin/sh\n');
    chmodSync(join(d, 'c', 'tool'), 0o755);
    const path = ['', join(d, 'a'), join(d, 'b'), join(d, 'c')].join(':');
    assert.equal(onPath('tool', path), join(d, 'b', 'tool'));
    assert.equal(onPath('other', path), undefined);
    assert.equal(onPath('tool', ''), undefined);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('needTool names the missing program, why it is needed and the package', () => {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    assert.throws(
      () => {
        needTool('taskset', 'util-linux', 'pinning');
      },
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          "taskset is not on PATH (pinning): install Debian's util-linux (apt-get install util-linux) or add its directory to PATH",
    );
  } finally {
    process.env.PATH = saved;
  }
  assert.doesNotThrow(() => {
    needTool('sh', 'dash', 'a shell');
  });
});
