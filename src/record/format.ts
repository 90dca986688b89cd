// The recording file's binary layout (docs/recording-format.md): a header with
// JSON metadata, then checksummed chunks of the helper's frames, then an index
// chunk and a fixed footer that points at it. Integers are little-endian.
import { setU64, u64 } from '../stream/records.js';
import { crc32 } from './crc32.js';
import { RecordError } from './errors.js';
import type { HostSettings } from './settings.js';

export const FILE_MAGIC = 'IRQLREC\0';
export const FORMAT_VERSION = 1;
/** Versions above this are read as a corrupt header rather than a newer format. */
const PLAUSIBLE_VERSION = 255;
export const FILE_HDR = 24;
export const CHUNK_MAGIC = 0x4b4e4349; // "ICNK"
export const CHUNK_HDR = 56;
export const FOOTER_MAGIC = 'IRQLEND\0';
export const FOOTER = 24;

export const CHUNK_FRAMES = 1;
export const CHUNK_NOTE = 2;
export const CHUNK_INDEX = 3;

export const CODEC_STORED = 0;
export const CODEC_DEFLATE_RAW = 1;
export const CODEC_BROTLI = 2;

/** Limits a reader enforces, so a damaged length can never make it allocate or wait without bound. */
export const MAX_HEADER_JSON = 8 << 20;
export const MAX_CHUNK_RAW = 80 << 20;
export const MAX_CHUNK_STORED = MAX_CHUNK_RAW + (1 << 20);

/** What the recording says about where and how it was made (the JSON after the file header). */
export interface RecordingHeader {
  format: 'irqlens.recording';
  version: number;
  created: string;
  tool: string;
  host: string;
  kernel: string;
  cpu: { model: string; count: number };
  pmu: boolean;
  /** What the helper was asked to stream. */
  options: {
    records: string[];
    intervalMs: number;
    windowUs: number;
    burstPackets: number;
    ringBytes?: number;
    pid?: number;
    cgroup?: string;
    command?: string[];
  };
  /** IRQ number -> name, from /proc/interrupts and /sys/kernel/irq at the start. */
  irqNames: Record<string, string>;
  settings: HostSettings | null;
  /** Set on a slice: what it was cut from and how. */
  slice?: {
    source: string;
    fromS: number | null;
    toS: number | null;
    cpus?: number[];
    irqs?: string[];
    devs?: string[];
  };
}

export interface ChunkHeader {
  kind: number;
  codec: number;
  storedLen: number;
  rawLen: number;
  frames: number;
  events: number;
  /** Byte offset of the chunk's first frame in the helper's stream. */
  streamOffset: number;
  /** Smallest and largest timestamp of its snapshots and records (CLOCK_MONOTONIC ns; 0 when none). */
  minTs: number;
  maxTs: number;
  payloadCrc: number;
}

const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });

export function encodeFileHeader(h: RecordingHeader): Uint8Array {
  const json = te.encode(JSON.stringify(h));
  const out = new Uint8Array(FILE_HDR + json.length);
  const dv = new DataView(out.buffer);
  out.set(te.encode(FILE_MAGIC), 0);
  dv.setUint32(8, FORMAT_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, FILE_HDR);
  dv.setUint32(16, crc32(out.subarray(FILE_HDR), crc32(out.subarray(0, 16))), true);
  return out;
}

/** Magic and version from the first 16 bytes; the JSON length to read next. */
export function checkFileStart(b: Uint8Array, size: number): { jsonLen: number } {
  if (b.length < 8 || Buffer.from(b.buffer, b.byteOffset, 8).toString('latin1') !== FILE_MAGIC) {
    if (size === 0) throw new RecordError('the file is empty: not an irqlens recording', 0);
    throw new RecordError('not an irqlens recording (bad magic)', 0);
  }
  if (b.length < FILE_HDR)
    throw new RecordError(`the file ends inside its header (${size} bytes): the recording never started`, 0);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getUint32(8, true);
  // a version far beyond this one is damage, not a future irqlens (versions go up one at a time)
  if (version > PLAUSIBLE_VERSION)
    throw new RecordError(
      `the recording header is corrupt (its format version field reads ${version}, not a version irqlens ever wrote)`,
      8,
    );
  if (version > FORMAT_VERSION) {
    throw new RecordError(
      `recording format version ${version} is newer than this irqlens reads (version ${FORMAT_VERSION}): use a newer irqlens`,
      8,
    );
  }
  if (version === 0) throw new RecordError('recording format version 0 does not exist: the header is corrupt', 8);
  const jsonLen = dv.getUint32(12, true);
  if (jsonLen > MAX_HEADER_JSON)
    throw new RecordError(`the header claims ${jsonLen} bytes of metadata: the header is corrupt`, 12);
  return { jsonLen };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The header's JSON, checked against its CRC; `start` holds the 24 fixed bytes. */
export function decodeFileHeader(start: Uint8Array, json: Uint8Array): RecordingHeader {
  const dv = new DataView(start.buffer, start.byteOffset, start.byteLength);
  const want = dv.getUint32(16, true);
  if (crc32(json, crc32(start.subarray(0, 16))) !== want)
    throw new RecordError('the recording header is corrupt (checksum mismatch)', 0);
  let h: unknown;
  try {
    h = JSON.parse(td.decode(json));
  } catch {
    throw new RecordError('the recording header is not valid JSON', FILE_HDR);
  }
  if (!isObject(h) || h.format !== 'irqlens.recording')
    throw new RecordError('the recording header does not describe an irqlens recording', FILE_HDR);
  const cpu = isObject(h.cpu) ? h.cpu : {};
  const options = isObject(h.options) ? h.options : {};
  return {
    ...(h as unknown as RecordingHeader),
    host: typeof h.host === 'string' ? h.host : '',
    kernel: typeof h.kernel === 'string' ? h.kernel : '',
    cpu: {
      model: typeof cpu.model === 'string' ? cpu.model : '',
      count: typeof cpu.count === 'number' ? cpu.count : 0,
    },
    pmu: h.pmu === true,
    options: {
      records: [],
      intervalMs: 0,
      windowUs: 0,
      burstPackets: 0,
      ...(options as Partial<RecordingHeader['options']>),
    },
    irqNames: isObject(h.irqNames) ? (h.irqNames as Record<string, string>) : {},
    settings: isObject(h.settings) ? (h.settings as unknown as HostSettings) : null,
  };
}

export function encodeChunk(h: Omit<ChunkHeader, 'storedLen' | 'payloadCrc'>, stored: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_HDR + stored.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, CHUNK_MAGIC, true);
  dv.setUint8(4, h.kind);
  dv.setUint8(5, h.codec);
  dv.setUint32(8, stored.length, true);
  dv.setUint32(12, h.rawLen, true);
  dv.setUint32(16, h.frames, true);
  dv.setUint32(20, h.events, true);
  setU64(dv, 24, h.streamOffset);
  setU64(dv, 32, h.minTs);
  setU64(dv, 40, h.maxTs);
  dv.setUint32(48, crc32(stored), true);
  dv.setUint32(52, crc32(out.subarray(0, 52)), true);
  out.set(stored, CHUNK_HDR);
  return out;
}

/** A chunk header, or why these 56 bytes are not one (never throws). */
export function decodeChunkHeader(b: Uint8Array): ChunkHeader | string {
  if (b.length < CHUNK_HDR) return 'cut off';
  const dv = new DataView(b.buffer, b.byteOffset, CHUNK_HDR);
  if (dv.getUint32(0, true) !== CHUNK_MAGIC) return 'no chunk starts here (bad magic)';
  if (crc32(b.subarray(0, 52)) !== dv.getUint32(52, true)) return 'its header is corrupt (checksum mismatch)';
  const h: ChunkHeader = {
    kind: dv.getUint8(4),
    codec: dv.getUint8(5),
    storedLen: dv.getUint32(8, true),
    rawLen: dv.getUint32(12, true),
    frames: dv.getUint32(16, true),
    events: dv.getUint32(20, true),
    streamOffset: u64(dv, 24),
    minTs: u64(dv, 32),
    maxTs: u64(dv, 40),
    payloadCrc: dv.getUint32(48, true),
  };
  if (h.kind < CHUNK_FRAMES || h.kind > CHUNK_INDEX) return `unknown chunk kind ${h.kind}`;
  if (h.codec > CODEC_BROTLI) return `unknown compression ${h.codec}`;
  if (h.rawLen > MAX_CHUNK_RAW || h.storedLen > MAX_CHUNK_STORED)
    return `implausible size (${h.storedLen} bytes stored, ${h.rawLen} raw)`;
  return h;
}

export function encodeFooter(indexOffset: number, indexLen: number): Uint8Array {
  const out = new Uint8Array(FOOTER);
  const dv = new DataView(out.buffer);
  out.set(te.encode(FOOTER_MAGIC), 0);
  setU64(dv, 8, indexOffset);
  dv.setUint32(16, indexLen, true);
  dv.setUint32(20, crc32(out.subarray(0, 20)), true);
  return out;
}

export function decodeFooter(b: Uint8Array): { indexOffset: number; indexLen: number } | null {
  if (b.length !== FOOTER || Buffer.from(b.buffer, b.byteOffset, 8).toString('latin1') !== FOOTER_MAGIC) return null;
  const dv = new DataView(b.buffer, b.byteOffset, FOOTER);
  if (crc32(b.subarray(0, 20)) !== dv.getUint32(20, true)) return null;
  return { indexOffset: u64(dv, 8), indexLen: dv.getUint32(16, true) };
}

/** One index entry per frames chunk: where it is and what it covers. */
export interface IndexEntry {
  offset: number;
  streamOffset: number;
  rawLen: number;
  frames: number;
  events: number;
  minTs: number;
  maxTs: number;
}

/** The index chunk's JSON: the chunk list and what the writer knew when it finished. */
export interface RecordingIndex {
  chunks: IndexEntry[];
  frames: number;
  events: number;
  rawBytes: number;
  /** How the recording ended: "end" (the helper's end frame), or why not. */
  ended: string;
  notes: string[];
}

export function decodeIndex(json: unknown): RecordingIndex | null {
  if (!isObject(json) || !Array.isArray(json.chunks)) return null;
  const chunks: IndexEntry[] = [];
  for (const c of json.chunks as unknown[]) {
    if (!Array.isArray(c) || c.length !== 7 || !c.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0))
      return null;
    const [offset, streamOffset, rawLen, frames, events, minTs, maxTs] = c as number[];
    chunks.push({
      offset: offset ?? 0,
      streamOffset: streamOffset ?? 0,
      rawLen: rawLen ?? 0,
      frames: frames ?? 0,
      events: events ?? 0,
      minTs: minTs ?? 0,
      maxTs: maxTs ?? 0,
    });
  }
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    chunks,
    frames: num(json.frames),
    events: num(json.events),
    rawBytes: num(json.rawBytes),
    ended: typeof json.ended === 'string' ? json.ended : 'unknown',
    notes: Array.isArray(json.notes) ? json.notes.filter((n): n is string => typeof n === 'string') : [],
  };
}

export function encodeIndex(i: RecordingIndex): unknown {
  return {
    ...i,
    chunks: i.chunks.map((c) => [c.offset, c.streamOffset, c.rawLen, c.frames, c.events, c.minTs, c.maxTs]),
  };
}
