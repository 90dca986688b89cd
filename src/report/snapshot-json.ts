// `irqlens snapshot --json`: schema "irqlens.snapshot/1" (docs/snapshot-schema.md).
import type { Window } from '../reduce/totals.js';
import { SOFTIRQ_NAMES, VECTORS } from '../stream/layout.js';
import { dropGroups, dropsTotal } from '../reduce/drops.js';

export const SNAPSHOT_SCHEMA = 'irqlens.snapshot/1';

interface CountTime {
  count: number;
  time_ns: number;
}

export function irqName(w: Window, irq: number): string {
  return w.irqNames.get(irq) ?? `irq${irq}`;
}

export function softirqName(vec: number): string {
  return SOFTIRQ_NAMES[vec] ?? `VEC${vec}`;
}

export function vectorName(v: number): string {
  return VECTORS[v]?.name ?? `VECTOR${v}`;
}

/** Element-wise sum of histograms (log2 ns buckets: slot k holds [2^k, 2^(k+1)) ns). */
function addHist(into: number[], h: readonly number[]): void {
  h.forEach((v, i) => {
    into[i] = (into[i] ?? 0) + v;
  });
}

export function snapshotJson(w: Window) {
  const ncpus = w.hello.ncpus;
  interface CpuJson {
    cpu: number;
    hardirq: CountTime;
    vectors: Record<string, CountTime>;
    softirq: Record<string, CountTime & { async_count: number; async_time_ns: number }>;
  }
  const cpus = Array.from({ length: ncpus }, (_, cpu): CpuJson => ({
    cpu,
    hardirq: { count: 0, time_ns: 0 },
    vectors: {},
    softirq: {},
  }));
  for (const r of w.hardirq) {
    const c = cpus[r.cpu];
    if (!c) continue;
    c.hardirq.count += r.count;
    c.hardirq.time_ns += r.timeNs;
  }
  for (const r of w.vector) {
    const c = cpus[r.cpu];
    if (c) c.vectors[vectorName(r.vector)] = { count: r.count, time_ns: r.timeNs };
  }
  for (const r of w.softirq) {
    const c = cpus[r.cpu];
    if (c)
      c.softirq[softirqName(r.vec)] = {
        count: r.count,
        time_ns: r.timeNs,
        async_count: r.asyncCount,
        async_time_ns: r.asyncTimeNs,
      };
  }

  const irqs = new Map<
    number,
    {
      irq: number;
      name: string;
      count: number;
      time_ns: number;
      max_ns: number;
      hist: number[];
      per_cpu: { cpu: number; count: number; time_ns: number; max_ns: number }[];
    }
  >();
  for (const r of w.hardirq) {
    let e = irqs.get(r.irq);
    if (!e)
      irqs.set(
        r.irq,
        (e = { irq: r.irq, name: irqName(w, r.irq), count: 0, time_ns: 0, max_ns: 0, hist: [], per_cpu: [] }),
      );
    addHist(e.hist, r.hist);
    e.count += r.count;
    e.time_ns += r.timeNs;
    e.max_ns = Math.max(e.max_ns, r.maxNs);
    e.per_cpu.push({ cpu: r.cpu, count: r.count, time_ns: r.timeNs, max_ns: r.maxNs });
  }
  for (const e of irqs.values()) e.per_cpu.sort((a, b) => a.cpu - b.cpu);

  const softirqs = new Map<
    number,
    {
      vector: string;
      count: number;
      time_ns: number;
      async_count: number;
      async_time_ns: number;
      raise_to_run_ns: number;
      raised: number;
      hist: number[];
      raise_to_run_hist: number[];
    }
  >();
  for (const r of w.softirq) {
    let e = softirqs.get(r.vec);
    if (!e)
      softirqs.set(
        r.vec,
        (e = {
          vector: softirqName(r.vec),
          count: 0,
          time_ns: 0,
          async_count: 0,
          async_time_ns: 0,
          raise_to_run_ns: 0,
          raised: 0,
          hist: [],
          raise_to_run_hist: [],
        }),
      );
    addHist(e.hist, r.hist);
    addHist(e.raise_to_run_hist, r.latHist);
    e.count += r.count;
    e.time_ns += r.timeNs;
    e.async_count += r.asyncCount;
    e.async_time_ns += r.asyncTimeNs;
    e.raise_to_run_ns += r.raiseLatNs;
    e.raised += r.raised;
  }

  const vectors = new Map<number, { vector: string; count: number; time_ns: number; max_ns: number; hist: number[] }>();
  for (const r of w.vector) {
    let e = vectors.get(r.vector);
    if (!e) vectors.set(r.vector, (e = { vector: vectorName(r.vector), count: 0, time_ns: 0, max_ns: 0, hist: [] }));
    addHist(e.hist, r.hist);
    e.count += r.count;
    e.time_ns += r.timeNs;
    e.max_ns = Math.max(e.max_ns, r.maxNs);
  }

  let lostTotal = 0;
  for (const v of w.lost.values()) lostTotal += v;

  return {
    schema: SNAPSHOT_SCHEMA,
    host: w.hello.host,
    kernel: w.hello.kernel,
    ncpus,
    pmu: w.hello.pmu,
    duration_ns: w.durationNs,
    programs: w.hello.progs.map((p) => ({
      name: p.name,
      tracepoint: p.tracepoint,
      status: p.status,
      ...(p.err ? { err: p.err } : {}),
    })),
    cpus,
    irqs: [...irqs.values()].sort((a, b) => b.time_ns - a.time_ns),
    softirqs: [...softirqs.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v),
    vectors: [...vectors.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v),
    napi: w.napi
      .map((r) => ({
        napi_id: r.napiId,
        ifindex: r.ifindex,
        dev: r.dev,
        cpu: r.cpu,
        polls: r.polls,
        packets: r.packets,
        polls_at_budget: r.pollsAtBudget,
        budget: r.budget,
        bursts: r.bursts,
        work_hist: r.workHist,
      }))
      .sort((a, b) => b.packets - a.packets),
    bursts: w.bursts.map((b) => ({
      napi_id: b.napiId,
      ifindex: b.ifindex,
      cpu: b.cpu,
      start_ns: Number(b.startNs),
      end_ns: Number(b.endNs),
      packets: b.packets,
      peak_window_packets: b.peakWindowPackets,
      polls_at_budget: b.pollsAtBudget,
    })),
    bursts_total: w.burstsTotal,
    epoll: w.epoll
      .map((r) => ({
        tgid: r.tgid,
        tid: r.tid,
        comm: r.comm,
        calls: r.calls,
        wait_ns: r.waitNs,
        busy_ns: r.busyNs,
        events: r.events,
        errors: r.errors,
        ret_hist: r.retHist,
      }))
      .sort((a, b) => b.calls - a.calls),
    victims: w.victim
      .map((v) => ({
        cpu: v.cpu,
        source: v.kind === 'hardirq' ? irqName(w, v.id) : vectorName(v.id),
        kind: v.kind,
        tgid: v.tgid,
        comm: v.tgid ? v.comm : '(idle)',
        count: v.count,
        time_ns: v.timeNs,
      }))
      .sort((a, b) => b.time_ns - a.time_ns),
    drops: dropGroups(w.drop, w.dropNames).map((g) => ({
      reason: g.name,
      reason_code: g.reason,
      count: g.count,
      per_cpu: Object.fromEntries([...g.perCpu].sort((x, y) => x[0] - y[0])),
      devices: g.byDevice,
    })),
    drops_total: dropsTotal(w.drop),
    lost_records: lostTotal,
    lost: Object.fromEntries(w.lost),
  };
}

export type SnapshotJson = ReturnType<typeof snapshotJson>;
