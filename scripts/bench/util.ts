// Small shared pieces of the benchmarks: process CPU time, machine facts,
// statistics and plain-text tables. Nothing here asserts on time.
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildDir } from '../../src/probe/paths.js';

export function buildPath(name: string): string {
  return join(buildDir(), name);
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let clkTck = 100;

/** Reads the kernel's clock tick once (utime/stime in /proc are in ticks). */
export async function initClockTicks(): Promise<void> {
  try {
    const r = await execa('getconf', ['CLK_TCK']);
    const v = Number(r.stdout.trim());
    if (v > 0) clkTck = v;
  } catch {
    // keep 100, the value on every Linux this runs on
  }
}

/** utime + stime of a process in seconds, or undefined once it has gone. */
export function procCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // fields after the ")" that closes comm: state is field 3, utime 14, stime 15
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / clkTck;
}

/** CPU time all CPUs spent not idle, in seconds (/proc/stat: user..steal). */
export function systemBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const v = first.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is inside user)
  const busy = [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (v[i] ?? 0), 0);
  return busy / clkTck;
}

/** CPU time of this process's children that have been waited for (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) / clkTck;
}

/** This process's CPU time (all threads) in seconds, microsecond resolution. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface Machine {
  kernel: string;
  cpus: number;
  cpuModel: string;
  node: string;
  date: string;
}

export function machine(): Machine {
  const c = cpus();
  return {
    kernel: release(),
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
  };
}

export function machineLine(m: Machine): string {
  return `kernel ${m.kernel}, ${m.cpus} CPUs (${m.cpuModel}), node ${m.node}, ${m.date}`;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export function minMax(xs: readonly number[]): [number, number] {
  if (!xs.length) return [NaN, NaN];
  return [Math.min(...xs), Math.max(...xs)];
}

/** Thousands separators, fixed decimals. */
export function fmt(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A left-aligned first column, right-aligned numbers. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown version of the same table, for BENCHMARKS.md. */
export function mdTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Busy CPU of the whole machine over `ms` (100 = one CPU): is it quiet? */
export async function backgroundCpuPct(ms = 1000): Promise<number> {
  const b0 = systemBusySeconds();
  const t0 = performance.now();
  await sleep(ms);
  return ((systemBusySeconds() - b0) / ((performance.now() - t0) / 1000)) * 100;
}

/** True when the arguments ask for help (-h / --help). */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** Prints the leading `//` comment of the script at `url` as its --help: one place for the docs. */
export function printHeaderHelp(url: string): void {
  const lines: string[] = [];
  for (const l of readFileSync(fileURLToPath(url), 'utf8').split('\n')) {
    if (!l.startsWith('//')) break;
    lines.push(l.replace(/^\/\/ ?/, ''));
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** The value after `--name` on the command line, if given. */
export function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** An integer option in lo..hi, or the default. */
export function intArg(args: readonly string[], name: string, def: number, lo: number, hi: number): number {
  const v = Number(argValue(args, name) ?? def);
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`${name}: an integer ${lo}..${hi}`);
  return v;
}
