// The host facts a recording's header keeps: the NIC and kernel settings that
// decide interrupt behaviour, read once at the start (read-only; nothing is
// changed). Every reader tolerates a missing file: the value is then null.
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { nicQueues, type QueueIrq } from '../procfs/nic.js';
import { parseInterrupts } from '../procfs/interrupts.js';

export interface EthtoolInfo {
  /** `ethtool -g/-c/-l` as key -> value ("pre-set maximums" and "current" sections keep a prefix). */
  ring: Record<string, string> | null;
  coalesce: Record<string, string> | null;
  channels: Record<string, string> | null;
  /** `ethtool -x`: the RSS indirection table and hash key, as printed. */
  rss: string | null;
}

export interface DeviceSettings {
  dev: string;
  ifindex: number;
  driver: string | null;
  mtu: number | null;
  operstate: string | null;
  rxQueues: number;
  txQueues: number;
  napiDeferHardIrqs: string | null;
  groFlushTimeout: string | null;
  threaded: string | null;
  /** RPS CPU mask per rx queue (software steering; "0" = off). */
  rps: Record<string, string>;
  ethtool: EthtoolInfo | null;
}

export interface IrqSettings {
  irq: number;
  name: string;
  affinity: string | null;
  effective: string | null;
}

export interface HostSettings {
  ethtool: { available: boolean; note?: string };
  devices: DeviceSettings[];
  /** net.core sysctls: busy_poll, busy_read, netdev_budget, netdev_budget_usecs, netdev_max_backlog, dev_weight. */
  sysctls: Record<string, string | null>;
  irqs: IrqSettings[];
  /** NIC queue -> IRQ -> CPUs, as the live report reads it (src/procfs/nic.ts). */
  queues: QueueIrq[];
  irqbalance: boolean;
}

export const SYSCTLS = [
  'busy_poll',
  'busy_read',
  'netdev_budget',
  'netdev_budget_usecs',
  'netdev_max_backlog',
  'dev_weight',
];

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function cpuModel(): string {
  const info = read('/proc/cpuinfo') ?? '';
  const m = /^(?:model name|Processor|cpu model|uarch)\s*:\s*(.+)$/m.exec(info);
  return m?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
}

/** IRQ number -> name: the action names (/sys/kernel/irq/N/actions), else the last word of /proc/interrupts. */
export function irqNames(root = '/'): Record<string, string> {
  const out: Record<string, string> = {};
  const rows = parseInterrupts(read(join(root, 'proc/interrupts')) ?? '');
  for (const r of rows.values()) {
    if (!/^\d+$/.test(r.id)) continue;
    const actions = read(join(root, `sys/kernel/irq/${r.id}/actions`));
    out[r.id] = actions || r.desc.split(' ').pop() || `irq${r.id}`;
  }
  return out;
}

/** "key: value" lines; a line ending in ":" starts a section whose keys get its name as prefix. */
export function parseEthtool(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1].trim();
    const value = (m[2] ?? '').trim();
    if (!value) {
      section = /pre-set|maximums/i.test(key) ? 'max ' : /current/i.test(key) ? '' : section;
      continue;
    }
    out[section + key] = value;
  }
  return out;
}

async function ethtool(args: string[]): Promise<string | null> {
  const r = await execa('ethtool', args, { reject: false, timeout: 3000 });
  return r.exitCode === 0 ? r.stdout : null;
}

async function hasEthtool(): Promise<boolean> {
  const r = await execa('sh', ['-c', 'command -v ethtool'], { reject: false, timeout: 3000 });
  return r.exitCode === 0;
}

function queueCount(dev: string, prefix: string, root: string): number {
  try {
    return readdirSync(join(root, 'sys/class/net', dev, 'queues')).filter((q) => q.startsWith(prefix)).length;
  } catch {
    return 0;
  }
}

function driverOf(dir: string): string | null {
  try {
    return basename(readlinkSync(join(dir, 'device', 'driver')));
  } catch {
    return null;
  }
}

/** Everything the header keeps; `root` lets tests point it at a fake sysfs/procfs tree. */
export async function hostSettings(root = '/', useEthtool = true): Promise<HostSettings> {
  const netDir = join(root, 'sys/class/net');
  const available = useEthtool && root === '/' && (await hasEthtool());
  const devices: DeviceSettings[] = [];
  for (const dev of existsSync(netDir) ? readdirSync(netDir).sort() : []) {
    const dir = join(netDir, dev);
    const physical = existsSync(join(dir, 'device'));
    const rps: Record<string, string> = {};
    try {
      for (const q of readdirSync(join(dir, 'queues'))
        .filter((x) => x.startsWith('rx-'))
        .sort())
        rps[q] = read(join(dir, 'queues', q, 'rps_cpus')) ?? '';
    } catch {
      // no queues directory
    }
    let info: EthtoolInfo | null = null;
    if (available && physical) {
      const [g, c, l, x] = await Promise.all([
        ethtool(['-g', dev]),
        ethtool(['-c', dev]),
        ethtool(['-l', dev]),
        ethtool(['-x', dev]),
      ]);
      info = {
        ring: g ? parseEthtool(g) : null,
        coalesce: c ? parseEthtool(c) : null,
        channels: l ? parseEthtool(l) : null,
        rss: x,
      };
    }
    const mtu = read(join(dir, 'mtu'));
    devices.push({
      dev,
      ifindex: Number(read(join(dir, 'ifindex')) ?? 0),
      driver: physical ? driverOf(dir) : null,
      mtu: mtu === null ? null : Number(mtu),
      operstate: read(join(dir, 'operstate')),
      rxQueues: queueCount(dev, 'rx-', root),
      txQueues: queueCount(dev, 'tx-', root),
      napiDeferHardIrqs: read(join(dir, 'napi_defer_hard_irqs')),
      groFlushTimeout: read(join(dir, 'gro_flush_timeout')),
      threaded: read(join(dir, 'threaded')),
      rps,
      ethtool: info,
    });
  }
  const sysctls: Record<string, string | null> = {};
  for (const s of SYSCTLS) sysctls[`net.core.${s}`] = read(join(root, 'proc/sys/net/core', s));
  const irqs: IrqSettings[] = Object.entries(irqNames(root)).map(([irq, name]) => ({
    irq: Number(irq),
    name,
    affinity: read(join(root, `proc/irq/${irq}/smp_affinity_list`)),
    effective: read(join(root, `proc/irq/${irq}/effective_affinity_list`)),
  }));
  return {
    ethtool: available
      ? { available: true }
      : {
          available: false,
          note:
            useEthtool && root === '/'
              ? 'ethtool is not installed: ring sizes, coalescing, channels and RSS were not recorded'
              : 'ethtool not used',
        },
    devices,
    sysctls,
    irqs,
    queues: nicQueues(root),
    irqbalance: root === '/' && isRunning('irqbalance'),
  };
}

function isRunning(comm: string): boolean {
  try {
    for (const d of readdirSync('/proc')) {
      if (/^\d+$/.test(d) && read(`/proc/${d}/comm`) === comm) return true;
    }
  } catch {
    // no /proc
  }
  return false;
}

/** Resolves symlinks in a recording's source path for the slice header (best effort). */
export function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
