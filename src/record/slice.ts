// Cuts a recording: a time range (seconds from the recording's start) and,
// optionally, some CPUs, IRQs or devices. Snapshots are cumulative, so the
// slice starts with a baseline: every snapshot up to --from merged into one
// FULL snapshot (src/record/rows.ts). Times stay on the original clock, so a
// slice of a slice is the same file as the one slice.
import { basename } from 'node:path';
import { FRAME, LAYOUT, REC } from '../stream/layout.js';
import { RecordError } from './errors.js';
import type { RecordingHeader } from './format.js';
import type { Recording } from './reader.js';
import {
  filterSnapshot,
  isFiltering,
  parseSnapshot,
  recordingNames,
  SnapshotMerger,
  encodeSnapshot,
  type RowFilter,
} from './rows.js';
import { RecordingWriter, type WriterOptions } from './writer.js';
import { forEachRecord, recordSize, u64 } from '../stream/records.js';
import { StreamError } from '../stream/errors.js';

export interface SliceSpec {
  fromS?: number;
  toS?: number;
  cpus?: number[];
  /** IRQ numbers or names (a name matches every IRQ whose name contains it). */
  irqs?: string[];
  /** Network device names: their NAPI instances, bursts and queue IRQs. */
  devs?: string[];
}

export interface SliceResult {
  frames: number;
  events: number;
  snapshots: number;
  /** Seconds from the recording's start that the slice's snapshots span. */
  firstS: number | null;
  lastS: number | null;
}

function intersect<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.filter((x) => b.includes(x));
}

/** The slice header: the original's, plus what was cut (combined with an earlier cut). */
export function sliceHeader(h: RecordingHeader, source: string, s: SliceSpec): RecordingHeader {
  const prev = h.slice;
  const from = Math.max(prev?.fromS ?? 0, s.fromS ?? 0);
  const to = Math.min(prev?.toS ?? Infinity, s.toS ?? Infinity);
  const sorted = <T>(x: T[] | undefined) => (x ? [...new Set(x)].sort() : undefined);
  const cpus = sorted(intersect(prev?.cpus, s.cpus))?.sort((a, b) => a - b);
  const irqs = sorted(intersect(prev?.irqs, s.irqs));
  const devs = sorted(intersect(prev?.devs, s.devs));
  return {
    ...h,
    slice: {
      source: prev?.source ?? basename(source),
      fromS: from > 0 ? from : null,
      toS: Number.isFinite(to) ? to : null,
      ...(cpus ? { cpus } : {}),
      ...(irqs ? { irqs } : {}),
      ...(devs ? { devs } : {}),
    },
  };
}

interface Filters extends RowFilter {
  ifindexes?: ReadonlySet<number>;
}

function resolve(rec: Recording, s: SliceSpec): Filters {
  const f: Filters = {};
  if (s.cpus) f.cpus = new Set(s.cpus);
  if (!s.irqs && !s.devs) return f;
  const n = recordingNames(rec);
  let irqs: Set<number> | undefined;
  if (s.irqs) {
    irqs = new Set();
    for (const want of s.irqs) {
      const before = irqs.size;
      if (/^\d+$/.test(want)) irqs.add(Number(want));
      else for (const [irq, name] of n.irqs) if (name === want || name.includes(want)) irqs.add(irq);
      if (irqs.size === before)
        throw new RecordError(
          `--irq: no IRQ in ${rec.path} is named like '${want}' (known: ${[...new Set(n.irqs.values())].slice(0, 12).join(', ')})`,
        );
    }
  }
  if (s.devs) {
    const devIrqs = new Set<number>();
    const napi = new Set<number>();
    const ifs = new Set<number>();
    for (const dev of s.devs) {
      let found = false;
      for (const q of rec.header.settings?.queues ?? []) {
        if (q.dev === dev && q.irq !== null) {
          devIrqs.add(q.irq);
          found = true;
        }
      }
      for (const [irq, name] of n.irqs) {
        if (name.startsWith(`${dev}-`) || name === dev) {
          devIrqs.add(irq);
          found = true;
        }
      }
      for (const [id, d] of n.napiDev) {
        if (d === dev) {
          napi.add(id);
          found = true;
        }
      }
      for (const [i, d] of n.ifDev) {
        if (d === dev) {
          ifs.add(i);
          found = true;
        }
      }
      if (!found)
        throw new RecordError(
          `--dev: ${rec.path} knows no device '${dev}' (known: ${[...new Set(n.ifDev.values())].join(', ') || 'none'})`,
        );
    }
    irqs = irqs ? new Set([...irqs].filter((i) => devIrqs.has(i))) : devIrqs;
    f.napiIds = napi;
    f.ifindexes = ifs;
  }
  if (irqs) f.irqs = irqs;
  return f;
}

/** Whether one per-event record stays in the slice. */
function keepRecord(kind: number, dv: DataView, off: number, f: Filters): boolean {
  if (f.cpus && !f.cpus.has(dv.getUint16(off + 2, true))) return false;
  if (f.irqs && kind === REC.HARDIRQ && !f.irqs.has(dv.getUint32(off + LAYOUT.irqlens_rec.fields.id, true)))
    return false;
  if (f.napiIds && kind === REC.NAPI && !f.napiIds.has(dv.getUint32(off + LAYOUT.irqlens_rec.fields.id, true)))
    return false;
  if (
    f.ifindexes &&
    kind === REC.BURST &&
    !f.ifindexes.has(dv.getUint32(off + LAYOUT.irqlens_burst_rec.fields.ifindex, true))
  )
    return false;
  return true;
}

/** The records of an events payload the filters keep; the payload itself when all are kept. */
function filterEvents(p: Uint8Array, f: Filters): { bytes: Uint8Array; n: number } {
  const keep: [number, number][] = [];
  let kept = 0;
  let n = 0;
  let all = true;
  walkOrDamaged(p, (kind, off, dv) => {
    const size = recordSize(kind);
    if (keepRecord(kind, dv, off, f)) {
      const last = keep[keep.length - 1];
      if (last && last[1] === off) last[1] = off + size;
      else keep.push([off, off + size]);
      kept += size;
      n++;
    } else all = false;
  });
  if (all) return { bytes: p, n };
  const out = new Uint8Array(kept);
  let o = 0;
  for (const [a, b] of keep) {
    out.set(p.subarray(a, b), o);
    o += b - a;
  }
  return { bytes: out, n };
}

function countIn(p: Uint8Array): number {
  let n = 0;
  forEachRecord(
    p,
    () => {
      n++;
    },
    true,
  );
  return n;
}

/** The record walk, with a bad batch named as damage to the recording. */
function walkOrDamaged(p: Uint8Array, fn: (kind: number, off: number, dv: DataView) => void): void {
  try {
    forEachRecord(p, fn);
  } catch (e) {
    if (e instanceof StreamError)
      throw new RecordError(
        `an events frame does not walk as records (${e.message}): the recording is damaged`,
        undefined,
        { cause: e },
      );
    throw e;
  }
}

/**
 * Writes the slice of `rec` to `out`. The cut is on snapshot boundaries: from
 * the last snapshot at or before --from (the baseline) to the last one at or
 * before --to, with every frame that arrived between them, so the counters
 * and the records of a slice cover the same interval. Throws RecordError when
 * no snapshot falls in the range.
 */
export function sliceRecording(rec: Recording, out: string, s: SliceSpec, o: WriterOptions = {}): SliceResult {
  const t0 = Number(rec.hello.monoNs);
  // a slice of a slice cuts the combined range: the first cut's baseline stands for its --from
  const header = sliceHeader(rec.header, rec.path, s);
  const fromS = header.slice?.fromS ?? null;
  const toS = header.slice?.toS ?? null;
  const fromNs = fromS !== null ? t0 + Math.round(fromS * 1e9) : 0;
  const toNs = toS !== null ? t0 + Math.round(toS * 1e9) : Number.MAX_SAFE_INTEGER;
  const f = resolve(rec, s);
  const filtering = isFiltering(f);
  // the writer is created only once there is something to write, so a refused slice leaves no file
  let w: RecordingWriter | undefined;
  const r: SliceResult = { frames: 0, events: 0, snapshots: 0, firstS: null, lastS: null };
  const emit = (type: number, flags: number, payload: Uint8Array) => {
    if (!w) {
      w = RecordingWriter.create(out, header, o);
      for (const n of rec.notes) w.note(n);
    }
    if (type === FRAME.EVENTS) {
      const e = filtering ? filterEvents(payload, f) : { bytes: payload, n: countIn(payload) };
      if (!e.n) return;
      payload = e.bytes;
      r.events += e.n;
    }
    w.addFrame(type, flags, payload);
    r.frames++;
  };
  const snapshotEmitted = (ts: number) => {
    r.snapshots++;
    const sec = (ts - t0) / 1e9;
    r.firstS ??= sec;
    r.lastS = sec;
  };
  let hello: { type: number; flags: number; payload: Uint8Array } | undefined;
  const merger = new SnapshotMerger();
  let started = false;
  // frames after the latest snapshot, kept only if a snapshot in range follows
  let held: { type: number; flags: number; payload: Uint8Array }[] = [];
  let ended = false;
  try {
    for (const fr of rec.frames()) {
      if (fr.type === FRAME.HELLO) {
        hello ??= fr;
        continue;
      }
      if (fr.type !== FRAME.SNAPSHOT) {
        if (fr.type === FRAME.END && started && !held.length) {
          const dv = new DataView(fr.payload.buffer, fr.payload.byteOffset, fr.payload.byteLength);
          const endNs = fr.payload.length >= 8 ? u64(dv, 0) : 0;
          if (endNs <= toNs) {
            emit(fr.type, fr.flags, fr.payload);
            ended = true;
          }
          continue;
        }
        held.push(fr);
        continue;
      }
      const snap = parseSnapshot(fr.payload, fr.flags);
      if (!snap)
        throw new RecordError(
          `a snapshot at stream byte ${fr.streamOffset} does not walk as tables: the recording is damaged`,
        );
      if (snap.tsNs > toNs) break; // everything after it is past the range
      const kept = filterSnapshot(snap, f);
      if (!started && snap.tsNs <= fromNs) {
        merger.add(kept); // the baseline moves forward; what arrived before it is outside the slice
        held = [];
        continue;
      }
      if (!started) {
        started = true;
        if (hello) emit(hello.type, hello.flags, hello.payload);
        const b = merger.result();
        if (b) {
          emit(FRAME.SNAPSHOT, b.flags, b.payload);
          snapshotEmitted(parseSnapshot(b.payload, b.flags)?.tsNs ?? 0);
        }
      }
      for (const h of held) emit(h.type, h.flags, h.payload);
      held = [];
      emit(fr.type, fr.flags, filtering ? encodeSnapshot(kept) : fr.payload);
      snapshotEmitted(snap.tsNs);
    }
    if (!started) {
      const span = rec.index?.chunks.reduce((m, c) => Math.max(m, c.maxTs), 0);
      throw new RecordError(
        `no snapshot of ${rec.path} is in the range${span ? ` (it spans 0 to ${((span - t0) / 1e9).toFixed(1)} s, snapshots every ${rec.hello.intervalMs} ms)` : ''}`,
      );
    }
    w?.close(ended ? 'end' : 'slice');
  } catch (e) {
    w?.abandon();
    throw e;
  }
  return r;
}
