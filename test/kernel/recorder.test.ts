// top's r key: the recording uses top's probe settings, its errors reach the
// view, and it never outlives the view (kill -9 of top finishes the file and
// ends the recorder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot } from '../../src/probe/paths.js';
import { Recorder } from '../../src/live/recorder.js';
import { Recording } from '../../src/record/reader.js';
import { assertCanRun, kernelSkip, pidsWithCmdline } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const recorders = (dir: string): number[] => pidsWithCmdline('record', dir);

test("r records with the view's probe options and stops with r", { skip: kernelSkip, timeout: 60_000 }, async () => {
  assertCanRun();
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-r-'));
  const rec = new Recorder(['--records', 'burst,drop', '--window-us', '50', '--burst-packets', '32'], dir);
  assert.match(await rec.toggle(), /^recording to .*\.irqrec \(r stops\)$/);
  await sleep(1000);
  assert.match(await rec.toggle(), /^recorded /);
  const [file] = readdirSync(dir);
  const r = Recording.open(join(dir, file ?? ''));
  assert.deepEqual(r.header.options.records, ['burst', 'drop']);
  assert.equal(r.header.options.windowUs, 50);
  assert.equal(r.header.options.burstPackets, 32);
  r.close();
});

test(
  'r in a read-only directory fails with the reason, instead of claiming to record',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const dir = mkdtempSync(join(tmpdir(), 'irqlens-ro-'));
    mkdirSync(join(dir, 'ro'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', join(dir, 'ro')]);
    try {
      await assert.rejects(new Recorder([], join(dir, 'ro')).toggle(), /read-only file system/);
    } finally {
      await execa('umount', [join(dir, 'ro')]);
    }
  },
);

test(
  'kill -9 of the view: the recorder finishes its file and exits',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const dir = mkdtempSync(join(tmpdir(), 'irqlens-r9-'));
    const view = execa('node', [join(repoRoot(), 'dist', 'test', 'kernel', 'recorder-child.js'), dir], {
      reject: false,
      buffer: false,
    });
    const started = await new Promise<string>((resolve) => {
      view.stdout.on('data', (d: Buffer) => {
        resolve(d.toString());
      });
    });
    assert.match(started, /recording to/);
    assert.ok(recorders(dir).length > 0, 'the recorder runs');
    view.kill('SIGKILL');
    await view;
    for (let i = 0; i < 100 && recorders(dir).length; i++) await sleep(100);
    assert.deepEqual(recorders(dir), [], 'no recorder left after its view died');
    const [file] = readdirSync(dir);
    const r = Recording.open(join(dir, file ?? ''));
    assert.equal(r.damaged, false, 'the file was finished, not cut off');
    r.close();
  },
);
