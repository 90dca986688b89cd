// `irqlens compare A B`: two recordings side by side (per CPU, IRQ, vector,
// softirq, NIC queue and workload), each difference with a 95% bootstrap
// interval over the recordings' intervals and whether it is beyond noise.
// Per-interval samples are resampled within each recording independently;
// the statistic is the pooled ratio (sum over sum), so the headline value is
// the recording's overall figure.
import { Rng } from '../attribution/rng.js';
import { buildReport, type Report } from '../report/cost-report.js';
import { SOFTIRQ_NAMES, VECTORS, HIST_SLOTS } from '../stream/layout.js';
import type { Window } from '../reduce/totals.js';
import type { BusyPeriod } from '../attribution/types.js';
import { IntervalFolder } from '../reduce/intervals.js';
import { eachMessage, measurementOf } from './offline.js';
import type { Recording } from './reader.js';

export const COMPARE_SCHEMA = 'irqlens.compare/1';

/** Fewer intervals than this on either side: no noise verdict. */
export const MIN_INTERVALS = 5;
const BOOTSTRAP = 1000;

interface Acc {
  num: number;
  den: number;
  hist?: number[];
}

/** One interval: every figure as a numerator (and denominator) by metric key. */
type Sample = Map<string, Acc>;

export interface Profile {
  path: string;
  rec: Recording;
  samples: Sample[];
  /** Sums over all intervals, by metric key. */
  total: Sample;
  durationNs: number;
  report: Report;
}

function put(s: Sample, key: string, num: number, den: number, hist?: readonly number[]): void {
  const a = s.get(key);
  if (!a) {
    s.set(key, { num, den, ...(hist ? { hist: [...hist] } : {}) });
    return;
  }
  a.num += num;
  a.den += den;
  if (hist) {
    a.hist ??= new Array<number>(hist.length).fill(0);
    for (let i = 0; i < hist.length; i++) a.hist[i] = (a.hist[i] ?? 0) + (hist[i] ?? 0);
  }
}

/** Metric keys: "section|name|metric". Rates have the interval's seconds as denominator. */
function sampleOf(w: Window, periods: readonly BusyPeriod[], comms: ReadonlyMap<number, string>): Sample {
  const s: Sample = new Map();
  const secs = w.durationNs / 1e9;
  const ms = w.durationNs / 1e6;
  for (let c = 0; c < w.hello.ncpus; c++) {
    for (const m of ['hardirq/s', 'vectors/s', 'softirq/s', 'NET_RX/s']) put(s, `cpus|CPU ${c}|${m}`, 0, secs);
    put(s, `cpus|CPU ${c}|interrupt time %`, 0, ms * 10);
  }
  for (const r of w.hardirq) {
    put(s, `cpus|CPU ${r.cpu}|hardirq/s`, r.count, 0);
    put(s, `cpus|CPU ${r.cpu}|interrupt time %`, r.timeNs / 1e3, 0);
    const name = w.irqNames.get(r.irq) ?? `irq${r.irq}`;
    put(s, `irqs|${name}|per s`, r.count, secs);
    put(s, `irqs|${name}|mean ns`, r.timeNs, r.count, r.hist);
  }
  for (const r of w.vector) {
    put(s, `cpus|CPU ${r.cpu}|vectors/s`, r.count, 0);
    put(s, `cpus|CPU ${r.cpu}|interrupt time %`, r.timeNs / 1e3, 0);
    const name = VECTORS[r.vector]?.name ?? `VECTOR${r.vector}`;
    put(s, `vectors|${name}|per s`, r.count, secs);
    put(s, `vectors|${name}|mean ns`, r.timeNs, r.count, r.hist);
  }
  for (const r of w.softirq) {
    const name = SOFTIRQ_NAMES[r.vec] ?? `VEC${r.vec}`;
    put(s, `cpus|CPU ${r.cpu}|softirq/s`, r.count, 0);
    if (name === 'NET_RX') put(s, `cpus|CPU ${r.cpu}|NET_RX/s`, r.count, 0);
    put(s, `cpus|CPU ${r.cpu}|interrupt time %`, r.timeNs / 1e3, 0);
    put(s, `softirqs|${name}|per s`, r.count, secs);
    put(s, `softirqs|${name}|mean ns`, r.timeNs, r.count, r.hist);
    put(s, `softirqs|${name}|raise to run ns`, r.raiseLatNs, r.raised, r.latHist);
  }
  for (const r of w.napi) {
    const q = `${r.dev || `napi ${r.napiId}`} on CPU ${r.cpu}`;
    put(s, `queues|${q}|packets/s`, r.packets, secs);
    put(s, `queues|${q}|polls/s`, r.polls, secs);
    put(s, `queues|${q}|polls at budget/s`, r.pollsAtBudget, secs);
    put(s, `queues|${q}|bursts/s`, r.bursts, secs);
  }
  for (const r of w.epoll) {
    put(s, `workloads|${r.comm}|events/s`, r.events, secs);
    put(s, `workloads|${r.comm}|busy % of a CPU`, r.busyNs / 1e3, ms * 10);
  }
  const hists = new Map<string, number[]>();
  for (const p of periods) {
    const comm = comms.get(p.tgid) ?? `pid ${p.tgid}`;
    const d = p.endNs - p.startNs;
    const h = hists.get(comm) ?? new Array<number>(HIST_SLOTS).fill(0);
    const slot = d > 0 ? Math.min(HIST_SLOTS - 1, Math.floor(Math.log2(d))) : 0;
    h[slot] = (h[slot] ?? 0) + 1;
    hists.set(comm, h);
    put(s, `workloads|${comm}|busy period ns`, d, 1);
  }
  for (const [comm, h] of hists) {
    const a = s.get(`workloads|${comm}|busy period ns`);
    if (a) a.hist = h;
  }
  return s;
}

/** Profiles one recording: per-interval samples (intervals of at least `minNs`) and its report. */
export function profile(rec: Recording, minNs: number): Profile {
  const m = measurementOf(rec);
  const report = buildReport([m], {
    ...(rec.hello.targetTgid ? { tgids: [rec.hello.targetTgid] } : {}),
    queues: rec.header.settings?.queues ?? [],
  });
  const periods = [...m.collector.periods].sort((a, b) => a.endNs - b.endNs);
  const folder = new IntervalFolder(rec.hello, { everyNs: minNs });
  const samples: Sample[] = [];
  let pi = 0;
  eachMessage(rec, (msg) => {
    const iv = folder.add(msg);
    if (!iv) return;
    while (pi < periods.length && (periods[pi]?.endNs ?? 0) <= iv.startNs) pi++;
    const from = pi;
    while (pi < periods.length && (periods[pi]?.endNs ?? 0) <= iv.endNs) pi++;
    samples.push(sampleOf(iv.window, periods.slice(from, pi), m.collector.comms));
  });
  const total: Sample = new Map();
  let durationNs = 0;
  for (const s of samples) for (const [k, a] of s) put(total, k, a.num, a.den, a.hist);
  for (const s of samples) durationNs += (s.get('cpus|CPU 0|hardirq/s')?.den ?? 0) * 1e9;
  return { path: rec.path, rec, samples, total, durationNs, report };
}

/** Quantile of a log2 histogram (slot k = [2^k, 2^(k+1))), interpolated inside the slot. */
export function histQuantile(h: readonly number[], q: number): number | null {
  const n = h.reduce((a, b) => a + b, 0);
  if (!n) return null;
  const want = q * n;
  let acc = 0;
  for (let k = 0; k < h.length; k++) {
    const c = h[k] ?? 0;
    if (c && acc + c >= want) {
      const lo = k === 0 ? 0 : 2 ** k;
      return lo + ((want - acc) / c) * (2 ** (k + 1) - lo);
    }
    acc += c;
  }
  return 2 ** h.length;
}

export interface Metric {
  a: number | null;
  b: number | null;
  diff: number | null;
  /** (b - a) / a */
  change: number | null;
  /** 95% bootstrap interval of b - a over intervals; null with too few intervals. */
  ci: [number, number] | null;
  /** The interval excludes zero; null when it could not be computed. */
  beyond_noise: boolean | null;
}

type Stat = (accs: (Acc | undefined)[]) => number | null;

const ratio =
  (scale: number): Stat =>
  (accs) => {
    let num = 0;
    let den = 0;
    for (const a of accs) {
      if (!a) continue;
      num += a.num;
      den += a.den;
    }
    return den > 0 ? (num / den) * scale : null;
  };

const quantile =
  (q: number): Stat =>
  (accs) => {
    const h = new Array<number>(HIST_SLOTS).fill(0);
    for (const a of accs) for (let i = 0; i < (a?.hist?.length ?? 0); i++) h[i] = (h[i] ?? 0) + (a?.hist?.[i] ?? 0);
    return histQuantile(h, q);
  };

function metric(key: string, pa: Profile, pb: Profile, stat: Stat, seed: number): Metric {
  const sa = pa.samples.map((s) => s.get(key));
  const sb = pb.samples.map((s) => s.get(key));
  const a = stat(sa);
  const b = stat(sb);
  const diff = a !== null && b !== null ? b - a : null;
  const out: Metric = { a, b, diff, change: diff !== null && a ? diff / a : null, ci: null, beyond_noise: null };
  if (diff === null || sa.length < MIN_INTERVALS || sb.length < MIN_INTERVALS) return out;
  const rng = Rng.stream(seed, key);
  const diffs: number[] = [];
  const ra = new Array<Acc | undefined>(sa.length);
  const rb = new Array<Acc | undefined>(sb.length);
  for (let i = 0; i < BOOTSTRAP; i++) {
    for (let j = 0; j < sa.length; j++) ra[j] = sa[rng.int(sa.length)];
    for (let j = 0; j < sb.length; j++) rb[j] = sb[rng.int(sb.length)];
    const x = stat(ra);
    const y = stat(rb);
    if (x !== null && y !== null) diffs.push(y - x);
  }
  if (diffs.length < BOOTSTRAP / 2) return out;
  diffs.sort((x, y) => x - y);
  const lo = diffs[Math.floor(0.025 * (diffs.length - 1))] ?? 0;
  const hi = diffs[Math.ceil(0.975 * (diffs.length - 1))] ?? 0;
  out.ci = [lo, hi];
  out.beyond_noise = lo > 0 || hi < 0;
  return out;
}

export interface Row {
  name: string;
  metrics: Record<string, Metric>;
}

export interface SettingDiff {
  what: string;
  a: unknown;
  b: unknown;
}

function flatten(prefix: string, x: unknown, out: Map<string, unknown>): void {
  if (x && typeof x === 'object' && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out.set(prefix, Array.isArray(x) ? JSON.stringify(x) : x);
}

/** What differs in the two recordings' headers: kernel, CPUs, sysctls, NIC settings, IRQ affinity. */
export function settingsDiff(a: Recording, b: Recording): SettingDiff[] {
  const fa = new Map<string, unknown>();
  const fb = new Map<string, unknown>();
  const view = (r: Recording) => ({
    kernel: r.header.kernel,
    cpu: r.header.cpu,
    pmu: r.header.pmu,
    options: { records: r.header.options.records.join(','), intervalMs: r.header.options.intervalMs },
    sysctls: r.header.settings?.sysctls ?? {},
    devices: Object.fromEntries(
      (r.header.settings?.devices ?? []).map((d) => [
        d.dev,
        {
          ...d,
          ifindex: undefined,
          rss: undefined,
          ethtool: d.ethtool
            ? { ring: d.ethtool.ring, coalesce: d.ethtool.coalesce, channels: d.ethtool.channels }
            : null,
        },
      ]),
    ),
    irq_affinity: Object.fromEntries((r.header.settings?.irqs ?? []).map((i) => [i.name, i.affinity])),
    irqbalance: r.header.settings?.irqbalance ?? null,
  });
  flatten('', view(a), fa);
  flatten('', view(b), fb);
  const out: SettingDiff[] = [];
  for (const k of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const x = fa.get(k) ?? null;
    const y = fb.get(k) ?? null;
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ what: k, a: x, b: y });
  }
  return out;
}

type Section = 'cpus' | 'irqs' | 'vectors' | 'softirqs' | 'queues' | 'workloads';

export function compareProfiles(pa: Profile, pb: Profile, seed = 1) {
  const sections: Record<Section, Row[]> = { cpus: [], irqs: [], vectors: [], softirqs: [], queues: [], workloads: [] };
  const keys = [...new Set([...pa.total.keys(), ...pb.total.keys()])];
  const byRow = new Map<string, string[]>();
  for (const k of keys) {
    const [section = '', name = ''] = k.split('|');
    const rk = `${section}|${name}`;
    byRow.set(rk, [...(byRow.get(rk) ?? []), k]);
  }
  for (const [rk, ks] of [...byRow].sort((x, y) => x[0].localeCompare(y[0], 'en', { numeric: true }))) {
    const [section = '', name = ''] = rk.split('|');
    const metrics: Record<string, Metric> = {};
    const rank = (k: string) => (k.endsWith('/s') || k.endsWith('per s') ? 0 : k.endsWith('%') ? 1 : 2);
    for (const k of ks.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y))) {
      const m = k.split('|')[2] ?? '';
      if (m.endsWith(' ns')) {
        metrics[m] = metric(k, pa, pb, ratio(1), seed);
        const withHist = pa.total.get(k)?.hist ?? pb.total.get(k)?.hist;
        if (withHist) {
          const base = m === 'mean ns' ? '' : m.replace(/ ns$/, '');
          metrics[`${base ? `${base} ` : ''}p50 ns`] = metric(k, pa, pb, quantile(0.5), seed);
          metrics[`${base ? `${base} ` : ''}p99 ns`] = metric(k, pa, pb, quantile(0.99), seed);
        }
      } else metrics[m] = metric(k, pa, pb, ratio(1), seed);
    }
    // rows that are zero on both sides say nothing
    if (Object.values(metrics).every((x) => !x.a && !x.b)) continue;
    (sections[section as Section] ?? []).push({ name, metrics });
  }
  const tax = (p: Profile) => new Map(p.report.workloads.map((w) => [w.comm, w.tax]));
  const ta = tax(pa);
  const tb = tax(pb);
  for (const row of sections.workloads) {
    const x = ta.get(row.name) ?? null;
    const y = tb.get(row.name) ?? null;
    const overlap = x && y ? !(x.hi < y.lo || y.hi < x.lo) : null;
    row.metrics['interrupt tax'] = {
      a: x?.value ?? null,
      b: y?.value ?? null,
      diff: x && y ? y.value - x.value : null,
      change: x && y && x.value ? (y.value - x.value) / x.value : null,
      // the estimator's own 95% intervals: beyond noise when they do not overlap (conservative)
      ci: null,
      beyond_noise: overlap === null ? null : !overlap,
    };
  }
  const side = (p: Profile) => ({
    file: p.path,
    host: p.rec.hello.host,
    kernel: p.rec.hello.kernel,
    ncpus: p.rec.hello.ncpus,
    duration_s: Math.round(p.durationNs / 1e6) / 1e3,
    intervals: p.samples.length,
  });
  return {
    schema: COMPARE_SCHEMA,
    a: side(pa),
    b: side(pb),
    method: `per-interval samples (${pa.samples.length} vs ${pb.samples.length}); 95% bootstrap interval (${BOOTSTRAP} resamples) of B - A; beyond noise when it excludes 0; no verdict with fewer than ${MIN_INTERVALS} intervals on a side. Workload tax: beyond noise when the estimator's 95% intervals do not overlap`,
    settings: settingsDiff(pa.rec, pb.rec),
    ...sections,
  };
}

export type Comparison = ReturnType<typeof compareProfiles>;
