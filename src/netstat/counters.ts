// Kernel and NIC drop counters, read from procfs and sysfs (read-only). Each
// reader returns null where its file is missing, so callers can say so.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export interface SoftnetRow {
  cpu: number;
  processed: number;
  /** packets dropped because the CPU's backlog queue was full (netdev_max_backlog) */
  dropped: number;
  /** NET_RX runs that ended with work left (budget or time used up) */
  timeSqueeze: number;
  receivedRps: number;
  flowLimit: number;
}

/** /proc/net/softnet_stat: one hex row per online CPU; the CPU id is column 13 since 5.10. */
export function parseSoftnet(text: string): SoftnetRow[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      const c = line
        .trim()
        .split(/\s+/)
        .map((h) => Number.parseInt(h, 16));
      return {
        cpu: c.length > 12 ? (c[12] ?? i) : i,
        processed: c[0] ?? 0,
        dropped: c[1] ?? 0,
        timeSqueeze: c[2] ?? 0,
        receivedRps: c[9] ?? 0,
        flowLimit: c[10] ?? 0,
      };
    });
}

export function readSoftnet(root = '/'): SoftnetRow[] | null {
  const t = read(join(root, 'proc/net/softnet_stat'));
  return t === null ? null : parseSoftnet(t);
}

/** "Proto: names" / "Proto: values" line pairs (/proc/net/snmp, /proc/net/netstat) -> "Proto.Name" -> value. */
export function parsePairedCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [p1, ...names] = (lines[i] ?? '').trim().split(/\s+/);
    const [p2, ...vals] = (lines[i + 1] ?? '').trim().split(/\s+/);
    if (!p1 || p1 !== p2) continue;
    names.forEach((n, j) => out.set(`${p1.replace(/:$/, '')}.${n}`, Number(vals[j] ?? 0)));
  }
  return out;
}

/** /proc/net/snmp6: "Name value" lines. */
export function parseSnmp6(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

/** Protocol counters of this network namespace: Udp.RcvbufErrors, TcpExt.ListenDrops, Udp6RcvbufErrors, ... */
export function readProtoCounters(root = '/', snmpOnly = false): Map<string, number> | null {
  const snmp = read(join(root, 'proc/net/snmp'));
  if (snmp === null) return null;
  const out = parsePairedCounters(snmp);
  if (snmpOnly) return out;
  for (const [k, v] of parsePairedCounters(read(join(root, 'proc/net/netstat')) ?? '')) out.set(k, v);
  for (const [k, v] of parseSnmp6(read(join(root, 'proc/net/snmp6')) ?? '')) out.set(k, v);
  return out;
}

export interface IfaceCounters {
  dev: string;
  ifindex: number;
  /** /sys/class/net/DEV/statistics/*: rx_missed_errors, rx_dropped, rx_fifo_errors, ... */
  stats: Record<string, number>;
  /** per-device NAPI settings where the kernel has them (null: absent) */
  napiDeferHardIrqs: number | null;
  groFlushTimeoutNs: number | null;
  threaded: number | null;
  /** has a device directory: a real NIC rather than lo, veth, bridge */
  physical: boolean;
}

function num(path: string): number | null {
  const t = read(path);
  if (t === null) return null;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : null;
}

export function listIfaces(root = '/'): string[] {
  const dir = join(root, 'sys/class/net');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** A device's counters and NAPI settings; with `only`, just those statistics files and no settings (cheap, for series). */
export function readIface(dev: string, root = '/', only?: readonly string[]): IfaceCounters | null {
  const dir = join(root, 'sys/class/net', dev);
  if (!existsSync(dir)) return null;
  const stats: Record<string, number> = {};
  const sdir = join(dir, 'statistics');
  if (existsSync(sdir)) {
    for (const f of only ?? readdirSync(sdir)) {
      const v = num(join(sdir, f));
      if (v !== null) stats[f] = v;
    }
  }
  return {
    dev,
    ifindex: num(join(dir, 'ifindex')) ?? 0,
    stats,
    napiDeferHardIrqs: only ? null : num(join(dir, 'napi_defer_hard_irqs')),
    groFlushTimeoutNs: only ? null : num(join(dir, 'gro_flush_timeout')),
    threaded: only ? null : num(join(dir, 'threaded')),
    physical: existsSync(join(dir, 'device')),
  };
}

/** The receive-path sysctls doctor reasons about (null: absent on this kernel). */
export const SYSCTLS = [
  'net.core.netdev_max_backlog',
  'net.core.netdev_budget',
  'net.core.netdev_budget_usecs',
  'net.core.busy_poll',
  'net.core.busy_read',
  'net.core.rmem_max',
  'net.core.rmem_default',
  'net.core.dev_weight',
] as const;

export function readSysctls(root = '/'): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of SYSCTLS) out[k] = num(join(root, 'proc/sys', ...k.split('.')));
  return out;
}

/** Inode of this process's network namespace ("net:[4026531840]"), 0 when unreadable. */
export function ownNetns(): number {
  try {
    return Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** ifindex -> device name in this network namespace. */
export function ifaceNames(root = '/'): Map<number, string> {
  const m = new Map<number, string>();
  for (const dev of listIfaces(root)) {
    const i = num(join(root, 'sys/class/net', dev, 'ifindex'));
    if (i !== null) m.set(i, dev);
  }
  return m;
}
