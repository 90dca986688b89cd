// One interval of reduced state -> one column-wise frame for the page. All
// per-CPU, per-IRQ and per-queue math is the TUI's (ui/model); this module only
// lays the figures out in typed arrays.
import { windowOf, type Totals } from '../reduce/totals.js';
import { dropProbeStatus } from '../reduce/drops.js';
import { cpuRows } from '../derive/cpu-rows.js';
import { irqRows } from '../derive/irq-rows.js';
import { nicRows, type NicQueue } from '../derive/nic-rows.js';
import { toolCost } from '../derive/tool-cost.js';
import { periodsUsedText, taxIsAtLeast, type WorkloadFeed } from '../derive/workloads.js';
import { REC } from '../stream/layout.js';
import { burstViews, type NapiRing } from './bursts.js';
import type { Frame, WorkloadsView } from './wire.js';

/** Whether the drop probe runs (kernels without drop reasons, before 5.17, have none). */
export function dropsAvailable(t: Totals): boolean {
  return dropProbeStatus(t.hello) === 'attached';
}

export function devNames(t: Totals): Map<number, string> {
  const m = new Map<number, string>();
  for (const n of t.napi.values()) if (n.dev) m.set(n.ifindex, n.dev);
  return m;
}

export function napiStreamed(t: Totals): boolean {
  return (t.hello.recordMask & (1 << REC.NAPI)) !== 0;
}

export function workloadsView(feed: WorkloadFeed): WorkloadsView {
  switch (feed.state) {
    case 'off':
      return { state: 'off', detail: 'workload attribution is off (start with --workloads)', estimates: [] };
    case 'measuring':
      return {
        state: 'measuring',
        detail: `measuring: ${feed.collectedS.toFixed(0)} of ${feed.needS} s`,
        estimates: [],
      };
    case 'failed':
      return { state: 'failed', detail: feed.message, estimates: [] };
    case 'ready':
      return {
        state: 'ready',
        detail: `over ${feed.spanS.toFixed(1)} s, using ${periodsUsedText(feed)}`,
        estimates: feed.estimates.map((e) => ({
          tgid: e.tgid,
          comm: e.comm,
          periods: e.periods,
          disruptedPeriods: e.disruptedPeriods,
          tax: e.tax,
          gain: e.gain,
          taxLowerBound: taxIsAtLeast(e),
          notEnoughData: e.notEnoughData,
        })),
      };
  }
}

export interface FrameContext {
  seq: number;
  queues: readonly NicQueue[];
  ring: NapiRing | null;
  feed: WorkloadFeed;
  /** BPF ns per event per probe group from the latest window with run-time statistics (they are sampled); null: none yet. */
  bpfNs?: ReadonlyMap<string, number> | null;
  /** The NAPI probes ran through the whole interval (serve attaches them while a page or /metrics reads them); default true. */
  napiCovered?: boolean;
}

export function buildFrame(prev: Totals, cur: Totals, ctx: FrameContext): Frame {
  const w = windowOf(prev, cur);
  const n = w.hello.ncpus;
  const t0 = Number(w.hello.monoNs);
  const secs = w.durationNs / 1e9;
  const rows = cpuRows(w);
  const col = () => new Float64Array(n);
  const cpu = {
    hardirq: col(),
    vector: col(),
    soft: {} as Record<string, Float64Array>,
    tasks: col().fill(NaN),
    idle: col().fill(NaN),
    irqsPerSec: col(),
  };
  for (const r of rows) {
    cpu.hardirq[r.cpu] = r.deviceFrac;
    cpu.vector[r.cpu] = r.vectorFrac;
    cpu.irqsPerSec[r.cpu] = r.irqsPerSec;
    for (const s of r.soft) (cpu.soft[s.vec] ??= col())[r.cpu] = s.frac;
  }
  for (const t of w.cpuTime) {
    if (t.cpu >= n) continue;
    // /proc/stat's own window (tick resolution) normalises its shares; irq and softirq time are counted by the probes instead
    const total = t.userNs + t.niceNs + t.systemNs + t.idleNs + t.iowaitNs + t.irqNs + t.softirqNs + t.stealNs;
    if (total <= 0) continue;
    cpu.tasks[t.cpu] = (t.userNs + t.niceNs + t.systemNs) / total;
    cpu.idle[t.cpu] = (t.idleNs + t.iowaitNs) / total;
  }
  const irqs = irqRows(w).sort((a, b) => b.perSec - a.perSec || a.key.localeCompare(b.key));
  const napiCovered = ctx.napiCovered ?? true;
  // a queue's packets from a probe that ran part of the interval would read as a fall in traffic: no figure instead
  const nics = napiCovered ? nicRows(w, ctx.queues) : [];
  const drops = dropsAvailable(cur) ? w.drop : null;
  const dropNames = cur.dropNames;
  const byReason = new Map<string, number>();
  for (const d of drops ?? []) {
    const name = dropNames.get(d.reason) ?? `reason ${d.reason}`;
    byReason.set(name, (byReason.get(name) ?? 0) + d.count);
  }
  const reasons = [...byReason.keys()].sort();
  const devs = devNames(cur);
  const cost = toolCost(w, ctx.bpfNs ?? null);
  let lostTotal = 0;
  for (const v of cur.lost.values()) lostTotal += v;
  return {
    type: 'frame',
    seq: ctx.seq,
    tS: (Number(cur.tsNs) - t0) / 1e9,
    durS: secs,
    ncpus: n,
    cpu,
    irq: {
      keys: irqs.map((r) => r.key),
      names: irqs.map((r) => r.name),
      perSec: Float64Array.from(irqs, (r) => r.perSec),
    },
    nic: {
      keys: nics.map((r) => r.key),
      labels: nics.map((r) => `${r.dev}${r.queue ? `/${r.queue}` : ''}${r.cpu !== null ? ` cpu${r.cpu}` : ''}`),
      pktPerSec: Float64Array.from(nics, (r) => r.pktPerSec),
    },
    drops: {
      available: drops !== null,
      reasons,
      perSec: Float64Array.from(reasons, (r) => (secs > 0 ? (byReason.get(r) ?? 0) / secs : 0)),
    },
    bursts: burstViews(w.bursts, ctx.ring, t0, (i) => devs.get(i) ?? `if${i}`),
    napiRecords: napiStreamed(cur),
    napiCovered,
    workloads: workloadsView(ctx.feed),
    tool: {
      eventsPerSec: cost.eventsPerSec,
      bpfFrac: cost.bpfFrac ?? NaN,
      lost: cost.lost,
      lostTotal,
      recordsPerSec: cost.recordsPerSec,
    },
  };
}
