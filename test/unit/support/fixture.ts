// The recorded helper stream (test/fixtures/README.md) and a seeded PRNG,
// shared by the unit tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/probe/paths.js';

export const FIXTURE = join(repoRoot(), 'test', 'fixtures', 'stream-v1.bin');

/** The fixture's bytes, in a buffer of their own (offset 0). */
export function readFixture(): Uint8Array {
  const b = readFileSync(FIXTURE);
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** mulberry32: small, fast, deterministic, so a failing case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi). */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo));
}
