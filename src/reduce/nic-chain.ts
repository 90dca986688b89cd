// Per NIC queue: queue -> IRQ -> CPU -> NAPI instance, with the window's rates.
import type { Window } from './totals.js';
import type { QueueIrq } from '../procfs/nic.js';

export interface QueueChain {
  dev: string;
  ifindex: number;
  queue: string;
  irq: number | null;
  irq_name: string | null;
  irq_affinity: number[];
  /** Where the IRQ fired in this window, per CPU. */
  irq_per_s: Record<string, number>;
  napi: {
    napi_id: number;
    cpu: number;
    packets_per_s: number;
    polls_per_s: number;
    polls_at_budget: number;
    bursts: number;
  }[];
}

export function queueChains(queues: readonly QueueIrq[], w: Window): QueueChain[] {
  const secs = w.durationNs / 1e9 || 1;
  return queues.map((q) => {
    const perCpu: Record<string, number> = {};
    for (const r of w.hardirq) if (q.irq !== null && r.irq === q.irq) perCpu[String(r.cpu)] = r.count / secs;
    // rx queues are polled by their device's NAPI instances on the CPUs their IRQ hit
    const cpus = new Set(Object.keys(perCpu).map(Number));
    const napi = q.queue.startsWith('rx')
      ? w.napi
          .filter((n) => n.ifindex === q.ifindex && (cpus.size === 0 || cpus.has(n.cpu)))
          .map((n) => ({
            napi_id: n.napiId,
            cpu: n.cpu,
            packets_per_s: n.packets / secs,
            polls_per_s: n.polls / secs,
            polls_at_budget: n.pollsAtBudget,
            bursts: n.bursts,
          }))
      : [];
    return {
      dev: q.dev,
      ifindex: q.ifindex,
      queue: q.queue,
      irq: q.irq,
      irq_name: q.irqName,
      irq_affinity: q.affinity,
      irq_per_s: perCpu,
      napi,
    };
  });
}
