// Fuzzing the reader: thousands of truncations, byte flips, junk and crafted
// chunks of a real recording. Whatever the damage, reading ends with data or
// a RecordError (never another exception), quickly, in bounded memory; and the
// commands that read recordings (report, replay, export, slice) end with one
// clear line, never a stack trace, a hang or a partial output file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { execa } from 'execa';
import { cliPath } from '../../cli/cli-path.js';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { Recording } from '../../../src/record/reader.js';
import { RecordError } from '../../../src/record/errors.js';
import { eachMessage, measurementOf } from '../../../src/record/offline.js';
import {
  CHUNK_FRAMES,
  CHUNK_HDR,
  CODEC_DEFLATE_RAW,
  CODEC_STORED,
  FILE_HDR,
  encodeChunk,
} from '../../../src/record/format.js';
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
    b =
      rand() < 0.5
        ? Buffer.concat([b.subarray(0, at), junk, b.subarray(at)])
        : Buffer.concat([b.subarray(0, at), b.subarray(at + junk.length)]);
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
        assert.fail(
          `case ${i}: ${String(r.error)} is not a RecordError${r.error instanceof Error ? `\n${r.error.stack ?? ''}` : ''}`,
        );
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
  assert.ok(
    rec.issues.some((i) => i.kind === 'corrupt' && /decompress/.test(i.message)),
    JSON.stringify(rec.issues),
  );
  assert.ok(process.memoryUsage().heapUsed - heap0 < 32 << 20);
  rec.close();
});

test('crafted: valid checksums around bytes that are not frames -> reported, never thrown past the reader', () => {
  const junk = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 37) & 0xff));
  for (const payload of [
    junk,
    Buffer.from([1, 2, 3]),
    Buffer.concat([Buffer.from([8, 0, 0, 0, 2, 0, 0, 0]), Buffer.from([9, 0, 1, 2, 3, 4, 5, 6])]),
  ]) {
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

type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number };

// positions are taken modulo the length; the header (magic, version, header length) gets extra weight
const at = fc.oneof({ weight: 1, arbitrary: fc.nat({ max: 63 }) }, { weight: 3, arbitrary: fc.nat() });
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('flip' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, n: fc.integer({ min: 1, max: 64 }) }),
);

function damaged(src: Buffer, ds: Damage[]): Buffer {
  let b = Buffer.from(src);
  for (const d of ds) {
    const i = b.length ? d.at % b.length : 0;
    if (d.kind === 'truncate') b = b.subarray(0, i);
    else if (d.kind === 'flip') {
      if (b.length) b[i] = (b[i] ?? 0) ^ d.mask;
    } else if (d.kind === 'insert') b = Buffer.concat([b.subarray(0, i), d.bytes, b.subarray(i)]);
    else b = Buffer.concat([b.subarray(0, i), b.subarray(i + d.n)]);
  }
  return b;
}

/** The commands that read a whole recording, each with a fresh output name where it writes one. */
const commands = (file: string, out: string): string[][] => [
  ['report', file, '--json'],
  ['report', file],
  ['replay', file, '--speed', 'max'],
  ['export', file, '-o', `${out}.json`],
  ['export', file, '--format', 'csv', '--table', 'irqs', '-o', `${out}.csv`],
  ['slice', file, '-o', `${out}.irqrec`],
  ['report', file, '--html', `${out}.html`],
];

test('fuzz (fast-check): damaged recordings through report, replay, export and slice end in data or one clear line, no hang, no partial output', async () => {
  const cli = cliPath();
  let runs = 0;
  const exits = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: 1 }),
      fc.array(damage, { minLength: 1, maxLength: 4 }),
      fc.nat({ max: 6 }),
      async (which, ds, c) => {
        runs++;
        const file = join(dir, `damaged-${String(runs)}.irqrec`);
        const out = `out-${String(runs)}`;
        const bytes = damaged(originals[which] ?? Buffer.alloc(0), ds);
        writeFileSync(file, bytes);
        const args = commands(file, out)[c] ?? [];
        const r = await execa('node', [cli, ...args], {
          cwd: dir,
          reject: false,
          timeout: 20_000,
          env: { NO_COLOR: '1' },
        });
        const what = `irqlens ${args.join(' ')} (damage ${JSON.stringify(ds, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))})\nexit ${String(r.exitCode)}\nstderr:\n${r.stderr}`;
        assert.ok(!r.timedOut, `hung: ${what}`);
        assert.ok(r.exitCode === 0 || r.exitCode === 1, `exit code: ${what}`);
        exits.set(r.exitCode, (exits.get(r.exitCode) ?? 0) + 1);
        assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `stack trace: ${what}`);
        assert.doesNotMatch(r.stderr, /internal error/i, what);
        const produced = readdirSync(dir).filter((n) => n.startsWith(`${out}.`));
        const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
        for (const l of lines) {
          assert.match(l, /^irqlens: \S/, what);
          assert.doesNotMatch(l, /(\S+): \1:/, `the path twice: ${what}`);
          assert.doesNotMatch(l, /version \d{4,}/, `an implausible version claimed: ${what}`);
          assert.doesNotMatch(l, /\bE[A-Z]{3,}\b/, `a raw errno code: ${what}`);
        }
        const writes = args.includes('-o') || args.includes('--html');
        if (r.exitCode === 1) {
          assert.ok(lines.length > 0, `exit 1 without a word: ${what}`);
          // exit 1 with an output: the damage was read past, and every loss is named
          if (produced.length)
            assert.match(
              r.stderr,
              /corrupt|lost|not finished|cut off/,
              `output from a damaged file without saying so: ${what}`,
            );
        }
        if (writes) {
          assert.ok(produced.length <= 1, what);
          if (produced.length) assert.ok(statSync(join(dir, produced[0] ?? '')).size > 0, `empty output: ${what}`);
          if (r.exitCode === 0) assert.equal(produced.length, 1, `exit 0 without the output: ${what}`);
        } else if (r.exitCode === 0) assert.ok(r.stdout.length > 0, `nothing printed: ${what}`);
        assert.deepEqual(
          readdirSync(dir).filter((n) => n.endsWith('.tmp')),
          [],
          `temporary file left: ${what}`,
        );
        assert.ok(readFileSync(file).equals(bytes), `the input changed: ${what}`);
      },
    ),
    // bounded: a fixed seed and number of runs, and a time cap (an interruption is not a failure)
    {
      seed: 140014,
      numRuns: 50,
      endOnFailure: true,
      includeErrorInReport: true,
      interruptAfterTimeLimit: 20_000,
      markInterruptAsFailure: false,
    },
  );
  process.stdout.write(
    `# ${String(runs)} damaged recordings through the CLI, exit codes ${JSON.stringify([...exits])}\n`,
  );
  assert.ok((exits.get(0) ?? 0) > 0 && (exits.get(1) ?? 0) > 0, 'both readable and refused recordings are exercised');
});
