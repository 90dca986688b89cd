// Synthetic frames shaped like a busy 16-CPU host (for load on the page and
// the server only: no figure from here is ever shown as a measurement).
import type { Frame } from '../../src/serve/wire.js';

const SOFT = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

export function synthFrame(seq: number, ncpus = 16, rand: () => number = Math.random): Frame {
  const col = (scale: number) => Float64Array.from({ length: ncpus }, () => rand() * scale);
  const soft: Record<string, Float64Array> = {};
  for (const s of SOFT) soft[s] = col(0.02);
  const irqs = 24;
  const queues = 16;
  const reasons = ['NOT_SPECIFIED', 'NETFILTER_DROP', 'TCP_CSUM', 'SOCKET_RCVBUFF', 'QDISC_DROP'];
  const bins = (n: number) => Float64Array.from({ length: n }, () => Math.floor(rand() * 64));
  return {
    type: 'frame',
    seq,
    tS: seq / 10,
    durS: 0.1,
    ncpus,
    cpu: { hardirq: col(0.05), vector: col(0.02), soft, tasks: col(0.5), idle: col(0.3), irqsPerSec: col(20_000) },
    irq: {
      keys: Array.from({ length: irqs }, (_v, i) => `irq:${i + 30}`),
      names: Array.from({ length: irqs }, (_v, i) => `mlx5_comp${i}@pci:0000:3b:00.0`),
      perSec: Float64Array.from({ length: irqs }, () => rand() * 50_000),
    },
    nic: {
      keys: Array.from({ length: queues }, (_v, i) => `eth0/rx-${i}`),
      labels: Array.from({ length: queues }, (_v, i) => `eth0/rx-${i} cpu${i}`),
      pktPerSec: Float64Array.from({ length: queues }, () => rand() * 1e6),
    },
    drops: { available: true, reasons, perSec: Float64Array.from(reasons, () => rand() * 100) },
    bursts: [0, 1].map((k) => ({
      cpu: k,
      napiId: 8192 + k,
      dev: 'eth0',
      startS: seq / 10 - 0.05,
      endS: seq / 10 - 0.04,
      packets: 3000,
      peakWindowPackets: 300,
      binStartS: seq / 10 - 0.051,
      binUs: 100,
      bins: bins(120),
    })),
    napiRecords: true,
    napiCovered: true,
    workloads: {
      state: 'ready',
      detail: 'synthetic',
      estimates: [1, 2, 3].map((i) => ({
        tgid: 1000 + i,
        comm: `srv${i}`,
        periods: 5000,
        disruptedPeriods: 300,
        tax: { value: 0.05, lo: 0.03, hi: 0.07, bound: false },
        gain: { value: 0.04, lo: 0.02, hi: 0.06, bound: false },
        taxLowerBound: false,
        notEnoughData: null,
      })),
    },
    tool: { eventsPerSec: 500_000, bpfFrac: 0.02, lost: 0, lostTotal: 0, recordsPerSec: 10_000 },
  };
}
