// Incremental frame splitter: bytes in (any chunking), whole frames out.
import { LAYOUT } from './layout.js';
import { StreamError } from './errors.js';

const HDR = LAYOUT.irqlens_frame_hdr.size;
const MAX_FRAME_BYTES = 64 << 20;

export interface Frame {
  type: number;
  flags: number;
  payload: Uint8Array;
  /** Byte offset of the frame header in the whole stream. */
  offset: number;
}

export class FrameSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  private consumed = 0;

  /** Feed a chunk; returns every frame completed by it. */
  push(chunk: Uint8Array): Frame[] {
    const buf = this.pending.length ? concat(this.pending, chunk) : chunk;
    const frames: Frame[] = [];
    let off = 0;
    while (buf.length - off >= HDR) {
      const dv = new DataView(buf.buffer, buf.byteOffset + off, HDR);
      const len = dv.getUint32(LAYOUT.irqlens_frame_hdr.fields.len, true);
      if (len > MAX_FRAME_BYTES) {
        throw new StreamError(`frame at byte ${this.consumed + off} claims ${len} bytes: the stream is corrupt`);
      }
      if (buf.length - off - HDR < len) break;
      frames.push({
        type: dv.getUint16(LAYOUT.irqlens_frame_hdr.fields.type, true),
        flags: dv.getUint16(LAYOUT.irqlens_frame_hdr.fields.flags, true),
        payload: buf.subarray(off + HDR, off + HDR + len),
        offset: this.consumed + off,
      });
      off += HDR + len;
    }
    // keep the tail; copy so the caller's chunk can be reused
    this.pending = off === buf.length ? new Uint8Array(0) : buf.slice(off);
    this.consumed += off;
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for more input. */
  get buffered(): number {
    return this.pending.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
