// `irqlens export --format perfetto`: Chrome trace-event JSON that Perfetto
// (ui.perfetto.dev) and chrome://tracing open. Tracks: per CPU, device IRQs
// and system vectors, softirqs, and NAPI polls (slices named by IRQ name,
// vector or device); per traced thread, busy periods and epoll waits; counter
// tracks of per-interval rates; instants for micro-bursts and lost records.
// Times are microseconds from the recording's earliest timestamp (otherData.
// origin_mono_ns, CLOCK_MONOTONIC), exact to the ns.
import { writeAllSync } from '../output/write-all.js';
import { closeSync } from 'node:fs';
import { IRQ_KINDS } from '../attribution/types.js';
import { decodeFrame } from '../stream/decode.js';
import { forEachRecord, u64 } from '../stream/records.js';
import { StreamError } from '../stream/errors.js';
import { LAYOUT, NR_KINDS, REC, SOFTIRQ_NAMES, VECTORS } from '../stream/layout.js';
import { RecordError } from './errors.js';
import { openOut } from './open.js';
import { IntervalFolder, type Interval } from '../reduce/intervals.js';
import type { Recording } from './reader.js';
import { recordingNames } from './rows.js';
import { protocolName } from '../reduce/drops.js';

/** Synthetic process ids for the machine-wide tracks (real tgids are below 2^22). */
export const IRQ_PID = 1_000_000_001;
export const RATE_PID = 1_000_000_002;
/** Per CPU: tid = cpu * 4 + track. */
export const TRACK = { irq: 1, softirq: 2, napi: 3 } as const;

export interface ExportResult {
  slices: number;
  counters: number;
  instants: number;
  records: number;
  bytes: number;
}

/** Buffered writes of a large JSON file. */
class Out {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  private first = true;

  constructor(private readonly fd: number) {}

  raw(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }

  event(json: string): void {
    this.raw(this.first ? `\n${json}` : `,\n${json}`);
    this.first = false;
  }

  flush(): void {
    if (!this.parts.length) return;
    const b = Buffer.from(this.parts.join(''));
    writeAllSync(this.fd, b);
    this.bytes += b.length;
    this.parts = [];
    this.size = 0;
  }
}

/** ns since the start as a µs JSON number, exact (no float rounding). */
export function usJson(ns: number): string {
  const neg = ns < 0;
  const a = Math.abs(ns);
  const us = Math.floor(a / 1000);
  const frac = a % 1000;
  return `${neg ? '-' : ''}${us}${frac ? `.${String(frac).padStart(3, '0').replace(/0+$/, '')}` : ''}`;
}

const q = JSON.stringify;

export function exportPerfetto(
  rec: Recording,
  path: string | number,
  onProgress?: (done: number, total: number) => void,
): ExportResult {
  const fd = openOut(path);
  const out = new Out(fd);
  const res: ExportResult = { slices: 0, counters: 0, instants: 0, records: 0, bytes: 0 };
  try {
    run(rec, out, res, onProgress);
    out.flush();
  } finally {
    if (typeof path === 'string') closeSync(fd);
  }
  res.bytes = out.bytes;
  return res;
}

function run(rec: Recording, out: Out, res: ExportResult, onProgress?: (done: number, total: number) => void): void {
  const hello = rec.hello;
  const names = recordingNames(rec);
  // records can start a little before the hello's clock reading (probes attach first): start at the earliest
  const t0 = names.minTs ? Math.min(Number(hello.monoNs), names.minTs) : Number(hello.monoNs);
  const irqName = (irq: number) => names.irqs.get(irq) ?? `irq${irq}`;
  const tracks = new Set<number>();
  const threads = new Map<string, { pid: number; tid: number }>();
  const comms = new Map<number, string>();
  out.raw(
    `{"displayTimeUnit":"ns","otherData":${q({ tool: rec.header.tool, host: hello.host, kernel: hello.kernel, ncpus: hello.ncpus, recording: rec.path, origin_mono_ns: t0, hello_mono_ns: Number(hello.monoNs), hello_realtime_ns: String(hello.realtimeNs) })},"traceEvents":[`,
  );
  const meta = (pid: number, tid: number | undefined, name: string, value: string, sort?: number) => {
    out.event(
      `{"ph":"M","name":${q(name)},"pid":${pid}${tid !== undefined ? `,"tid":${tid}` : ''},"args":{"name":${q(value)}}}`,
    );
    if (sort !== undefined)
      out.event(
        `{"ph":"M","name":"${tid !== undefined ? 'thread' : 'process'}_sort_index","pid":${pid}${tid !== undefined ? `,"tid":${tid}` : ''},"args":{"sort_index":${sort}}}`,
      );
  };
  meta(IRQ_PID, undefined, 'process_name', 'interrupts by CPU', 0);
  meta(RATE_PID, undefined, 'process_name', 'rates per interval', 1);
  const track = (cpu: number, kind: keyof typeof TRACK): number => {
    const tid = cpu * 4 + TRACK[kind];
    if (!tracks.has(tid)) {
      tracks.add(tid);
      meta(IRQ_PID, tid, 'thread_name', `CPU ${cpu} ${kind === 'irq' ? 'hardirq + vectors' : kind}`, tid);
    }
    return tid;
  };
  const thread = (tgid: number, tid: number) => {
    const k = `${tgid}:${tid}`;
    if (!threads.has(k)) {
      threads.set(k, { pid: tgid, tid });
      meta(tgid, tid, 'thread_name', `${tid}`);
    }
  };
  const ts = (ns: number) => usJson(ns - t0);
  const folder = new IntervalFolder(hello);
  let lastLost = new Map<string, number>();

  const onEvents = (p: Uint8Array) => {
    const R = LAYOUT.irqlens_rec.fields;
    const each = (kind: number, off: number, dv: DataView): void => {
      const cpu = dv.getUint16(off + 2, true);
      const id = dv.getUint32(off + R.id, true);
      const start = u64(dv, off + 8);
      res.records++;
      if (kind === REC.PERIOD) {
        const P = LAYOUT.irqlens_period_rec.fields;
        const endNs = u64(dv, off + P.end_ns);
        const tgid = dv.getUint32(off + P.tgid, true);
        thread(tgid, id);
        const irqs: Record<string, number> = {};
        for (let k = 0; k < NR_KINDS - 1; k++) {
          const n = dv.getUint32(off + P.irq_count + k * 4, true);
          if (n) irqs[IRQ_KINDS[k] ?? `kind${k}`] = n;
        }
        const args = {
          events: dv.getUint32(off + P.events, true),
          cpu_start: cpu,
          cpu_end: dv.getUint16(off + P.cpu_end, true),
          switches: dv.getUint32(off + P.switches, true),
          irqs,
        };
        out.event(
          `{"ph":"X","cat":"busy","name":"busy","pid":${tgid},"tid":${id},"ts":${ts(start)},"dur":${usJson(endNs - start)},"args":${q(args)}}`,
        );
        res.slices++;
      } else if (kind === REC.BURST) {
        const B = LAYOUT.irqlens_burst_rec.fields;
        const endNs = u64(dv, off + B.end_ns);
        const args = {
          napi_id: id,
          dev: names.napiDev.get(id) ?? null,
          packets: dv.getUint32(off + B.packets, true),
          peak_window_packets: dv.getUint32(off + B.peak_window_packets, true),
          polls_at_budget: dv.getUint32(off + B.polls_at_budget, true),
          duration_us: (endNs - start) / 1000,
        };
        out.event(
          `{"ph":"i","s":"t","cat":"burst","name":"micro-burst","pid":${IRQ_PID},"tid":${track(cpu, 'napi')},"ts":${ts(start)},"args":${q(args)}}`,
        );
        res.instants++;
      } else if (kind === REC.DROP) {
        const ifindex = dv.getUint32(off + R.arg0, true);
        const proto = dv.getUint32(off + R.arg1, true);
        const args = {
          reason: names.drops.get(id) ?? `reason ${id}`,
          reason_code: id,
          dev: names.ifDev.get(ifindex) ?? (ifindex ? `ifindex ${ifindex}` : null),
          protocol: protocolName(proto >>> 16, proto & 0xff),
          tgid: dv.getUint32(off + R.tgid, true),
        };
        out.event(
          `{"ph":"i","s":"t","cat":"drop","name":${q(`drop ${args.reason}`)},"pid":${IRQ_PID},"tid":${track(cpu, 'napi')},"ts":${ts(start)},"args":${q(args)}}`,
        );
        res.instants++;
      } else {
        const dur = usJson(dv.getUint32(off + R.dur_ns, true));
        const tgid = dv.getUint32(off + R.tgid, true);
        const a0 = dv.getUint32(off + R.arg0, true);
        const a1 = dv.getUint32(off + R.arg1, true);
        let ev: string;
        if (kind === REC.HARDIRQ) {
          ev = `"cat":"hardirq","name":${q(irqName(id))},"pid":${IRQ_PID},"tid":${track(cpu, 'irq')},"args":{"irq":${id},"interrupted_tgid":${tgid}}`;
        } else if (kind === REC.VECTOR) {
          ev = `"cat":"vector","name":${q(VECTORS[id]?.name ?? `VECTOR${id}`)},"pid":${IRQ_PID},"tid":${track(cpu, 'irq')},"args":{"interrupted_tgid":${tgid}}`;
        } else if (kind === REC.SOFTIRQ) {
          ev = `"cat":"softirq","name":${q(SOFTIRQ_NAMES[id] ?? `VEC${id}`)},"pid":${IRQ_PID},"tid":${track(cpu, 'softirq')},"args":{"async":${a0 === 1}}`;
        } else if (kind === REC.NAPI) {
          const dev = names.napiDev.get(id);
          ev = `"cat":"napi","name":${q(`napi ${dev ?? `#${id}`}`)},"pid":${IRQ_PID},"tid":${track(cpu, 'napi')},"args":{"napi_id":${id},"work":${a0},"budget":${a1}}`;
        } else {
          thread(tgid, id);
          ev = `"cat":"epoll","name":"epoll_wait","pid":${tgid},"tid":${id},"args":{"ret":${a0 | 0},"cpu":${cpu}}`;
        }
        out.event(`{"ph":"X",${ev},"ts":${ts(start)},"dur":${dur}}`);
        res.slices++;
      }
    };
    try {
      forEachRecord(p, each);
    } catch (e) {
      if (e instanceof StreamError)
        throw new RecordError(`${rec.path}: an events frame does not walk as records (${e.message})`, undefined, {
          cause: e,
        });
      throw e;
    }
  };

  const counter = (name: string, atNs: number, values: Record<string, number>) => {
    out.event(`{"ph":"C","name":${q(name)},"pid":${RATE_PID},"ts":${ts(atNs)},"args":${q(values)}}`);
    res.counters++;
  };
  const onInterval = (iv: Interval) => {
    const w = iv.window;
    const secs = w.durationNs / 1e9 || 1;
    const per = (rows: readonly { cpu: number; count: number }[]) => {
      const v: Record<string, number> = {};
      for (let c = 0; c < hello.ncpus; c++) v[`cpu ${c}`] = 0;
      for (const r of rows) v[`cpu ${r.cpu}`] = (v[`cpu ${r.cpu}`] ?? 0) + r.count / secs;
      return v;
    };
    counter('hardirq/s', iv.startNs, per(w.hardirq));
    counter('vectors/s', iv.startNs, per(w.vector));
    counter('softirq/s', iv.startNs, per(w.softirq));
    counter('NET_RX/s', iv.startNs, per(w.softirq.filter((r) => SOFTIRQ_NAMES[r.vec] === 'NET_RX')));
    counter('drops/s', iv.startNs, per(w.drop));
    const busy: Record<string, number> = {};
    for (let c = 0; c < hello.ncpus; c++) busy[`cpu ${c}`] = 0;
    for (const r of [...w.hardirq, ...w.vector, ...w.softirq])
      busy[`cpu ${r.cpu}`] = (busy[`cpu ${r.cpu}`] ?? 0) + (100 * r.timeNs) / (w.durationNs || 1);
    counter('interrupt time %', iv.startNs, busy);
    const pkts: Record<string, number> = {};
    for (const r of w.napi)
      pkts[r.dev || `napi ${r.napiId}`] = (pkts[r.dev || `napi ${r.napiId}`] ?? 0) + r.packets / secs;
    if (Object.keys(pkts).length) counter('NAPI packets/s', iv.startNs, pkts);
    for (const e of iv.end.epoll.values()) comms.set(e.tgid, e.comm);
    const lost: Record<string, number> = {};
    for (const [k, v] of iv.end.lost) if (v > (lastLost.get(k) ?? 0)) lost[k] = v - (lastLost.get(k) ?? 0);
    lastLost = new Map(iv.end.lost);
    if (Object.keys(lost).length) {
      out.event(
        `{"ph":"i","s":"p","cat":"lost","name":"records lost","pid":${IRQ_PID},"ts":${ts(iv.endNs)},"args":${q(lost)}}`,
      );
      res.instants++;
    }
  };

  const total = rec.size;
  let lastTick = 0;
  let first = true;
  for (const c of rec.chunks()) {
    for (const f of rec.framesOf(c)) {
      if (first) {
        first = false;
        continue; // the hello
      }
      let m;
      try {
        m = decodeFrame({ type: f.type, flags: f.flags, payload: f.payload, offset: f.streamOffset });
      } catch (e) {
        if (e instanceof StreamError)
          throw new RecordError(`${rec.path}: chunk at byte ${c.offset}: ${e.message}`, c.offset, { cause: e });
        throw e;
      }
      if (m.type === 'events') onEvents(m.bytes);
      const iv = folder.add(m);
      if (iv) onInterval(iv);
    }
    const now = Date.now();
    if (onProgress && now - lastTick > 100) {
      lastTick = now;
      onProgress(rec.position, total);
    }
  }
  for (const e of folder.state.epoll.values()) comms.set(e.tgid, e.comm);
  const pids = new Set([...threads.values()].map((t) => t.pid));
  for (const pid of [...pids].sort((a, b) => a - b))
    meta(pid, undefined, 'process_name', comms.get(pid) ?? `pid ${pid}`, 10 + pid);
  out.raw('\n]}\n');
  onProgress?.(total, total);
}
