// Incremental frame splitter: bytes in (any chunking), whole frames out.
// Chunks of an incomplete frame are kept as a list and joined once, when the
// frame is complete: re-copying a growing buffer per chunk would be quadratic
// in the frame size (event frames reach ~1 MiB at millions of events/s).
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
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private consumed = 0;

  /** Feed a chunk; returns every frame completed by it. Payloads may point into `chunk`. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let buf = chunk;
    let off = 0;
    if (this.partBytes) {
      // finish the pending frame first, joining only what it needs
      const need = this.pendingNeed(chunk);
      if (need === undefined || this.partBytes + chunk.length < need) {
        this.parts.push(chunk.slice());
        this.partBytes += chunk.length;
        return frames;
      }
      const take = need - this.partBytes;
      const whole = new Uint8Array(need);
      let o = 0;
      for (const p of this.parts) {
        whole.set(p, o);
        o += p.length;
      }
      whole.set(chunk.subarray(0, take), o);
      this.parts = [];
      this.partBytes = 0;
      frames.push(this.frameAt(whole, 0));
      this.consumed += need;
      buf = chunk;
      off = take;
    }
    while (buf.length - off >= HDR) {
      const len = this.lengthAt(buf, off);
      if (buf.length - off - HDR < len) break;
      frames.push(this.frameAt(buf, off));
      off += HDR + len;
      this.consumed += HDR + len;
    }
    if (off < buf.length) {
      this.parts.push(buf.slice(off)); // copy: the caller may reuse its buffer
      this.partBytes = buf.length - off;
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for more input. */
  get buffered(): number {
    return this.partBytes;
  }

  /** Total size of the pending frame, once its header is known. */
  private pendingNeed(next: Uint8Array): number | undefined {
    if (this.partBytes + next.length < HDR) return undefined;
    const hdr = new Uint8Array(HDR);
    let o = 0;
    for (const p of [...this.parts, next]) {
      const n = Math.min(HDR - o, p.length);
      hdr.set(p.subarray(0, n), o);
      o += n;
      if (o === HDR) break;
    }
    return HDR + this.lengthAt(hdr, 0);
  }

  private lengthAt(buf: Uint8Array, off: number): number {
    const len = new DataView(buf.buffer, buf.byteOffset + off, HDR).getUint32(
      LAYOUT.irqlens_frame_hdr.fields.len,
      true,
    );
    if (len > MAX_FRAME_BYTES) {
      throw new StreamError(`frame at byte ${this.consumed} claims ${len} bytes: the stream is corrupt`);
    }
    return len;
  }

  private frameAt(buf: Uint8Array, off: number): Frame {
    const dv = new DataView(buf.buffer, buf.byteOffset + off, HDR);
    const len = dv.getUint32(LAYOUT.irqlens_frame_hdr.fields.len, true);
    return {
      type: dv.getUint16(LAYOUT.irqlens_frame_hdr.fields.type, true),
      flags: dv.getUint16(LAYOUT.irqlens_frame_hdr.fields.flags, true),
      payload: buf.subarray(off + HDR, off + HDR + len),
      offset: this.consumed,
    };
  }
}
