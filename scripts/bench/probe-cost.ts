// Benchmark: BPF cost per event of irqlens's programs against libbpf-tools
// (hardirqs + softirqs) and an equivalent bpftrace script, on the same load.
//
// Cost is the kernel's own accounting (bpf_stats: run_cnt / run_time_ns per
// program), enabled only while a measurement window is open:
//   irqlens       the helper's "stats on"/"stats off" commands, read from
//                 PROGSTAT snapshot tables (prog index -> hello.progs)
//   peers         kernel.bpf_stats_enabled=1, read with `bpftool prog show
//                 --json`; a tool's programs are the prog_ids its fds hold
//                 (/proc/<pid>/fdinfo), because this bpftool fills no `pids`
// Load (identical fixed work per run): `dd if=/dev/zero of=<tmp> bs=4k
// count=N oflag=direct conv=notrunc` (virtio-blk interrupts) while tcp-blast,
// pinned to CPU 0, ping-pongs 64-byte messages over 127.0.0.1 (NET_RX softirqs).
// Runs are interleaved round by round (order rotated each round).
//
//   node dist/scripts/bench/probe-cost.js [--rounds R] [--dd-blocks N] [--tcp-bytes B] [--json]
//
// Examples:
//   node dist/scripts/bench/probe-cost.js
//   node dist/scripts/bench/probe-cost.js --rounds 3 --dd-blocks 10000 --json
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { onInterrupt } from './cleanup.js';
import {
  argValue,
  buildPath,
  fmt,
  initClockTicks,
  isMain,
  log,
  machine,
  type Machine,
  machineLine,
  median,
  minMax,
  printHeaderHelp,
  procCpuSeconds,
  reapedChildrenCpuSeconds,
  selfCpuSeconds,
  sleep,
  systemBusySeconds,
  table,
  wantsHelp,
} from './util.js';

export type Tool = 'irqlens' | 'libbpf-tools' | 'bpftrace';
export const TOOLS: readonly Tool[] = ['irqlens', 'libbpf-tools', 'bpftrace'];

/** What a program does, whoever wrote it. */
export type Role = 'hi_entry' | 'hi_exit' | 'si_raise' | 'si_entry' | 'si_exit' | 'other';

export interface ProgDelta {
  name: string;
  role: Role;
  runCnt: number;
  runTimeNs: number;
}

export interface Run {
  tool: Tool;
  round: number;
  loadSeconds: number;
  /** Busy CPU during the load not spent by the load, the tools or this process (100 = one CPU). */
  otherCpuPct: number;
  progs: ProgDelta[];
}

export interface PairStat {
  /** ns per event, one value per round */
  perRound: number[];
  events: number[];
}

export interface CostResult {
  machine: Machine;
  command: string;
  rounds: number;
  load: string;
  runs: Run[];
}

export const BPFTRACE_SCRIPT = `
tracepoint:irq:irq_handler_entry { @hstart[cpu] = nsecs; }
tracepoint:irq:irq_handler_exit /@hstart[cpu]/ {
  $d = nsecs - @hstart[cpu]; delete(@hstart[cpu]);
  @hirq[args->irq] = stats($d); @hirq_hist[args->irq] = hist($d);
}
tracepoint:irq:softirq_entry { @sstart[cpu, args->vec] = nsecs; }
tracepoint:irq:softirq_exit /@sstart[cpu, args->vec]/ {
  $d = nsecs - @sstart[cpu, args->vec]; delete(@sstart[cpu, args->vec]);
  @sirq[args->vec] = stats($d); @sirq_hist[args->vec] = hist($d);
}
`;

function roleOf(tool: Tool, name: string): Role {
  if (tool === 'irqlens') {
    const m: Record<string, Role> = {
      irql_hi_entry: 'hi_entry',
      irql_hi_exit: 'hi_exit',
      irql_si_raise: 'si_raise',
      irql_si_entry: 'si_entry',
      irql_si_exit: 'si_exit',
    };
    return m[name] ?? 'other';
  }
  // libbpf-tools: irq_handler_entry_btf...; bpftrace: names cut to 15 characters
  if (/^irq_handler_en/.test(name)) return 'hi_entry';
  if (/^irq_handler_ex/.test(name)) return 'hi_exit';
  if (/^softirq_en/.test(name)) return 'si_entry';
  if (/^softirq_ex/.test(name)) return 'si_exit';
  return 'other';
}

/* ---- stats switch (restored on every exit path) ---- */

const STATS_SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';
let statsOriginal: string | undefined;

function setStats(on: boolean): void {
  statsOriginal ??= readFileSync(STATS_SYSCTL, 'utf8').trim();
  writeFileSync(STATS_SYSCTL, on ? '1' : '0');
}

function restoreStats(): void {
  if (statsOriginal !== undefined) {
    try {
      writeFileSync(STATS_SYSCTL, statsOriginal);
    } catch {
      // nothing more to do on the way out
    }
  }
}
process.on('exit', restoreStats);
// the exit event does not run when a signal ends the process
onInterrupt(restoreStats);

/* ---- reading programs of other processes ---- */

export function progIdsOf(pid: number): number[] {
  const ids = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fdinfo`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^prog_id:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m?.[1]) ids.add(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return [...ids];
}

interface BpftoolProg {
  id: number;
  name?: string;
  run_cnt?: number;
  run_time_ns?: number;
}

async function bpftoolSample(ids: readonly number[]): Promise<Map<number, BpftoolProg>> {
  const r = await execa('bpftool', ['prog', 'show', '--json']);
  const all = JSON.parse(r.stdout) as BpftoolProg[];
  const want = new Set(ids);
  return new Map(all.filter((p) => want.has(p.id)).map((p) => [p.id, p]));
}

/* ---- the load ---- */

interface LoadSpec {
  ddFile: string;
  ddBlocks: number;
  tcpBytes: number;
}

interface LoadResult {
  seconds: number;
  otherCpuPct: number;
}

/** Runs the fixed load; `toolPids` are the tracing tools (their CPU is not "other"). */
async function runLoad(l: LoadSpec, toolPids: number[] = []): Promise<LoadResult> {
  const tools0 = toolPids.map((p) => procCpuSeconds(p) ?? 0);
  const b0 = systemBusySeconds();
  const c0 = reapedChildrenCpuSeconds();
  const s0 = selfCpuSeconds();
  const t0 = performance.now();
  const dd = execa(
    'dd',
    ['if=/dev/zero', `of=${l.ddFile}`, 'bs=4k', `count=${l.ddBlocks}`, 'oflag=direct', 'conv=notrunc'],
    {
      reject: false,
      timeout: 60_000,
    },
  );
  // both ping-pong threads on CPU 0: across CPUs each message would wake an
  // idle vCPU with an IPI (a VM exit) and the run time would swing 10x with
  // whatever else keeps the CPUs awake
  const tcp = execa('taskset', ['-c', '0', buildPath('tcp-blast'), '-p', '20', String(l.tcpBytes), '64'], {
    reject: false,
    timeout: 60_000,
  });
  try {
    const [d, t] = await Promise.all([dd, tcp]);
    if (d.exitCode !== 0) throw new Error(`dd failed: ${d.stderr}`);
    if (t.exitCode !== 0) throw new Error(`tcp-blast failed: ${t.stderr}`);
  } finally {
    for (const c of [dd, tcp]) if (c.exitCode === null) c.kill('SIGKILL');
  }
  const seconds = (performance.now() - t0) / 1000;
  const tools = toolPids.reduce((n, p, i) => n + (procCpuSeconds(p) ?? tools0[i] ?? 0) - (tools0[i] ?? 0), 0);
  const other = systemBusySeconds() - b0 - (reapedChildrenCpuSeconds() - c0) - (selfCpuSeconds() - s0) - tools;
  return { seconds, otherCpuPct: Math.max(0, (other / seconds) * 100) };
}

/* ---- one run per tool ---- */

async function runIrqlens(round: number, load: LoadSpec): Promise<Run> {
  const probe = await Probe.start({});
  try {
    const tracker = new Tracker(probe);
    tracker.done.catch(() => undefined);
    probe.command('stats on');
    const start = await tracker.mark();
    const ld = await runLoad(load, probe.pid === undefined ? [] : [probe.pid]);
    const end = await tracker.mark();
    probe.command('stats off');
    const w = windowOf(start, end);
    const progs = probe.hello.progs
      .map((p, i): ProgDelta => {
        const s = w.progStat.find((r) => r.prog === i);
        return { name: p.name, role: roleOf('irqlens', p.name), runCnt: s?.runCnt ?? 0, runTimeNs: s?.runTimeNs ?? 0 };
      })
      .filter((p, i) => probe.hello.progs[i]?.status === 'attached');
    return { tool: 'irqlens', round, loadSeconds: ld.seconds, otherCpuPct: ld.otherCpuPct, progs };
  } finally {
    await probe.stop().catch(() => undefined);
  }
}

export type Child = ResultPromise<{ stdout: 'pipe'; stderr: 'pipe'; stdin: 'ignore'; reject: false; buffer: false }>;

export function spawnTool(cmd: string, args: string[], env: Record<string, string> = {}): Child {
  return execa(cmd, args, { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', reject: false, buffer: false, env });
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/**
 * Resolves once the tool holds BPF programs and its descriptors have stopped
 * changing for `quietMs` (loaded and attached). The tools' banners are of no
 * use here: their stdout is a pipe, so it is block-buffered.
 */
export async function waitAttached(child: Child, what: string, quietMs = 600, ms = 20_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${what} did not start`);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = (): string | undefined =>
    child.exitCode !== null ? `${what} exited early (${child.exitCode}): ${stderr.slice(-300)}` : undefined;
  await waitPidAttached(pid, what, exited, quietMs, ms, () => stderr.slice(-300));
}

/** The same wait for any process by pid; `exited` returns an error message once it has gone. */
export async function waitPidAttached(
  pid: number,
  what: string,
  exited: () => string | undefined,
  quietMs = 600,
  ms = 20_000,
  tail: () => string = () => '',
): Promise<void> {
  const t0 = performance.now();
  let last = '';
  let since = performance.now();
  while (performance.now() - t0 < ms) {
    const gone = exited();
    if (gone !== undefined) throw new Error(gone);
    const state = `${progIdsOf(pid).length}/${fdCount(pid)}`;
    if (state !== last) {
      last = state;
      since = performance.now();
    } else if (!state.startsWith('0/') && performance.now() - since >= quietMs) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`${what} did not attach within ${ms} ms: ${tail()}`);
}

export async function stopChild(c: Child): Promise<void> {
  if (c.exitCode !== null) return;
  c.kill('SIGINT');
  const t = setTimeout(() => c.kill('SIGKILL'), 3000);
  try {
    await c;
  } catch {
    // killed: fine
  } finally {
    clearTimeout(t);
  }
}

async function runPeers(tool: Tool, round: number, load: LoadSpec, btFile: string): Promise<Run> {
  const children: Child[] = [];
  try {
    if (tool === 'libbpf-tools') {
      const hi = spawnTool('hardirqs', ['1', '100']);
      const si = spawnTool('softirqs', ['1', '100']);
      children.push(hi, si);
      await Promise.all([waitAttached(hi, 'hardirqs'), waitAttached(si, 'softirqs')]);
    } else {
      const bt = spawnTool('bpftrace', [btFile]);
      children.push(bt);
      await waitAttached(bt, 'bpftrace');
    }
    const ids = children.flatMap((c) => (c.pid === undefined ? [] : progIdsOf(c.pid)));
    if (!ids.length) throw new Error(`${tool}: no BPF programs found in its file descriptors`);
    setStats(true);
    let before: Map<number, BpftoolProg>;
    let after: Map<number, BpftoolProg>;
    let ld: LoadResult;
    try {
      before = await bpftoolSample(ids);
      ld = await runLoad(
        load,
        children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
      );
      after = await bpftoolSample(ids);
    } finally {
      setStats(false);
    }
    const progs = ids.map((id): ProgDelta => {
      const a = after.get(id);
      const b = before.get(id);
      const name = a?.name ?? b?.name ?? `prog${id}`;
      return {
        name,
        role: roleOf(tool, name),
        runCnt: (a?.run_cnt ?? 0) - (b?.run_cnt ?? 0),
        runTimeNs: (a?.run_time_ns ?? 0) - (b?.run_time_ns ?? 0),
      };
    });
    return { tool, round, loadSeconds: ld.seconds, otherCpuPct: ld.otherCpuPct, progs };
  } finally {
    await Promise.all(children.map(stopChild));
  }
}

/* ---- per-event figures ---- */

export function roleSum(r: Run, roles: Role[]): { ns: number; cnt: Partial<Record<Role, number>> } {
  let ns = 0;
  const cnt: Partial<Record<Role, number>> = {};
  for (const p of r.progs) {
    if (!roles.includes(p.role)) continue;
    ns += p.runTimeNs;
    cnt[p.role] = (cnt[p.role] ?? 0) + p.runCnt;
  }
  return { ns, cnt };
}

/** ns per event: the summed run time of `roles` divided by the runs of `per`. */
export function perEvent(r: Run, roles: Role[], per: Role): { ns: number; events: number } {
  const s = roleSum(r, roles);
  const events = s.cnt[per] ?? 0;
  return { ns: events ? s.ns / events : NaN, events };
}

export interface Comparison {
  what: string;
  tool: Tool;
  roles: Role[];
  per: Role;
}

export const COMPARISONS: Comparison[] = [
  { what: 'hardirq: entry+exit per IRQ', tool: 'irqlens', roles: ['hi_entry', 'hi_exit'], per: 'hi_entry' },
  { what: 'hardirq: entry+exit per IRQ', tool: 'libbpf-tools', roles: ['hi_entry', 'hi_exit'], per: 'hi_entry' },
  { what: 'hardirq: entry+exit per IRQ', tool: 'bpftrace', roles: ['hi_entry', 'hi_exit'], per: 'hi_entry' },
  {
    what: 'softirq: raise+entry+exit per run',
    tool: 'irqlens',
    roles: ['si_raise', 'si_entry', 'si_exit'],
    per: 'si_entry',
  },
  { what: 'softirq: entry+exit per run', tool: 'irqlens', roles: ['si_entry', 'si_exit'], per: 'si_entry' },
  { what: 'softirq: entry+exit per run', tool: 'libbpf-tools', roles: ['si_entry', 'si_exit'], per: 'si_entry' },
  { what: 'softirq: entry+exit per run', tool: 'bpftrace', roles: ['si_entry', 'si_exit'], per: 'si_entry' },
];

function runsOf(res: CostResult, tool: Tool): Run[] {
  return res.runs.filter((r) => r.tool === tool).sort((a, b) => a.round - b.round);
}

function series(res: CostResult, c: Comparison): number[] {
  return runsOf(res, c.tool).map((r) => perEvent(r, c.roles, c.per).ns);
}

/** irqlens / peer, paired within each round. */
function ratios(res: CostResult, mine: Comparison, peer: Comparison): number[] {
  const a = series(res, mine);
  const b = series(res, peer);
  return a.map((v, i) => v / (b[i] ?? NaN)).filter((x) => Number.isFinite(x));
}

const mm = (xs: number[], d = 0): string => {
  const [lo, hi] = minMax(xs);
  return `${fmt(lo, d)}-${fmt(hi, d)}`;
};

export interface CostTables {
  perProgram: { headers: string[]; rows: string[][] };
  totals: { headers: string[]; rows: string[][] };
  perEvent: { headers: string[]; rows: string[][] };
  ratios: { headers: string[]; rows: string[][] };
  goal: {
    hardirqMet: boolean;
    softirqMet: boolean;
    hardirqRatio: number;
    softirqRatio: number;
    softirqRatioEntryExit: number;
  };
}

export function costTables(res: CostResult): CostTables {
  // per program: ns/run, median over rounds
  const progRows: string[][] = [];
  for (const tool of TOOLS) {
    const rs = runsOf(res, tool);
    const names = [...new Set(rs.flatMap((r) => r.progs.map((p) => p.name)))];
    for (const name of names) {
      const per = rs.map((r) => r.progs.filter((p) => p.name === name));
      const runs = per.map((ps) => ps.reduce((n, p) => n + p.runCnt, 0));
      if (runs.every((n) => n === 0)) continue; // attached, never ran under this load
      const ns = per
        .map((ps) => {
          const c = ps.reduce((n, p) => n + p.runCnt, 0);
          return c ? ps.reduce((n, p) => n + p.runTimeNs, 0) / c : NaN;
        })
        .filter((x) => Number.isFinite(x));
      progRows.push([tool, name, fmt(median(runs)), ns.length ? fmt(median(ns)) : '-', ns.length ? mm(ns) : '-']);
    }
  }
  const evRows = COMPARISONS.map((c) => {
    const s = series(res, c).filter((x) => Number.isFinite(x));
    const ev = runsOf(res, c.tool).map((r) => perEvent(r, c.roles, c.per).events);
    return [c.what, c.tool, fmt(median(ev)), fmt(median(s)), mm(s)];
  });
  const find = (what: string, tool: Tool): Comparison => {
    const c = COMPARISONS.find((x) => x.what.startsWith(what) && x.tool === tool);
    if (!c) throw new Error(`no comparison ${what} ${tool}`);
    return c;
  };
  const hi = (t: Tool): Comparison => find('hardirq', t);
  const siFull = find('softirq: raise', 'irqlens');
  const siEE = (t: Tool): Comparison => find('softirq: entry+exit', t);
  const ratioRows: string[][] = [];
  const goal = { hardirqMet: true, softirqMet: true, hardirqRatio: 0, softirqRatio: 0, softirqRatioEntryExit: 0 };
  const peers: Tool[] = ['libbpf-tools', 'bpftrace'];
  // the cheapest peer is the one with the lowest median ns/event
  const cheapest = (f: (t: Tool) => Comparison): Tool =>
    peers.reduce(
      (best, t) => (median(series(res, f(t))) < median(series(res, f(best))) ? t : best),
      peers[0] ?? 'libbpf-tools',
    );
  for (const peer of peers) {
    const rh = ratios(res, hi('irqlens'), hi(peer));
    const rs = ratios(res, siFull, siEE(peer));
    const re = ratios(res, siEE('irqlens'), siEE(peer));
    ratioRows.push([`hardirq pair vs ${peer}`, fmt(median(rh), 2), mm(rh, 2)]);
    ratioRows.push([`softirq raise+entry+exit vs ${peer} entry+exit`, fmt(median(rs), 2), mm(rs, 2)]);
    ratioRows.push([`softirq entry+exit vs ${peer}`, fmt(median(re), 2), mm(re, 2)]);
  }
  const ch = cheapest(hi);
  const cs = cheapest(siEE);
  goal.hardirqRatio = median(ratios(res, hi('irqlens'), hi(ch)));
  goal.softirqRatio = median(ratios(res, siFull, siEE(cs)));
  goal.softirqRatioEntryExit = median(ratios(res, siEE('irqlens'), siEE(cs)));
  goal.hardirqMet = goal.hardirqRatio <= 1;
  goal.softirqMet = goal.softirqRatio <= 1;
  // all BPF time a tool spent per round: what it costs the machine in total
  const totalRows = TOOLS.map((tool) => {
    const rs = runsOf(res, tool);
    const all = rs.map((r) => r.progs.reduce((n, p) => n + p.runTimeNs, 0) / 1e6);
    const irq = rs.map((r) => roleSum(r, ['hi_entry', 'hi_exit', 'si_raise', 'si_entry', 'si_exit']).ns / 1e6);
    const secs = rs.map((r) => r.loadSeconds);
    const other = rs.map((r) => r.otherCpuPct);
    return [
      tool,
      fmt(median(all), 1),
      mm(all, 1),
      fmt(median(irq), 1),
      `${fmt(median(secs), 2)} (${mm(secs, 2)})`,
      `${fmt(median(other))} (${mm(other)})`,
    ];
  });
  return {
    perProgram: {
      headers: ['tool', 'program', 'runs/round (median)', 'ns/run median', 'ns/run min-max'],
      rows: progRows,
    },
    totals: {
      headers: [
        'tool',
        'BPF ms/round (all programs) median',
        'min-max',
        'of which hardirq+softirq programs',
        'load seconds',
        'other CPU% during load',
      ],
      rows: totalRows,
    },
    perEvent: {
      headers: ['per event', 'tool', 'events/round (median)', 'ns/event median', 'ns/event min-max'],
      rows: evRows,
    },
    ratios: { headers: ['irqlens / peer (paired per round)', 'median', 'min-max'], rows: ratioRows },
    goal,
  };
}

export function printCost(res: CostResult): void {
  const t = costTables(res);
  process.stdout.write(`\n== probe-cost: BPF run time per event (${machineLine(res.machine)})\n`);
  process.stdout.write(`${res.rounds} rounds, interleaved; load: ${res.load}\n\n`);
  process.stdout.write(table(t.perProgram.headers, t.perProgram.rows) + '\n\n');
  process.stdout.write(table(t.totals.headers, t.totals.rows) + '\n\n');
  process.stdout.write(table(t.perEvent.headers, t.perEvent.rows) + '\n\n');
  process.stdout.write(table(t.ratios.headers, t.ratios.rows) + '\n');
  const g = t.goal;
  process.stdout.write(
    `goal irqlens <= cheapest peer: hardirq ${g.hardirqMet ? 'met' : 'NOT met'} (x${fmt(g.hardirqRatio, 2)}), ` +
      `softirq ${g.softirqMet ? 'met' : 'NOT met'} (x${fmt(g.softirqRatio, 2)} with raise, x${fmt(g.softirqRatioEntryExit, 2)} entry+exit only)\n`,
  );
}

export async function runCostBench(args: string[] = []): Promise<CostResult> {
  await initClockTicks();
  const rounds = Number(argValue(args, '--rounds') ?? 5);
  const ddBlocks = Number(argValue(args, '--dd-blocks') ?? 30000);
  const tcpBytes = Number(argValue(args, '--tcp-bytes') ?? 64 * 500_000);
  if (!(rounds >= 1 && rounds <= 20)) throw new Error('--rounds: 1..20');
  if (!(ddBlocks >= 1 && ddBlocks <= 1_000_000)) throw new Error('--dd-blocks: 1..1000000');
  if (!(tcpBytes >= 64 && tcpBytes <= 1e9)) throw new Error('--tcp-bytes: 64..1e9');
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-bench-'));
  const load: LoadSpec = { ddFile: join(dir, 'dd.bin'), ddBlocks, tcpBytes };
  const btFile = join(dir, 'irq.bt');
  writeFileSync(btFile, BPFTRACE_SCRIPT);
  const runs: Run[] = [];
  try {
    log('probe-cost: warm-up load (allocates the dd file)');
    await runLoad(load);
    for (let round = 0; round < rounds; round++) {
      const order = TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length] ?? 'irqlens');
      for (const tool of order) {
        log(`probe-cost: round ${round + 1}/${rounds} ${tool}`);
        runs.push(tool === 'irqlens' ? await runIrqlens(round, load) : await runPeers(tool, round, load, btFile));
      }
    }
  } finally {
    restoreStats();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    machine: machine(),
    command: `node dist/scripts/bench/probe-cost.js ${args.join(' ')}`.trim(),
    rounds,
    load: `dd bs=4k count=${ddBlocks} oflag=direct conv=notrunc + taskset -c 0 tcp-blast -p: ping-pong of ${fmt(tcpBytes / 64)} 64-byte messages on 127.0.0.1`,
    runs,
  };
}

if (isMain(import.meta.url) && wantsHelp(process.argv)) {
  printHeaderHelp(import.meta.url);
} else if (isMain(import.meta.url)) {
  runCostBench(process.argv.slice(2)).then(
    (r) => {
      printCost(r);
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench probe-cost: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
