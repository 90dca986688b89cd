// Dropped packets of a window, grouped for views: per reason, with the CPUs,
// devices and protocols they happened on. Names come from the stream (the
// kernel's own enum skb_drop_reason), never from a table of ours.
import type { DropRow, Hello, ProgStatus } from '../stream/types.js';

export interface DropGroup {
  reason: number;
  name: string;
  count: number;
  /** count per CPU, only CPUs that dropped */
  perCpu: Map<number, number>;
  /** count per device (ifindex within network namespace netns) and protocol */
  byDevice: { ifindex: number; netns: number; protocol: string; count: number }[];
  /** bpf_ktime_get_ns of the latest drop (cumulative state) */
  lastNs: bigint;
}

const L4: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp' };

export function protocolName(ethProto: number, l4Proto: number): string {
  const l3 =
    ethProto === 0x0800
      ? 'ipv4'
      : ethProto === 0x86dd
        ? 'ipv6'
        : ethProto === 0x0806
          ? 'arp'
          : ethProto
            ? `0x${ethProto.toString(16).padStart(4, '0')}`
            : '';
  const l4 = l4Proto ? (L4[l4Proto] ?? `proto${l4Proto}`) : '';
  return [l3, l4].filter(Boolean).join('/') || 'unknown';
}

export function dropReasonName(names: ReadonlyMap<number, string>, reason: number): string {
  return names.get(reason) ?? `reason ${reason}`;
}

/** Rows -> one group per reason, largest first. */
export function dropGroups(rows: readonly DropRow[], names: ReadonlyMap<number, string>): DropGroup[] {
  const groups = new Map<number, DropGroup>();
  for (const r of rows) {
    let g = groups.get(r.reason);
    if (!g)
      groups.set(
        r.reason,
        (g = {
          reason: r.reason,
          name: dropReasonName(names, r.reason),
          count: 0,
          perCpu: new Map(),
          byDevice: [],
          lastNs: 0n,
        }),
      );
    g.count += r.count;
    g.perCpu.set(r.cpu, (g.perCpu.get(r.cpu) ?? 0) + r.count);
    const protocol = protocolName(r.ethProto, r.l4Proto);
    const d = g.byDevice.find((x) => x.ifindex === r.ifindex && x.netns === r.netns && x.protocol === protocol);
    if (d) d.count += r.count;
    else g.byDevice.push({ ifindex: r.ifindex, netns: r.netns, protocol, count: r.count });
    if (r.lastNs > g.lastNs) g.lastNs = r.lastNs;
  }
  for (const g of groups.values()) g.byDevice.sort((a, b) => b.count - a.count);
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason - b.reason);
}

/** The drop probe's state: skb:kfree_skb with a drop reason needs Linux 5.17+. */
export function dropProbeStatus(hello: Hello): ProgStatus['status'] | 'missing' {
  return hello.progs.find((p) => p.tracepoint === 'kfree_skb')?.status ?? 'missing';
}

export function dropsTotal(rows: readonly DropRow[]): number {
  let n = 0;
  for (const r of rows) n += r.count;
  return n;
}
