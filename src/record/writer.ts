// Writes a recording: the helper's frames, byte for byte, gathered into
// compressed chunks with a checksum each, then an index and a footer. A chunk
// is written as soon as it is full (or old), so a recording killed with
// SIGKILL keeps every chunk written before; only the pending one is lost.
import { writeAllSync } from '../output/write-all.js';
import { errnoText } from '../output/errno.js';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import zlib from 'node:zlib';
import { FrameSplitter } from '../stream/frames.js';
import { FRAME, LAYOUT, NR_REC_KINDS } from '../stream/layout.js';
import { RecordError } from './errors.js';
import {
  CHUNK_FRAMES,
  CHUNK_INDEX,
  CHUNK_NOTE,
  CODEC_BROTLI,
  CODEC_DEFLATE_RAW,
  CODEC_STORED,
  encodeChunk,
  encodeFileHeader,
  encodeFooter,
  encodeIndex,
  type IndexEntry,
  type RecordingHeader,
} from './format.js';
import { eventFacts, frameTs } from './scan.js';

export type Codec = 'deflate-raw' | 'brotli' | 'stored';

export interface WriterOptions {
  codec?: Codec;
  /** deflate level 1-9 or brotli quality 0-11. */
  level?: number;
  /** A chunk is written once it holds this many raw bytes... */
  chunkBytes?: number;
  /** ...or once its first frame is this old (so a kill loses little). */
  chunkMs?: number;
  /** Overrides Date.now for the age rule (tests). */
  now?: () => number;
}

const HDR = LAYOUT.irqlens_frame_hdr.size;

export function compress(codec: Codec, level: number, raw: Uint8Array): Uint8Array {
  if (codec === 'stored') return raw;
  if (codec === 'brotli') {
    return zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
  }
  return zlib.deflateRawSync(raw, { level });
}

const CODEC_ID: Record<Codec, number> = {
  stored: CODEC_STORED,
  'deflate-raw': CODEC_DEFLATE_RAW,
  brotli: CODEC_BROTLI,
};

export interface WriterStats {
  frames: number;
  events: number;
  /** Helper stream bytes recorded. */
  rawBytes: number;
  /** Bytes in the file so far. */
  fileBytes: number;
  chunks: number;
  /** Records per IRQLENS_REC_* kind. */
  byKind: Float64Array;
}

export class RecordingWriter {
  readonly stats: WriterStats = {
    frames: 0,
    events: 0,
    rawBytes: 0,
    fileBytes: 0,
    chunks: 0,
    byKind: new Float64Array(NR_REC_KINDS),
  };
  private readonly index: IndexEntry[] = [];
  private readonly notes: string[] = [];
  private parts: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingFrames = 0;
  private pendingEvents = 0;
  private pendingMin = 0;
  private pendingMax = 0;
  private pendingSince = 0;
  private streamOffset = 0;
  private splitter = new FrameSplitter();
  private closed = false;
  private readonly codec: Codec;
  private readonly level: number;
  private readonly chunkBytes: number;
  private readonly chunkMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly fd: number,
    readonly path: string,
    o: WriterOptions,
  ) {
    this.codec = o.codec ?? 'deflate-raw';
    this.level = o.level ?? (this.codec === 'brotli' ? 5 : 2);
    this.chunkBytes = o.chunkBytes ?? 1 << 20;
    this.chunkMs = o.chunkMs ?? 1000;
    this.now = o.now ?? Date.now;
  }

  /** Creates (or truncates) `path` and writes the header. */
  static create(path: string, header: RecordingHeader, o: WriterOptions = {}): RecordingWriter {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (e) {
      throw new RecordError(`cannot write ${path}: ${errnoText(e)}`, undefined, { cause: e });
    }
    const w = new RecordingWriter(fd, path, o);
    w.write(encodeFileHeader(header));
    return w;
  }

  private write(b: Uint8Array): void {
    try {
      writeAllSync(this.fd, b);
    } catch (e) {
      throw new RecordError(`cannot write ${this.path}: ${errnoText(e)}`, this.stats.fileBytes, { cause: e });
    }
    this.stats.fileBytes += b.length;
  }

  /** Appends one frame (its header is rebuilt byte-identical from type, flags and length). */
  addFrame(type: number, flags: number, payload: Uint8Array): void {
    if (this.closed) throw new RecordError(`${this.path} is already closed`);
    const hdr = new Uint8Array(HDR);
    const dv = new DataView(hdr.buffer);
    dv.setUint32(LAYOUT.irqlens_frame_hdr.fields.len, payload.length, true);
    dv.setUint16(LAYOUT.irqlens_frame_hdr.fields.type, type, true);
    dv.setUint16(LAYOUT.irqlens_frame_hdr.fields.flags, flags, true);
    if (!this.pendingFrames) this.pendingSince = this.now();
    this.parts.push(hdr, payload.slice());
    this.pendingBytes += HDR + payload.length;
    this.pendingFrames++;
    let min = 0;
    let max = 0;
    if (type === FRAME.EVENTS) {
      const f = eventFacts(payload, this.stats.byKind);
      this.pendingEvents += f.events;
      this.stats.events += f.events;
      if (f.events) [min, max] = [f.minTs, f.maxTs];
    } else if (type !== FRAME.HELLO) {
      min = max = frameTs(type, payload);
    }
    if (min && (!this.pendingMin || min < this.pendingMin)) this.pendingMin = min;
    if (max > this.pendingMax) this.pendingMax = max;
    this.stats.frames++;
    this.stats.rawBytes += HDR + payload.length;
    if (this.pendingBytes >= this.chunkBytes) this.flush();
  }

  /** Appends raw helper stream bytes (any chunking); whole frames are recorded as they complete. */
  addStreamBytes(bytes: Uint8Array): void {
    for (const f of this.splitter.push(bytes)) this.addFrame(f.type, f.flags, f.payload);
  }

  /** Writes the pending chunk if it is older than chunkMs; call this from a timer. */
  tick(): void {
    if (this.pendingFrames && this.now() - this.pendingSince >= this.chunkMs) this.flush();
  }

  /** Writes the pending frames as one chunk now. */
  flush(): void {
    if (!this.pendingFrames) return;
    const raw = Buffer.concat(this.parts, this.pendingBytes);
    const stored = compress(this.codec, this.level, raw);
    const entry: IndexEntry = {
      offset: this.stats.fileBytes,
      streamOffset: this.streamOffset,
      rawLen: raw.length,
      frames: this.pendingFrames,
      events: this.pendingEvents,
      minTs: this.pendingMin,
      maxTs: this.pendingMax,
    };
    this.write(encodeChunk({ kind: CHUNK_FRAMES, codec: CODEC_ID[this.codec], ...entry }, stored));
    this.index.push(entry);
    this.stats.chunks++;
    this.streamOffset += raw.length;
    this.parts = [];
    this.pendingBytes = this.pendingFrames = this.pendingEvents = this.pendingMin = this.pendingMax = 0;
  }

  /** A line the reader reports with the recording (e.g. a helper warning); written at once, in stream order. */
  note(text: string): void {
    this.flush();
    this.notes.push(text);
    const raw = new TextEncoder().encode(text);
    this.write(
      encodeChunk(
        {
          kind: CHUNK_NOTE,
          codec: CODEC_STORED,
          rawLen: raw.length,
          frames: 0,
          events: 0,
          streamOffset: this.streamOffset,
          minTs: 0,
          maxTs: 0,
        },
        raw,
      ),
    );
  }

  /** Bytes of an incomplete helper frame still held (should be 0 at the end). */
  get partialFrameBytes(): number {
    return this.splitter.buffered;
  }

  /** Flushes, writes the index and footer, and closes the file. `ended` says how the recording ended. */
  close(ended: string): void {
    if (this.closed) return;
    if (this.splitter.buffered)
      this.note(`the helper stream ended inside a frame: its last ${this.splitter.buffered} bytes were not recorded`);
    this.flush();
    this.closed = true;
    try {
      const json = new TextEncoder().encode(
        JSON.stringify(
          encodeIndex({
            chunks: this.index,
            frames: this.stats.frames,
            events: this.stats.events,
            rawBytes: this.stats.rawBytes,
            ended,
            notes: this.notes,
          }),
        ),
      );
      const stored = compress('deflate-raw', 6, json);
      const at = this.stats.fileBytes;
      const chunk = encodeChunk(
        {
          kind: CHUNK_INDEX,
          codec: CODEC_DEFLATE_RAW,
          rawLen: json.length,
          frames: 0,
          events: 0,
          streamOffset: this.streamOffset,
          minTs: 0,
          maxTs: 0,
        },
        stored,
      );
      this.write(chunk);
      this.write(encodeFooter(at, chunk.length));
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes the file without an index, as a killed recording leaves it (tests, and when writing failed). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** A whole helper stream already in memory, written as a recording (tests, tools, benchmarks). */
export function writeRecording(
  path: string,
  header: RecordingHeader,
  stream: Uint8Array,
  o: WriterOptions & { ended?: string; finish?: boolean } = {},
): WriterStats {
  const w = RecordingWriter.create(path, header, o);
  w.addStreamBytes(stream);
  if (o.finish === false) {
    w.flush();
    w.abandon();
  } else {
    w.close(o.ended ?? 'end');
  }
  return w.stats;
}
