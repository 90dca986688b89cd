// The Tracker: marks resolve with the edge the next requested snapshot makes,
// fail at once after the stream ends, and a resolved mark is not kept alive by
// the tracker (a reaction per mark on its long-lived `done` kept every
// interval's window for the whole run: top's RSS grew ~3 MiB a minute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tracker } from '../../src/probe/tracker.js';
import { decodeHello, decodeSnapshot } from '../../src/stream/decode.js';
import type { Message } from '../../src/stream/types.js';
import { helloPayload, snapshotPayload } from './support/stream-builder.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A source that answers each snapshot command, like the helper, until end(). */
function source() {
  const queue: Message[] = [];
  const w: { wake: (() => void) | null } = { wake: null };
  const state = { ended: false, seq: 0 };
  return {
    end: () => {
      state.ended = true;
      w.wake?.();
    },
    src: {
      hello: decodeHello(helloPayload()),
      command: (cmd: string) => {
        if (cmd !== 'snapshot') return;
        state.seq++;
        queue.push({
          ...decodeSnapshot(snapshotPayload({ tsNs: BigInt(state.seq) * 1_000_000n, seq: state.seq, tables: [] })),
          requested: true,
        });
        w.wake?.();
      },
      async *messages(): AsyncGenerator<Message> {
        for (;;) {
          const m = queue.shift();
          if (m) yield m;
          else if (state.ended) return;
          else
            await new Promise<void>((r) => {
              w.wake = r;
            });
        }
      },
    },
  };
}

test('a resolved mark and its interval are not kept alive by the tracker', async () => {
  const { src, end } = source();
  const t = new Tracker(src);
  await t.edge();
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 20; i++) {
    const e = await t.edge();
    assert.ok(e.interval, 'every mark after the first closes an interval');
    refs.push(new WeakRef(e.interval.window));
  }
  // let the tracker's loop move past the last edge, then collect
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  // the newest interval may still be referenced by the folder's last edge; the others must be gone
  assert.ok(alive <= 1, `${alive} of 20 interval windows still alive after GC`);
  end();
  await t.done;
});

test('a mark asked for after the stream ended fails at once; one pending when it ends fails too', async () => {
  const { src, end } = source();
  const t = new Tracker(src);
  await t.edge();
  // a mark whose snapshot never comes: the source ends first
  const cmd = src.command;
  src.command = () => undefined;
  const pending = t.edge();
  end();
  await assert.rejects(pending, /the probe stream ended before the snapshot arrived/);
  src.command = cmd;
  await assert.rejects(t.edge(), /the probe stream ended/);
});
