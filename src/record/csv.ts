// `irqlens export --format csv`: per-interval tables (one row per interval and
// CPU, IRQ, softirq vector, NAPI instance or traced thread), RFC 4180 quoting.
import { writeAllSync } from '../output/write-all.js';
import { closeSync } from 'node:fs';
import { SOFTIRQ_NAMES, VECTORS } from '../stream/layout.js';
import type { Window } from '../reduce/totals.js';
import { openOut } from './open.js';
import { IntervalFolder, type Interval } from '../reduce/intervals.js';
import { eachMessage } from './offline.js';
import type { Recording } from './reader.js';

export const CSV_TABLES = ['cpus', 'irqs', 'softirqs', 'vectors', 'napi', 'threads'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

type Cell = string | number;

function cell(v: Cell): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const HEAD: Record<CsvTable, string[]> = {
  cpus: [
    'hardirq_count',
    'hardirq_per_s',
    'hardirq_pct',
    'vectors_count',
    'vectors_per_s',
    'vectors_pct',
    'softirq_count',
    'softirq_per_s',
    'softirq_pct',
    'net_rx_per_s',
    'net_tx_per_s',
    'idle_pct',
  ],
  irqs: ['irq', 'name', 'count', 'per_s', 'time_ns', 'mean_ns', 'max_ns'],
  softirqs: ['vector', 'count', 'per_s', 'time_ns', 'async_count', 'raised', 'raise_to_run_ns'],
  vectors: ['vector', 'count', 'per_s', 'time_ns', 'max_ns'],
  napi: ['napi_id', 'dev', 'polls', 'packets', 'packets_per_s', 'polls_at_budget', 'bursts'],
  threads: ['tgid', 'tid', 'comm', 'epoll_calls', 'events', 'events_per_s', 'busy_ns', 'wait_ns'],
};

/** The rows one interval contributes to a table (after start_s, end_s, cpu). */
export function tableRows(t: CsvTable, w: Window, ncpus: number): Cell[][] {
  const secs = w.durationNs / 1e9 || 1;
  const pct = (ns: number) => (100 * ns) / (w.durationNs || 1);
  switch (t) {
    case 'cpus':
      return Array.from({ length: ncpus }, (_, cpu) => {
        const sum = (rs: readonly { cpu: number; count: number; timeNs: number }[]): [number, number] => {
          let n = 0;
          let ns = 0;
          for (const r of rs) {
            if (r.cpu !== cpu) continue;
            n += r.count;
            ns += r.timeNs;
          }
          return [n, ns];
        };
        const [hc, ht] = sum(w.hardirq);
        const [vc, vt] = sum(w.vector);
        const [sc, st] = sum(w.softirq);
        const vec = (name: string) =>
          w.softirq.filter((r) => r.cpu === cpu && SOFTIRQ_NAMES[r.vec] === name).reduce((a, r) => a + r.count, 0) /
          secs;
        const ct = w.cpuTime.find((r) => r.cpu === cpu);
        return [
          cpu,
          hc,
          hc / secs,
          pct(ht),
          vc,
          vc / secs,
          pct(vt),
          sc,
          sc / secs,
          pct(st),
          vec('NET_RX'),
          vec('NET_TX'),
          ct ? pct(ct.idleNs + ct.iowaitNs) : '',
        ];
      });
    case 'irqs':
      return w.hardirq.map((r) => [
        r.cpu,
        r.irq,
        w.irqNames.get(r.irq) ?? `irq${r.irq}`,
        r.count,
        r.count / secs,
        r.timeNs,
        r.count ? r.timeNs / r.count : 0,
        r.maxNs,
      ]);
    case 'softirqs':
      return w.softirq.map((r) => [
        r.cpu,
        SOFTIRQ_NAMES[r.vec] ?? `VEC${r.vec}`,
        r.count,
        r.count / secs,
        r.timeNs,
        r.asyncCount,
        r.raised,
        r.raiseLatNs,
      ]);
    case 'vectors':
      return w.vector.map((r) => [
        r.cpu,
        VECTORS[r.vector]?.name ?? `VECTOR${r.vector}`,
        r.count,
        r.count / secs,
        r.timeNs,
        r.maxNs,
      ]);
    case 'napi':
      return w.napi.map((r) => [
        r.cpu,
        r.napiId,
        r.dev,
        r.polls,
        r.packets,
        r.packets / secs,
        r.pollsAtBudget,
        r.bursts,
      ]);
    case 'threads':
      return w.epoll.map((r) => ['', r.tgid, r.tid, r.comm, r.calls, r.events, r.events / secs, r.busyNs, r.waitNs]);
  }
}

/** Writes one table; `minNs` joins snapshot intervals shorter than it. Returns the data rows written. */
export function exportCsv(
  rec: Recording,
  path: string | number,
  t: CsvTable,
  minNs: number,
  onProgress?: (done: number, total: number) => void,
): number {
  const fd = openOut(path);
  let rows = 0;
  let buf: string[] = [];
  const flush = () => {
    if (buf.length) writeAllSync(fd, buf.join(''));
    buf = [];
  };
  try {
    buf.push(['start_s', 'end_s', 'cpu', ...HEAD[t]].join(',') + '\n');
    const folder = new IntervalFolder(rec.hello, { everyNs: minNs });
    let last = 0;
    eachMessage(rec, (m) => {
      const iv: Interval | undefined = folder.add(m);
      if (!iv) return;
      for (const r of tableRows(t, iv.window, rec.hello.ncpus)) {
        buf.push([iv.startS, iv.endS, ...r].map(cell).join(',') + '\n');
        rows++;
      }
      if (buf.length > 10_000) flush();
      if (onProgress && Date.now() - last > 100) {
        last = Date.now();
        onProgress(rec.position, rec.size);
      }
    });
    flush();
  } finally {
    if (typeof path === 'string') closeSync(fd);
  }
  onProgress?.(rec.size, rec.size);
  return rows;
}
