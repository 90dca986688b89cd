// The interrupt-coalescing switch of an experiment: `DEV:PARAM=VALUE` values
// that B sets with `ethtool -C` and A keeps at what `ethtool -c` showed at the
// start. Parsing is pure; reading and setting run ethtool.
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { runTool, type ToolResult } from './tool.js';

/** One device's coalescing values for B, with A's (the originals). */
export interface CoalesceSetting {
  dev: string;
  /** ethtool -C parameter names in the order given, B's values and A's. */
  params: string[];
  b: Record<string, string>;
  a: Record<string, string>;
}

const SPEC = /^([^:\s/]+):([a-z][a-z0-9-]*)=(\S+)$/;

/** `DEV:PARAM=VALUE` -> its parts; a UsageError naming the expected form otherwise. */
export function parseCoalesceSpec(spec: string): { dev: string; param: string; value: string } {
  const m = SPEC.exec(spec.trim());
  if (!m?.[1] || !m[2] || !m[3])
    throw new UsageError(`--coalesce: '${spec}' is not DEV:PARAM=VALUE (e.g. eth0:rx-usecs=50, eth0:adaptive-rx=off)`);
  return { dev: m[1], param: m[2], value: m[3] };
}

/**
 * The parameters `ethtool -c` prints, by their `ethtool -C` names: "rx-usecs: 0" lines as they are,
 * "Adaptive RX: off  TX: n/a" as adaptive-rx/adaptive-tx and "CQE mode RX: n/a  TX: n/a" as
 * cqe-mode-rx/cqe-mode-tx. "n/a" means the driver does not have the parameter.
 */
export function parseEthtoolCoalesce(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const pair = /^(Adaptive|CQE mode) RX:\s*(\S+)\s+TX:\s*(\S+)$/.exec(line);
    if (pair?.[1] && pair[2] && pair[3]) {
      const base = pair[1] === 'Adaptive' ? 'adaptive' : 'cqe-mode';
      out.set(`${base}-rx`, pair[2]);
      out.set(`${base}-tx`, pair[3]);
      continue;
    }
    const kv = /^([a-z][a-z0-9-]*):\s*(\S+)$/.exec(line);
    if (kv?.[1] && kv[2]) out.set(kv[1], kv[2]);
  }
  return out;
}

const ethtool = (args: string[]): ToolResult =>
  runTool('ethtool', args, '--coalesce needs ethtool: apt-get install ethtool');

/** Checks the specs against the devices' current coalescing values (read once per device); changes nothing. */
export function prepareCoalesce(specs: readonly string[]): CoalesceSetting[] {
  const byDev = new Map<string, CoalesceSetting>();
  const current = new Map<string, Map<string, string>>();
  for (const s of specs) {
    const { dev, param, value } = parseCoalesceSpec(s);
    let now = current.get(dev);
    if (!now) {
      if (!existsSync(`/sys/class/net/${dev}`))
        throw new UsageError(`--coalesce: no network interface '${dev}' here (see ip link)`);
      const r = ethtool(['-c', dev]);
      if (!r.ok)
        throw new UsageError(
          `--coalesce: ${dev} does not report interrupt coalescing (ethtool -c ${dev}: ${r.err || 'failed'})`,
        );
      now = parseEthtoolCoalesce(r.out);
      current.set(dev, now);
    }
    const orig = now.get(param);
    if (orig === undefined)
      throw new UsageError(
        `--coalesce: ${dev} has no coalescing parameter '${param}' (ethtool -c ${dev} lists: ${[...now.keys()].join(', ')})`,
      );
    if (orig === 'n/a')
      throw new UsageError(`--coalesce: ${dev}'s driver does not have ${param} (ethtool -c shows n/a)`);
    const set = byDev.get(dev) ?? { dev, params: [], b: {}, a: {} };
    byDev.set(dev, set);
    if (param in set.b) throw new UsageError(`--coalesce: ${dev}:${param} is given twice`);
    set.params.push(param);
    set.b[param] = value;
    set.a[param] = orig;
  }
  return [...byDev.values()];
}

/** The `ethtool -C` arguments that put `c`'s values for condition B or A on its device. */
export function coalesceArgs(c: CoalesceSetting, cond: 'A' | 'B'): string[] {
  const v = cond === 'B' ? c.b : c.a;
  return ['-C', c.dev, ...c.params.flatMap((p) => [p, v[p] ?? ''])];
}

/** Puts B's or A's values on the device; a UsageError with ethtool's reason when the driver refuses. */
export function applyCoalesce(c: CoalesceSetting, cond: 'A' | 'B'): void {
  const args = coalesceArgs(c, cond);
  const r = ethtool(args);
  if (!r.ok) throw new UsageError(`cannot set ${c.dev}'s coalescing (ethtool ${args.join(' ')}): ${r.err || 'failed'}`);
}

/** In words, for the report: "eth0 coalescing: rx-usecs 50 (A: 0)". */
export const describeCoalesce = (c: CoalesceSetting): string =>
  `${c.dev} coalescing: ${c.params.map((p) => `${p} ${c.b[p] ?? ''} (A: ${c.a[p] ?? ''})`).join(', ')}`;
