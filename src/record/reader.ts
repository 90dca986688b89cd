// Reads a recording back as the helper's frames, in order, whatever happened
// to the file: a missing index (killed) is rebuilt by scanning, a truncated
// tail is reported with how much was lost, a corrupt chunk is reported with
// its offset and skipped. Reads are bounded by the format's limits, so no
// damaged length can make it allocate or loop without bound.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import zlib from 'node:zlib';
import { decodeFrame, decodeHello } from '../stream/decode.js';
import { StreamError } from '../stream/errors.js';
import { FRAME, LAYOUT } from '../stream/layout.js';
import type { Hello, Message } from '../stream/types.js';
import { crc32 } from './crc32.js';
import { RecordError } from './errors.js';
import { errnoText } from '../output/errno.js';
import {
  CHUNK_FRAMES,
  CHUNK_HDR,
  CHUNK_INDEX,
  CHUNK_MAGIC,
  CHUNK_NOTE,
  CODEC_BROTLI,
  CODEC_DEFLATE_RAW,
  FILE_HDR,
  FOOTER,
  checkFileStart,
  decodeChunkHeader,
  decodeFileHeader,
  decodeFooter,
  decodeIndex,
  type ChunkHeader,
  type RecordingHeader,
  type RecordingIndex,
} from './format.js';

export interface ReadIssue {
  /** truncated: the file ends inside a chunk; unfinished: no index (the recording was killed); corrupt: a chunk was skipped. */
  kind: 'truncated' | 'unfinished' | 'corrupt' | 'index';
  /** File byte offset the issue is at. */
  offset: number;
  message: string;
}

export interface Chunk {
  offset: number;
  header: ChunkHeader;
  raw: Uint8Array;
}

export interface RecordedFrame {
  type: number;
  flags: number;
  payload: Uint8Array;
  /** Offset of the frame in the helper's stream, and of its chunk in the file. */
  streamOffset: number;
  chunkOffset: number;
}

const FH = LAYOUT.irqlens_frame_hdr;

function fileError(path: string, e: unknown): RecordError {
  return new RecordError(`cannot read ${path}: ${errnoText(e)}`, undefined, { cause: e });
}

/** A recording is read by position (index, footer, chunks): a pipe or device cannot be. */
function notAFile(path: string, st: Stats): RecordError {
  const what =
    st.isFIFO() || st.isSocket() ? 'a pipe' : st.isCharacterDevice() ? 'a terminal or device' : 'not a regular file';
  return new RecordError(
    `cannot read ${path}: it is ${what}, not a file (a recording is read by position: save it to a file first, e.g. cat > run.irqrec)`,
  );
}

export class Recording {
  readonly issues: ReadIssue[] = [];
  readonly notes: string[] = [];
  /** Called once per issue as reading finds it (default: collected in `issues` only). */
  onIssue: ((i: ReadIssue) => void) | undefined;
  readonly hello: Hello;
  private readonly dataStart: number;
  private seen = new Set<string>();

  private constructor(
    private readonly fd: number,
    readonly path: string,
    readonly size: number,
    readonly header: RecordingHeader,
    dataStart: number,
    /** The writer's index, when the recording was finished and its index is intact. */
    readonly index: RecordingIndex | null,
  ) {
    this.dataStart = dataStart;
    this.hello = this.readHello();
  }

  /** Opens a recording and reads its header and hello; throws RecordError when it is not one irqlens can read. */
  static open(path: string): Recording {
    // a socket (what a parent's pipe often is) cannot even be opened by name: say what it is first
    let pre: Stats | undefined;
    try {
      pre = statSync(path);
    } catch {
      // open says why
    }
    if (pre && !pre.isFile() && !pre.isDirectory()) throw notAFile(path, pre);
    let fd: number;
    try {
      // non-blocking: opening a FIFO with no writer would otherwise wait forever
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw fileError(path, e);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new RecordError(`cannot read ${path}: it is a directory`);
      if (!st.isFile()) throw notAFile(path, st);
      const size = st.size;
      const start = Buffer.alloc(FILE_HDR);
      const got = readSync(fd, start, 0, FILE_HDR, 0);
      const { jsonLen } = checkFileStart(start.subarray(0, got), size);
      if (FILE_HDR + jsonLen > size)
        throw new RecordError(`the file ends inside its header (${size} bytes): the recording never started`, 0);
      const json = Buffer.alloc(jsonLen);
      readSync(fd, json, 0, jsonLen, FILE_HDR);
      const header = decodeFileHeader(start, json);
      const dataStart = FILE_HDR + jsonLen;
      return new Recording(fd, path, size, header, dataStart, Recording.readIndex(fd, size, dataStart));
    } catch (e) {
      closeSync(fd);
      // one path per message: some errors (the hello's) name it already
      if (
        e instanceof RecordError &&
        (e.message.startsWith(`cannot read ${path}: `) || e.message.startsWith(`${path}: `))
      )
        throw e;
      if (e instanceof RecordError) throw new RecordError(`${path}: ${e.message}`, e.offset, { cause: e });
      throw fileError(path, e);
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  private static readAt(fd: number, pos: number, len: number): Buffer {
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      let n: number;
      try {
        n = readSync(fd, b, got, len - got, pos + got);
      } catch (e) {
        // a failing disk or a vanished network mount: words, and where (the caller names the file)
        throw new RecordError(`reading at byte ${pos + got} failed: ${errnoText(e)}`, pos + got, { cause: e });
      }
      if (!n) break;
      got += n;
    }
    return got === len ? b : b.subarray(0, got);
  }

  private static readIndex(fd: number, size: number, dataStart: number): RecordingIndex | null {
    if (size < dataStart + CHUNK_HDR + FOOTER) return null;
    const f = decodeFooter(Recording.readAt(fd, size - FOOTER, FOOTER));
    if (!f || f.indexOffset < dataStart || f.indexOffset + f.indexLen !== size - FOOTER) return null;
    const c = Recording.readChunkAt(fd, f.indexOffset, size - FOOTER);
    if (typeof c === 'string' || c.header.kind !== CHUNK_INDEX) return null;
    try {
      return decodeIndex(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(c.raw)));
    } catch {
      return null;
    }
  }

  /** The chunk at `pos` (verified and decompressed), or why it cannot be read. */
  private static readChunkAt(fd: number, pos: number, end: number): Chunk | string {
    if (end - pos < CHUNK_HDR) return 'cut off';
    const h = decodeChunkHeader(Recording.readAt(fd, pos, CHUNK_HDR));
    if (typeof h === 'string') return h;
    if (pos + CHUNK_HDR + h.storedLen > end) return 'cut off';
    const stored = Recording.readAt(fd, pos + CHUNK_HDR, h.storedLen);
    if (crc32(stored) !== h.payloadCrc) return 'checksum mismatch';
    let raw: Uint8Array;
    try {
      if (h.codec === CODEC_DEFLATE_RAW) raw = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, h.rawLen) });
      else if (h.codec === CODEC_BROTLI)
        raw = zlib.brotliDecompressSync(stored, { maxOutputLength: Math.max(1, h.rawLen) });
      else raw = stored;
    } catch {
      return 'it does not decompress';
    }
    if (raw.length !== h.rawLen) return `it decompresses to ${raw.length} bytes, not ${h.rawLen}`;
    return { offset: pos, header: h, raw };
  }

  private issue(i: ReadIssue): void {
    const key = `${i.kind}@${i.offset}`;
    if (this.seen.has(key)) return; // a second pass (e.g. hello, then frames) finds the same ones
    this.seen.add(key);
    this.issues.push(i);
    this.onIssue?.(i);
  }

  /** The first frame: the helper's hello, which every decode needs. */
  private readHello(): Hello {
    for (const c of this.chunks()) {
      const f = this.framesOf(c).next();
      if (f.done) continue;
      if (f.value.type !== FRAME.HELLO)
        throw new RecordError(`${this.path}: the recording does not start with the helper's hello frame`, c.offset);
      try {
        return decodeHello(f.value.payload);
      } catch (e) {
        throw new RecordError(`${this.path}: ${e instanceof Error ? e.message : String(e)}`, c.offset, { cause: e });
      }
    }
    const why = this.issues.map((i) => i.message).join('; ');
    throw new RecordError(`${this.path}: no readable frames${why ? ` (${why})` : ''}`, this.dataStart);
  }

  /** File offset of the chunk read last: how far a pass has got (for progress bars). */
  position = 0;

  /** Frames chunks in file order; notes are collected on the way. */
  *chunks(): Generator<Chunk> {
    for (const c of this.index ? this.indexedChunks(this.index) : this.scannedChunks()) {
      this.position = c.offset + CHUNK_HDR + c.header.storedLen;
      yield c;
    }
  }

  private *indexedChunks(index: RecordingIndex): Generator<Chunk> {
    let expect = 0;
    for (const e of index.chunks) {
      const c = Recording.readChunkAt(this.fd, e.offset, this.size);
      if (typeof c === 'string' || c.header.kind !== CHUNK_FRAMES || c.header.streamOffset !== e.streamOffset) {
        this.issue({
          kind: 'corrupt',
          offset: e.offset,
          message: `chunk at byte ${e.offset} is corrupt (${typeof c === 'string' ? c : 'it does not match the index'}): skipped it, ${e.events} records and ${e.frames} frames lost; the rest is readable`,
        });
        expect = e.streamOffset + e.rawLen;
        continue;
      }
      expect = c.header.streamOffset + c.header.rawLen;
      yield c;
    }
    if (expect !== index.rawBytes && index.chunks.length) {
      this.issue({
        kind: 'index',
        offset: this.size,
        message: `the index lists ${expect} stream bytes but the writer recorded ${index.rawBytes}`,
      });
    }
    this.notes.splice(0, this.notes.length, ...index.notes);
  }

  /** Finds the next plausible chunk header after `from` (magic plus a valid header checksum). */
  private resync(from: number): number {
    const WIN = 1 << 20;
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(CHUNK_MAGIC);
    for (let pos = from; pos < this.size; pos += WIN - CHUNK_HDR) {
      const win = Recording.readAt(this.fd, pos, Math.min(WIN, this.size - pos));
      for (let i = win.indexOf(magic); i >= 0; i = win.indexOf(magic, i + 1)) {
        if (i + CHUNK_HDR > win.length) break;
        if (typeof decodeChunkHeader(win.subarray(i, i + CHUNK_HDR)) !== 'string') return pos + i;
      }
      if (win.length < WIN) break;
    }
    return this.size;
  }

  private *scannedChunks(): Generator<Chunk> {
    this.notes.length = 0; // each pass collects them again
    let pos = this.dataStart;
    let chunks = 0;
    let lastTs = 0;
    while (pos < this.size) {
      const c = Recording.readChunkAt(this.fd, pos, this.size);
      if (c === 'cut off') {
        this.issue({
          kind: 'truncated',
          offset: pos,
          message: `the file ends inside a chunk at byte ${pos}: its last ${this.size - pos} bytes (a partial chunk) are lost; read up to the last whole chunk${lastTs ? ` (${this.secondsAt(lastTs)})` : ''}`,
        });
        pos = this.size;
        break;
      }
      if (typeof c === 'string') {
        const h = decodeChunkHeader(Recording.readAt(this.fd, pos, CHUNK_HDR));
        const next = typeof h === 'string' ? this.resync(pos + 1) : pos + CHUNK_HDR + h.storedLen;
        const lost = typeof h === 'string' ? '' : `, ${h.events} records and ${h.frames} frames lost`;
        this.issue({
          kind: 'corrupt',
          offset: pos,
          message: `chunk at byte ${pos} is corrupt (${c}): skipped ${next - pos} bytes${lost}; the rest is readable`,
        });
        pos = next;
        continue;
      }
      pos += CHUNK_HDR + c.header.storedLen;
      if (c.header.kind === CHUNK_INDEX) break; // the footer follows
      if (c.header.kind === CHUNK_NOTE) {
        this.notes.push(new TextDecoder().decode(c.raw));
        continue;
      }
      if (c.header.maxTs) lastTs = c.header.maxTs;
      chunks++;
      yield c;
    }
    if (!this.index) {
      this.issue({
        kind: 'unfinished',
        offset: pos,
        message: `the recording was not finished (no index: was it killed?): read ${chunks} chunks${lastTs ? ` up to ${this.secondsAt(lastTs)}` : ''}; what the writer still held (at most its last second) is lost`,
      });
    }
  }

  private secondsAt(ts: number): string {
    // the hello is read from the first chunk before anything needs this
    const t0 = this.helloMono();
    return t0 ? `${((ts - t0) / 1e9).toFixed(1)} s` : `monotonic ${ts} ns`;
  }

  private helloMono(): number {
    try {
      return Number((this as { hello?: Hello }).hello?.monoNs ?? 0n);
    } catch {
      return 0;
    }
  }

  /** The frames of one chunk; a chunk whose bytes do not walk as frames is reported and its rest skipped. */
  *framesOf(c: Chunk): Generator<RecordedFrame> {
    const raw = c.raw;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    let off = 0;
    let n = 0;
    while (off < raw.length) {
      const len = raw.length - off >= FH.size ? dv.getUint32(off + FH.fields.len, true) : -1;
      if (len < 0 || off + FH.size + len > raw.length) {
        this.issue({
          kind: 'corrupt',
          offset: c.offset,
          message: `chunk at byte ${c.offset}: frame ${n} is cut off inside the chunk: skipped the chunk's last ${raw.length - off} bytes`,
        });
        return;
      }
      yield {
        type: dv.getUint16(off + FH.fields.type, true),
        flags: dv.getUint16(off + FH.fields.flags, true),
        payload: raw.subarray(off + FH.size, off + FH.size + len),
        streamOffset: c.header.streamOffset + off,
        chunkOffset: c.offset,
      };
      off += FH.size + len;
      n++;
    }
  }

  *frames(): Generator<RecordedFrame> {
    for (const c of this.chunks()) yield* this.framesOf(c);
  }

  /**
   * The decoded messages, hello first: exactly what a live Probe delivers
   * (plus the hello). A frame that does not decode is reported as a corrupt
   * chunk and the rest of that chunk is skipped.
   */
  *messages(): Generator<Message> {
    let first = true;
    for (const c of this.chunks()) {
      for (const f of this.framesOf(c)) {
        if (first) {
          first = false;
          yield this.hello;
          continue;
        }
        let m: Message;
        try {
          m = decodeFrame({ type: f.type, flags: f.flags, payload: f.payload, offset: f.streamOffset });
        } catch (e) {
          if (!(e instanceof StreamError)) throw e;
          this.issue({
            kind: 'corrupt',
            offset: c.offset,
            message: `chunk at byte ${c.offset}: ${e.message}: skipped the rest of the chunk`,
          });
          break;
        }
        yield m;
      }
    }
  }

  /** True when something was skipped (not just an unfinished tail). */
  get damaged(): boolean {
    return this.issues.some((i) => i.kind === 'corrupt' || i.kind === 'index');
  }
}

/** Turns an error from decoding recorded bytes into the recording's own error type. */
export function asRecordError(path: string, e: unknown): unknown {
  if (e instanceof StreamError)
    return new RecordError(`${path}: the recorded stream does not decode: ${e.message}`, undefined, { cause: e });
  return e;
}
