// Snapshot frames at the byte level: walk their tables, filter rows by key,
// and merge many snapshots into one FULL snapshot with the latest row per key,
// exactly as reduceTotals folds them (same keys, same first-seen order), so a
// slice's baseline decodes to the state the whole prefix would have given.
import { setU64, u64 } from '../stream/records.js';
import { FRAME, LAYOUT, REC, SNAP_FULL, SNAP_REQUESTED, TABLE } from '../stream/layout.js';
import type { Recording } from './reader.js';

const SH = LAYOUT.irqlens_snap_hdr;
const TH = LAYOUT.irqlens_table_hdr;

/** Bytes of a row that identify it (what reduceTotals keys the row by). */
const KEY_BYTES: Record<number, number> = {
  [TABLE.HARDIRQ]: 8, // cpu, irq
  [TABLE.SOFTIRQ]: 8, // cpu, vec
  [TABLE.VECTOR]: 8, // cpu, vector
  [TABLE.NAPI]: LAYOUT.irqlens_napi_key.size, // napi_id, ifindex, cpu
  [TABLE.EPOLL]: LAYOUT.irqlens_epoll_key.size, // tgid, tid
  [TABLE.VICTIM]: LAYOUT.irqlens_victim_key.size, // cpu, kind, id, tgid
  [TABLE.IRQNAME]: 4, // irq
  [TABLE.LOST]: 8, // kind, reason
  [TABLE.PROGSTAT]: 4, // prog
  [TABLE.CPUTIME]: 4, // cpu
  [TABLE.DROP]: LAYOUT.irqlens_drop_key.size, // cpu, reason, ifindex, protocols
  [TABLE.DROPNAME]: 4, // reason
};

export interface SnapTable {
  table: number;
  rowSize: number;
  rows: Uint8Array[];
}

export interface RawSnapshot {
  tsNs: number;
  seq: number;
  flags: number;
  tables: SnapTable[];
}

function dvOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The tables of a snapshot payload; null when it does not walk (the decoder reports why). */
export function parseSnapshot(p: Uint8Array, flags: number): RawSnapshot | null {
  if (p.length < SH.size) return null;
  const dv = dvOf(p);
  const snap: RawSnapshot = {
    tsNs: u64(dv, SH.fields.ts_ns),
    seq: dv.getUint32(SH.fields.seq, true),
    flags,
    tables: [],
  };
  const ntables = dv.getUint32(SH.fields.ntables, true);
  let off = SH.size;
  for (let t = 0; t < ntables; t++) {
    if (p.length - off < TH.size) return null;
    const table = dv.getUint16(off + TH.fields.table, true);
    const rowSize = dv.getUint16(off + TH.fields.row_size, true);
    const rows = dv.getUint32(off + TH.fields.rows, true);
    off += TH.size;
    if (!rowSize && rows) return null;
    if (p.length - off < rows * rowSize) return null;
    const list: Uint8Array[] = [];
    for (let r = 0; r < rows; r++, off += rowSize) list.push(p.subarray(off, off + rowSize));
    snap.tables.push({ table, rowSize, rows: list });
  }
  return snap;
}

export function encodeSnapshot(s: RawSnapshot): Uint8Array {
  const tables = s.tables.filter((t) => t.rows.length);
  const size = SH.size + tables.reduce((n, t) => n + TH.size + t.rows.length * t.rowSize, 0);
  const out = new Uint8Array(size);
  const dv = dvOf(out);
  setU64(dv, SH.fields.ts_ns, s.tsNs);
  dv.setUint32(SH.fields.seq, s.seq, true);
  dv.setUint32(SH.fields.ntables, tables.length, true);
  let off = SH.size;
  for (const t of tables) {
    dv.setUint16(off + TH.fields.table, t.table, true);
    dv.setUint16(off + TH.fields.row_size, t.rowSize, true);
    dv.setUint32(off + TH.fields.rows, t.rows.length, true);
    off += TH.size;
    for (const r of t.rows) {
      out.set(r, off);
      off += t.rowSize;
    }
  }
  return out;
}

/** Which rows a slice keeps; undefined fields keep everything. */
export interface RowFilter {
  cpus?: ReadonlySet<number>;
  /** Device IRQs kept (hardirq rows, victims of device interrupts). */
  irqs?: ReadonlySet<number>;
  /** NAPI instances kept, by napi_id. */
  napiIds?: ReadonlySet<number>;
}

/** The CPU field of a row, for tables that have one. */
function rowCpu(table: number, dv: DataView): number | undefined {
  switch (table) {
    case TABLE.HARDIRQ:
    case TABLE.SOFTIRQ:
    case TABLE.VECTOR:
    case TABLE.CPUTIME:
      return dv.getUint32(0, true);
    case TABLE.DROP:
      return dv.getUint32(LAYOUT.irqlens_drop_key.fields.cpu, true);
    case TABLE.NAPI:
      return dv.getUint32(LAYOUT.irqlens_napi_key.fields.cpu, true);
    case TABLE.VICTIM:
      return dv.getUint32(LAYOUT.irqlens_victim_key.fields.cpu, true);
    default:
      return undefined;
  }
}

export function keepRow(table: number, row: Uint8Array, f: RowFilter): boolean {
  const dv = dvOf(row);
  const cpu = rowCpu(table, dv);
  if (f.cpus && cpu !== undefined && !f.cpus.has(cpu)) return false;
  if (f.irqs) {
    if (table === TABLE.HARDIRQ && !f.irqs.has(dv.getUint32(LAYOUT.irqlens_hardirq_row.fields.irq, true))) return false;
    if (
      table === TABLE.VICTIM &&
      dv.getUint32(LAYOUT.irqlens_victim_key.fields.kind, true) !== REC.VECTOR &&
      !f.irqs.has(dv.getUint32(LAYOUT.irqlens_victim_key.fields.id, true))
    )
      return false;
  }
  if (f.napiIds && table === TABLE.NAPI && !f.napiIds.has(dv.getUint32(LAYOUT.irqlens_napi_key.fields.napi_id, true)))
    return false;
  return true;
}

export function isFiltering(f: RowFilter): boolean {
  return !!(f.cpus ?? f.irqs ?? f.napiIds);
}

/** The snapshot with only the rows the filter keeps (the same object when nothing is filtered). */
export function filterSnapshot(s: RawSnapshot, f: RowFilter): RawSnapshot {
  if (!isFiltering(f)) return s;
  return { ...s, tables: s.tables.map((t) => ({ ...t, rows: t.rows.filter((r) => keepRow(t.table, r, f)) })) };
}

/** Latest row per key over many snapshots, in first-seen order per table. */
export class SnapshotMerger {
  private readonly tables = new Map<number, { rowSize: number; rows: Map<string, Uint8Array> }>();
  private last: RawSnapshot | undefined;

  add(s: RawSnapshot): void {
    this.last = s;
    for (const t of s.tables) {
      const keyBytes = KEY_BYTES[t.table];
      if (keyBytes === undefined || t.rowSize < keyBytes) continue; // a table this irqlens does not know: the decoder skips it too
      let m = this.tables.get(t.table);
      if (!m || m.rowSize !== t.rowSize) this.tables.set(t.table, (m = { rowSize: t.rowSize, rows: new Map() }));
      for (const r of t.rows) m.rows.set(Buffer.from(r.buffer, r.byteOffset, keyBytes).toString('latin1'), r);
    }
  }

  get empty(): boolean {
    return !this.last;
  }

  /** One FULL snapshot with the last merged snapshot's time, sequence and requested flag. */
  result(): { payload: Uint8Array; flags: number } | undefined {
    const last = this.last;
    if (!last) return undefined;
    const tables = [...this.tables]
      .sort((a, b) => a[0] - b[0])
      .map(([table, t]) => ({ table, rowSize: t.rowSize, rows: [...t.rows.values()] }));
    return { payload: encodeSnapshot({ ...last, tables }), flags: SNAP_FULL | (last.flags & SNAP_REQUESTED) };
  }
}

export interface Names {
  irqs: Map<number, string>;
  /** napi_id -> device name, ifindex -> device name. */
  napiDev: Map<number, string>;
  ifDev: Map<number, string>;
  /** kernel drop reason value -> name (DROPNAME tables). */
  drops: Map<number, string>;
  /** Earliest timestamp in the recording (chunk headers), 0 when none. */
  minTs: number;
}

/** IRQ and NAPI names from the header and every snapshot (a first pass, only when filtering by name). */
export function recordingNames(rec: Recording): Names {
  const n: Names = { irqs: new Map(), napiDev: new Map(), ifDev: new Map(), drops: new Map(), minTs: 0 };
  for (const [irq, name] of Object.entries(rec.header.irqNames)) n.irqs.set(Number(irq), name);
  for (const d of rec.header.settings?.devices ?? []) n.ifDev.set(d.ifindex, d.dev);
  for (const c of rec.chunks()) {
    if (c.header.minTs && (!n.minTs || c.header.minTs < n.minTs)) n.minTs = c.header.minTs;
    for (const f of rec.framesOf(c)) if (f.type === FRAME.SNAPSHOT) namesFrom(parseSnapshot(f.payload, f.flags), n);
  }
  return n;
}

const td = new TextDecoder();

function cstr(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return td.decode(nul < 0 ? b : b.subarray(0, nul));
}

function namesFrom(s: RawSnapshot | null, n: Names): void {
  const NK = LAYOUT.irqlens_napi_key.fields;
  const NS = LAYOUT.irqlens_napi_stats.fields.dev + LAYOUT.irqlens_napi_row.fields.s;
  const IN = LAYOUT.irqlens_irqname_row.fields;
  const DN = LAYOUT.irqlens_dropname_row.fields;
  for (const t of s?.tables ?? []) {
    for (const r of t.rows) {
      const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
      if (t.table === TABLE.IRQNAME && r.length >= IN.name + 56)
        n.irqs.set(dv.getUint32(IN.irq, true), cstr(r.subarray(IN.name, IN.name + 56)));
      if (t.table === TABLE.DROPNAME && r.length >= DN.name + 56)
        n.drops.set(dv.getUint32(DN.reason, true), cstr(r.subarray(DN.name, DN.name + 56)));
      if (t.table !== TABLE.NAPI || r.length < NS + 16) continue;
      const dev = cstr(r.subarray(NS, NS + 16));
      if (!dev) continue;
      n.napiDev.set(dv.getUint32(NK.napi_id, true), dev);
      n.ifDev.set(dv.getUint32(NK.ifindex, true), dev);
    }
  }
}
