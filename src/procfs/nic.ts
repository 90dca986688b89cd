// The chain per NIC queue: device -> rx/tx queue -> IRQ -> CPUs it may land on,
// from sysfs and procfs (read-only). NAPI instances are joined by ifindex and
// CPU from the stream. (netdev netlink napi-get would give the exact
// queue<->napi_id pairs; not used yet.)
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseInterrupts } from './interrupts.js';

export interface QueueIrq {
  dev: string;
  ifindex: number;
  queue: string; // "rx-0", "tx-0"
  irq: number | null;
  irqName: string | null;
  /** CPUs the IRQ may be delivered to (smp_affinity_list) and where it is now (effective). */
  affinity: number[];
  effective: number[];
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function parseCpuList(s: string | null): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

/** IRQ names a driver gives queue N: "<dev>-rx-N", "<dev>-TxRx-N", virtio "virtioK-input.N". */
export function queueIrqPatterns(dev: string, bus: string | null, queue: string): RegExp[] {
  const [dir, n] = queue.split('-');
  const pats = [new RegExp(`^${dev}-(${dir}|TxRx|txrx|combined)-${n}$`, 'i')];
  if (bus?.startsWith('virtio')) pats.push(new RegExp(`^${bus}-${dir === 'rx' ? 'input' : 'output'}\\.${n}$`));
  return pats;
}

export function nicQueues(root = '/'): QueueIrq[] {
  const netDir = join(root, 'sys/class/net');
  if (!existsSync(netDir)) return [];
  const interrupts = parseInterrupts(read(join(root, 'proc/interrupts')) ?? '');
  const names = [...interrupts.values()]
    .filter((r) => /^\d+$/.test(r.id))
    .map((r) => ({ irq: Number(r.id), name: r.desc.split(' ').pop() ?? '' }));
  const out: QueueIrq[] = [];
  for (const dev of readdirSync(netDir).sort()) {
    const qdir = join(netDir, dev, 'queues');
    if (!existsSync(join(netDir, dev, 'device')) || !existsSync(qdir)) continue; // virtual devices have no IRQs
    let bus: string | null = null;
    try {
      bus = basename(realpathSync(join(netDir, dev, 'device')));
    } catch {
      bus = null;
    }
    const ifindex = Number(read(join(netDir, dev, 'ifindex')) ?? 0);
    for (const queue of readdirSync(qdir).sort()) {
      const pats = queueIrqPatterns(dev, bus, queue);
      const hit = names.find((n) => pats.some((p) => p.test(n.name)));
      out.push({
        dev,
        ifindex,
        queue,
        irq: hit?.irq ?? null,
        irqName: hit?.name ?? null,
        affinity: hit ? parseCpuList(read(join(root, `proc/irq/${hit.irq}/smp_affinity_list`))) : [],
        effective: hit ? parseCpuList(read(join(root, `proc/irq/${hit.irq}/effective_affinity_list`))) : [],
      });
    }
  }
  return out;
}
