// Worker thread: runs the workload estimator off the UI's thread.
import { parentPort } from 'node:worker_threads';
import { estimateWorkloads, type EstimateInput } from './estimate.js';

parentPort?.on('message', (input: EstimateInput) => {
  try {
    parentPort?.postMessage({ ok: true, estimates: estimateWorkloads(input) });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
