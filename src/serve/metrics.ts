// Prometheus text exposition (format 0.0.4) of the cumulative state: every
// counter is the kernel's running total since the probes attached, in base
// units (seconds, packets), so rate() over scrapes gives per-second figures.
import type { Totals } from '../reduce/totals.js';
import type { DurStats } from '../stream/types.js';
import { softirqName, vectorName } from '../report/snapshot-json.js';
import { REC_NAMES } from '../stream/layout.js';

export interface ServerStats {
  clients: number;
  framesSent: number;
  framesMissed: number;
  /** This process's CPU seconds (user + system). */
  cpuSeconds: number;
  rssBytes: number;
  /**
   * BPF run-time statistics sampled a second in ten (serve's default): the latest sample's ns per event and
   * the run time it implies for every event since the start, per probe group (the kernel's cumulative
   * times would count only the sampled seconds). Absent: on throughout, the kernel's own counters.
   */
  bpf?: { nsPerEvent: ReadonlyMap<string, number> | null; estimatedSeconds: ReadonlyMap<string, number> };
  /**
   * Live: whether each probe group is attached now. The families of a detached on-demand group (NAPI, softirq
   * origin) are left out rather than shown as counters that stopped; absent (a recording): every family.
   */
  probes?: ReadonlyMap<string, boolean>;
}

type Labels = Record<string, string | number>;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmtLabels = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

class Exposition {
  private readonly out: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: [Labels, number][]): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.out.push(`${name}${fmtLabels(l)} ${num(v)}`);
  }

  /** A log2 histogram (slot k = [2^k, 2^(k+1)) ns) as cumulative `le` buckets in seconds. */
  histogram(name: string, help: string, rows: [Labels, DurStats][]): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [l, d] of rows) {
      let cum = 0;
      d.hist.forEach((c, k) => {
        cum += c;
        this.out.push(`${name}_bucket${fmtLabels({ ...l, le: num(2 ** (k + 1) / 1e9) })} ${cum}`);
      });
      this.out.push(`${name}_bucket${fmtLabels({ ...l, le: '+Inf' })} ${Math.max(cum, d.count)}`);
      this.out.push(
        `${name}_sum${fmtLabels(l)} ${num(d.timeNs / 1e9)}`,
        `${name}_count${fmtLabels(l)} ${Math.max(cum, d.count)}`,
      );
    }
  }

  text(): string {
    return this.out.join('\n') + '\n';
  }
}

/** Merges per-CPU duration rows by key (histograms are exposed per source, not per CPU x source). */
function mergeBy<T extends DurStats>(rows: Iterable<T>, key: (r: T) => string): Map<string, { first: T; d: DurStats }> {
  const m = new Map<string, { first: T; d: DurStats }>();
  for (const r of rows) {
    const k = key(r);
    const e = m.get(k) ?? {
      first: r,
      d: { count: 0, timeNs: 0, maxNs: 0, hist: new Array<number>(r.hist.length).fill(0) },
    };
    e.d.count += r.count;
    e.d.timeNs += r.timeNs;
    e.d.hist = e.d.hist.map((v, i) => v + (r.hist[i] ?? 0));
    m.set(k, e);
  }
  return m;
}

const irqNameOf = (names: ReadonlyMap<number, string>, irq: number) => names.get(irq) ?? `irq${irq}`;
const byKey = <T>(m: ReadonlyMap<string, T>) =>
  [...m.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })).map(([, v]) => v);

export function metricsText(t: Totals, s: ServerStats): string {
  const e = new Exposition();
  const hard = byKey(t.hardirq);
  const irqL = (r: { cpu: number; irq: number }) => ({ cpu: r.cpu, irq: r.irq, name: irqNameOf(t.irqNames, r.irq) });
  e.family(
    'irqlens_hardirq_total',
    'counter',
    'Device interrupts handled, per CPU and IRQ.',
    hard.map((r) => [irqL(r), r.count]),
  );
  e.family(
    'irqlens_hardirq_seconds_total',
    'counter',
    'Time in device interrupt handlers, per CPU and IRQ.',
    hard.map((r) => [irqL(r), r.timeNs / 1e9]),
  );
  e.histogram(
    'irqlens_hardirq_duration_seconds',
    'Device interrupt handler durations, per IRQ (all CPUs).',
    [...mergeBy(hard, (r) => String(r.irq)).values()].map(({ first, d }) => [
      { irq: first.irq, name: irqNameOf(t.irqNames, first.irq) },
      d,
    ]),
  );

  const vec = byKey(t.vector);
  const vecL = (r: { cpu: number; vector: number }) => ({ cpu: r.cpu, vector: vectorName(r.vector) });
  e.family(
    'irqlens_vector_total',
    'counter',
    'x86 system vector interrupts (timer, IPIs, irq_work), per CPU.',
    vec.map((r) => [vecL(r), r.count]),
  );
  e.family(
    'irqlens_vector_seconds_total',
    'counter',
    'Time in system vector handlers, per CPU.',
    vec.map((r) => [vecL(r), r.timeNs / 1e9]),
  );
  e.histogram(
    'irqlens_vector_duration_seconds',
    'System vector handler durations (all CPUs).',
    [...mergeBy(vec, (r) => String(r.vector)).values()].map(({ first, d }) => [
      { vector: vectorName(first.vector) },
      d,
    ]),
  );

  const soft = byKey(t.softirq);
  const softL = (r: { cpu: number; vec: number }) => ({ cpu: r.cpu, vector: softirqName(r.vec) });
  e.family(
    'irqlens_softirq_total',
    'counter',
    'Softirq runs, per CPU and vector.',
    soft.map((r) => [softL(r), r.count]),
  );
  e.family(
    'irqlens_softirq_seconds_total',
    'counter',
    'Time in softirq handlers, per CPU and vector.',
    soft.map((r) => [softL(r), r.timeNs / 1e9]),
  );
  const attached = (g: string) => s.probes?.get(g) ?? true;
  if (attached('softirq-raise'))
    e.family(
      'irqlens_softirq_async_total',
      'counter',
      'Softirq runs raised from interrupt context, per CPU and vector (counted while the softirq-raise probe is attached).',
      soft.map((r) => [softL(r), r.asyncCount]),
    );
  e.histogram(
    'irqlens_softirq_duration_seconds',
    'Softirq run durations (all CPUs).',
    [...mergeBy(soft, (r) => String(r.vec)).values()].map(({ first, d }) => [{ vector: softirqName(first.vec) }, d]),
  );

  const napi = byKey(t.napi);
  if (attached('napi')) {
    const napiL = (r: { cpu: number; dev: string; napiId: number }) => ({
      cpu: r.cpu,
      device: r.dev,
      napi_id: r.napiId,
    });
    e.family(
      'irqlens_napi_polls_total',
      'counter',
      'NAPI polls, per NIC queue (NAPI instance) and CPU.',
      napi.map((r) => [napiL(r), r.polls]),
    );
    e.family(
      'irqlens_napi_packets_total',
      'counter',
      'Packets NAPI polls processed, per NIC queue and CPU.',
      napi.map((r) => [napiL(r), r.packets]),
    );
    e.family(
      'irqlens_napi_polls_at_budget_total',
      'counter',
      'NAPI polls that used their whole budget.',
      napi.map((r) => [napiL(r), r.pollsAtBudget]),
    );
    e.family(
      'irqlens_napi_bursts_total',
      'counter',
      'Micro-bursts detected, per NIC queue and CPU.',
      napi.map((r) => [napiL(r), r.bursts]),
    );
  }

  // the interrupt tax each workload pays directly: handler time while its thread was on the CPU;
  // by command name, not pid, so the series survive restarts and stay few
  const victimAgg = new Map<string, [Labels, number, number]>();
  for (const v of t.victim.values()) {
    const l = { comm: v.tgid === 0 ? '(idle)' : v.comm, kind: v.kind };
    const k = fmtLabels(l);
    const cur = victimAgg.get(k);
    victimAgg.set(k, [l, (cur?.[1] ?? 0) + v.count, (cur?.[2] ?? 0) + v.timeNs]);
  }
  const victims = [...victimAgg.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([, v]) => v);
  e.family(
    'irqlens_interrupted_total',
    'counter',
    'Interrupts (device IRQs, system vectors) that ran while a process with this command name was on the CPU; comm (idle) = the CPU was idle.',
    victims.map(([l, n]) => [l, n]),
  );
  e.family(
    'irqlens_interrupted_seconds_total',
    'counter',
    'Interrupt handler time charged to the process with this command name that was on the CPU: the interrupt tax it paid directly.',
    victims.map(([l, , ns]) => [l, ns / 1e9]),
  );

  const dropNames = t.dropNames;
  const dropAgg = new Map<string, [Labels, number]>();
  // ifindexes repeat across network namespaces, so a drop is labelled by both, never by a guessed name
  for (const d of t.drop.values()) {
    const l = { cpu: d.cpu, reason: dropNames.get(d.reason) ?? String(d.reason), ifindex: d.ifindex, netns: d.netns };
    const k = fmtLabels(l);
    const cur = dropAgg.get(k);
    dropAgg.set(k, [l, (cur?.[1] ?? 0) + d.count]);
  }
  e.family(
    'irqlens_drops_total',
    'counter',
    'Packets the kernel dropped, per CPU, drop reason, ifindex and network namespace inode.',
    [...dropAgg.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([, v]) => v),
  );

  e.family(
    'irqlens_lost_records_total',
    'counter',
    'Per-event records or map keys lost by the probes (ring full, map full).',
    [...t.lost.entries()].sort().map(([k, v]) => {
      const [kind = '', reason = ''] = k.split('/');
      return [{ kind, reason }, v];
    }),
  );
  e.family(
    'irqlens_records_total',
    'counter',
    'Per-event records received from the probes, per kind.',
    t.records.flatMap((n, i) => (n > 0 ? [[{ kind: REC_NAMES[i] ?? `kind${i}` }, n] as [Labels, number]] : [])),
  );
  if (s.bpf) {
    const sorted = (m: ReadonlyMap<string, number>, scale = 1): [Labels, number][] =>
      [...m.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([probe, v]) => [{ probe }, v * scale]);
    e.family(
      'irqlens_bpf_seconds_per_event',
      'gauge',
      "BPF run time per event of irqlens's probes, per probe group, from the latest sampled second of run-time statistics.",
      sorted(s.bpf.nsPerEvent ?? new Map<string, number>(), 1e-9),
    );
    e.family(
      'irqlens_bpf_run_seconds_total',
      'counter',
      "Time irqlens's BPF programs ran, per probe group: every event since the start at the sampled ns per event.",
      sorted(s.bpf.estimatedSeconds),
    );
  } else {
    const progs = [...t.progStat.values()].sort((a, b) => a.prog - b.prog);
    const progL = (p: number) => ({ program: t.hello.progs[p]?.name ?? String(p) });
    e.family(
      'irqlens_bpf_runs_total',
      'counter',
      "Runs of irqlens's BPF programs (needs BPF run-time statistics).",
      progs.map((r) => [progL(r.prog), r.runCnt]),
    );
    e.family(
      'irqlens_bpf_run_seconds_total',
      'counter',
      "Time irqlens's BPF programs ran: the probes' own cost.",
      progs.map((r) => [progL(r.prog), r.runTimeNs / 1e9]),
    );
  }
  if (s.probes)
    e.family(
      'irqlens_probe_attached',
      'gauge',
      'Whether each probe group is attached now (1) or not (0); serve attaches napi and softirq-raise while a page is open or /metrics is read.',
      [...s.probes.entries()].map(([group, on]) => [{ group }, on ? 1 : 0]),
    );
  e.family('irqlens_snapshots_total', 'counter', 'Snapshots of the kernel counters received.', [[{}, t.snapshots]]);
  e.family('irqlens_server_cpu_seconds_total', 'counter', 'CPU time of the irqlens serve process (user + system).', [
    [{}, s.cpuSeconds],
  ]);
  e.family('irqlens_server_resident_memory_bytes', 'gauge', 'Resident memory of the irqlens serve process.', [
    [{}, s.rssBytes],
  ]);
  e.family('irqlens_server_clients', 'gauge', 'Web clients connected.', [[{}, s.clients]]);
  e.family('irqlens_server_frames_sent_total', 'counter', 'Frames sent to web clients.', [[{}, s.framesSent]]);
  e.family('irqlens_server_frames_missed_total', 'counter', 'Frames not sent to a client that read too slowly.', [
    [{}, s.framesMissed],
  ]);
  return e.text();
}
