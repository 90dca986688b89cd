// The header a new recording starts with: the hello's facts plus what the
// host looked like (src/record/settings.ts) and how the helper was asked to run.
import { hostname, release } from 'node:os';
import type { Hello } from '../stream/types.js';
import { FORMAT_VERSION, type RecordingHeader } from './format.js';
import { cpuModel, irqNames, type HostSettings } from './settings.js';

export const TOOL = 'irqlens 0.1.0';

export function makeHeader(o: {
  hello?: Hello;
  options: RecordingHeader['options'];
  settings: HostSettings | null;
  irqNames?: Record<string, string>;
  created?: Date;
}): RecordingHeader {
  return {
    format: 'irqlens.recording',
    version: FORMAT_VERSION,
    created: (o.created ?? new Date()).toISOString(),
    tool: TOOL,
    host: o.hello?.host ?? hostname(),
    kernel: o.hello?.kernel ?? release(),
    cpu: { model: cpuModel(), count: o.hello?.ncpus ?? 0 },
    pmu: o.hello?.pmu ?? false,
    options: o.options,
    irqNames: o.irqNames ?? irqNames(),
    settings: o.settings,
  };
}
