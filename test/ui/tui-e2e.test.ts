// End to end in a real terminal: `irqlens top` in tmux as root, under disk
// and loopback load. The screen shows the IRQs /proc/interrupts counts and
// NET_RX; keys work; every exit path (q, Ctrl-C, SIGTERM, the helper dying)
// gives the terminal back and leaves no BPF program loaded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { readInterrupts } from '../../src/procfs/interrupts.js';
import { assertCanRun, diskLoad, kernelSkip, liveProgIds, loopbackTraffic, progIdsOf } from '../kernel/support.js';
import { alive, descendants, sleep, TmuxSession } from './tmux.js';

const cli = join(repoRoot(), 'dist', 'cli', 'main.js');
const ESC = String.fromCharCode(27);
/** A select-graphic-rendition sequence that turns on inverse video (the title bar). */
const INVERSE = new RegExp(`${ESC}\\[[0-9;]*\\b7[0-9;]*m`);
const scratch = mkdtempSync(join(tmpdir(), 'irqlens-tui-'));
const sessions: TmuxSession[] = [];

after(async () => {
  for (const s of sessions) await s.kill();
  rmSync(scratch, { recursive: true, force: true });
});

interface Running {
  tmux: TmuxSession;
  helper: number;
  node: number;
  progIds: number[];
  /** The file the shell writes `stty -a` to once irqlens has exited. */
  sttyFile: string;
}

/** Starts `irqlens top` in a fresh tmux session; resolves once the UI shows an interval and the helper runs. */
async function startTop(
  cols: number,
  rows: number,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<Running> {
  const sttyFile = join(scratch, `stty-${sessions.length}.txt`);
  // after irqlens: its exit code and the terminal modes, then wait to be killed (the pane stays readable)
  const cmd = `node ${cli} top ${args.join(' ')}; echo "irqlens-exit=$?"; stty -a > ${sttyFile}; exec sleep 600`;
  const tmux = await TmuxSession.start(cmd, cols, rows, { LANG: 'C.UTF-8', ...env });
  sessions.push(tmux);
  await tmux.waitFor('the first interval', (s) => /^cost: \S+ ev\/s/m.test(s) && /^\s+0 /m.test(s), 30_000);
  const pane = await tmux.panePid();
  const procs = descendants(pane);
  const helper = procs.find((p) => p.comm === 'irqlens-helper');
  const node = procs.find((p) => p.comm === 'node' || p.comm.startsWith('node'));
  assert.ok(helper && node, `no helper or node under the pane: ${JSON.stringify(procs)}`);
  const progIds = await progIdsOf(helper.pid);
  assert.ok(progIds.length >= 10, `the helper holds ${progIds.length} BPF programs`);
  return { tmux, helper: helper.pid, node: node.pid, progIds, sttyFile };
}

/** irqlens has exited with `code`, the terminal is back to normal, and nothing it loaded is left in the kernel. */
async function assertCleanExit(r: Running, code: number): Promise<string> {
  const screen = await r.tmux.waitFor('irqlens to exit', (s) => /irqlens-exit=\d+/.test(s), 15_000);
  assert.match(screen, new RegExp(`irqlens-exit=${code}\\b`), screen);
  assert.equal(await r.tmux.format('#{alternate_on}'), '0', 'the alternate screen was left');
  assert.equal(await r.tmux.format('#{cursor_flag}'), '1', 'the cursor is visible');
  const end = Date.now() + 5000;
  while (!existsSync(r.sttyFile) && Date.now() < end) await sleep(100);
  const stty = readFileSync(r.sttyFile, 'utf8');
  assert.match(stty, /(^|\s)icanon(\s|$)/, 'canonical mode is back (raw mode off)');
  assert.match(stty, /(^|\s)echo(\s|$)/, 'echo is back');
  assert.equal(alive(r.helper), false, 'the helper has exited');
  // the kernel frees a program once its last fd and link are gone: allow it a moment
  let left: number[] = r.progIds;
  for (let i = 0; i < 30 && left.length; i++) {
    const live = await liveProgIds();
    left = r.progIds.filter((id) => live.has(id));
    if (left.length) await sleep(100);
  }
  assert.deepEqual(left, [], 'BPF programs the helper had loaded are gone');
  return screen;
}

/** The value under a right-aligned column label in each CPU row of the wide layout. */
function cpuColumn(screen: string, label: string): number[] {
  const lines = screen.split('\n');
  const header = lines.find((l) => l.startsWith('CPU ') && l.includes(label));
  if (!header) return [];
  const end = header.indexOf(label) + label.length;
  const start = header.lastIndexOf(' ', header.indexOf(label)) + 1;
  return lines
    .filter((l) => /^\s{0,2}\d+ /.test(l))
    .map((l) => l.slice(start, end).trim())
    .map((v) => (v.startsWith('<') ? 0.001 : Number(v)));
}

/** The rate/s the top-IRQs panel shows for `name` ("5.3k" -> 5300), or null when it is not listed. */
function irqRate(screen: string, name: string): number | null {
  const line = screen.split('\n').find((l) => l.startsWith(name + ' '));
  const rate = line?.slice(name.length).trim().split(/\s+/)[2];
  if (rate === undefined) return null;
  const m = /^([\d.]+)([kM]?)$/.exec(rate);
  return m ? Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1) : null;
}

/** Device IRQs that fired during `load`, by their /proc/interrupts name, most first. */
async function irqsFiredBy(load: () => Promise<unknown>): Promise<string[]> {
  const before = readInterrupts();
  await load();
  const after = readInterrupts();
  const fired: [string, number][] = [];
  for (const [id, row] of after) {
    if (!/^\d+$/.test(id)) continue;
    const d = row.perCpu.reduce((a, b) => a + b, 0) - (before.get(id)?.perCpu.reduce((a, b) => a + b, 0) ?? 0);
    if (d > 0) fired.push([row.desc.split(' ').pop() ?? id, d]);
  }
  return fired.sort((a, b) => b[1] - a[1]).map(([n]) => n);
}

test(
  'irqlens top in a 120x40 terminal: disk IRQ names and NET_RX under load, p pauses, ? helps, q exits and cleans up',
  { skip: kernelSkip, timeout: 120_000 },
  async () => {
    assertCanRun();
    const r = await startTop(120, 40);
    // colour is on by default: the title is drawn inverse
    assert.match(await r.tmux.capture(true), INVERSE);

    // load while collecting screens: each shows only its own interval
    const screens: string[] = [];
    let loading = true;
    const watcher = (async () => {
      while (loading) {
        screens.push(await r.tmux.capture());
        await sleep(250);
      }
    })();
    const [fired] = await Promise.all([irqsFiredBy(() => diskLoad(20_000)), loopbackTraffic(4000)]);
    await sleep(1500); // the interval that ends after the load
    loading = false;
    await watcher;
    screens.push(await r.tmux.capture());

    const disk = fired.find((n) => /req|virtio|nvme|ahci|ata|sd/.test(n)) ?? fired[0];
    assert.ok(disk, 'dd raised at least one device IRQ');
    // the disk IRQ's row at the rate dd drove it, not just its background trickle
    const busy = screens.find((s) => (irqRate(s, disk) ?? 0) >= 200);
    assert.ok(busy, `no screen showed ${disk} at >= 200/s; the last one:\n${screens.at(-1) ?? ''}`);
    if (process.env.IRQLENS_E2E_VERBOSE) process.stderr.write(`disk IRQ ${disk}; a screen under load:\n${busy}\n`);
    assert.ok(
      screens.some((s) => cpuColumn(s, 'NET_RX').some((v) => v > 0)),
      `no screen showed NET_RX above 0; the last one:\n${screens.at(-1) ?? ''}`,
    );

    // p freezes the frame (clock included) across intervals; p again lets it move
    await r.tmux.keys('p');
    const paused = await r.tmux.waitFor('PAUSED', (s) => s.includes('PAUSED'), 5000);
    await sleep(2200);
    assert.equal(await r.tmux.capture(), paused, 'nothing moved while paused');
    await r.tmux.keys('p');
    await r.tmux.waitFor(
      'the clock to move again',
      (s) => !s.includes('PAUSED') && s.split('\n')[0] !== paused.split('\n')[0],
      5000,
    );

    // ? shows the help, ? closes it; tab moves the focus
    await r.tmux.keys('?');
    await r.tmux.waitFor('the help', (s) => /^keys$/m.test(s) && s.includes('pause or resume the display'), 5000);
    await r.tmux.keys('?', 'Tab');
    await r.tmux.waitFor('the IRQ panel focused', (s) => s.includes('[top IRQs]'), 5000);

    await r.tmux.keys('q');
    await assertCleanExit(r, 0);
  },
);

test(
  'irqlens top at 80x24 with NO_COLOR: everything fits, no colour codes; Ctrl-C exits and cleans up',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const r = await startTop(80, 24, { NO_COLOR: '1' });
    const screen = await r.tmux.capture();
    const lines = screen.split('\n');
    assert.ok(lines.every((l) => Array.from(l).length <= 80));
    assert.match(lines[0] ?? '', /^irqlens {2}\S+ .* every 1s {2}\? help$/);
    assert.ok(
      lines.some((l) => l.startsWith('CPU  irq%  vec% soft% top softirqs %')),
      screen,
    );
    assert.ok(
      lines.some((l) => l.startsWith('[CPUs]  top IRQs')),
      screen,
    );
    assert.ok(!(await r.tmux.capture(true)).includes(`${ESC}[`), 'NO_COLOR: no styles at all');
    await r.tmux.keys('C-c');
    await assertCleanExit(r, 0);
  },
);

/** Runs counted by the kernel's BPF statistics, summed over these programs (0 while statistics were never on). */
async function statRuns(ids: readonly number[]): Promise<number> {
  const r = await execa('bpftool', ['prog', 'show', '--json']);
  const want = new Set(ids);
  return (JSON.parse(r.stdout) as { id: number; run_cnt?: number }[])
    .filter((p) => want.has(p.id))
    .reduce((a, p) => a + (p.run_cnt ?? 0), 0);
}

test(
  'irqlens top leaves BPF statistics off until b asks for the BPF cost, measures it then, and b stops it',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    // wide enough that the status line is not cut before its last figures
    const r = await startTop(180, 30);
    await r.tmux.waitFor('the on-demand hint', (s) => /^cost: .*\| b: BPF cost\s*$/m.test(s), 5000);
    await sleep(1500);
    assert.equal(await statRuns(r.progIds), 0, 'no program run was counted before b');
    await r.tmux.keys('b');
    const shown = await r.tmux.waitFor('BPF ns per event', (s) => /^cost: .*ns\/ev \S+ \d+/m.test(s), 8000);
    assert.match(shown, /^cost: \S+ ev\/s {2}BPF \S+%/m, 'the BPF share is measured too');
    assert.ok((await statRuns(r.progIds)) > 0, 'statistics counted runs once b was pressed');
    await r.tmux.keys('b');
    await r.tmux.waitFor('the hint again', (s) => /^cost: .*\| b: BPF cost\s*$/m.test(s), 5000);
    await sleep(300);
    const after = await statRuns(r.progIds);
    await sleep(1500);
    assert.equal(await statRuns(r.progIds), after, 'nothing more counted once b was pressed again');
    await r.tmux.keys('q');
    await assertCleanExit(r, 0);
  },
);

test('irqlens top ends cleanly on SIGTERM', { skip: kernelSkip, timeout: 60_000 }, async () => {
  assertCanRun();
  const r = await startTop(100, 30);
  process.kill(r.node, 'SIGTERM');
  await assertCleanExit(r, 0);
});

test(
  'irqlens top: the helper dying is an error that ends the UI with the terminal restored and the reason printed',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const r = await startTop(100, 30, {}, ['--interval', '5']);
    process.kill(r.helper, 'SIGKILL');
    const screen = await assertCleanExit(r, 1);
    assert.match(screen, /^irqlens: the helper was killed by SIGKILL$/m);
  },
);

test(
  'irqlens top without a terminal prints plain text per interval, no escape sequences',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const r = await execa('node', [cli, 'top', '--count', '2', '--interval', '0.5'], {
      reject: false,
      timeout: 30_000,
      stdin: 'ignore',
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(!r.stdout.includes(ESC), 'no escape sequences in plain output');
    assert.match(r.stdout, /^irqlens on \S+, kernel /);
    assert.equal(r.stdout.match(/^\d\d:\d\d:\d\d {2}CPU {2}hardirq\/s/gm)?.length, 2, 'one block per interval');
  },
);
