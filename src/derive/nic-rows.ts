// NIC queues and NAPI instances over one interval: queue -> IRQ -> CPU ->
// NAPI instance, plus NAPI instances no queue claims (loopback's backlog).
import type { Window } from '../reduce/totals.js';
import { queueChains } from '../reduce/nic-chain.js';

/** A NIC queue and its IRQ, as the caller read them (the UI itself never reads sysfs or procfs). */
export type NicQueue = Parameters<typeof queueChains>[0][number];

export interface NicRow {
  key: string;
  napiId: number | null;
  dev: string;
  queue: string | null;
  irq: number | null;
  irqName: string | null;
  cpu: number | null;
  irqsPerSec: number;
  pktPerSec: number;
  pollsPerSec: number;
  /** Polls that used the whole budget (more work was waiting). */
  atBudget: number;
  bursts: number;
}

export function nicRows(w: Window, queues: readonly NicQueue[]): NicRow[] {
  const secs = w.durationNs / 1e9 || 1;
  const rows: NicRow[] = [];
  const claimed = new Set<string>();
  const napiKey = (id: number, ifindex: number, cpu: number) => `${id}:${ifindex}:${cpu}`;
  for (const c of queueChains(queues, w)) {
    const irqsPerSec = Object.values(c.irq_per_s).reduce((a, b) => a + b, 0);
    const base = { dev: c.dev, queue: c.queue, irq: c.irq, irqName: c.irq_name };
    // a NAPI instance is counted under the first queue that claims it, never twice
    const napi = c.napi.filter((n) => !claimed.has(napiKey(n.napi_id, c.ifindex, n.cpu)));
    if (!napi.length) {
      const cpus = Object.keys(c.irq_per_s).map(Number);
      rows.push({
        ...base,
        key: `${c.dev}/${c.queue}`,
        napiId: null,
        cpu: cpus.length === 1 ? (cpus[0] ?? null) : null,
        irqsPerSec,
        pktPerSec: 0,
        pollsPerSec: 0,
        atBudget: 0,
        bursts: 0,
      });
      continue;
    }
    for (const n of napi) {
      claimed.add(napiKey(n.napi_id, c.ifindex, n.cpu));
      rows.push({
        ...base,
        key: `${c.dev}/${c.queue}/${n.napi_id}/${n.cpu}`,
        napiId: n.napi_id,
        cpu: n.cpu,
        irqsPerSec: c.irq_per_s[String(n.cpu)] ?? 0,
        pktPerSec: n.packets_per_s,
        pollsPerSec: n.polls_per_s,
        atBudget: n.polls_at_budget,
        bursts: n.bursts,
      });
    }
  }
  for (const n of w.napi) {
    if (claimed.has(napiKey(n.napiId, n.ifindex, n.cpu))) continue;
    rows.push({
      key: `napi/${n.napiId}/${n.ifindex}/${n.cpu}`,
      napiId: n.napiId,
      dev: n.dev,
      queue: null,
      irq: null,
      irqName: null,
      cpu: n.cpu,
      irqsPerSec: 0,
      pktPerSec: n.packets / secs,
      pollsPerSec: n.polls / secs,
      atBudget: n.pollsAtBudget,
      bursts: n.bursts,
    });
  }
  return rows;
}
