// Runs estimates in one worker thread, one at a time, so a slow estimate
// costs CPU on another core but never blocks keys or redraws.
import { Worker } from 'node:worker_threads';
import type { WorkloadEstimate } from '../derive/workloads.js';
import type { EstimateInput } from './estimate.js';
import { hitBuffers } from '../reduce/hit-log.js';

type Reply = { ok: true; estimates: WorkloadEstimate[] } | { ok: false; message: string };

export type EstimateFn = (input: EstimateInput) => Promise<WorkloadEstimate[]>;

export class EstimateRunner {
  private worker: Worker | null = null;

  readonly run: EstimateFn = (input) => {
    const w = (this.worker ??= new Worker(new URL('./estimate-worker.js', import.meta.url)));
    // an idle worker must not keep the process alive
    w.unref();
    return new Promise((resolve, reject) => {
      const onMessage = (r: Reply) => {
        w.off('error', onError);
        if (r.ok) resolve(r.estimates);
        else reject(new Error(r.message));
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        this.worker = null;
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      // the hit columns move to the worker: the caller made them for this estimate
      w.postMessage(input, hitBuffers(input.hits));
    });
  };

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
