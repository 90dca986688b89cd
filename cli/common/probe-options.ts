// Options every live command shares, parsed and checked in one place.
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from './errors.js';
import { cgroupProblem } from '../../src/procfs/cgroup.js';
import type { ProbeOptions } from '../../src/probe/client.js';
import {
  PROBE_DEFAULTS,
  RECORD_PRESETS,
  RECORD_WORDS,
  parseRecords,
  type RecordPreset,
} from '../../src/probe/options.js';

export function positiveInt(name: string, max = 1e9) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
      throw new UsageError(`${name}: '${v}' is not a whole number from 1 to ${max}`);
    return Number(v);
  };
}

/** A whole number from 0 to max (0 has a meaning: off, or the first CPU). */
export function wholeNumber(name: string, max = 1e9) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) > max)
      throw new UsageError(`${name}: '${v}' is not a whole number from 0 to ${max}`);
    return Number(v);
  };
}

/** The longest wait Node's timers support (2^31-1 ms), in seconds. */
export const MAX_TIMER_S = 2_147_483;

export function positiveNumber(name: string, max = MAX_TIMER_S) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name}: '${v}' is not a positive number`);
    if (n > max)
      throw new UsageError(
        `${name}: '${v}' is more than ${max}${max === MAX_TIMER_S ? ' seconds (about 24.8 days, the longest a timer can wait)' : ''}`,
      );
    return n;
  };
}

/** --window-us and --burst-packets (micro-burst detection), with their defaults from src/probe/options.ts. */
export const burstOptionList = (): Option[] => [
  new Option('--window-us <us>', 'micro-burst window in microseconds')
    .default(PROBE_DEFAULTS.windowUs)
    .argParser(positiveInt('--window-us', 1e6)),
  new Option('--burst-packets <n>', 'packets per window that make a micro-burst')
    .default(PROBE_DEFAULTS.burstPackets)
    .argParser(positiveInt('--burst-packets')),
];

/** The options every live command shares; --records defaults to the command's preset. */
export const probeOptionList = (preset: RecordPreset = 'live'): Option[] => [
  new Option('--pid <tgid>', 'epoll probes trace only this process').argParser(positiveInt('--pid', 2 ** 30)),
  new Option('--cgroup <path>', 'epoll probes trace only this cgroup v2 directory'),
  ...burstOptionList(),
  new Option(
    '--ring-bytes <n>',
    `ring buffer size in bytes (power of 2; default ${preset === 'record' ? '16 MiB' : '4 MiB'})`,
  ).argParser(positiveInt('--ring-bytes', 2 ** 30)),
  new Option(
    '--records <kinds>',
    `per-event records to stream: ${RECORD_WORDS.join(',')} (async-softirq: only runs raised by interrupts)`,
  ).default(RECORD_PRESETS[preset].join(',')),
  new Option(
    '--drop-unspecified',
    'also count packet frees without a drop reason (NOT_SPECIFIED: mostly normal frees)',
  ),
];

export interface RawProbeOpts {
  pid?: number;
  cgroup?: string;
  windowUs: number;
  burstPackets: number;
  ringBytes?: number;
  records: string;
  dropUnspecified?: boolean;
}

/** `defaultRingBytes`: the command's ring when --ring-bytes is not given (else the helper's 16 MiB). */
export function toProbeOptions(o: RawProbeOpts, defaultRingBytes?: number): ProbeOptions {
  const cgProblem = o.cgroup !== undefined ? cgroupProblem(o.cgroup) : null;
  if (cgProblem)
    throw new UsageError(`--cgroup: ${cgProblem} (give a cgroup v2 directory, e.g. /sys/fs/cgroup/system.slice)`);
  if (o.pid !== undefined && !existsSync(`/proc/${o.pid}`)) throw new UsageError(`--pid: no process ${o.pid}`);
  if (o.ringBytes !== undefined && (o.ringBytes < 4096 || (o.ringBytes & (o.ringBytes - 1)) !== 0)) {
    throw new UsageError(`--ring-bytes: ${o.ringBytes} is not a power of 2 of at least 4096`);
  }
  const ringBytes = o.ringBytes ?? defaultRingBytes;
  const { records, unknown } = parseRecords(o.records);
  if (unknown !== null) throw new UsageError(`--records: unknown kind '${unknown}' (use ${RECORD_WORDS.join(', ')})`);
  return {
    ...(o.pid !== undefined ? { pid: o.pid } : {}),
    ...(o.cgroup !== undefined ? { cgroup: o.cgroup } : {}),
    ...(ringBytes !== undefined ? { ringBytes } : {}),
    windowUs: o.windowUs,
    burstPackets: o.burstPackets,
    records,
    ...(o.dropUnspecified ? { dropUnspecified: true } : {}),
  };
}

/** Adds the live probe options every probing command shares. */
export function withProbeOptions(c: Command): Command {
  for (const o of probeOptionList()) c.addOption(o);
  return c;
}
