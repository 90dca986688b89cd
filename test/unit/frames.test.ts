// FrameSplitter on a real recorded stream: whole, split at every byte
// boundary, byte by byte, in random chunks and through a reused read buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSplitter, type Frame } from '../../src/stream/frames.js';
import { decodeFrame } from '../../src/stream/decode.js';
import { FRAME, SNAP_FULL, SNAP_REQUESTED } from '../../src/stream/layout.js';
import { StreamError } from '../../src/stream/errors.js';
import { prng, randInt, readFixture } from './support/fixture.js';
import { concat, endFrame, frame, helloFrame } from './support/stream-builder.js';

const bytes = readFixture();

interface RefFrame {
  type: number;
  flags: number;
  offset: number;
  len: number;
}

/**
 * The frames of a stream by walking the headers directly, as bpf/events.h
 * defines them (u32 len, u16 type, u16 flags; the payload follows), without
 * the splitter, so the splitter is checked against something independent.
 */
function walk(b: Uint8Array): RefFrame[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: RefFrame[] = [];
  let off = 0;
  while (off < b.length) {
    assert.ok(b.length - off >= 8, `header at ${off} is cut off`);
    const len = dv.getUint32(off, true);
    out.push({ type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true), offset: off, len });
    off += 8 + len;
  }
  assert.equal(off, b.length, 'the last frame ends exactly at the end of the stream');
  return out;
}

const ref = walk(bytes);

/** Same bytes as the fixture's payload of `r`; cheap when `p` is a view of it in place. */
function payloadMatches(p: Uint8Array, r: RefFrame): boolean {
  if (p.length !== r.len) return false;
  if (p.buffer === bytes.buffer && p.byteOffset === r.offset + 8) return true;
  return Buffer.from(p.buffer, p.byteOffset, p.length).equals(
    Buffer.from(bytes.buffer, bytes.byteOffset + r.offset + 8, r.len),
  );
}

function assertSameFrames(got: readonly Frame[], how: string): void {
  assert.equal(got.length, ref.length, `${how}: number of frames`);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i];
    const r = ref[i];
    assert.ok(g && r);
    if (g.type !== r.type || g.flags !== r.flags || g.offset !== r.offset || !payloadMatches(g.payload, r)) {
      assert.fail(
        `${how}: frame ${i} is {type ${g.type}, flags ${g.flags}, offset ${g.offset}, ${g.payload.length} bytes}, ` +
          `expected {type ${r.type}, flags ${r.flags}, offset ${r.offset}, ${r.len} bytes} with the fixture's payload bytes`,
      );
    }
  }
}

/** Bytes that belong to the frame still incomplete after the first `k` bytes. */
function incompleteAfter(k: number): number {
  let done = 0;
  for (const r of ref) {
    if (r.offset + 8 + r.len > k) break;
    done = r.offset + 8 + r.len;
  }
  return k - done;
}

test('the fixture decodes whole: hello first, end last, snapshots and events between', () => {
  const s = new FrameSplitter();
  const frames = s.push(bytes);
  assert.equal(s.buffered, 0);
  assertSameFrames(frames, 'whole');
  const msgs = frames.map(decodeFrame);
  assert.equal(msgs[0]?.type, 'hello');
  assert.equal(msgs.at(-1)?.type, 'end');
  assert.equal(msgs.filter((m) => m.type === 'hello').length, 1, 'one hello');
  assert.equal(msgs.filter((m) => m.type === 'end').length, 1, 'one end');
  const snaps = msgs.filter((m) => m.type === 'snapshot');
  assert.ok(snaps.length >= 3, `${snaps.length} snapshots`);
  assert.ok(
    snaps.some((m) => m.requested),
    'a snapshot answering the "snapshot" command',
  );
  assert.ok(
    snaps.some((m) => !m.requested),
    'periodic snapshots',
  );
  assert.deepEqual(
    snaps.map((m) => m.seq),
    snaps.map((_, i) => i),
    'snapshot seq counts from 0 without gaps',
  );
  for (let i = 1; i < snaps.length; i++)
    assert.ok((snaps[i]?.tsNs ?? 0n) >= (snaps[i - 1]?.tsNs ?? 0n), 'snapshot timestamps do not go back');
  // the first snapshot is the full one the helper writes right after the hello
  const snapFrames = frames.filter((f) => f.type === FRAME.SNAPSHOT);
  assert.ok(((snapFrames[0]?.flags ?? 0) & SNAP_FULL) !== 0, 'the first snapshot is full');
  assert.ok(
    snapFrames.slice(1).every((f) => (f.flags & SNAP_FULL) === 0),
    'later snapshots carry changed rows only',
  );
  assert.ok(frames.some((f) => f.type === FRAME.SNAPSHOT && (f.flags & SNAP_REQUESTED) !== 0));
  assert.ok(msgs.filter((m) => m.type === 'events').length >= 2, 'several events frames');
});

test('split into two chunks at every byte boundary: the same frames', () => {
  const t0 = performance.now();
  for (let k = 0; k <= bytes.length; k++) {
    const s = new FrameSplitter();
    const a = s.push(bytes.subarray(0, k));
    const pending = s.buffered;
    if (pending !== incompleteAfter(k))
      assert.fail(`split at ${k}: ${pending} bytes buffered, expected ${incompleteAfter(k)}`);
    const b = s.push(bytes.subarray(k));
    if (s.buffered !== 0) assert.fail(`split at ${k}: ${s.buffered} bytes left over at the end`);
    assertSameFrames(a.concat(b), `split at ${k}`);
  }
  // speed is for benchmarks, not a pass/fail: reported only
  process.stdout.write(`# every-boundary split in ${(performance.now() - t0).toFixed(0)} ms\n`);
});

test('fed one byte at a time: the same frames', () => {
  const s = new FrameSplitter();
  const got: Frame[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...s.push(bytes.subarray(i, i + 1)));
  assert.equal(s.buffered, 0);
  assertSameFrames(got, '1-byte chunks');
});

test('fed in random chunk sizes: the same frames', () => {
  const rand = prng(0x1e4a5);
  for (let run = 0; run < 40; run++) {
    const max = [64, 300, 5000, 40_000][run % 4] ?? 64;
    const s = new FrameSplitter();
    const got: Frame[] = [];
    for (let off = 0; off < bytes.length;) {
      const n = randInt(rand, 0, max + 1); // empty chunks too
      got.push(...s.push(bytes.subarray(off, off + n)));
      off += n;
    }
    assert.equal(s.buffered, 0);
    assertSameFrames(got, `random run ${run}`);
  }
});

test('the caller may reuse its read buffer once push returns', () => {
  // like a reader that refills one buffer: frames must be consumed before the
  // next push, but bytes held back for an incomplete frame must survive reuse
  const rand = prng(7);
  const scratch = new Uint8Array(8192);
  const s = new FrameSplitter();
  const seen: { type: number; flags: number; offset: number; payload: Buffer }[] = [];
  for (let off = 0; off < bytes.length;) {
    const n = Math.min(randInt(rand, 1, scratch.length + 1), bytes.length - off);
    scratch.fill(0xee);
    scratch.set(bytes.subarray(off, off + n));
    for (const f of s.push(scratch.subarray(0, n)))
      seen.push({ type: f.type, flags: f.flags, offset: f.offset, payload: Buffer.from(f.payload) });
    off += n;
  }
  assertSameFrames(
    seen.map((f) => ({ ...f, payload: new Uint8Array(f.payload) })),
    'reused buffer',
  );
});

test('a frame length over the 64 MiB limit is a StreamError naming its offset', () => {
  const good = helloFrame();
  const s = new FrameSplitter();
  assert.equal(s.push(good).length, 1);
  const bad = frame(FRAME.EVENTS, new Uint8Array(0), 0, (64 << 20) + 1);
  assert.throws(
    () => s.push(bad),
    (e: unknown) => e instanceof StreamError && e.message.includes(`byte ${good.length}`) && /corrupt/.test(e.message),
  );
  // exactly the limit is allowed: it just waits for more bytes
  const s2 = new FrameSplitter();
  assert.deepEqual(s2.push(frame(FRAME.EVENTS, new Uint8Array(0), 0, 64 << 20)), []);
  assert.equal(s2.buffered, 8);
});

test('zero-length frames and a header split from its payload', () => {
  const stream = concat(frame(FRAME.EVENTS, new Uint8Array(0)), endFrame(5n, 0));
  const s = new FrameSplitter();
  assert.deepEqual(s.push(stream.subarray(0, 3)), []);
  const a = s.push(stream.subarray(3, 8));
  assert.equal(a.length, 1);
  assert.equal(a[0]?.payload.length, 0);
  assert.equal(a[0]?.offset, 0);
  assert.deepEqual(s.push(stream.subarray(8, 16)), [], 'end header alone completes nothing');
  const b = s.push(stream.subarray(16));
  assert.equal(b[0]?.type, FRAME.END);
  assert.equal(b[0]?.offset, 8);
  assert.equal(s.buffered, 0);
});
