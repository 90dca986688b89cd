// `irqlens doctor`'s rules: counters and probe data over one watch window ->
// findings, most severe first, each with its evidence and what to try. Pure:
// everything it knows is in DoctorInput, so tests feed it known numbers.
import type { Window } from '../reduce/totals.js';
import { dropGroups, type DropGroup } from '../reduce/drops.js';
import type { IfaceCounters, SoftnetRow } from '../netstat/counters.js';
import { isNicDropCounter, type EthtoolInfo } from '../netstat/ethtool.js';
import type { DropRule } from '../netstat/nft.js';
import type { QueueIrq } from '../procfs/nic.js';
import { SOFTIRQ_NAMES } from '../stream/layout.js';
import { nearBursts, type DropTimeline } from './timeline.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface Action {
  command: string;
  why: string;
  tradeoff: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  evidence: string[];
  actions: Action[];
  /** the numbers behind the evidence, for --json */
  counts: Record<string, number>;
}

export interface NetSample {
  softnet: SoftnetRow[] | null;
  proto: Map<string, number> | null;
  ifaces: IfaceCounters[];
  ethtoolStats: Map<string, Record<string, number> | null>;
  nftRules: DropRule[] | null;
}

export interface DoctorInput {
  durationS: number;
  /** --iface: only this device's NIC counters and drops (socket-level drops still count) */
  iface: { dev: string; ifindex: number } | null;
  before: NetSample;
  after: NetSample;
  window: Window;
  timeline: DropTimeline;
  sysctls: Record<string, number | null>;
  ethtool: Map<string, EthtoolInfo>;
  queues: QueueIrq[];
  /** kernel release, for features that need a version (irq_suspend_timeout: 6.13) */
  kernel: string;
  /** inode of doctor's own network namespace: only its ifindexes have names here */
  netns: number;
  /** counters read every interval during the watch (wall-clock ms), to say when they rose */
  series: { atMs: number; sample: NetSample }[];
  /** CLOCK_MONOTONIC ns -> ms since the epoch, to say when */
  wallMs: (monoNs: number) => number;
}

const SEV_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** A suggested value: twice the current one (at least `floor`); never a guessed default. */
function twice(current: number | null | undefined, floor = 0): string {
  return current === null || current === undefined
    ? 'N (twice the current value)'
    : String(Math.max(floor, current * 2));
}

function budgetAction(d: DoctorInput, why: string, floor = 0): Action {
  return {
    command: `sysctl -w net.core.netdev_budget=${twice(d.sysctls['net.core.netdev_budget'], floor)}`,
    why,
    tradeoff: 'longer softirq runs delay tasks on that CPU',
  };
}

function fmtRate(n: number, s: number): string {
  const r = n / (s || 1);
  return r >= 100 ? `${Math.round(r)}/s` : `${r.toFixed(1)}/s`;
}

function when(d: DoctorInput, firstNs: number, lastNs: number): string {
  const t = (ns: number) => new Date(d.wallMs(ns)).toISOString().slice(11, 23);
  return firstNs === lastNs ? `at ${t(firstNs)} UTC` : `from ${t(firstNs)} to ${t(lastNs)} UTC`;
}

function kernelAtLeast(release: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

function ifName(d: DoctorInput, ifindex: number, netns: number): string {
  if (!ifindex) return 'no device';
  if (netns && netns !== d.netns) return `ifindex ${ifindex} in network namespace ${netns}`;
  return d.after.ifaces.find((i) => i.ifindex === ifindex)?.dev ?? `ifindex ${ifindex}`;
}

/** "rose between 05:14:08 and 05:14:10 UTC", from the per-interval readings of one counter. */
function counterWhen(d: DoctorInput, value: (s: NetSample) => number | null): string | null {
  let first: number | null = null;
  let last: number | null = null;
  for (let i = 1; i < d.series.length; i++) {
    const a = d.series[i - 1];
    const b = d.series[i];
    if (!a || !b) continue;
    const x = value(a.sample);
    const y = value(b.sample);
    if (x === null || y === null || y <= x) continue;
    first ??= a.atMs;
    last = b.atMs;
  }
  if (first === null || last === null) return null;
  const t = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  return `rose between ${t(first)} and ${t(last)} UTC (counters read every ${Math.round(((d.series[d.series.length - 1]?.atMs ?? 0) - (d.series[0]?.atMs ?? 0)) / Math.max(1, d.series.length - 1))} ms)`;
}

const softnetSum = (k: 'dropped' | 'timeSqueeze') => (s: NetSample) =>
  s.softnet ? s.softnet.reduce((a, r) => a + r[k], 0) : null;

function deltaMap(a: Map<string, number> | null, b: Map<string, number> | null, k: string): number | null {
  if (!a || !b) return null;
  const x = a.get(k);
  const y = b.get(k);
  return x === undefined || y === undefined ? null : y - x;
}

/** Evidence lines every drop finding shares: count, rate, CPUs, devices, when, bursts around. */
function dropEvidence(d: DoctorInput, g: DropGroup): string[] {
  const lines = [
    `${g.count} packets dropped with reason ${g.name} (${fmtRate(g.count, d.durationS)} over ${d.durationS} s, skb:kfree_skb)`,
  ];
  const cpus = [...g.perCpu].sort((a, b) => b[1] - a[1]).map(([c, n]) => `CPU ${c}: ${n}`);
  lines.push(`by CPU: ${cpus.join(', ')}`);
  const devs = g.byDevice.slice(0, 3).map((x) => `${ifName(d, x.ifindex, x.netns)} ${x.protocol}: ${x.count}`);
  lines.push(`by device: ${devs.join(', ')}`);
  const t = d.timeline.get(g.reason);
  if (t) {
    lines.push(`when: ${when(d, t.firstNs, t.lastNs)}`);
    const share = nearBursts(t.times, d.window.bursts);
    if (d.window.bursts.length)
      lines.push(
        `${Math.round(share * 100)}% of them within 1 ms of one of the ${d.window.burstsTotal} micro-bursts in the window`,
      );
  }
  return lines;
}

function socketRcvbuf(d: DoctorInput, g: DropGroup | undefined, out: Finding[]): void {
  const udp = deltaMap(d.before.proto, d.after.proto, 'Udp.RcvbufErrors');
  const udp6 = deltaMap(d.before.proto, d.after.proto, 'Udp6RcvbufErrors');
  const tcp = deltaMap(d.before.proto, d.after.proto, 'TcpExt.TCPRcvQDrop');
  const counters = (udp ?? 0) + (udp6 ?? 0) + (tcp ?? 0);
  if (!g && counters <= 0) return;
  const evidence = g ? dropEvidence(d, g) : [];
  evidence.push(
    udp === null
      ? '/proc/net/snmp is unavailable: no UDP counter to compare'
      : `/proc/net/snmp Udp RcvbufErrors rose by ${udp}${udp6 ? `, Udp6RcvbufErrors by ${udp6}` : ''}${tcp ? `, TcpExt TCPRcvQDrop by ${tcp}` : ''}`,
  );
  const w = counterWhen(d, (s) => s.proto?.get('Udp.RcvbufErrors') ?? null);
  if (w) evidence.push(`Udp RcvbufErrors ${w}`);
  // snmp counters belong to a network namespace, kfree_skb sees them all
  if (g && counters < g.count * 0.5)
    evidence.push(
      `the counters above are this network namespace's; drops the probe saw beyond them happened in other namespaces (containers)`,
    );
  const rmemMax = d.sysctls['net.core.rmem_max'];
  out.push({
    id: 'socket-rcvbuf',
    severity: 'critical',
    title:
      'Sockets drop packets: their receive buffers are full (the application reads too slowly or its SO_RCVBUF is too small)',
    evidence,
    actions: [
      {
        command: 'setsockopt(fd, SOL_SOCKET, SO_RCVBUF, ...) in the application, e.g. 4 MiB',
        why: 'a larger buffer absorbs bursts while the application is busy',
        tradeoff: 'more kernel memory per socket; latency of queued packets grows',
      },
      {
        command: `sysctl -w net.core.rmem_max=${twice(rmemMax, 8 << 20)}`,
        why: `SO_RCVBUF is capped at rmem_max (now ${rmemMax ?? 'unknown'})`,
        tradeoff: 'lets every application ask for more memory',
      },
      {
        command: 'read faster: more reader threads or SO_REUSEPORT sockets, recvmmsg()',
        why: 'the buffer only fills when reading falls behind',
        tradeoff: 'application changes',
      },
    ],
    counts: {
      drops: g?.count ?? 0,
      udp_rcvbuf_errors: udp ?? -1,
      udp6_rcvbuf_errors: udp6 ?? -1,
      tcp_rcvq_drops: tcp ?? -1,
    },
  });
}

function backlog(d: DoctorInput, g: DropGroup | undefined, out: Finding[]): void {
  const rows =
    d.after.softnet && d.before.softnet
      ? d.after.softnet.map((r) => ({
          cpu: r.cpu,
          dropped: r.dropped - (d.before.softnet?.find((b) => b.cpu === r.cpu)?.dropped ?? r.dropped),
        }))
      : null;
  const dropped = rows ? rows.reduce((a, r) => a + r.dropped, 0) : null;
  if (!g && !dropped) return;
  const evidence = g ? dropEvidence(d, g) : [];
  evidence.push(
    rows === null
      ? '/proc/net/softnet_stat is unavailable'
      : `/proc/net/softnet_stat dropped rose by ${dropped} (${
          rows
            .filter((r) => r.dropped)
            .map((r) => `CPU ${r.cpu}: ${r.dropped}`)
            .join(', ') || 'none'
        })`,
  );
  const w = counterWhen(d, softnetSum('dropped'));
  if (w) evidence.push(`softnet_stat dropped ${w}`);
  const max = d.sysctls['net.core.netdev_max_backlog'];
  out.push({
    id: 'backlog',
    severity: 'critical',
    title:
      'The per-CPU input backlog overflowed (packets queued by RPS, veth, loopback or netif_rx faster than NET_RX drained them)',
    evidence: [...evidence, `net.core.netdev_max_backlog = ${max ?? 'unknown'}`],
    actions: [
      {
        command: `sysctl -w net.core.netdev_max_backlog=${twice(max, 2000)}`,
        why: 'a longer queue absorbs bursts',
        tradeoff: 'more memory and queueing latency under sustained overload',
      },
      {
        command: 'spread the load: RPS (/sys/class/net/DEV/queues/rx-N/rps_cpus) or more RX queues',
        why: 'one CPU drains each backlog',
        tradeoff: 'cross-CPU IPIs and cache traffic',
      },
    ],
    counts: { drops: g?.count ?? 0, softnet_dropped: dropped ?? -1, netdev_max_backlog: max ?? -1 },
  });
}

function netfilter(d: DoctorInput, g: DropGroup, out: Finding[]): void {
  const evidence = dropEvidence(d, g);
  const counts: Record<string, number> = { drops: g.count };
  if (d.before.nftRules && d.after.nftRules) {
    const hits = d.after.nftRules
      .map((r) => ({
        r,
        n:
          r.packets -
          (d.before.nftRules?.find(
            (b) => b.family === r.family && b.table === r.table && b.chain === r.chain && b.handle === r.handle,
          )?.packets ?? 0),
      }))
      .filter((x) => x.n > 0)
      .sort((a, b) => b.n - a.n);
    for (const { r, n } of hits.slice(0, 5))
      evidence.push(
        `nft rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}${r.text ? ` (${r.text})` : ''}: counter rose by ${n}`,
      );
    if (!hits.length)
      evidence.push(
        'no nftables drop rule with a counter in this network namespace rose: the rule is in another namespace, has no counter, or is an iptables-legacy rule (iptables -L -v -n)',
      );
  } else {
    evidence.push('nftables rules could not be listed (see "unavailable")');
  }
  out.push({
    id: 'netfilter',
    severity: 'critical',
    title: 'A firewall rule drops packets',
    evidence,
    actions: [
      {
        command: 'nft -a list ruleset   # or: iptables -L -v -n --line-numbers',
        why: 'find the rule whose counter grows and check it is meant to drop this traffic',
        tradeoff: 'none (read-only)',
      },
      {
        command: 'conntrack -S   # insert_failed / drop: a full conntrack table drops too',
        why: 'conntrack exhaustion also ends in NETFILTER_DROP',
        tradeoff: 'none (read-only)',
      },
    ],
    counts,
  });
}

function nicRing(d: DoctorInput, out: Finding[]): void {
  for (const a of d.after.ifaces) {
    if (!a.physical || (d.iface && d.iface.dev !== a.dev)) continue;
    const b = d.before.ifaces.find((x) => x.dev === a.dev);
    if (!b) continue;
    const deltas: [string, number][] = [];
    for (const k of ['rx_missed_errors', 'rx_fifo_errors', 'rx_over_errors', 'rx_dropped']) {
      const n = (a.stats[k] ?? 0) - (b.stats[k] ?? 0);
      if (n > 0) deltas.push([k, n]);
    }
    const ea = d.after.ethtoolStats.get(a.dev);
    const eb = d.before.ethtoolStats.get(a.dev);
    if (ea && eb)
      for (const [k, v] of Object.entries(ea))
        if (isNicDropCounter(k) && v - (eb[k] ?? 0) > 0) deltas.push([`ethtool ${k}`, v - (eb[k] ?? 0)]);
    if (!deltas.length) continue;
    const et = d.ethtool.get(a.dev);
    const bursts = d.window.bursts.filter((x) => x.ifindex === a.ifindex);
    const evidence = [`${a.dev}: ${deltas.map(([k, n]) => `${k} +${n}`).join(', ')} over ${d.durationS} s`];
    const rose = counterWhen(d, (s) => {
      const i = s.ifaces.find((x) => x.dev === a.dev);
      return i
        ? (i.stats.rx_missed_errors ?? 0) +
            (i.stats.rx_fifo_errors ?? 0) +
            (i.stats.rx_over_errors ?? 0) +
            (i.stats.rx_dropped ?? 0)
        : null;
    });
    if (rose) evidence.push(`the sysfs drop counters ${rose}`);
    if (bursts.length)
      evidence.push(
        `${bursts.length} micro-bursts on ${a.dev} in the window, the largest ${Math.max(...bursts.map((x) => x.peakWindowPackets))} packets in one ${d.window.hello.windowNs / 1000} us window`,
      );
    const rings = et?.rings;
    if (rings) evidence.push(`RX ring ${rings.rx ?? '?'} of at most ${rings.rxMax ?? '?'}`);
    const co = et?.coalesce;
    if (co)
      evidence.push(
        `coalescing: rx-usecs ${co['rx-usecs'] ?? '?'}, rx-frames ${co['rx-frames'] ?? '?'}, adaptive-rx ${co['adaptive-rx'] ?? '?'}`,
      );
    const actions: Action[] = [];
    if (rings?.rx && rings.rxMax && rings.rx < rings.rxMax)
      actions.push({
        command: `ethtool -G ${a.dev} rx ${rings.rxMax}`,
        why: 'a larger ring holds a burst until NAPI polls it',
        tradeoff: 'more memory, more cache footprint, longer worst-case queueing',
      });
    // lower coalescing only helps where it is on: rx-usecs 0 already interrupts per packet
    const usecs = Number(co?.['rx-usecs']);
    if (usecs > 0)
      actions.push({
        command: `ethtool -C ${a.dev} rx-usecs ${Math.floor(usecs / 2)}`,
        why: 'interrupt sooner so the ring is drained before it fills',
        tradeoff: 'more interrupts, each costing the interrupted workload (irqlens cost)',
      });
    actions.push(budgetAction(d, 'let each NET_RX run drain more of the ring', 600));
    out.push({
      id: `nic-ring:${a.dev}`,
      severity: 'critical',
      title: `${a.dev} dropped packets in hardware or the driver (RX ring overflow)`,
      evidence,
      actions,
      counts: Object.fromEntries(deltas),
    });
  }
}

function squeeze(d: DoctorInput, out: Finding[]): void {
  if (!d.after.softnet || !d.before.softnet) return;
  const rows = d.after.softnet
    .map((r) => ({
      cpu: r.cpu,
      n: r.timeSqueeze - (d.before.softnet?.find((b) => b.cpu === r.cpu)?.timeSqueeze ?? r.timeSqueeze),
    }))
    .filter((r) => r.n > 0);
  const total = rows.reduce((a, r) => a + r.n, 0);
  if (!total) return;
  const atBudget = d.window.napi.reduce((a, r) => a + r.pollsAtBudget, 0);
  const polls = d.window.napi.reduce((a, r) => a + r.polls, 0);
  out.push({
    id: 'time-squeeze',
    severity: 'warning',
    title: 'NET_RX ran out of budget or time with packets left (time_squeeze)',
    evidence: [
      `/proc/net/softnet_stat time_squeeze rose by ${total} (${rows.map((r) => `CPU ${r.cpu}: ${r.n}`).join(', ')})`,
      `${atBudget} of ${polls} NAPI polls used their whole budget`,
      `time_squeeze ${counterWhen(d, softnetSum('timeSqueeze')) ?? 'rose'}`,
      `net.core.netdev_budget = ${d.sysctls['net.core.netdev_budget'] ?? '?'}, netdev_budget_usecs = ${d.sysctls['net.core.netdev_budget_usecs'] ?? '?'}`,
    ],
    actions: [
      budgetAction(d, 'more packets per NET_RX run'),
      {
        command: `sysctl -w net.core.netdev_budget_usecs=${twice(d.sysctls['net.core.netdev_budget_usecs'])}`,
        why: 'more time per NET_RX run',
        tradeoff: 'the same: latency for everything else on the CPU',
      },
    ],
    counts: { time_squeeze: total, polls_at_budget: atBudget, polls },
  });
}

function imbalance(d: DoctorInput, out: Finding[]): void {
  const ncpus = d.window.hello.ncpus;
  if (ncpus < 2) return;
  const rx = SOFTIRQ_NAMES.indexOf('NET_RX');
  const per = new Map<number, number>();
  for (const r of d.window.softirq) if (r.vec === rx) per.set(r.cpu, (per.get(r.cpu) ?? 0) + r.timeNs);
  const total = [...per.values()].reduce((a, b) => a + b, 0);
  const windowNs = d.window.durationNs || d.durationS * 1e9;
  const [topCpu, topNs] = [...per].sort((a, b) => b[1] - a[1])[0] ?? [0, 0];
  // only worth a finding when NET_RX is a real load (over 5% of a CPU) and one CPU carries most of it
  if (topNs < 0.05 * windowNs || topNs < 0.8 * total) return;
  const nicQueues = d.queues.filter((q) => q.queue.startsWith('rx') && (!d.iface || q.dev === d.iface.dev));
  const devs = [...new Set(nicQueues.map((q) => q.dev))];
  const rss = devs.map((dev) => ({ dev, rss: d.ethtool.get(dev)?.rss })).filter((x) => x.rss);
  const evidence = [
    `CPU ${topCpu} ran ${Math.round((topNs / total) * 100)}% of all NET_RX time (${(topNs / 1e6).toFixed(1)} ms of ${(windowNs / 1e6).toFixed(0)} ms, ${Math.round((topNs / windowNs) * 100)}% of that CPU)`,
    ...nicQueues.map(
      (q) => `${q.dev} ${q.queue}: IRQ ${q.irq ?? '?'} on CPUs ${q.effective.join(',') || q.affinity.join(',') || '?'}`,
    ),
    ...rss.map(
      (x) =>
        `${x.dev} RSS indirection: ${[...(x.rss ?? new Map<number, number>())].map(([ring, n]) => `ring ${ring}: ${n}`).join(', ')}`,
    ),
  ];
  const irq = nicQueues.find((q) => q.irq !== null)?.irq;
  out.push({
    id: 'net-rx-one-cpu',
    severity: 'warning',
    title: `Receive processing is concentrated on CPU ${topCpu}`,
    evidence,
    actions: [
      {
        command: `ethtool -L ${devs[0] ?? 'DEV'} combined ${ncpus}`,
        why: 'more RX queues spread the interrupts (where the NIC has them)',
        tradeoff: 'more interrupts and memory',
      },
      {
        command: `ethtool -X ${devs[0] ?? 'DEV'} equal ${ncpus}`,
        why: 'spread flows evenly over the RX rings',
        tradeoff: 'none beyond moving flows',
      },
      {
        command:
          irq !== undefined
            ? `echo ${(topCpu + 1) % ncpus} > /proc/irq/${irq}/smp_affinity_list`
            : 'echo CPU > /proc/irq/N/smp_affinity_list',
        why: 'move a queue IRQ off the busy CPU (irqbalance may move it back)',
        tradeoff: 'the interrupt now disturbs whatever runs on that CPU',
      },
      {
        command: `echo ${((1 << ncpus) - 1).toString(16)} > /sys/class/net/${devs[0] ?? 'DEV'}/queues/rx-0/rps_cpus`,
        why: 'RPS spreads protocol processing in software when the NIC has one queue',
        tradeoff: 'inter-processor interrupts and cache traffic',
      },
    ],
    counts: { cpu: topCpu, net_rx_ns: topNs, net_rx_total_ns: total },
  });
}

function interruptHeavyEpoll(d: DoctorInput, out: Finding[]): void {
  const nicIrqs = new Set(
    d.queues.filter((q) => q.irq !== null && (!d.iface || q.dev === d.iface.dev)).map((q) => q.irq as number),
  );
  const nicIrqCount = d.window.hardirq.filter((r) => nicIrqs.has(r.irq)).reduce((a, r) => a + r.count, 0);
  const rate = nicIrqCount / (d.durationS || 1);
  const busiest = [...d.window.epoll].sort((a, b) => b.calls - a.calls)[0];
  if (!busiest || rate < 10_000 || busiest.calls / (d.durationS || 1) < 1_000) return;
  const eventsPerCall = busiest.events / (busiest.calls || 1);
  const suspend = kernelAtLeast(d.kernel, 6, 13);
  const dev = d.queues.find((q) => q.irq !== null && nicIrqs.has(q.irq))?.dev ?? 'DEV';
  out.push({
    id: 'interrupt-heavy-epoll',
    severity: 'info',
    title: `An epoll workload (${busiest.comm}, pid ${busiest.tgid}) wakes for nearly every packet while the NIC interrupts ${Math.round(rate)} times/s`,
    evidence: [
      `${busiest.calls} epoll calls returning ${eventsPerCall.toFixed(2)} events each on average`,
      `${nicIrqCount} NIC interrupts in ${d.durationS} s; what they cost the workload: irqlens report --pid ${busiest.tgid}`,
    ],
    actions: [
      {
        command: `ethtool -C ${dev} adaptive-rx on   # or rx-usecs 50`,
        why: 'fewer interrupts, more packets per interrupt',
        tradeoff: 'up to rx-usecs of added latency per packet',
      },
      {
        command: `echo 2 > /sys/class/net/${dev}/napi_defer_hard_irqs; echo 200000 > /sys/class/net/${dev}/gro_flush_timeout`,
        why: 'NAPI keeps polling from a timer instead of re-arming the IRQ after short polls',
        tradeoff: 'a timer on the CPU; up to gro_flush_timeout of latency when traffic stops',
      },
      suspend
        ? {
            command:
              'epoll: EPIOCSPARAMS with prefer_busy_poll=1, busy_poll_usecs, busy_poll_budget; netlink napi-set irq-suspend-timeout (6.13+)',
            why: 'IRQ suspension: while the application keeps finding events, the NIC interrupt stays off (Cai & Karsten)',
            tradeoff: 'the application thread polls; needs application changes',
          }
        : {
            command: 'upgrade to Linux 6.13+ for irq_suspend_timeout with epoll prefer_busy_poll',
            why: 'IRQ suspension removes interrupts while the application is busy',
            tradeoff: 'a kernel upgrade',
          },
      {
        command: 'sysctl -w net.core.busy_poll=50 net.core.busy_read=50',
        why: 'sockets spin on the NAPI instead of waiting for an interrupt',
        tradeoff: 'burns CPU while waiting',
      },
    ],
    counts: { nic_irqs: nicIrqCount, epoll_calls: busiest.calls, epoll_events: busiest.events },
  });
}

/** Reasons that mean data was thrown away because its socket or queue went away: usually normal. */
const BENIGN = /^(QUEUE_PURGE|SOCKET_CLOSE|TCP_CLOSE|SOCKET_FILTER|NEIGH_DEAD|DEV_READY)$/;

function otherDrops(d: DoctorInput, groups: DropGroup[], out: Finding[]): void {
  for (const g of groups) {
    if (BENIGN.test(g.name)) {
      out.push({
        id: `drops:${g.name}`,
        severity: 'info',
        title: `${g.count} packets discarded with reason ${g.name}: a socket, queue or device went away with them (usually normal)`,
        evidence: dropEvidence(d, g),
        actions: [
          {
            command: 'ss -tuanp   # which sockets close with unread data',
            why: 'a program that closes sockets before reading them loses that data',
            tradeoff: 'none (read-only)',
          },
        ],
        counts: { drops: g.count },
      });
      continue;
    }
    const hint = /^NO_SOCKET$/.test(g.name)
      ? 'nothing listens on the destination port (or a socket lookup failed)'
      : /^TCP_/.test(g.name)
        ? 'TCP discarded these (see the reason: checksum, window, state)'
        : /^(PKT_TOO_SMALL|IP_CSUM|UDP_CSUM|TCP_CSUM|IP_INHDR|IP_RPFILTER)/.test(g.name)
          ? 'malformed or filtered input'
          : 'see include/net/dropreason-core.h in the kernel source for this reason';
    out.push({
      id: `drops:${g.name}`,
      severity: 'warning',
      title: `Packets dropped with reason ${g.name}: ${hint}`,
      evidence: dropEvidence(d, g),
      actions: [
        {
          command:
            'irqlens record -o drops.irqlens --duration 30 && irqlens export drops.irqlens --perfetto drops.json',
          why: 'each drop on a timeline next to the interrupts, softirqs and bursts around it',
          tradeoff: 'none (read-only)',
        },
      ],
      counts: { drops: g.count },
    });
  }
}

export function diagnose(d: DoctorInput): Finding[] {
  // --iface: that device in our namespace, plus socket-level drops (no device) in our namespace
  const ours = (r: { netns: number }) => !r.netns || !d.netns || r.netns === d.netns;
  const rows = d.iface
    ? d.window.drop.filter((r) => (r.ifindex === d.iface?.ifindex || r.ifindex === 0) && ours(r))
    : d.window.drop;
  const groups = dropGroups(rows, d.window.dropNames);
  const take = (re: RegExp): DropGroup | undefined => {
    const i = groups.findIndex((g) => re.test(g.name));
    return i < 0 ? undefined : groups.splice(i, 1)[0];
  };
  const out: Finding[] = [];
  socketRcvbuf(d, take(/^SOCKET_RCVBUFF$/), out);
  backlog(d, take(/^CPU_BACKLOG$/), out);
  const nf = take(/^NETFILTER_DROP$/);
  if (nf) netfilter(d, nf, out);
  nicRing(d, out);
  squeeze(d, out);
  imbalance(d, out);
  otherDrops(d, groups, out);
  interruptHeavyEpoll(d, out);
  return out.sort(
    (a, b) => SEV_ORDER[a.severity] - SEV_ORDER[b.severity] || (b.counts.drops ?? 0) - (a.counts.drops ?? 0),
  );
}

export function isHealthy(f: readonly Finding[]): boolean {
  return !f.some((x) => x.severity !== 'info');
}
