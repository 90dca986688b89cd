// The one owner of probe settings: the per-event record kinds, what each
// command streams by default, and the micro-burst defaults. The CLI builds its
// options from this; the helper's own table is checked against it in tests.

/** Per-event record kinds the helper can stream (--records), in its order. */
export const RECORD_KINDS = [
  'hardirq',
  'vector',
  'softirq',
  'async-softirq',
  'napi',
  'epoll',
  'burst',
  'period',
  'drop',
] as const;
/** What --records accepts: the kinds, and all / none. */
export const RECORD_WORDS: readonly string[] = [...RECORD_KINDS, 'all', 'none'];

export const PROBE_DEFAULTS = { windowUs: 100, burstPackets: 256 } as const;

/**
 * The ring of the live views (top, serve, snapshot, doctor) unless --ring-bytes says otherwise. The
 * helper maps the ring twice, so its size counts double in the helper's RSS (16 MiB: 36 MiB). A live
 * view streams thousands of records a second (busy periods are sampled in the kernel), which 4 MiB
 * holds for well over a second; the helper drains it every 100 ms, and at once when it is a quarter full.
 * Lost records are counted and shown.
 * record, cost and experiment stream every event and keep the helper's 16 MiB.
 */
export const LIVE_RING_BYTES = 4 << 20;

/**
 * Where the live views' busy-period sampling starts (`--workloads`): a workload already at 500k calls/s
 * filled the ring at every call while Node was still starting; a second in, the feed sets it from the rate.
 */
export const LIVE_PERIOD_EVERY = 64;

// the group names are part of the stream (each program's group is in the hello)
export { PROBE_GROUPS, type ProbeGroup } from '../stream/layout.js';
import { PROBE_GROUPS, type ProbeGroup } from '../stream/layout.js';

/**
 * What `top` keeps attached: the CPU table, the IRQ and drop panels. The per-packet (napi) and
 * per-syscall (epoll) groups cost a loopback server several percent (BENCHMARKS.md), so they attach
 * only while a panel that shows them is on screen; softirq-raise feeds only the busy-period estimate.
 */
export const TOP_PROBES: readonly ProbeGroup[] = ['hardirq', 'vectors', 'softirq', 'drops'];
/** Plain-text `top`: its lines show NAPI polls but no epoll or softirq-origin figures. */
export const TEXT_TOP_PROBES: readonly ProbeGroup[] = ['hardirq', 'vectors', 'softirq', 'napi', 'drops'];
/** What each of top's lower panels adds while it is shown. */
export const PANEL_PROBES: Readonly<Record<string, readonly ProbeGroup[]>> = {
  nic: ['napi'],
  bursts: ['napi'],
  workloads: ['epoll'],
};

/**
 * What the busy-period estimate (--workloads) needs attached throughout: every interrupt and softirq run with its
 * origin (raise), the epoll calls that open busy periods and the switches inside them. Not napi: per packet, it
 * feeds only the NIC and burst views, and cost a loaded memcached 2.6% of a CPU (BENCHMARKS.md).
 */
export const ESTIMATE_PROBES: readonly ProbeGroup[] = [
  'hardirq',
  'vectors',
  'softirq',
  'softirq-raise',
  'epoll',
  'sched',
];

/**
 * What `doctor` attaches: its findings read interrupt, softirq and NAPI counts, bursts, drops and epoll calls per
 * process; not softirq raises (no finding uses their origin or latency) nor sched (no busy periods), which cost a
 * loaded server 2-3% of a CPU (BENCHMARKS.md).
 */
export const DOCTOR_PROBES: readonly ProbeGroup[] = ['hardirq', 'vectors', 'softirq', 'napi', 'epoll', 'drops'];

/** The groups `top` wants attached: all of them with --all-probes, else its own, the estimate's and the panel's. */
export function topProbes(panel: string, o: { workloads?: boolean; allProbes?: boolean } = {}): ProbeGroup[] {
  if (o.allProbes) return [...PROBE_GROUPS];
  const want = new Set<ProbeGroup>([
    ...TOP_PROBES,
    ...(o.workloads ? ESTIMATE_PROBES : []),
    ...(PANEL_PROBES[panel] ?? []),
  ]);
  return PROBE_GROUPS.filter((g) => want.has(g));
}

/**
 * serve: groups attached only while something reads them, and for how long after the last read (ms). NAPI (per
 * packet) and softirq-raise (per raise) cost a loopback server several percent (BENCHMARKS.md); the page's NIC and
 * burst panels read napi, /metrics reads both. A scrape holds them longer than Prometheus's usual 1 min interval.
 */
export const SERVE_ON_DEMAND = {
  page: { groups: ['napi'], holdMs: 10_000 },
  metrics: { groups: ['napi', 'softirq-raise'], holdMs: 300_000 },
} as const satisfies Record<string, { groups: readonly ProbeGroup[]; holdMs: number }>;

/**
 * serve: what stays attached (`base`) and what attaches on demand. epoll and sched only for the busy-period estimate
 * (--workloads), which keeps its groups throughout; napi and softirq-raise while read unless the estimate needs them;
 * --all-probes keeps every group it may use attached.
 */
export function serveProbes(workloads: boolean, allProbes: boolean): { base: ProbeGroup[]; onDemand: ProbeGroup[] } {
  const every = workloads ? [...PROBE_GROUPS] : PROBE_GROUPS.filter((g) => g !== 'epoll' && g !== 'sched');
  if (allProbes) return { base: every, onDemand: [] };
  const read = [...SERVE_ON_DEMAND.page.groups, ...SERVE_ON_DEMAND.metrics.groups];
  const onDemand = new Set<ProbeGroup>(read.filter((g) => !(workloads && ESTIMATE_PROBES.includes(g))));
  return { base: every.filter((g) => !onDemand.has(g)), onDemand: every.filter((g) => onDemand.has(g)) };
}

/**
 * What `record` keeps attached: the counters every table reads (top's groups) and what each record kind it streams
 * needs. Per-packet (napi) and per-call (epoll, softirq-raise) groups cost a loaded server more than libbpf-tools
 * does in all (BENCHMARKS.md), so a default recording leaves them out and `--workloads`, `--records` or
 * `--all-probes` bring them in.
 */
const RECORD_NEEDS: Readonly<Record<string, readonly ProbeGroup[]>> = {
  hardirq: ['hardirq'],
  vector: ['vectors'],
  softirq: ['softirq'],
  'async-softirq': ['softirq', 'softirq-raise'],
  napi: ['napi'],
  burst: ['napi'],
  epoll: ['epoll'],
  period: ESTIMATE_PROBES,
  drop: ['drops'],
};

/** The groups a recording of `records` attaches: top's groups and what the records need; all with --all-probes or `all`. */
export function recordProbes(records: readonly string[], allProbes = false): ProbeGroup[] {
  if (allProbes || records.includes('all')) return [...PROBE_GROUPS];
  const want = new Set<ProbeGroup>([...TOP_PROBES, ...records.flatMap((r) => RECORD_NEEDS[r] ?? [])]);
  return PROBE_GROUPS.filter((g) => want.has(g));
}

/** Records `record --workloads` adds: what the busy-period estimate reads (no bursts: report's estimate needs no napi). */
export const RECORD_WORKLOADS = ['hardirq', 'vector', 'async-softirq', 'period'] as const;

/** Records the busy-period estimate needs: every interrupt, interrupt-raised softirq run, burst and period. */
const WORKLOADS = ['hardirq', 'vector', 'async-softirq', 'burst', 'period'] as const;

/** What each command streams unless --records says otherwise (the cheapest set its views need). */
export const RECORD_PRESETS = {
  /** top and snapshot: bursts and drops; everything else comes from in-kernel aggregation */
  live: ['burst', 'drop'],
  /** record: every interrupt and drop; busy periods (report's estimate) with --workloads or a named workload */
  record: ['hardirq', 'vector', 'drop'],
  /** serve: napi feeds the page's 100 us burst bins, drop the drop times */
  serve: ['burst', 'napi', 'drop'],
  doctor: ['burst', 'drop'],
  /** cost, report and --workloads */
  workloads: WORKLOADS,
} as const satisfies Record<string, readonly string[]>;
export type RecordPreset = keyof typeof RECORD_PRESETS;

/** `records` plus what busy-period estimates need (top/serve --workloads; record passes RECORD_WORKLOADS). */
export function withWorkloadRecords(records: readonly string[], kinds: readonly string[] = WORKLOADS): string[] {
  return [...new Set([...records, ...kinds])].filter((r) => r !== 'none');
}

/** A live view's records and busy-period sampling: with --workloads, what the estimate needs, sampled from the start. */
export function liveWorkloadOptions(
  records: readonly string[] | undefined,
  workloads: boolean,
): { records?: string[]; periodEvery?: number } {
  if (workloads) return { records: withWorkloadRecords(records ?? []), periodEvery: LIVE_PERIOD_EVERY };
  return records ? { records: [...records] } : {};
}

/** The kinds in a --records list, or the first unknown word. */
export function parseRecords(text: string): { records: string[]; unknown: string | null } {
  const records = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { records, unknown: records.find((r) => !RECORD_WORDS.includes(r)) ?? null };
}
