// Worker thread: one condition's passive estimate, off the main thread.
import { parentPort } from 'node:worker_threads';
import { passiveEstimate, type PassiveInput } from './passive.js';

parentPort?.once('message', (input: PassiveInput) => {
  try {
    parentPort?.postMessage({ ok: true, result: passiveEstimate(input) });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
