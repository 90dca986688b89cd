// Shared pieces of the recording tests: a scratch directory, a plain header
// and the fixture stream written as a recording.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FORMAT_VERSION, type RecordingHeader } from '../../../src/record/format.js';
import { writeRecording, type WriterOptions } from '../../../src/record/writer.js';
import { readFixture } from '../support/fixture.js';

export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-rec-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export function testHeader(over: Partial<RecordingHeader> = {}): RecordingHeader {
  return {
    format: 'irqlens.recording',
    version: FORMAT_VERSION,
    created: '2025-01-01T00:00:00.000Z',
    tool: 'irqlens test',
    host: 'testhost',
    kernel: '6.1.0-test',
    cpu: { model: 'Test CPU', count: 2 },
    pmu: false,
    options: { records: ['all'], intervalMs: 100, windowUs: 100, burstPackets: 256 },
    irqNames: { '24': 'virtio0-input.0' },
    settings: null,
    ...over,
  };
}

/** The fixture stream (test/fixtures/stream-v1.bin) as a recording at `path`. */
export function fixtureRecording(path: string, o: WriterOptions & { finish?: boolean } = {}): Uint8Array {
  const stream = readFixture();
  writeRecording(path, testHeader(), stream, o);
  return stream;
}

/** Concatenates frames back into stream bytes (header + payload each). */
export function streamOf(frames: Iterable<{ type: number; flags: number; payload: Uint8Array }>): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(f.payload.length, 0);
    h.writeUInt16LE(f.type, 4);
    h.writeUInt16LE(f.flags, 6);
    parts.push(h, Buffer.from(f.payload.buffer, f.payload.byteOffset, f.payload.length));
  }
  return Buffer.concat(parts);
}
