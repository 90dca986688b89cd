// The per-NAPI switch of an experiment: `DEV:KEY=VALUE` settings that B puts
// on every NAPI instance of a device over netlink (the helper's `napi set`)
// and A keeps at what `napi list` showed at the start. irq-suspend-timeout
// (Linux 6.13, the IRQ suspension of the paper) has no sysfs file; the
// per-device sysfs files of the other two are only defaults for new instances.
import { UsageError } from '../errors.js';
import { runTool, type ToolResult } from './tool.js';
import { helperPath, missingBinary } from '../probe/paths.js';

export const NAPI_KEYS = ['defer-hard-irqs', 'gro-flush-timeout', 'irq-suspend-timeout'] as const;
export type NapiKey = (typeof NAPI_KEYS)[number];

/** One NAPI instance: its id and its settings ('n/a' where the kernel does not report one). */
export interface NapiInstance {
  id: number;
  values: Partial<Record<NapiKey, string>>;
}

/** One device's settings for B, and per instance A's (the originals). */
export interface NapiSetting {
  dev: string;
  keys: NapiKey[];
  b: Partial<Record<NapiKey, string>>;
  instances: NapiInstance[];
}

const isKey = (k: string): k is NapiKey => (NAPI_KEYS as readonly string[]).includes(k);

/** `DEV:KEY=VALUE` -> its parts; a UsageError naming the form and the keys otherwise. */
export function parseNapiSpec(spec: string): { dev: string; key: NapiKey; value: string } {
  const m = /^([^:\s/]+):([a-z-]+)=(\d+)$/.exec(spec.trim());
  const key = m?.[2];
  if (!m?.[1] || !m[3] || key === undefined || !isKey(key))
    throw new UsageError(
      `--napi: '${spec}' is not DEV:KEY=NUMBER with KEY ${NAPI_KEYS.join(', ')} (e.g. eth0:irq-suspend-timeout=20000000)`,
    );
  return { dev: m[1], key, value: m[3] };
}

/** `napi id=8193 irq=36 defer-hard-irqs=0 ...` lines (the helper's `napi list`) -> instances. */
export function parseNapiList(text: string): NapiInstance[] {
  const out: NapiInstance[] = [];
  for (const line of text.split('\n')) {
    const id = /^napi id=(\d+)/.exec(line)?.[1];
    if (id === undefined) continue;
    const values: Partial<Record<NapiKey, string>> = {};
    for (const m of line.matchAll(/ ([a-z-]+)=(\S+)/g)) {
      const k = m[1];
      if (k !== undefined && isKey(k) && m[2] !== undefined) values[k] = m[2];
    }
    out.push({ id: Number(id), values });
  }
  return out;
}

function helper(args: string[]): ToolResult {
  const bin = helperPath();
  const r = runTool(bin, args, missingBinary(bin, 'the helper'));
  return { ...r, err: r.err.replace(/^irqlens-helper napi: /, '') };
}

/** Checks the specs against each device's NAPI instances (listed once per device); changes nothing. */
export function prepareNapi(specs: readonly string[]): NapiSetting[] {
  const byDev = new Map<string, NapiSetting>();
  for (const s of specs) {
    const { dev, key, value } = parseNapiSpec(s);
    let set = byDev.get(dev);
    if (!set) {
      const r = helper(['napi', 'list', dev]);
      if (!r.ok) throw new UsageError(`--napi: ${r.err || `listing ${dev}'s NAPI instances failed`}`);
      const instances = parseNapiList(r.out);
      if (!instances.length)
        throw new UsageError(`--napi: ${dev} has no NAPI instances now (a device that is down, or polls without NAPI)`);
      set = { dev, keys: [], b: {}, instances };
      byDev.set(dev, set);
    }
    if (set.instances.some((i) => (i.values[key] ?? 'n/a') === 'n/a'))
      throw new UsageError(
        `--napi: this kernel does not have ${key} per NAPI instance${key === 'irq-suspend-timeout' ? ' (Linux 6.13 or later)' : ''}`,
      );
    if (key in set.b) throw new UsageError(`--napi: ${dev}:${key} is given twice`);
    set.keys.push(key);
    set.b[key] = value;
  }
  return [...byDev.values()];
}

/** The helper's arguments that put B's or A's values on each of the device's instances. */
export function napiArgs(n: NapiSetting, cond: 'A' | 'B'): string[][] {
  return n.instances.map((i) => [
    'napi',
    'set',
    String(i.id),
    ...n.keys.map((k) => `${k}=${(cond === 'B' ? n.b[k] : i.values[k]) ?? ''}`),
  ]);
}

/** Puts B's or A's values on every instance; a UsageError with the kernel's reason when it refuses. */
export function applyNapi(n: NapiSetting, cond: 'A' | 'B'): void {
  for (const args of napiArgs(n, cond)) {
    const r = helper(args);
    if (!r.ok) throw new UsageError(`cannot set ${n.dev}'s NAPI (${args.slice(2).join(' ')}): ${r.err || 'failed'}`);
  }
}

/** The restorer's shell lines: A's values back on every instance. */
export const napiRestoreCommands = (n: NapiSetting): string[][] =>
  napiArgs(n, 'A').map((args) => [helperPath(), ...args]);

/** In words, for the report: "eth0 NAPI (2 instances): irq-suspend-timeout 20000000 (A: 0)". */
export function describeNapi(n: NapiSetting): string {
  const a = (k: NapiKey) => [...new Set(n.instances.map((i) => i.values[k] ?? '?'))].join('/');
  const count = `${n.instances.length} instance${n.instances.length === 1 ? '' : 's'}`;
  return `${n.dev} NAPI (${count}): ${n.keys.map((k) => `${k} ${n.b[k] ?? ''} (A: ${a(k)})`).join(', ')}`;
}
