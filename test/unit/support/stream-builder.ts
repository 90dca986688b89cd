// Test-side encoder of the helper's framed stream (bpf/events.h). It writes
// every field at the offset LAYOUT gives, so a synthetic stream is laid out
// exactly as the helper lays out a real one; decode tests round-trip through it.
import {
  EPOLL_RET_SLOTS,
  FRAME,
  HIST_SLOTS,
  LAYOUT,
  MAGIC,
  NAPI_WORK_SLOTS,
  REC,
  STREAM_VERSION,
  TABLE,
} from '../../../src/stream/layout.js';
import type {
  BurstRec,
  DropNameRow,
  DropRow,
  DurStats,
  EpollRow,
  EventRec,
  HardirqRow,
  IrqNameRow,
  NapiRow,
  ProgStatRow,
  SoftirqRow,
  VectorRow,
  VictimRow,
} from '../../../src/stream/types.js';

const te = new TextEncoder();

/** A zeroed, fixed-size little-endian struct with typed field setters. */
export class StructWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }

  u16(off: number, v: number): this {
    this.dv.setUint16(off, v, true);
    return this;
  }

  u32(off: number, v: number): this {
    this.dv.setUint32(off, v, true);
    return this;
  }

  i32(off: number, v: number): this {
    this.dv.setInt32(off, v, true);
    return this;
  }

  u64(off: number, v: number | bigint): this {
    this.dv.setBigUint64(off, BigInt(v), true);
    return this;
  }

  u64s(off: number, vs: readonly number[], slots: number): this {
    if (vs.length !== slots) throw new Error(`expected ${slots} slots, got ${vs.length}`);
    vs.forEach((v, i) => this.u64(off + i * 8, v));
    return this;
  }

  /** A C char array: the bytes of `s` then NULs (no terminator when it fills `len`). */
  str(off: number, s: string, len: number): this {
    const b = te.encode(s);
    if (b.length > len) throw new Error(`"${s}" does not fit in ${len} bytes`);
    this.bytes.set(b, off);
    return this;
  }

  raw(off: number, b: Uint8Array): this {
    this.bytes.set(b, off);
    return this;
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/* ---- frames ---- */

export function frame(type: number, payload: Uint8Array, flags = 0, len = payload.length): Uint8Array {
  const F = LAYOUT.irqlens_frame_hdr;
  const h = new StructWriter(F.size).u32(F.fields.len, len).u16(F.fields.type, type).u16(F.fields.flags, flags);
  return concat(h.bytes, payload);
}

export interface ProgInput {
  name: string;
  tracepoint: string;
  err: number;
  /** IRQLENS_PROG_* */
  status: number;
  /** IRQLENS_PG_* + 1 (0: not recorded) */
  group?: number;
}

export interface HelloInput {
  magic: string;
  version: number;
  ncpus: number;
  pmu: number;
  monoNs: bigint;
  realtimeNs: bigint;
  kernel: string;
  host: string;
  windowNs: number;
  burstPackets: number;
  intervalMs: number;
  ringBytes: number;
  recordMask: number;
  targetTgid: number;
  tracefsMounted: number;
  flags: number;
  progs: ProgInput[];
  /** Override the nprogs field (default: progs.length). */
  nprogs?: number;
}

export const defaultHello: HelloInput = {
  magic: MAGIC,
  version: STREAM_VERSION,
  ncpus: 2,
  pmu: 0,
  monoNs: 1_000_000_000n,
  realtimeNs: 1_700_000_000_000_000_000n,
  kernel: '6.1.0-test',
  host: 'testhost',
  windowNs: 100_000,
  burstPackets: 256,
  intervalMs: 100,
  ringBytes: 1 << 24,
  recordMask: 1 << REC.BURST,
  targetTgid: 0,
  tracefsMounted: 0,
  flags: 0,
  progs: [],
};

export function helloPayload(over: Partial<HelloInput> = {}): Uint8Array {
  const h = { ...defaultHello, ...over };
  const L = LAYOUT.irqlens_hello;
  const f = L.fields;
  const PS = LAYOUT.irqlens_prog_status;
  const w = new StructWriter(L.size + h.progs.length * PS.size)
    .str(f.magic, h.magic, 8)
    .u32(f.version, h.version)
    .u32(f.ncpus, h.ncpus)
    .u32(f.pmu, h.pmu)
    .u32(f.nprogs, h.nprogs ?? h.progs.length)
    .u64(f.mono_ns, h.monoNs)
    .u64(f.realtime_ns, h.realtimeNs)
    .str(f.kernel, h.kernel, 64)
    .str(f.host, h.host, 64)
    .u32(f.window_ns, h.windowNs)
    .u32(f.burst_packets, h.burstPackets)
    .u32(f.interval_ms, h.intervalMs)
    .u32(f.ring_bytes, h.ringBytes)
    .u32(f.record_mask, h.recordMask)
    .u32(f.target_tgid, h.targetTgid)
    .u32(f.tracefs_mounted, h.tracefsMounted)
    .u32(f.flags, h.flags);
  h.progs.forEach((p, i) => {
    const o = L.size + i * PS.size;
    w.str(o + PS.fields.name, p.name, 32)
      .str(o + PS.fields.tracepoint, p.tracepoint, 48)
      .i32(o + PS.fields.err, p.err)
      .u16(o + PS.fields.status, p.status)
      .u16(o + PS.fields.group, p.group ?? 0);
  });
  return w.bytes;
}

export function helloFrame(over: Partial<HelloInput> = {}): Uint8Array {
  return frame(FRAME.HELLO, helloPayload(over));
}

/* ---- snapshot rows ---- */

function putDur(w: StructWriter, o: number, s: DurStats): void {
  const g = LAYOUT.irqlens_dur_stats.fields;
  w.u64(o + g.count, s.count)
    .u64(o + g.time_ns, s.timeNs)
    .u64(o + g.max_ns, s.maxNs)
    .u64s(o + g.hist, s.hist, HIST_SLOTS);
}

export function hardirqRow(r: HardirqRow): Uint8Array {
  const L = LAYOUT.irqlens_hardirq_row;
  const w = new StructWriter(L.size).u32(L.fields.cpu, r.cpu).u32(L.fields.irq, r.irq);
  putDur(w, L.fields.s, r);
  return w.bytes;
}

export function vectorRow(r: VectorRow): Uint8Array {
  const L = LAYOUT.irqlens_vector_row;
  const w = new StructWriter(L.size).u32(L.fields.cpu, r.cpu).u32(L.fields.vector, r.vector);
  putDur(w, L.fields.s, r);
  return w.bytes;
}

export function softirqRow(r: SoftirqRow): Uint8Array {
  const L = LAYOUT.irqlens_softirq_row;
  const g = LAYOUT.irqlens_softirq_stats.fields;
  const b = L.fields.s;
  return new StructWriter(L.size)
    .u32(L.fields.cpu, r.cpu)
    .u32(L.fields.vec, r.vec)
    .u64(b + g.count, r.count)
    .u64(b + g.time_ns, r.timeNs)
    .u64(b + g.max_ns, r.maxNs)
    .u64(b + g.async_count, r.asyncCount)
    .u64(b + g.async_time_ns, r.asyncTimeNs)
    .u64(b + g.raised, r.raised)
    .u64(b + g.raise_lat_ns, r.raiseLatNs)
    .u64s(b + g.hist, r.hist, HIST_SLOTS)
    .u64s(b + g.lat_hist, r.latHist, HIST_SLOTS).bytes;
}

/** `kernelState` fills the kernel-internal tail of the stats (the decoder must ignore it). */
export function napiRow(r: NapiRow, kernelState = 0): Uint8Array {
  const L = LAYOUT.irqlens_napi_row;
  const k = L.fields.k;
  const kf = LAYOUT.irqlens_napi_key.fields;
  const b = L.fields.s;
  const g = LAYOUT.irqlens_napi_stats.fields;
  const w = new StructWriter(L.size)
    .u32(k + kf.napi_id, r.napiId)
    .u32(k + kf.ifindex, r.ifindex)
    .u32(k + kf.cpu, r.cpu)
    .u64(b + g.polls, r.polls)
    .u64(b + g.packets, r.packets)
    .u64(b + g.polls_at_budget, r.pollsAtBudget)
    .u64(b + g.bursts, r.bursts)
    .u32(b + g.budget, r.budget)
    .str(b + g.dev, r.dev, 16)
    .u64s(b + g.work_hist, r.workHist, NAPI_WORK_SLOTS);
  if (kernelState) {
    // win_b2b (right after budget) and everything after work_hist
    w.u32(b + g.budget + 4, kernelState);
    for (let o = b + g.work_hist + NAPI_WORK_SLOTS * 8; o < L.size; o += 4) w.u32(o, kernelState);
  }
  return w.bytes;
}

export function epollRow(r: EpollRow, kernelState = 0): Uint8Array {
  const L = LAYOUT.irqlens_epoll_row;
  const k = L.fields.k;
  const kf = LAYOUT.irqlens_epoll_key.fields;
  const b = L.fields.s;
  const g = LAYOUT.irqlens_epoll_stats.fields;
  const w = new StructWriter(L.size)
    .u32(k + kf.tgid, r.tgid)
    .u32(k + kf.tid, r.tid)
    .u64(b + g.calls, r.calls)
    .u64(b + g.wait_ns, r.waitNs)
    .u64(b + g.busy_ns, r.busyNs)
    .u64(b + g.events, r.events)
    .u64(b + g.errors, r.errors)
    .str(b + g.comm, r.comm, 16)
    .u64s(b + g.ret_hist, r.retHist, EPOLL_RET_SLOTS);
  if (kernelState) {
    for (let o = b + g.ret_hist + EPOLL_RET_SLOTS * 8; o < L.size; o += 8) w.u64(o, kernelState);
  }
  return w.bytes;
}

export function victimRow(r: VictimRow): Uint8Array {
  const L = LAYOUT.irqlens_victim_row;
  const k = L.fields.k;
  const kf = LAYOUT.irqlens_victim_key.fields;
  const b = L.fields.s;
  const g = LAYOUT.irqlens_victim_stats.fields;
  return new StructWriter(L.size)
    .u32(k + kf.cpu, r.cpu)
    .u32(k + kf.kind, r.kind === 'vector' ? REC.VECTOR : REC.HARDIRQ)
    .u32(k + kf.id, r.id)
    .u32(k + kf.tgid, r.tgid)
    .u64(b + g.count, r.count)
    .u64(b + g.time_ns, r.timeNs)
    .str(b + g.comm, r.comm, 16).bytes;
}

export function irqNameRow(r: IrqNameRow): Uint8Array {
  const L = LAYOUT.irqlens_irqname_row;
  return new StructWriter(L.size).u32(L.fields.irq, r.irq).str(L.fields.name, r.name, 56).bytes;
}

export function dropRow(r: DropRow): Uint8Array {
  const L = LAYOUT.irqlens_drop_row;
  const k = L.fields.k;
  const v = L.fields.s;
  const kf = LAYOUT.irqlens_drop_key.fields;
  const vf = LAYOUT.irqlens_drop_stats.fields;
  const w = new StructWriter(L.size)
    .u32(k + kf.cpu, r.cpu)
    .u32(k + kf.reason, r.reason)
    .u32(k + kf.ifindex, r.ifindex)
    .u16(k + kf.eth_proto, r.ethProto);
  w.bytes[k + kf.l4_proto] = r.l4Proto;
  w.u32(k + kf.netns, r.netns);
  return w.u64(v + vf.count, r.count).u64(v + vf.last_ns, r.lastNs).bytes;
}

export function dropNameRow(r: DropNameRow): Uint8Array {
  const L = LAYOUT.irqlens_dropname_row;
  return new StructWriter(L.size).u32(L.fields.reason, r.reason).str(L.fields.name, r.name, 56).bytes;
}

/** kind: IRQLENS_REC_*, reason: IRQLENS_LOST_* (numeric, as on the wire). */
export function lostRow(kind: number, reason: number, count: number): Uint8Array {
  const L = LAYOUT.irqlens_lost_row;
  return new StructWriter(L.size).u32(L.fields.kind, kind).u32(L.fields.reason, reason).u64(L.fields.count, count)
    .bytes;
}

export function progStatRow(r: ProgStatRow): Uint8Array {
  const L = LAYOUT.irqlens_progstat_row;
  return new StructWriter(L.size)
    .u32(L.fields.prog, r.prog)
    .u64(L.fields.run_cnt, r.runCnt)
    .u64(L.fields.run_time_ns, r.runTimeNs).bytes;
}

export const ROW_SIZE: Record<number, number> = {
  [TABLE.HARDIRQ]: LAYOUT.irqlens_hardirq_row.size,
  [TABLE.SOFTIRQ]: LAYOUT.irqlens_softirq_row.size,
  [TABLE.VECTOR]: LAYOUT.irqlens_vector_row.size,
  [TABLE.NAPI]: LAYOUT.irqlens_napi_row.size,
  [TABLE.EPOLL]: LAYOUT.irqlens_epoll_row.size,
  [TABLE.VICTIM]: LAYOUT.irqlens_victim_row.size,
  [TABLE.IRQNAME]: LAYOUT.irqlens_irqname_row.size,
  [TABLE.LOST]: LAYOUT.irqlens_lost_row.size,
  [TABLE.PROGSTAT]: LAYOUT.irqlens_progstat_row.size,
  [TABLE.DROP]: LAYOUT.irqlens_drop_row.size,
  [TABLE.DROPNAME]: LAYOUT.irqlens_dropname_row.size,
};

export interface TableInput {
  table: number;
  rows: Uint8Array[];
  /** Override the header's row_size (default: the table's row size). */
  rowSize?: number;
  /** Override the header's row count (default: rows.length). */
  count?: number;
}

export function table(t: TableInput): Uint8Array {
  const T = LAYOUT.irqlens_table_hdr;
  const rowSize = t.rowSize ?? ROW_SIZE[t.table] ?? t.rows[0]?.length ?? 0;
  const h = new StructWriter(T.size)
    .u16(T.fields.table, t.table)
    .u16(T.fields.row_size, rowSize)
    .u32(T.fields.rows, t.count ?? t.rows.length);
  return concat(h.bytes, ...t.rows);
}

export interface SnapshotInput {
  tsNs: bigint;
  seq: number;
  tables: TableInput[];
  /** Override the header's table count (default: tables.length). */
  ntables?: number;
}

export function snapshotPayload(s: SnapshotInput): Uint8Array {
  const H = LAYOUT.irqlens_snap_hdr;
  const h = new StructWriter(H.size)
    .u64(H.fields.ts_ns, s.tsNs)
    .u32(H.fields.seq, s.seq)
    .u32(H.fields.ntables, s.ntables ?? s.tables.length);
  return concat(h.bytes, ...s.tables.map(table));
}

export function snapshotFrame(s: SnapshotInput, flags = 0): Uint8Array {
  return frame(FRAME.SNAPSHOT, snapshotPayload(s), flags);
}

/* ---- per-event records ---- */

const REC_CODE: Record<EventRec['kind'], number> = {
  hardirq: REC.HARDIRQ,
  vector: REC.VECTOR,
  softirq: REC.SOFTIRQ,
  napi: REC.NAPI,
  epoll: REC.EPOLL,
  drop: REC.DROP,
};

export function eventRec(r: EventRec): Uint8Array {
  const f = LAYOUT.irqlens_rec.fields;
  return new StructWriter(LAYOUT.irqlens_rec.size)
    .u16(f.kind, REC_CODE[r.kind])
    .u16(f.cpu, r.cpu)
    .u32(f.id, r.id)
    .u64(f.ts_ns, r.tsNs)
    .u32(f.dur_ns, r.durNs)
    .u32(f.tgid, r.tgid)
    .u32(f.arg0, r.arg0)
    .u32(f.arg1, r.arg1).bytes;
}

export function burstRec(r: BurstRec): Uint8Array {
  const f = LAYOUT.irqlens_burst_rec.fields;
  return new StructWriter(LAYOUT.irqlens_burst_rec.size)
    .u16(f.kind, REC.BURST)
    .u16(f.cpu, r.cpu)
    .u32(f.napi_id, r.napiId)
    .u64(f.start_ns, r.startNs)
    .u64(f.end_ns, r.endNs)
    .u32(f.ifindex, r.ifindex)
    .u32(f.packets, r.packets)
    .u32(f.peak_window_packets, r.peakWindowPackets)
    .u32(f.polls_at_budget, r.pollsAtBudget)
    .u32(f.windows, r.windows).bytes;
}

export function eventsFrame(...records: Uint8Array[]): Uint8Array {
  return frame(FRAME.EVENTS, concat(...records));
}

/* ---- end ---- */

export function endPayload(tsNs: bigint, code: number): Uint8Array {
  const L = LAYOUT.irqlens_end;
  return new StructWriter(L.size).u64(L.fields.ts_ns, tsNs).i32(L.fields.code, code).bytes;
}

export function endFrame(tsNs = 2_000_000_000n, code = 0): Uint8Array {
  return frame(FRAME.END, endPayload(tsNs, code));
}

/* ---- distinctive values ---- */

/** n distinct slot values derived from a seed (so arrays of different fields differ). */
export function slots(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => seed * 1_000_003 + i * 7919 + 1);
}

export function durStats(seed: number): DurStats {
  return {
    count: 0x1_0000_0000 + seed,
    timeNs: 0x20_0000_0000 + seed * 3,
    maxNs: 50_000 + seed,
    hist: slots(HIST_SLOTS, seed),
  };
}
