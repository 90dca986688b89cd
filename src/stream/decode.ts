// Frame payloads -> typed messages. Every offset comes from layout.ts.
import {
  FRAME,
  HELLO_SOFTIRQ_ASYNC_ONLY,
  HELLO_NO_RAISE_LATENCY,
  SNAP_REQUESTED,
  LAYOUT,
  LOST_REASONS,
  MAGIC,
  PROG_STATUS,
  PROBE_GROUPS,
  REC,
  REC_NAMES,
  STREAM_VERSION,
  TABLE,
  HIST_SLOTS,
  NAPI_WORK_SLOTS,
  EPOLL_RET_SLOTS,
  PERIOD_PMU,
  PERIOD_STEAL,
  type PeriodKind,
} from './layout.js';
import type { Frame } from './frames.js';
import { StreamError } from './errors.js';
import { forEachRecord, u64, view } from './records.js';
import type {
  BurstRec,
  CpuTimeRow,
  DropNameRow,
  DropRow,
  PeriodRec,
  DurStats,
  EpollRow,
  EventRec,
  HardirqRow,
  Hello,
  IrqNameRow,
  LostRow,
  Message,
  NapiRow,
  ProgStatRow,
  ProgStatus,
  Snapshot,
  SoftirqRow,
  VectorRow,
  VictimRow,
} from './types.js';

const td = new TextDecoder();

function cstr(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return td.decode(nul < 0 ? s : s.subarray(0, nul));
}

function u64s(dv: DataView, off: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = u64(dv, off + i * 8);
  return out;
}

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new StreamError(`${what}: ${b.length} bytes, expected at least ${n}`);
}

export function decodeHello(p: Uint8Array): Hello {
  const L = LAYOUT.irqlens_hello;
  need(p, L.size, 'hello frame');
  const dv = view(p);
  const f = L.fields;
  if (cstr(p, f.magic, 8) !== MAGIC) throw new StreamError('not an irqlens stream (bad magic)');
  const version = dv.getUint32(f.version, true);
  if (version !== STREAM_VERSION) {
    throw new StreamError(
      `stream format version ${version} is not supported (this irqlens reads version ${STREAM_VERSION}): use a matching irqlens`,
    );
  }
  const nprogs = dv.getUint32(f.nprogs, true);
  const PS = LAYOUT.irqlens_prog_status;
  need(p, L.size + nprogs * PS.size, 'hello frame programs');
  const progs: ProgStatus[] = [];
  for (let i = 0; i < nprogs; i++) {
    const o = L.size + i * PS.size;
    // group is one more than its IRQLENS_PG_* index; 0 (older streams) or one this irqlens does not know: none
    const group = PROBE_GROUPS[dv.getUint16(o + PS.fields.group, true) - 1];
    progs.push({
      name: cstr(p, o + PS.fields.name, 32),
      tracepoint: cstr(p, o + PS.fields.tracepoint, 48),
      err: dv.getInt32(o + PS.fields.err, true),
      status: PROG_STATUS[dv.getUint16(o + PS.fields.status, true)] ?? 'failed',
      ...(group ? { group } : {}),
    });
  }
  const flags = dv.getUint32(f.flags, true);
  return {
    type: 'hello',
    version,
    ncpus: dv.getUint32(f.ncpus, true),
    pmu: dv.getUint32(f.pmu, true) === 1,
    monoNs: dv.getBigUint64(f.mono_ns, true),
    realtimeNs: dv.getBigUint64(f.realtime_ns, true),
    kernel: cstr(p, f.kernel, 64),
    host: cstr(p, f.host, 64),
    windowNs: dv.getUint32(f.window_ns, true),
    burstPackets: dv.getUint32(f.burst_packets, true),
    intervalMs: dv.getUint32(f.interval_ms, true),
    ringBytes: dv.getUint32(f.ring_bytes, true),
    recordMask: dv.getUint32(f.record_mask, true),
    targetTgid: dv.getUint32(f.target_tgid, true),
    tracefsMounted: dv.getUint32(f.tracefs_mounted, true) === 1,
    softirqAsyncOnly: (flags & HELLO_SOFTIRQ_ASYNC_ONLY) !== 0,
    ...((flags & HELLO_NO_RAISE_LATENCY) !== 0 ? { raiseLatency: false } : {}),
    progs,
  };
}

function durStats(dv: DataView, o: number): DurStats {
  const f = LAYOUT.irqlens_dur_stats.fields;
  return {
    count: u64(dv, o + f.count),
    timeNs: u64(dv, o + f.time_ns),
    maxNs: u64(dv, o + f.max_ns),
    hist: u64s(dv, o + f.hist, HIST_SLOTS),
  };
}

type RowDecoder = (p: Uint8Array, dv: DataView, o: number, snap: Snapshot) => void;

const rowDecoders: Record<number, { size: number; decode: RowDecoder }> = {
  [TABLE.HARDIRQ]: {
    size: LAYOUT.irqlens_hardirq_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_hardirq_row.fields;
      const r: HardirqRow = {
        cpu: dv.getUint32(o + f.cpu, true),
        irq: dv.getUint32(o + f.irq, true),
        ...durStats(dv, o + f.s),
      };
      s.hardirq.push(r);
    },
  },
  [TABLE.VECTOR]: {
    size: LAYOUT.irqlens_vector_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_vector_row.fields;
      const r: VectorRow = {
        cpu: dv.getUint32(o + f.cpu, true),
        vector: dv.getUint32(o + f.vector, true),
        ...durStats(dv, o + f.s),
      };
      s.vector.push(r);
    },
  },
  [TABLE.SOFTIRQ]: {
    size: LAYOUT.irqlens_softirq_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_softirq_row.fields;
      const g = LAYOUT.irqlens_softirq_stats.fields;
      const b = o + f.s;
      const r: SoftirqRow = {
        cpu: dv.getUint32(o + f.cpu, true),
        vec: dv.getUint32(o + f.vec, true),
        count: u64(dv, b + g.count),
        timeNs: u64(dv, b + g.time_ns),
        maxNs: u64(dv, b + g.max_ns),
        asyncCount: u64(dv, b + g.async_count),
        asyncTimeNs: u64(dv, b + g.async_time_ns),
        raised: u64(dv, b + g.raised),
        raiseLatNs: u64(dv, b + g.raise_lat_ns),
        hist: u64s(dv, b + g.hist, HIST_SLOTS),
        latHist: u64s(dv, b + g.lat_hist, HIST_SLOTS),
      };
      s.softirq.push(r);
    },
  },
  [TABLE.NAPI]: {
    size: LAYOUT.irqlens_napi_row.size,
    decode: (p, dv, o, s) => {
      const k = o + LAYOUT.irqlens_napi_row.fields.k;
      const kf = LAYOUT.irqlens_napi_key.fields;
      const b = o + LAYOUT.irqlens_napi_row.fields.s;
      const g = LAYOUT.irqlens_napi_stats.fields;
      const r: NapiRow = {
        napiId: dv.getUint32(k + kf.napi_id, true),
        ifindex: dv.getUint32(k + kf.ifindex, true),
        cpu: dv.getUint32(k + kf.cpu, true),
        polls: u64(dv, b + g.polls),
        packets: u64(dv, b + g.packets),
        pollsAtBudget: u64(dv, b + g.polls_at_budget),
        bursts: u64(dv, b + g.bursts),
        budget: dv.getUint32(b + g.budget, true),
        dev: cstr(p, b + g.dev, 16),
        workHist: u64s(dv, b + g.work_hist, NAPI_WORK_SLOTS),
      };
      s.napi.push(r);
    },
  },
  [TABLE.EPOLL]: {
    size: LAYOUT.irqlens_epoll_row.size,
    decode: (p, dv, o, s) => {
      const k = o + LAYOUT.irqlens_epoll_row.fields.k;
      const b = o + LAYOUT.irqlens_epoll_row.fields.s;
      const g = LAYOUT.irqlens_epoll_stats.fields;
      const r: EpollRow = {
        tgid: dv.getUint32(k + LAYOUT.irqlens_epoll_key.fields.tgid, true),
        tid: dv.getUint32(k + LAYOUT.irqlens_epoll_key.fields.tid, true),
        comm: cstr(p, b + g.comm, 16),
        calls: u64(dv, b + g.calls),
        waitNs: u64(dv, b + g.wait_ns),
        busyNs: u64(dv, b + g.busy_ns),
        events: u64(dv, b + g.events),
        errors: u64(dv, b + g.errors),
        retHist: u64s(dv, b + g.ret_hist, EPOLL_RET_SLOTS),
      };
      s.epoll.push(r);
    },
  },
  [TABLE.VICTIM]: {
    size: LAYOUT.irqlens_victim_row.size,
    decode: (p, dv, o, s) => {
      const k = o + LAYOUT.irqlens_victim_row.fields.k;
      const kf = LAYOUT.irqlens_victim_key.fields;
      const b = o + LAYOUT.irqlens_victim_row.fields.s;
      const g = LAYOUT.irqlens_victim_stats.fields;
      const r: VictimRow = {
        cpu: dv.getUint32(k + kf.cpu, true),
        kind: dv.getUint32(k + kf.kind, true) === REC.VECTOR ? 'vector' : 'hardirq',
        id: dv.getUint32(k + kf.id, true),
        tgid: dv.getUint32(k + kf.tgid, true),
        comm: cstr(p, b + g.comm, 16),
        count: u64(dv, b + g.count),
        timeNs: u64(dv, b + g.time_ns),
      };
      s.victim.push(r);
    },
  },
  [TABLE.IRQNAME]: {
    size: LAYOUT.irqlens_irqname_row.size,
    decode: (p, dv, o, s) => {
      const f = LAYOUT.irqlens_irqname_row.fields;
      const r: IrqNameRow = { irq: dv.getUint32(o + f.irq, true), name: cstr(p, o + f.name, 56) };
      s.irqName.push(r);
    },
  },
  [TABLE.DROP]: {
    size: LAYOUT.irqlens_drop_row.size,
    decode: (_p, dv, o, s) => {
      const k = o + LAYOUT.irqlens_drop_row.fields.k;
      const v = o + LAYOUT.irqlens_drop_row.fields.s;
      const kf = LAYOUT.irqlens_drop_key.fields;
      const vf = LAYOUT.irqlens_drop_stats.fields;
      const r: DropRow = {
        cpu: dv.getUint32(k + kf.cpu, true),
        reason: dv.getUint32(k + kf.reason, true),
        ifindex: dv.getUint32(k + kf.ifindex, true),
        ethProto: dv.getUint16(k + kf.eth_proto, true),
        l4Proto: dv.getUint8(k + kf.l4_proto),
        netns: dv.getUint32(k + kf.netns, true),
        count: u64(dv, v + vf.count),
        lastNs: dv.getBigUint64(v + vf.last_ns, true),
      };
      s.drop.push(r);
    },
  },
  [TABLE.DROPNAME]: {
    size: LAYOUT.irqlens_dropname_row.size,
    decode: (p, dv, o, s) => {
      const f = LAYOUT.irqlens_dropname_row.fields;
      const r: DropNameRow = { reason: dv.getUint32(o + f.reason, true), name: cstr(p, o + f.name, 56) };
      s.dropName.push(r);
    },
  },
  [TABLE.LOST]: {
    size: LAYOUT.irqlens_lost_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_lost_row.fields;
      const r: LostRow = {
        kind: REC_NAMES[dv.getUint32(o + f.kind, true)] ?? 'unknown',
        reason: LOST_REASONS[dv.getUint32(o + f.reason, true)] ?? 'unknown',
        count: u64(dv, o + f.count),
      };
      s.lost.push(r);
    },
  },
  [TABLE.CPUTIME]: {
    size: LAYOUT.irqlens_cputime_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_cputime_row.fields;
      const r: CpuTimeRow = {
        cpu: dv.getUint32(o + f.cpu, true),
        userNs: u64(dv, o + f.user_ns),
        niceNs: u64(dv, o + f.nice_ns),
        systemNs: u64(dv, o + f.system_ns),
        idleNs: u64(dv, o + f.idle_ns),
        iowaitNs: u64(dv, o + f.iowait_ns),
        irqNs: u64(dv, o + f.irq_ns),
        softirqNs: u64(dv, o + f.softirq_ns),
        stealNs: u64(dv, o + f.steal_ns),
      };
      s.cpuTime.push(r);
    },
  },
  [TABLE.PROGSTAT]: {
    size: LAYOUT.irqlens_progstat_row.size,
    decode: (_p, dv, o, s) => {
      const f = LAYOUT.irqlens_progstat_row.fields;
      const r: ProgStatRow = {
        prog: dv.getUint32(o + f.prog, true),
        runCnt: u64(dv, o + f.run_cnt),
        runTimeNs: u64(dv, o + f.run_time_ns),
      };
      s.progStat.push(r);
    },
  },
};

export function decodeSnapshot(p: Uint8Array, flags = 0): Snapshot {
  const H = LAYOUT.irqlens_snap_hdr;
  const T = LAYOUT.irqlens_table_hdr;
  need(p, H.size, 'snapshot frame');
  const dv = view(p);
  const snap: Snapshot = {
    type: 'snapshot',
    tsNs: dv.getBigUint64(H.fields.ts_ns, true),
    seq: dv.getUint32(H.fields.seq, true),
    requested: (flags & SNAP_REQUESTED) !== 0,
    hardirq: [],
    softirq: [],
    vector: [],
    napi: [],
    epoll: [],
    victim: [],
    irqName: [],
    lost: [],
    progStat: [],
    cpuTime: [],
    drop: [],
    dropName: [],
  };
  const ntables = dv.getUint32(H.fields.ntables, true);
  let off = H.size;
  for (let t = 0; t < ntables; t++) {
    if (p.length - off < T.size) throw new StreamError(`snapshot ${snap.seq}: table ${t} header is cut off`);
    const table = dv.getUint16(off + T.fields.table, true);
    const rowSize = dv.getUint16(off + T.fields.row_size, true);
    const rows = dv.getUint32(off + T.fields.rows, true);
    off += T.size;
    const dec = rowDecoders[table];
    if (!dec) {
      // a table a newer helper added: its header says how big it is, so skip it
      if (!rowSize || p.length - off < rows * rowSize)
        throw new StreamError(`snapshot ${snap.seq}: unknown table ${table} is cut off`);
      off += rows * rowSize;
      continue;
    }
    if (rowSize !== dec.size)
      throw new StreamError(`snapshot ${snap.seq}: table ${table} rows are ${rowSize} bytes, expected ${dec.size}`);
    if (p.length - off < rows * rowSize) throw new StreamError(`snapshot ${snap.seq}: table ${table} is cut off`);
    for (let r = 0; r < rows; r++, off += rowSize) dec.decode(p, dv, off, snap);
  }
  return snap;
}

const REC_KIND: Record<number, EventRec['kind']> = {
  1: 'hardirq',
  2: 'vector',
  3: 'softirq',
  4: 'napi',
  5: 'epoll',
  8: 'drop',
};

function kindsAt(dv: DataView, off: number): Record<PeriodKind, number> {
  return {
    device: dv.getUint32(off, true),
    local_timer: dv.getUint32(off + 4, true),
    reschedule: dv.getUint32(off + 8, true),
    call_function: dv.getUint32(off + 12, true),
    irq_work: dv.getUint32(off + 16, true),
    other_vector: dv.getUint32(off + 20, true),
    softirq: dv.getUint32(off + 24, true),
  };
}

/** A busy period record, straight from its bytes: the one reader of the period layout (busy-period folds use it in their hot path). */
export function decodePeriod(dv: DataView, off: number): PeriodRec {
  const P = LAYOUT.irqlens_period_rec.fields;
  const flags = dv.getUint16(off + P.flags, true);
  const pmu = (flags & PERIOD_PMU) !== 0;
  return {
    kind: 'period',
    tgid: dv.getUint32(off + P.tgid, true),
    tid: dv.getUint32(off + P.tid, true),
    startNs: u64(dv, off + P.start_ns),
    endNs: u64(dv, off + P.end_ns),
    cpuStart: dv.getUint16(off + P.cpu_start, true),
    cpuEnd: dv.getUint16(off + P.cpu_end, true),
    flags,
    events: dv.getUint32(off + P.events, true),
    switches: dv.getUint32(off + P.switches, true),
    offCpuNs: u64(dv, off + P.offcpu_ns),
    stealNs: u64(dv, off + P.steal_ns),
    stealKnown: (flags & PERIOD_STEAL) !== 0,
    cycles: pmu ? u64(dv, off + P.cycles) : null,
    instructions: pmu ? u64(dv, off + P.instructions) : null,
    irqCount: kindsAt(dv, off + P.irq_count),
    irqNs: kindsAt(dv, off + P.irq_ns),
  };
}

function decodeBurst(dv: DataView, off: number): BurstRec {
  const B = LAYOUT.irqlens_burst_rec.fields;
  return {
    kind: 'burst',
    cpu: dv.getUint16(off + B.cpu, true),
    napiId: dv.getUint32(off + B.napi_id, true),
    startNs: dv.getBigUint64(off + B.start_ns, true),
    endNs: dv.getBigUint64(off + B.end_ns, true),
    ifindex: dv.getUint32(off + B.ifindex, true),
    packets: dv.getUint32(off + B.packets, true),
    peakWindowPackets: dv.getUint32(off + B.peak_window_packets, true),
    pollsAtBudget: dv.getUint32(off + B.polls_at_budget, true),
    windows: dv.getUint32(off + B.windows, true),
  };
}

/** Only the burst records of an events payload (the reducer keeps those; the rest it only counts). */
export function decodeBursts(b: Uint8Array): BurstRec[] {
  const out: BurstRec[] = [];
  forEachRecord(b, (kind, off, dv) => {
    if (kind === REC.BURST) out.push(decodeBurst(dv, off));
  });
  return out;
}

export function decodeRecords(b: Uint8Array): (EventRec | BurstRec | PeriodRec)[] {
  const out: (EventRec | BurstRec | PeriodRec)[] = [];
  const R = LAYOUT.irqlens_rec.fields;
  forEachRecord(b, (kind, off, dv) => {
    if (kind === REC.PERIOD) {
      out.push(decodePeriod(dv, off));
    } else if (kind === REC.BURST) {
      out.push(decodeBurst(dv, off));
    } else {
      out.push({
        kind: REC_KIND[kind] ?? 'hardirq',
        cpu: dv.getUint16(off + R.cpu, true),
        id: dv.getUint32(off + R.id, true),
        tsNs: dv.getBigUint64(off + R.ts_ns, true),
        durNs: dv.getUint32(off + R.dur_ns, true),
        tgid: dv.getUint32(off + R.tgid, true),
        arg0: dv.getUint32(off + R.arg0, true),
        arg1: dv.getUint32(off + R.arg1, true),
      });
    }
  });
  return out;
}

/** Records per kind in a batch without building objects (the hot path). */
export function countRecords(b: Uint8Array, counts: Float64Array): void {
  forEachRecord(b, (kind) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
  });
}

export function decodeFrame(f: Frame): Message {
  switch (f.type) {
    case FRAME.HELLO:
      return decodeHello(f.payload);
    case FRAME.EVENTS:
      return { type: 'events', bytes: f.payload };
    case FRAME.SNAPSHOT:
      return decodeSnapshot(f.payload, f.flags);
    case FRAME.END: {
      need(f.payload, LAYOUT.irqlens_end.size, 'end frame');
      const dv = view(f.payload);
      return {
        type: 'end',
        tsNs: dv.getBigUint64(LAYOUT.irqlens_end.fields.ts_ns, true),
        code: dv.getInt32(LAYOUT.irqlens_end.fields.code, true),
      };
    }
    default:
      throw new StreamError(`unknown frame type ${f.type} at byte ${f.offset}`);
  }
}

/** Whole-buffer convenience: every message in a complete stream. */
export function decodeStream(
  bytes: Uint8Array,
  splitter: { push(c: Uint8Array): Frame[]; buffered: number },
): Message[] {
  const msgs = splitter.push(bytes).map(decodeFrame);
  if (splitter.buffered) throw new StreamError(`stream ends inside a frame (${splitter.buffered} bytes left over)`);
  return msgs;
}
