// Writer -> reader round trips on the real fixture stream, and what the reader
// says about unfinished, truncated, corrupt and foreign files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, truncateSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Recording } from '../../../src/record/reader.js';
import { RecordError } from '../../../src/record/errors.js';
import { RecordingWriter } from '../../../src/record/writer.js';
import { CHUNK_HDR, FILE_HDR, FOOTER, decodeChunkHeader } from '../../../src/record/format.js';
import { crc32, crc32Fallback } from '../../../src/record/crc32.js';
import { FrameSplitter } from '../../../src/stream/frames.js';
import { decodeFrame } from '../../../src/stream/decode.js';
import { fixtureRecording, scratch, streamOf, testHeader } from './support.js';
import { prng, readFixture } from '../support/fixture.js';
import type { Message } from '../../../src/stream/types.js';

const dir = scratch();

function chunkOffsets(file: Buffer, start: number): number[] {
  const out: number[] = [];
  let pos = start;
  while (pos + CHUNK_HDR <= file.length) {
    const h = decodeChunkHeader(file.subarray(pos, pos + CHUNK_HDR));
    if (typeof h === 'string') break;
    out.push(pos);
    pos += CHUNK_HDR + h.storedLen;
  }
  return out;
}

function dataStart(file: Buffer): number {
  return FILE_HDR + file.readUInt32LE(12);
}

for (const codec of ['deflate-raw', 'brotli', 'stored'] as const) {
  test(`round trip (${codec}): the frames read back are the helper's bytes, exactly`, () => {
    const path = join(dir, `rt-${codec}.irqrec`);
    const stream = fixtureRecording(path, { codec, chunkBytes: 4096 });
    const rec = Recording.open(path);
    try {
      assert.ok(rec.index, 'a finished recording has an index');
      assert.ok(rec.index.chunks.length > 10, `small chunks: ${rec.index.chunks.length}`);
      assert.equal(rec.index.rawBytes, stream.length);
      assert.ok(streamOf(rec.frames()).equals(Buffer.from(stream)), 'same bytes');
      assert.deepEqual(rec.issues, []);
      assert.equal(rec.header.host, 'testhost');
      assert.equal(rec.hello.ncpus, 2);
      // messages are what the live decoder produces from the same bytes, hello included
      const norm = (m: Message) => (m.type === 'events' ? { ...m, bytes: Buffer.from(m.bytes) } : m);
      const live = new FrameSplitter().push(stream).map(decodeFrame).map(norm);
      assert.deepEqual([...rec.messages()].map(norm), live);
    } finally {
      rec.close();
    }
  });
}

test('compression: the fixture takes well under a third of its raw size', () => {
  const path = join(dir, 'size.irqrec');
  const stream = fixtureRecording(path);
  const size = readFileSync(path).length;
  assert.ok(size < stream.length / 3, `${size} bytes for ${stream.length} raw`);
});

test('index entries give each chunk its stream offset, time range and record count', () => {
  const path = join(dir, 'index.irqrec');
  const stream = fixtureRecording(path, { chunkBytes: 8192 });
  const rec = Recording.open(path);
  const idx = rec.index;
  assert.ok(idx);
  let expect = 0;
  let events = 0;
  for (const e of idx.chunks) {
    assert.equal(e.streamOffset, expect);
    expect += e.rawLen;
    events += e.events;
    assert.ok(e.minTs <= e.maxTs);
  }
  assert.equal(expect, stream.length);
  assert.equal(events, idx.events);
  assert.ok(events > 100, `${events} records`);
  rec.close();
});

test('chunks are written when old enough (chunkMs), not only when full', () => {
  const path = join(dir, 'age.irqrec');
  let now = 0;
  const w = RecordingWriter.create(path, testHeader(), { chunkBytes: 1 << 30, chunkMs: 1000, now: () => now });
  const frames = new FrameSplitter().push(readFixture());
  for (const [i, f] of frames.entries()) {
    now = i * 100;
    w.addFrame(f.type, f.flags, f.payload);
    w.tick();
  }
  w.close('end');
  const chunks = Recording.open(path).index?.chunks.length ?? 0;
  assert.ok(
    chunks >= Math.floor((frames.length - 1) / 10),
    `${chunks} chunks for ${frames.length} frames 100 ms apart`,
  );
});

test('a recording that was never finished (killed) is read in full, with a warning', () => {
  const path = join(dir, 'unfinished.irqrec');
  const stream = fixtureRecording(path, { chunkBytes: 4096, finish: false });
  const rec = Recording.open(path);
  assert.equal(rec.index, null);
  assert.ok(streamOf(rec.frames()).equals(Buffer.from(stream)));
  assert.equal(rec.issues.length, 1);
  assert.equal(rec.issues[0]?.kind, 'unfinished');
  assert.match(
    rec.issues[0]?.message ?? '',
    /not finished \(no index: was it killed\?\): read \d+ chunks up to [\d.]+ s/,
  );
  rec.close();
});

test('a truncated recording is readable up to its last whole chunk, and says how much was lost', () => {
  const path = join(dir, 'trunc.irqrec');
  const stream = fixtureRecording(path, { chunkBytes: 4096 });
  const file = readFileSync(path);
  const offs = chunkOffsets(file, dataStart(file));
  const third = offs[3] ?? 0;
  truncateSync(path, third + 100); // 100 bytes into the fourth chunk
  const rec = Recording.open(path);
  const got = streamOf(rec.frames());
  assert.ok(
    got.length > 0 && Buffer.from(stream).subarray(0, got.length).equals(got),
    'a prefix of the stream, byte for byte',
  );
  const kinds = rec.issues.map((i) => i.kind).sort();
  assert.deepEqual(kinds, ['truncated', 'unfinished']);
  const t = rec.issues.find((i) => i.kind === 'truncated');
  assert.equal(t?.offset, third);
  assert.match(t?.message ?? '', /ends inside a chunk at byte \d+: its last 100 bytes \(a partial chunk\) are lost/);
  rec.close();
});

for (const indexed of [true, false]) {
  test(`a corrupt chunk is named by its offset and skipped; the rest is read (${indexed ? 'with' : 'without'} index)`, () => {
    const path = join(dir, `corrupt-${indexed}.irqrec`);
    const stream = fixtureRecording(path, { chunkBytes: 4096, finish: indexed });
    const file = readFileSync(path);
    const offs = chunkOffsets(file, dataStart(file));
    const bad = offs[4] ?? 0;
    const h = decodeChunkHeader(file.subarray(bad, bad + CHUNK_HDR));
    assert.ok(typeof h !== 'string');
    file[bad + CHUNK_HDR + 10] = (file[bad + CHUNK_HDR + 10] ?? 0) ^ 0x40;
    writeFileSync(path, file);
    const rec = Recording.open(path);
    const got = streamOf(rec.frames());
    const corrupt = rec.issues.filter((i) => i.kind === 'corrupt');
    assert.equal(corrupt.length, 1);
    assert.equal(corrupt[0]?.offset, bad);
    assert.match(
      corrupt[0]?.message ?? '',
      new RegExp(`chunk at byte ${bad} is corrupt \\(checksum mismatch\\).*the rest is readable`),
    );
    const s = Buffer.from(stream);
    const cut = h.streamOffset;
    assert.ok(got.equals(Buffer.concat([s.subarray(0, cut), s.subarray(cut + h.rawLen)])), 'everything but that chunk');
    assert.ok(rec.damaged);
    rec.close();
  });
}

test('a corrupt chunk header is skipped by finding the next chunk', () => {
  const path = join(dir, 'badhdr.irqrec');
  fixtureRecording(path, { chunkBytes: 4096, finish: false });
  const file = readFileSync(path);
  const offs = chunkOffsets(file, dataStart(file));
  const bad = offs[2] ?? 0;
  file[bad + 9] = (file[bad + 9] ?? 0) ^ 0xff; // the stored length
  writeFileSync(path, file);
  const rec = Recording.open(path);
  const n = [...rec.frames()].length;
  assert.ok(n > 30, `${n} frames`);
  const c = rec.issues.find((i) => i.kind === 'corrupt');
  assert.equal(c?.offset, bad);
  assert.match(c?.message ?? '', /header is corrupt .*skipped \d+ bytes/);
  rec.close();
});

test('a damaged footer or index falls back to scanning the chunks', () => {
  const path = join(dir, 'badidx.irqrec');
  const stream = fixtureRecording(path, { chunkBytes: 4096 });
  const file = readFileSync(path);
  file[file.length - FOOTER - 5] = (file[file.length - FOOTER - 5] ?? 0) ^ 1;
  writeFileSync(path, file);
  const rec = Recording.open(path);
  assert.equal(rec.index, null);
  assert.ok(streamOf(rec.frames()).equals(Buffer.from(stream)));
  rec.close();
});

const foreign: { name: string; bytes: () => Buffer; match: RegExp }[] = [
  { name: 'empty file', bytes: () => Buffer.alloc(0), match: /the file is empty: not an irqlens recording/ },
  {
    name: 'wrong magic',
    bytes: () => Buffer.from('hello world, this is not a recording at all'),
    match: /not an irqlens recording \(bad magic\)/,
  },
  {
    name: 'the helper stream itself',
    bytes: () => Buffer.from(readFixture()),
    match: /not an irqlens recording \(bad magic\)/,
  },
  {
    name: 'newer version',
    bytes: () => {
      const b = readFileSync(join(dir, 'rt-stored.irqrec'));
      b.writeUInt32LE(7, 8);
      return b;
    },
    match: /recording format version 7 is newer than this irqlens reads \(version 1\): use a newer irqlens/,
  },
  {
    name: 'corrupt header',
    bytes: () => {
      const b = readFileSync(join(dir, 'rt-stored.irqrec'));
      b[FILE_HDR + 3] = 0x7a;
      return b;
    },
    match: /the recording header is corrupt \(checksum mismatch\)/,
  },
  {
    name: 'header cut off',
    bytes: () => readFileSync(join(dir, 'rt-stored.irqrec')).subarray(0, 40),
    match: /ends inside its header/,
  },
];

for (const f of foreign) {
  test(`not readable: ${f.name} -> one RecordError`, () => {
    const path = join(dir, `foreign-${f.name.replace(/\W+/g, '-')}`);
    writeFileSync(path, f.bytes());
    assert.throws(
      () => Recording.open(path),
      (e: unknown) => e instanceof RecordError && f.match.test(e.message),
    );
  });
}

test('a missing file and a directory are RecordErrors that say so', () => {
  assert.throws(() => Recording.open(join(dir, 'nope.irqrec')), /cannot read .*nope\.irqrec: no such file/);
  mkdirSync(join(dir, 'adir'), { recursive: true });
  assert.throws(
    () => Recording.open(join(dir, 'adir')),
    (e: unknown) => e instanceof RecordError && /it is a directory/.test(e.message),
  );
});

test('crc32: the fallback agrees with zlib on random data', () => {
  const rand = prng(5);
  for (let n = 0; n < 200; n++) {
    const b = new Uint8Array(Math.floor(rand() * 3000));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    assert.equal(crc32Fallback(b), crc32(b));
  }
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});
