// The passive estimate of one condition's phases: the report's attribution
// estimator over the busy periods and interrupts that fell in them. It takes
// tens of seconds on a long run, so it runs in a worker thread
// (passive-worker.ts): the main thread stays free for Ctrl-C and progress.
import { Worker } from 'node:worker_threads';
import type { BusyPeriod, Interval, IrqHit } from '../attribution/types.js';
import { PeriodCollector } from '../reduce/periods.js';
import type { Window } from '../reduce/totals.js';
import { buildReport } from '../report/cost-report.js';

export interface PassiveInput {
  window: Window;
  periods: BusyPeriod[];
  hits: IrqHit[];
  comms: [number, string][];
  stealKnown: boolean;
  fromNs: number;
  toNs: number;
}

export interface PassiveEstimate {
  tax: Interval | null;
  gain: Interval | null;
  note: string | null;
  lower_bound: boolean;
}

/** The estimate for the workload that served the most events. */
export function passiveEstimate(input: PassiveInput): PassiveEstimate {
  const col = PeriodCollector.of(input);
  const report = buildReport([
    { window: input.window, collector: col, fromNs: input.fromNs, toNs: input.toNs, warnings: [] },
  ]);
  const w = report.workloads.reduce<(typeof report.workloads)[number] | undefined>(
    (best, x) => (!best || x.events > best.events ? x : best),
    undefined,
  );
  if (!w) return { tax: null, gain: null, note: 'no busy periods', lower_bound: false };
  return {
    tax: w.tax ?? null,
    gain: w.throughput_gain ?? null,
    note: w.not_enough_data ?? null,
    lower_bound: w.tax_lower_bound,
  };
}

type Reply = { ok: true; estimate: PassiveEstimate } | { ok: false; message: string };

/** passiveEstimate in a worker thread of its own, ended when it answers. */
export function passiveInWorker(input: PassiveInput): Promise<PassiveEstimate> {
  const w = new Worker(new URL('./passive-worker.js', import.meta.url));
  return new Promise<PassiveEstimate>((resolve, reject) => {
    w.once('message', (r: Reply) => {
      if (r.ok) resolve(r.estimate);
      else reject(new Error(r.message));
    });
    w.once('error', reject);
    w.postMessage(input);
  }).finally(() => {
    void w.terminate();
  });
}
