// Interrupt hits as columns of numbers, not objects: a live epoch holds up to
// 200,000 of them, and as objects they lived long enough to reach V8's old
// generation (concurrent marking on every core) and were structured-cloned one
// by one to the estimate worker. Columns cost 15 bytes a hit and transfer.
import { IRQ_KINDS, type IrqHit, type IrqKind } from '../attribution/types.js';

/** Hits in arrival order, column by column; `kind` indexes IRQ_KINDS. */
export interface HitColumns {
  length: number;
  tsNs: Float64Array;
  cpu: Uint16Array;
  kind: Uint8Array;
  durNs: Uint32Array;
}

const KIND_INDEX = new Map<IrqKind, number>(IRQ_KINDS.map((k, i) => [k, i]));

export function kindIndex(kind: IrqKind): number {
  const i = KIND_INDEX.get(kind);
  if (i === undefined) throw new Error(`unknown interrupt kind '${kind}'`);
  return i;
}

function emptyColumns(capacity: number): HitColumns {
  return {
    length: 0,
    tsNs: new Float64Array(capacity),
    cpu: new Uint16Array(capacity),
    kind: new Uint8Array(capacity),
    durNs: new Uint32Array(capacity),
  };
}

/** An append-only hit store that grows by doubling. */
export class HitLog {
  private c: HitColumns = emptyColumns(1024);

  get length(): number {
    return this.c.length;
  }

  push(tsNs: number, cpu: number, kind: number, durNs: number): void {
    let c = this.c;
    if (c.length === c.tsNs.length) {
      const g = emptyColumns(c.length * 2);
      g.tsNs.set(c.tsNs);
      g.cpu.set(c.cpu);
      g.kind.set(c.kind);
      g.durNs.set(c.durNs);
      g.length = c.length;
      this.c = c = g;
    }
    const i = c.length++;
    c.tsNs[i] = tsNs;
    c.cpu[i] = cpu;
    c.kind[i] = kind;
    c.durNs[i] = durNs;
  }

  /** A view of the hits so far (valid until the next push). */
  view(): HitColumns {
    const c = this.c;
    const n = c.length;
    return {
      length: n,
      tsNs: c.tsNs.subarray(0, n),
      cpu: c.cpu.subarray(0, n),
      kind: c.kind.subarray(0, n),
      durNs: c.durNs.subarray(0, n),
    };
  }
}

/** The hits of several logs, one after the other, in fresh arrays of their own (to transfer). */
export function concatHits(parts: readonly HitColumns[]): HitColumns {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = emptyColumns(n);
  let o = 0;
  for (const p of parts) {
    out.tsNs.set(p.tsNs.subarray(0, p.length), o);
    out.cpu.set(p.cpu.subarray(0, p.length), o);
    out.kind.set(p.kind.subarray(0, p.length), o);
    out.durNs.set(p.durNs.subarray(0, p.length), o);
    o += p.length;
  }
  out.length = n;
  return out;
}

/** The buffers to transfer (not copy) with a postMessage. */
export function hitBuffers(c: HitColumns): ArrayBuffer[] {
  return [c.tsNs.buffer, c.cpu.buffer, c.kind.buffer, c.durNs.buffer].filter(
    (b): b is ArrayBuffer => b instanceof ArrayBuffer,
  );
}

export function columnsToHits(c: HitColumns): IrqHit[] {
  const out = new Array<IrqHit>(c.length);
  for (let i = 0; i < c.length; i++) {
    out[i] = {
      tsNs: c.tsNs[i] ?? 0,
      cpu: c.cpu[i] ?? 0,
      kind: IRQ_KINDS[c.kind[i] ?? 0] ?? 'device',
      durNs: c.durNs[i] ?? 0,
    };
  }
  return out;
}
