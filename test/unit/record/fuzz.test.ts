// Fuzzing the reader: thousands of truncations, byte flips, junk and crafted
// chunks of a real recording. Whatever the damage, reading ends with data or
// a RecordError (never another exception), quickly, in bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { Recording } from '../../../src/record/reader.js';
import { RecordError } from '../../../src/record/errors.js';
import { eachMessage, measurementOf } from '../../../src/record/offline.js';
import { CHUNK_FRAMES, CHUNK_HDR, CODEC_DEFLATE_RAW, CODEC_STORED, FILE_HDR, encodeChunk } from '../../../src/record/format.js';
import { decodeRecords } from '../../../src/stream/decode.js';
import { fixtureRecording, scratch } from './support.js';
import { prng, randInt } from '../support/fixture.js';

const dir = scratch();
const finished = join(dir, 'finished.irqrec');
const killed = join(dir, 'killed.irqrec');
fixtureRecording(finished, { chunkBytes: 3000 });
fixtureRecording(killed, { chunkBytes: 3000, finish: false });
const originals = [readFileSync(finished), readFileSync(killed)];

/** Everything an offline command does with a recording, to the last record. */
function consume(path: string): { ok: boolean; error?: unknown } {
  try {
    const rec = Recording.open(path);
    try {
      eachMessage(rec, (m) => {
        if (m.type === 'events') decodeRecords(m.bytes);
      });
      measurementOf(rec);
    } finally {
      rec.close();
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e };
  }
}

function mutate(src: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(src);
  const what = randInt(rand, 0, 6);
  if (what === 0 || what === 4) b = b.subarray(0, randInt(rand, 0, b.length + 1));
  if (what === 1 || what === 4 || what === 5) {
    for (let n = randInt(rand, 1, 9); n > 0; n--) {
      const i = randInt(rand, 0, b.length);
      b[i] = (b[i] ?? 0) ^ (1 + randInt(rand, 0, 255));
    }
  }
  if (what === 2) {
    const at = randInt(rand, 0, b.length);
    for (let i = at; i < Math.min(b.length, at + randInt(rand, 1, 300)); i++) b[i] = randInt(rand, 0, 256);
  }
  if (what === 3) {
    // bytes inserted or removed in the middle: everything after shifts
    const at = randInt(rand, 0, b.length);
    const junk = Buffer.from(Array.from({ length: randInt(rand, 1, 40) }, () => randInt(rand, 0, 256)));
    b = rand() < 0.5 ? Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]) : Buffer.concat([b.subarray(0, at), b.subarray(at + junk.length)]);
  }
  if (what === 5) b = b.subarray(0, b.length - randInt(rand, 0, 50));
  return b;
}

test('fuzz: 3000 damaged recordings end in data or a RecordError, fast, in bounded memory', () => {
  const rand = prng(20250101);
  const heap0 = process.memoryUsage().heapUsed;
  let worst = 0;
  let errors = 0;
  let readable = 0;
  const path = join(dir, 'case.irqrec');
  for (let i = 0; i < 3000; i++) {
    const src = originals[i % 2] ?? Buffer.alloc(0);
    const b = mutate(src, rand);
    writeFileSync(path, b);
    const t0 = performance.now();
    const r = consume(path);
    const ms = performance.now() - t0;
    worst = Math.max(worst, ms);
    if (!r.ok) {
      if (!(r.error instanceof RecordError)) {
        writeFileSync(join(dir, 'failing-case.irqrec'), b);
        assert.fail(`case ${i}: ${String(r.error)} is not a RecordError${r.error instanceof Error ? `\n${r.error.stack ?? ''}` : ''}`);
      }
      assert.match(r.error.message, /\S/, 'a message');
      errors++;
    } else readable++;
  }
  const grew = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  // speed is for benchmarks, not a pass/fail: reported only
  process.stdout.write(`# slowest damaged file took ${worst.toFixed(0)} ms\n`);
  assert.ok(grew < 256, `heap grew by ${grew.toFixed(0)} MiB`);
  assert.ok(readable > 500 && errors > 100, `${readable} readable, ${errors} refused: both outcomes are exercised`);
});

/** A chunk with a valid checksum but hostile contents, spliced in after the header. */
function withChunk(chunk: Uint8Array): string {
  const src = originals[1] ?? Buffer.alloc(0);
  const start = FILE_HDR + src.readUInt32LE(12);
  // keep the first chunk (the hello), then the hostile one, then the rest
  const firstLen = CHUNK_HDR + src.readUInt32LE(start + 8);
  const path = join(dir, `crafted-${chunk.length}.irqrec`);
  writeFileSync(path, Buffer.concat([src.subarray(0, start + firstLen), chunk, src.subarray(start + firstLen)]));
  return path;
}

const base = { kind: CHUNK_FRAMES, frames: 1, events: 0, streamOffset: 0, minTs: 0, maxTs: 0 };

test('crafted: a chunk that inflates far beyond its declared size is refused without inflating it all', () => {
  const bomb = zlib.deflateRawSync(Buffer.alloc(64 << 20), { level: 9 });
  const path = withChunk(encodeChunk({ ...base, codec: CODEC_DEFLATE_RAW, rawLen: 1000 }, bomb));
  const heap0 = process.memoryUsage().heapUsed;
  const rec = Recording.open(path);
  let n = 0;
  for (const f of rec.frames()) n += f.payload.length > 0 ? 1 : 0;
  assert.ok(n > 0);
  assert.ok(rec.issues.some((i) => i.kind === 'corrupt' && /decompress/.test(i.message)), JSON.stringify(rec.issues));
  assert.ok(process.memoryUsage().heapUsed - heap0 < 32 << 20);
  rec.close();
});

test('crafted: valid checksums around bytes that are not frames -> reported, never thrown past the reader', () => {
  const junk = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 37) & 0xff));
  for (const payload of [junk, Buffer.from([1, 2, 3]), Buffer.concat([Buffer.from([8, 0, 0, 0, 2, 0, 0, 0]), Buffer.from([9, 0, 1, 2, 3, 4, 5, 6])])]) {
    const path = withChunk(encodeChunk({ ...base, codec: CODEC_STORED, rawLen: payload.length }, payload));
    const r = consume(path);
    assert.ok(r.ok || r.error instanceof RecordError, String(r.error));
  }
});

test('crafted: a frame length of 4 GiB inside a chunk is cut off, not allocated', () => {
  const payload = Buffer.from([0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 2, 3]);
  const path = withChunk(encodeChunk({ ...base, codec: CODEC_STORED, rawLen: payload.length }, payload));
  const rec = Recording.open(path);
  for (const f of rec.frames()) assert.ok(f.payload.length < 1 << 20);
  assert.ok(rec.issues.some((i) => /cut off inside the chunk/.test(i.message)));
  rec.close();
});
