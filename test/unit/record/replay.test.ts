// The recording as a live source: the same messages as the reader, released
// at the pace of the snapshots (speed x real time), skipping ahead with fromS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Recording } from '../../../src/record/reader.js';
import { RecordingSource } from '../../../src/record/source.js';
import type { Message } from '../../../src/stream/types.js';
import { scratch } from './support.js';
import { synthRecording } from './synth.js';

const dir = scratch();
const path = join(dir, 'r.irqrec');
synthRecording(path, {
  seconds: 4,
  intervalMs: 200,
  irqRate: 500,
  irqNs: 1000,
  netRxRate: 100,
  seed: 9,
  records: true,
});

/** A fake clock that sleeping advances. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

async function collect(src: RecordingSource): Promise<Message[]> {
  const out: Message[] = [];
  for await (const m of src.messages()) out.push(m);
  return out;
}

test('the source yields exactly what the reader reads (after the hello), in order', async () => {
  const c = fakeClock();
  const got = await collect(RecordingSource.open(path, { speed: 1, now: c.now, sleep: c.sleep }));
  const rec = Recording.open(path);
  const want = [...rec.messages()].slice(1);
  rec.close();
  assert.equal(got.length, want.length);
  assert.deepEqual(
    got.map((m) => m.type),
    want.map((m) => m.type),
  );
});

test('paced by the snapshot timestamps: 4 s of recording take 4 s at 1x and 1 s at 4x', async () => {
  for (const [speed, want] of [
    [1, 4000],
    [4, 1000],
  ] as const) {
    const c = fakeClock();
    await collect(RecordingSource.open(path, { speed, now: c.now, sleep: c.sleep }));
    const total = c.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - want) < 1, `${speed}x: slept ${total} ms`);
    assert.equal(c.sleeps.length, 20, 'one wait per snapshot after the first');
  }
});

test("speed 'max' never waits; fromS skips ahead without waiting", async () => {
  const c = fakeClock();
  await collect(RecordingSource.open(path, { speed: Infinity, now: c.now, sleep: c.sleep }));
  assert.equal(c.sleeps.length, 0);
  const d = fakeClock();
  await collect(RecordingSource.open(path, { speed: 1, fromS: 3, now: d.now, sleep: d.sleep }));
  const total = d.sleeps.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1000) < 1, `from 3 s of 4: slept ${total} ms`);
});

test('stop() ends the stream', async () => {
  const c = fakeClock();
  const src = RecordingSource.open(path, { speed: 1, now: c.now, sleep: c.sleep });
  let n = 0;
  for await (const m of src.messages()) {
    if (m.type === 'snapshot' && ++n === 3) await src.stop();
  }
  assert.equal(n, 3);
});

test('command("snapshot") marks the next snapshot as requested, as the helper answers a Probe', async () => {
  const c = fakeClock();
  const src = RecordingSource.open(path, { speed: Infinity, now: c.now, sleep: c.sleep });
  const requested: number[] = [];
  let i = 0;
  for await (const m of src.messages()) {
    if (m.type !== 'snapshot') continue;
    if (m.requested) requested.push(i);
    if (i === 4) src.command('snapshot');
    i++;
  }
  assert.deepEqual(requested, [5]);
});
