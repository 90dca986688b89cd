// The conditions an experiment alternates, and putting everything back: a load
// started and stopped per phase (in a cgroup of its own, so all of it stops),
// the workload pinned under or away from an IRQ's CPUs, sysctl and sysfs
// values, NIC interrupt coalescing (ethtool -C) and per-NAPI settings
// (netlink, through the helper) set for B and restored for A. A restorer
// process holds the original values and the load's cgroup and restores them
// when our pipe to it closes, so even kill -9 of irqlens leaves the machine
// as it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { makeCgroup, removeCgroup } from '../cost/command.js';
import { onOurExit, type Reaper } from '../cost/reaper.js';
import { errnoText } from '../output/errno.js';
import { parseInterrupts } from '../procfs/interrupts.js';
import { applyNapi, describeNapi, napiRestoreCommands, prepareNapi, type NapiSetting } from './napi.js';
import { applyCoalesce, coalesceArgs, describeCoalesce, prepareCoalesce, type CoalesceSetting } from './coalesce.js';
import type { Condition } from './stats.js';

export interface SwitchSpec {
  /** A command that runs during B phases only (e.g. a disk load). */
  load?: string;
  /** B: the workload on the CPUs that take this IRQ (a name in /proc/interrupts); A: on the others. */
  pinUnder?: string;
  /** KEY=VALUE: B sets VALUE, A restores the value found at the start. */
  sysctl?: readonly string[];
  /** PATH=VALUE under /sys: likewise. */
  sysfs?: readonly string[];
  /** DEV:PARAM=VALUE: B sets the NIC's interrupt coalescing with ethtool -C, A restores what ethtool -c showed. */
  coalesce?: readonly string[];
  /** DEV:KEY=VALUE: B sets it on every NAPI instance of DEV (irq-suspend-timeout, ...), A restores each one's. */
  napi?: readonly string[];
}

interface Setting {
  path: string;
  value: string;
  original: string;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function parseSetting(kind: 'sysctl' | 'sysfs', spec: string): Setting {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--${kind}: '${spec}' is not ${kind === 'sysctl' ? 'KEY=VALUE' : 'PATH=VALUE'}`);
  const key = spec.slice(0, eq).trim();
  const value = spec.slice(eq + 1).trim();
  const path = kind === 'sysctl' ? `/proc/sys/${key.replace(/\./g, '/')}` : key;
  if (kind === 'sysfs' && !path.startsWith('/sys/')) throw new UsageError(`--sysfs: ${path} is not under /sys`);
  if (!existsSync(path)) throw new UsageError(`--${kind}: ${key} does not exist on this kernel (${path})`);
  let original: string;
  try {
    original = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--${kind}: cannot read ${path}: ${errnoText(e)}`);
  }
  return { path, value, original };
}

/** CPUs that took most of the named IRQ so far (from /proc/interrupts), and the others. */
export function irqCpus(
  name: string,
  text = readFileSync('/proc/interrupts', 'utf8'),
): { under: number[]; away: number[] } | null {
  for (const row of parseInterrupts(text).values()) {
    if (!row.desc.split(' ').includes(name)) continue;
    const total = row.perCpu.reduce((a, b) => a + b, 0);
    const under = row.perCpu.flatMap((c, i) => (total > 0 && c >= 0.1 * total ? [i] : []));
    const away = row.perCpu.flatMap((_c, i) => (under.includes(i) ? [] : [i]));
    if (!under.length || !away.length) return null;
    return { under, away };
  }
  return null;
}

export class Switches {
  private loadCg: string | undefined;
  private loadProc: ChildProcess | null = null;
  private restorer: Reaper | null = null;
  private current: Condition | null = null;

  private constructor(
    private readonly spec: SwitchSpec,
    private readonly settings: Setting[],
    private readonly pin: { under: number[]; away: number[] } | null,
    private readonly coalesce: CoalesceSetting[],
    private readonly napi: NapiSetting[],
    private readonly pids: () => number[],
  ) {}

  /** Checks every switch and reads the originals; nothing is changed yet. */
  static prepare(spec: SwitchSpec, pids: () => number[]): Switches {
    const settings = [
      ...(spec.sysctl ?? []).map((s) => parseSetting('sysctl', s)),
      ...(spec.sysfs ?? []).map((s) => parseSetting('sysfs', s)),
    ];
    let pin: { under: number[]; away: number[] } | null = null;
    if (spec.pinUnder !== undefined) {
      pin = irqCpus(spec.pinUnder);
      if (!pin)
        throw new UsageError(
          `--pin-under: no IRQ named '${spec.pinUnder}' that lands on some CPUs but not all (see /proc/interrupts)`,
        );
    }
    const coalesce = prepareCoalesce(spec.coalesce ?? []);
    const napi = prepareNapi(spec.napi ?? []);
    if (!spec.load && !pin && !settings.length && !coalesce.length && !napi.length)
      throw new UsageError(
        'give what B changes: --load CMD, --pin-under IRQ, --sysctl KEY=VALUE, --sysfs PATH=VALUE, --coalesce DEV:PARAM=VALUE or --napi DEV:KEY=VALUE',
      );
    return new Switches(spec, settings, pin, coalesce, napi, pids);
  }

  /** What B is, in words (for the report). */
  describe(): string[] {
    const out: string[] = [];
    if (this.spec.load) out.push(`load running: ${this.spec.load}`);
    if (this.pin)
      out.push(
        `workload pinned to CPU ${this.pin.under.join(',')} (under ${this.spec.pinUnder ?? ''}; A: CPU ${this.pin.away.join(',')})`,
      );
    for (const s of this.settings) out.push(`${s.path} = ${s.value} (A: ${s.original})`);
    for (const c of this.coalesce) out.push(describeCoalesce(c));
    for (const n of this.napi) out.push(describeNapi(n));
    return out;
  }

  /** Starts the restorer (before any change), so that no exit path can leave a change behind. */
  arm(): void {
    if (this.spec.load) this.loadCg = makeCgroup('exp-load');
    const lines: string[] = [];
    if (this.loadCg) {
      const cg = shq(this.loadCg);
      lines.push(`[ -e ${cg}/cgroup.kill ] && echo 1 > ${cg}/cgroup.kill`, 'sleep 0.3', `rmdir ${cg} 2>/dev/null`);
    }
    for (const s of this.settings) lines.push(`printf '%s\\n' ${shq(s.original)} > ${shq(s.path)}`);
    for (const c of this.coalesce) lines.push(['ethtool', ...coalesceArgs(c, 'A')].map(shq).join(' '));
    for (const n of this.napi) for (const cmd of napiRestoreCommands(n)) lines.push(cmd.map(shq).join(' '));
    this.restorer = onOurExit(lines.join('\n'));
  }

  async set(c: Condition): Promise<void> {
    if (this.current === c) return;
    this.current = c;
    for (const s of this.settings) {
      try {
        writeFileSync(s.path, c === 'B' ? s.value : s.original);
      } catch (e) {
        throw new UsageError(`cannot set ${s.path} to '${c === 'B' ? s.value : s.original}': ${errnoText(e)}`);
      }
    }
    for (const co of this.coalesce) applyCoalesce(co, c);
    for (const n of this.napi) applyNapi(n, c);
    if (this.pin) {
      const cpus = (c === 'B' ? this.pin.under : this.pin.away).join(',');
      for (const pid of this.pids()) await execa('taskset', ['-a', '-p', '-c', cpus, String(pid)], { reject: false });
    }
    if (this.spec.load) {
      if (c === 'B') this.startLoad(this.spec.load);
      else await this.stopLoad();
    }
  }

  private startLoad(cmd: string): void {
    const args = this.loadCg
      ? ['-c', 'echo $$ > "$1/cgroup.procs" && exec sh -c "$2"', 'sh', this.loadCg, cmd]
      : ['-c', cmd];
    this.loadProc = spawn('sh', args, { stdio: 'ignore', detached: true });
    this.loadProc.on('error', () => undefined);
  }

  private async stopLoad(): Promise<void> {
    const p = this.loadProc;
    this.loadProc = null;
    if (this.loadCg && existsSync(`${this.loadCg}/cgroup.kill`)) {
      try {
        writeFileSync(`${this.loadCg}/cgroup.kill`, '1');
      } catch {
        // empty already
      }
    } else if (p?.pid !== undefined) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (p && p.exitCode === null && p.signalCode === null) await new Promise((r) => p.once('exit', r));
  }

  /** Back to how the machine was: A's values, the load stopped and its cgroup removed, the restorer released. */
  async restore(): Promise<void> {
    // what fails here is left to the restorer, which runs its script when we exit
    let failed = false;
    for (const s of this.settings) {
      try {
        writeFileSync(s.path, s.original);
      } catch {
        failed = true;
      }
    }
    for (const c of this.coalesce) {
      try {
        applyCoalesce(c, 'A');
      } catch {
        failed = true;
      }
    }
    for (const n of this.napi) {
      try {
        applyNapi(n, 'A');
      } catch {
        failed = true;
      }
    }
    await this.stopLoad();
    if (this.loadCg) await removeCgroup(this.loadCg);
    if (!failed) this.restorer?.release();
    this.restorer = null;
  }
}
