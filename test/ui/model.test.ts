// The UI's view model without a terminal: formatting, derived figures (every
// division guarded), sorting, filtering, the UI reducer and the key map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtClock, fmtCount, fmtDur, fmtInterval, fmtPct, fmtRate } from '../../ui/model/format.js';
import { cpuList, irqRows, p99Upper } from '../../src/derive/irq-rows.js';
import { allCpusRow, cpuRows } from '../../src/derive/cpu-rows.js';
import { nicRows } from '../../src/derive/nic-rows.js';
import { bpfNsPerEvent, toolCost } from '../../src/derive/tool-cost.js';
import { taxByCpu, workloadRows } from '../../src/derive/workloads.js';
import { appendBursts, MAX_BURST_LOG, wallMs } from '../../src/derive/burst-log.js';
import { sparkLevel, sparkline } from '../../ui/model/history.js';
import { HISTORY_LEN, pushHistory } from '../../src/derive/history.js';
import { fit, layoutColumns, type Column } from '../../ui/model/table.js';
import { glyphsOf, themeFromEnv } from '../../ui/model/theme.js';
import { matchCpu, matchIrq, parseFilter } from '../../ui/model/filter.js';
import { initialUiState, sortKey, uiReducer, type UiAction, type UiState } from '../../ui/model/ui-state.js';
import { actionForKey } from '../../ui/model/keys.js';
import { buildScreen, screenLines } from '../../ui/model/screen.js';
import { statusLine } from '../../ui/model/status-line.js';
import {
  initialLiveState,
  liveReducer,
  probeGap,
  type LiveEvent,
  type LiveState,
} from '../../src/derive/live-state.js';
import {
  busyWindow,
  burst,
  emptyWindow,
  estimates,
  hello,
  intervalAfter,
  liveFixture,
  queues,
  SEC,
  T0_MS,
} from './fixtures.js';

const G = glyphsOf({ color: false, unicode: false });

test('formatting: rates, shares, durations and counts fit short columns and show zero as 0', () => {
  assert.deepEqual([0, -3, NaN, 0.5, 42, 950, 1234, 12_345, 1_234_567, 12_345_678].map(fmtRate), [
    '0',
    '0',
    '0',
    '0.5',
    '42',
    '950',
    '1.2k',
    '12k',
    '1.2M',
    '12M',
  ]);
  assert.deepEqual([0, 0.00001, 0.0042, 0.123, 1.5].map(fmtPct), ['0', '<0.01', '0.42', '12.3', '150']);
  assert.deepEqual([0, 850, 1234, 12_345, 123_456, 1_234_567, 2.5e9].map(fmtDur), [
    '0',
    '850ns',
    '1.23us',
    '12.3us',
    '123us',
    '1.23ms',
    '2.50s',
  ]);
  assert.deepEqual([0, 9999, 12_345].map(fmtCount), ['0', '9999', '12k']);
  assert.equal(fmtClock(T0_MS + 7_250, 0, true), '03:00:07.250');
  assert.equal(fmtClock(T0_MS, 60), '04:00:00');
  assert.equal(fmtInterval({ value: 0.041, lo: 0.032, hi: 0.05, bound: false }), '4.10% (3.20..5.00)');
  assert.equal(fmtInterval({ value: 0.004, lo: -0.002, hi: 0.012, bound: true }, '+'), '<=+1.20%');
  assert.equal(fmtInterval({ value: -0.02, lo: -0.03, hi: -0.01, bound: false }), '-2.00% (-3.00..-1.00)');
});

test('p99 is the upper edge of its log2 bucket, never above the max; no histogram gives null', () => {
  const h = (set: Record<number, number>) => Array.from({ length: 32 }, (_, i) => set[i] ?? 0);
  assert.equal(p99Upper(h({ 11: 4900, 12: 80, 15: 20 }), 41_000), 8192);
  assert.equal(p99Upper(h({ 13: 10 }), 9_000), 9_000);
  assert.equal(p99Upper(h({}), 5_000), null);
  assert.equal(cpuList([3, 0, 1, 2, 6, 8, 9]), '0-3,6,8,9');
  assert.equal(cpuList([]), '');
});

test('per-CPU rows: shares of the interval by source and softirq vector, all-CPUs row averages shares and sums rates', () => {
  const rows = cpuRows(busyWindow());
  assert.equal(rows.length, 4);
  const c1 = rows[1];
  assert.ok(c1);
  assert.equal(c1.deviceFrac, 0.015);
  assert.equal(c1.vectorFrac, 0.0009);
  assert.deepEqual(c1.soft, [{ vec: 'BLOCK', frac: 0.006, perSec: 5000 }]);
  assert.equal(c1.irqsPerSec, 5250);
  const all = allCpusRow(rows);
  assert.equal(all.cpu, -1);
  assert.equal(
    all.irqsPerSec,
    rows.reduce((a, r) => a + r.irqsPerSec, 0),
  );
  assert.ok(Math.abs(all.totalFrac - rows.reduce((a, r) => a + r.totalFrac, 0) / 4) < 1e-12);
  // a zero-length window divides by nothing
  const z = cpuRows(busyWindow({ durationNs: 0 }));
  assert.ok(z.every((r) => r.totalFrac === 0 && r.irqsPerSec === 0));
});

test('IRQ rows merge CPUs, name IRQs from the snapshot and say whom they interrupted, by process name', () => {
  const rows = irqRows(busyWindow());
  const disk = rows.find((r) => r.name === 'virtio1-req.0');
  assert.ok(disk);
  assert.deepEqual(disk.cpus, [1]);
  assert.equal(disk.perSec, 5000);
  assert.equal(disk.meanNs, 3000);
  assert.deepEqual(
    disk.victims.map((v) => [v.comm, v.share]),
    [
      ['(idle)', 0.6],
      ['nginx', 0.4],
    ],
  );
  const timer = rows.find((r) => r.name === 'LOCAL_TIMER');
  assert.deepEqual(timer?.cpus, [0, 1, 2, 3]);
  assert.equal(timer?.irq, null);
  assert.equal(irqRows(emptyWindow()).length, 0);
});

test('NIC rows: queue -> IRQ -> CPU -> NAPI, unclaimed NAPI instances (backlog) listed without a queue, none counted twice', () => {
  const rows = nicRows(busyWindow(), queues);
  assert.deepEqual(
    rows.map((r) => [r.dev, r.queue, r.irq, r.cpu, r.napiId, r.pktPerSec]),
    [
      ['eth0', 'rx-0', 38, 0, 8193, 12_000],
      ['eth0', 'tx-0', 39, 0, null, 0],
      ['(backlog)', null, null, 2, 0, 40_000],
      ['(backlog)', null, null, 3, 0, 38_000],
    ],
  );
  // two queues whose IRQs hit the same CPU must not both claim the one NAPI instance
  const rx = queues[0];
  assert.ok(rx);
  const twice = nicRows(busyWindow(), [rx, { ...rx, queue: 'rx-1' }]);
  assert.equal(twice.filter((r) => r.napiId === 8193).length, 1);
  assert.deepEqual(nicRows(emptyWindow(), []), []);
});

test('tool cost: events per probe from the window counts, BPF ns per event only with statistics on, lost records', () => {
  const c = toolCost(busyWindow(), bpfNsPerEvent(busyWindow()));
  const hard = c.probes.find((p) => p.probe === 'hardirq');
  assert.equal(hard?.eventsPerSec, 5840);
  assert.equal(hard?.nsPerEvent, (584_000 + 876_000) / 5840);
  assert.ok(c.bpfFrac !== null && Math.abs(c.bpfFrac - 0.03905) < 1e-9);
  assert.equal(toolCost(busyWindow(), null).bpfFrac, null);
  assert.ok(toolCost(busyWindow(), null).probes.every((p) => p.nsPerEvent === null));
  const lossy = toolCost(busyWindow({ lost: new Map([['softirq/ring_full', 12]]) }), null);
  assert.equal(lossy.lost, 12);
  assert.deepEqual(lossy.lostKinds, ['softirq/ring_full']);
  assert.equal(toolCost(busyWindow({ durationNs: 0 }), null).eventsPerSec, 0);
});

test('tool cost, sampled statistics: ns per event from a window where they were on a tenth of the time is the true cost, and BPF time between samples is that cost times the counts', () => {
  const full = busyWindow();
  const ns = bpfNsPerEvent(full);
  // the same workload, statistics on for a tenth of the window: a tenth of the runs and of the run time
  const sampled = busyWindow({
    progStat: full.progStat.map((p) => ({ ...p, runCnt: p.runCnt / 10, runTimeNs: p.runTimeNs / 10 })),
  });
  for (const [g, v] of bpfNsPerEvent(sampled)) assert.ok(Math.abs(v - (ns.get(g) ?? 0)) < 1e-9, g);
  // a window with statistics off (no runs) measures nothing, and the last sample carries the cost
  const off = busyWindow({ progStat: full.progStat.map((p) => ({ ...p, runCnt: 0, runTimeNs: 0 })) });
  assert.equal(bpfNsPerEvent(off).size, 0);
  const c = toolCost(off, ns);
  assert.ok(c.bpfFrac !== null && Math.abs(c.bpfFrac - (toolCost(full, ns).bpfFrac ?? 0)) < 1e-12);
  assert.equal(c.probes.find((p) => p.probe === 'hardirq')?.nsPerEvent, (584_000 + 876_000) / 5840);
  // the live state keeps the latest sample across intervals without statistics
  const sampledLive = liveFixture({ stats: 'sampled' });
  let s = liveReducer(sampledLive, intervalAfter(sampledLive, full, 1, null));
  s = liveReducer(s, intervalAfter(s, off, 2, null));
  assert.deepEqual(s.bpfNs, ns);
  assert.match(statusLine(s).text, /ns\/ev irq 250 .*\(sampled\)$/);
  // on demand (top's default): no BPF figures until b asks for them, then the sampled ones
  let d = liveReducer(liveFixture({ stats: 'on-demand' }), intervalAfter(sampledLive, full, 1, null));
  assert.match(statusLine(d).text, /BPF n\/a .* \| b: BPF cost$/);
  assert.doesNotMatch(statusLine(d).text, /ns\/ev/);
  d = liveReducer(d, { type: 'stats', stats: 'sampled' });
  assert.match(statusLine(d).text, /BPF \S+% .*ns\/ev irq 250 .*\(sampled\)$/);
  assert.match(statusLine(liveReducer(d, { type: 'stats', stats: 'on-demand' })).text, /b: BPF cost$/);
});

test('workload rows: busy and idle per process from epoll counters, interrupts from victims, estimates joined by pid', () => {
  const rows = workloadRows(busyWindow(), { state: 'off' });
  const nginx = rows.find((r) => r.comm === 'nginx');
  assert.equal(nginx?.threads, 2);
  assert.ok(nginx && Math.abs(nginx.busyFrac - 0.65) < 1e-12);
  assert.equal(nginx?.irqsPerSec, 3200);
  assert.equal(nginx?.estimate, null);
  const withEst = workloadRows(busyWindow(), estimates);
  assert.equal(withEst.find((r) => r.tgid === 1200)?.estimate?.tax?.value, 0.041);
  assert.deepEqual(
    [...taxByCpu(estimates).entries()].map(([cpu, e]) => [cpu, e.comm]),
    [
      [2, 'nginx'],
      [0, 'memcached'],
    ],
  );
  assert.equal(taxByCpu({ state: 'measuring', collectedS: 1, needS: 5 }).size, 0);
});

test('burst log: wall-clock time to the millisecond, newest first, bounded', () => {
  assert.equal(wallMs(hello, hello.monoNs + 7_250_000_000n), T0_MS + 7250);
  let log = appendBursts([], busyWindow(), new Map([[4, 'eth0']]));
  assert.deepEqual(
    log.map((b) => [b.dev, b.atMs - T0_MS]),
    [
      ['(backlog)', 7500],
      ['eth0', 7250],
    ],
  );
  const many = Array.from({ length: MAX_BURST_LOG + 50 }, (_, i) => burst(0, 1, 4, i / 1000, 300, 260));
  log = appendBursts(log, busyWindow({ bursts: many }), new Map());
  assert.equal(log.length, MAX_BURST_LOG);
  assert.equal(log[0]?.atMs, T0_MS + MAX_BURST_LOG + 49);
});

test('history and sparkline: bounded per CPU, fixed log scale, newest on the right', () => {
  let h: Map<number, number[]> = new Map();
  for (let i = 0; i < HISTORY_LEN + 10; i++) h = pushHistory(h, new Map([[0, i / 1000]]));
  assert.equal(h.get(0)?.length, HISTORY_LEN);
  assert.deepEqual([0, 0.0005, 0.002, 0.005, 0.02, 0.05, 0.2, 0.5, 0.9].map(sparkLevel), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(sparkline([0.5, 0.0005], 5, G), '   #.');
  assert.equal(sparkline([0.9, 0.5, 0.2], 2, G), '#*');
  assert.equal(sparkline([], 0, G), '');
});

test('columns: the least important drop first when narrow, the flexible one takes the spare width, cells are cut with a mark', () => {
  const cols: Column[] = [
    { key: 'a', label: 'A', width: 4, align: 'left', keep: 100 },
    { key: 'b', label: 'B', width: 4, align: 'right', keep: 20 },
    { key: 'c', label: 'C', width: 4, align: 'left', keep: 50, flex: true },
  ];
  assert.deepEqual(
    layoutColumns(cols, 20).map((c) => [c.key, c.width]),
    [
      ['a', 4],
      ['b', 4],
      ['c', 10],
    ],
  );
  assert.deepEqual(
    layoutColumns(cols, 10).map((c) => [c.key, c.width]),
    [
      ['a', 4],
      ['c', 5],
    ],
  );
  assert.equal(fit('virtio1-req.0', 8, 'left', G), 'virtio1~');
  assert.equal(fit('42', 5, 'right', G), '   42');
});

test('theme: NO_COLOR (non-empty) turns colour off; Unicode only with a UTF-8 locale', () => {
  assert.deepEqual(themeFromEnv({ NO_COLOR: '1', LANG: 'C.UTF-8' }), { color: false, unicode: true });
  assert.deepEqual(themeFromEnv({ NO_COLOR: '', LANG: 'C' }), { color: true, unicode: false });
  assert.deepEqual(themeFromEnv({ LC_ALL: 'en_US.utf8' }), { color: true, unicode: true });
});

test('filter language: cpu lists and ranges, irq/dev/proc terms, bare text; bad terms are reported', () => {
  const p = parseFilter('cpu:1,3-4 irq:VIRTIO proc:nginx disk');
  assert.deepEqual(p.filter, { cpus: [1, 3, 4], irq: ['virtio'], dev: [], proc: ['nginx'], text: ['disk'] });
  assert.deepEqual(parseFilter('cpu:x irq:').errors, ['cpu:x', 'irq:']);
  assert.ok(matchCpu(parseFilter('').filter, 7));
  assert.ok(!matchCpu(parseFilter('cpu:1').filter, 0));
  const rows = irqRows(busyWindow());
  const names = (f: string) =>
    rows
      .filter((r) => matchIrq(parseFilter(f).filter, r))
      .map((r) => r.name)
      .sort();
  assert.deepEqual(names('cpu:1'), ['LOCAL_TIMER', 'virtio1-req.0']);
  assert.deepEqual(names('proc:memcached'), ['virtio2-input.0']);
  assert.deepEqual(names('irq:36'), ['virtio1-req.0']);
  assert.deepEqual(names('output'), ['virtio2-output.0']);
});

test('UI reducer: focus cycles through panels, sort cycles per panel, interval steps stay on the list, filter editing', () => {
  const run = (...as: UiAction[]) => as.reduce(uiReducer, initialUiState());
  assert.equal(run({ type: 'focus-next' }).panel, 'irqs');
  assert.equal(run({ type: 'focus-prev' }).panel, 'workloads');
  const s = run({ type: 'focus-next' }, { type: 'focus-next' }, { type: 'focus-prev' }, { type: 'focus-prev' });
  assert.equal(s.panel, 'cpus');
  assert.equal(s.lower, 'irqs', 'the lower panel stays when the CPU table takes focus');
  const sorted = run({ type: 'focus-next' }, { type: 'cycle-sort' });
  assert.equal(sortKey(sorted, 'irqs'), 'rate');
  assert.equal(sortKey(sorted, 'cpus'), 'cpu');
  assert.equal(
    sortKey(run({ type: 'focus-next' }, ...Array<UiAction>(5).fill({ type: 'cycle-sort' })), 'irqs'),
    'time',
  );
  assert.equal(run({ type: 'interval-longer' }).intervalS, 2);
  assert.equal(
    run({ type: 'interval-shorter' }, { type: 'interval-shorter' }, { type: 'interval-shorter' }).intervalS,
    0.25,
  );
  assert.equal(uiReducer({ ...initialUiState(3) }, { type: 'interval-longer' }).intervalS, 5);
  assert.equal(uiReducer({ ...initialUiState(10) }, { type: 'interval-longer' }).intervalS, 10);
  const typed = run(
    { type: 'filter-start' },
    { type: 'filter-type', text: 'cpu:12' },
    { type: 'filter-backspace' },
    { type: 'filter-apply' },
  );
  assert.deepEqual([typed.filter, typed.editing], ['cpu:1', null]);
  const cancelled = uiReducer(uiReducer(typed, { type: 'filter-start' }), { type: 'filter-cancel' });
  assert.equal(cancelled.filter, 'cpu:1');
  assert.equal(run({ type: 'toggle-pause' }).paused, true);
  assert.equal(
    run({ type: 'notice', text: 'x' }, { type: 'focus-next' }).notice,
    null,
    'any other key clears a notice',
  );
});

test('keys: commands outside the filter prompt, text inside it; q and Ctrl-C quit', () => {
  const s: UiState = initialUiState();
  assert.deepEqual(actionForKey('q', {}, s), { type: 'quit' });
  assert.deepEqual(actionForKey('c', { ctrl: true }, s), { type: 'quit' });
  assert.deepEqual(actionForKey('', { tab: true }, s), { type: 'focus-next' });
  assert.deepEqual(actionForKey('', { tab: true, shift: true }, s), { type: 'focus-prev' });
  assert.deepEqual(actionForKey('', { leftArrow: true }, s), { type: 'focus-prev' });
  assert.deepEqual(actionForKey('+', {}, s), { type: 'interval-longer' });
  assert.deepEqual(actionForKey('-', {}, s), { type: 'interval-shorter' });
  assert.deepEqual(actionForKey('r', {}, s), { type: 'toggle-recording' });
  assert.deepEqual(actionForKey('b', {}, s), { type: 'toggle-bpf-cost' });
  assert.equal(actionForKey('x', {}, s), null);
  const editing = { ...s, editing: '' };
  assert.deepEqual(actionForKey('q', {}, editing), { type: 'filter-type', text: 'q' });
  assert.deepEqual(actionForKey('', { return: true }, editing), { type: 'filter-apply' });
  assert.deepEqual(actionForKey('', { escape: true }, editing), { type: 'filter-cancel' });
  assert.deepEqual(actionForKey('c', { ctrl: true }, editing), { type: 'quit' });
});

test('status line: the tool cost is always there; lost records turn it into a warning; without statistics it says so', () => {
  assert.equal(statusLine(initialLiveState()).text, 'cost: waiting for the first interval...');
  const ok = statusLine(liveFixture());
  assert.equal(ok.warn, false);
  // groups come from the hello: the raise program is its own group (its runs are events too), not part of soft
  assert.match(
    ok.text,
    /^cost: 299k ev\/s {2}BPF 3\.91% {2}ui 1\.20% {2}lost 0 \| ns\/ev irq 250 soft 142 raise 65 vec 273 napi 111 epoll 250$/,
  );
  // a recording made before groups were recorded: each program under its own name, the same BPF total
  const old = liveFixture();
  assert.ok(old.window);
  const w = { ...old.window, hello: { ...hello, progs: hello.progs.map((p) => ({ ...p, group: undefined })) } };
  const oldText = statusLine({ ...old, window: w, bpfNs: bpfNsPerEvent(w) }).text;
  assert.match(oldText, /BPF 3\.91% .*\| ns\/ev .*hi_entry \d+ hi_exit \d+/);

  const lossy = statusLine(liveFixture({ last: busyWindow({ lost: new Map([['burst/ring_full', 7]]) }) }));
  assert.equal(lossy.warn, true);
  assert.match(lossy.text, /LOST 7 \(burst\/ring_full\)/);
  assert.match(statusLine(liveFixture({ stats: 'off' })).text, /BPF n\/a .*ns\/ev: BPF stats off$/);
});

test('live reducer: intervals add history and bursts, count lost records, keep the latest window', () => {
  const s = liveFixture({ intervals: 3, last: busyWindow({ lost: new Map([['softirq/ring_full', 4]]) }) });
  assert.equal(s.intervals, 3);
  assert.equal(s.history.get(0)?.length, 3);
  assert.equal(s.bursts.length, 2, 'the scaled windows carry no bursts');
  assert.equal(s.lostTotal, 4);
  assert.equal(s.window?.durationNs, SEC);
  const failed = liveReducer(s, { type: 'fatal', message: 'the helper was killed by SIGKILL' });
  assert.equal(failed.fatal, 'the helper was killed by SIGKILL');
});

test('every frame has the height of the terminal less one line, and no line is wider than the terminal', () => {
  const states = [
    initialLiveState(),
    liveFixture(),
    liveFixture({ workloads: estimates }),
    liveFixture({ last: emptyWindow() }),
  ];
  const uis: UiState[] = [
    initialUiState(),
    { ...initialUiState(), help: true },
    { ...initialUiState(), panel: 'workloads', lower: 'workloads' },
  ];
  for (const size of [
    { cols: 80, rows: 24 },
    { cols: 120, rows: 40 },
    { cols: 60, rows: 14 },
    { cols: 200, rows: 60 },
  ]) {
    for (const live of states) {
      for (const ui of uis) {
        for (const unicode of [true, false]) {
          const lines = screenLines(buildScreen(live, ui, size, { color: false, unicode }));
          assert.equal(lines.length, size.rows - 1, `${size.cols}x${size.rows}`);
          for (const l of lines) assert.ok(Array.from(l).length <= size.cols, `too wide at ${size.cols}: ${l}`);
        }
      }
    }
  }
  assert.match(
    screenLines(
      buildScreen(liveFixture(), initialUiState(), { cols: 40, rows: 10 }, { color: false, unicode: false }),
    )[0] ?? '',
    /too small/,
  );
});

test('a panel whose probes attached inside the interval says so and waits; the next interval has its figures', () => {
  const top = ['hardirq', 'vectors', 'softirq', 'drops'];
  const start: LiveEvent[] = [
    { type: 'started', hello, stats: 'off', workloads: false, probes: top, utcOffsetMin: 0 },
    { type: 'queues', queues },
  ];
  const text = (live: LiveState, lower: UiState['lower']) =>
    screenLines(
      buildScreen(live, { ...initialUiState(), lower }, { cols: 140, rows: 30 }, { color: false, unicode: false }),
    ).join('\n');
  const started = start.reduce(liveReducer, initialLiveState());
  const before = liveReducer(started, intervalAfter(started, busyWindow(), T0_MS + 1000, 0));
  assert.match(text(before, 'nic'), /NAPI probes are not attached/);
  assert.equal(probeGap(before, 'hardirq'), null);

  // napi attached 0.5 s into the second interval: that interval covers only part of its time
  const attached = liveReducer(before, { type: 'probes', groups: [...top, 'napi'], atMs: T0_MS + 1500 });
  const partial = liveReducer(attached, intervalAfter(attached, busyWindow(), T0_MS + 2000, 0));
  assert.deepEqual(probeGap(partial, 'napi'), { state: 'since', atMs: T0_MS + 1500 });
  assert.match(text(partial, 'nic'), /NAPI probes attached at 03:00:01 .*figures from the next interval/);
  assert.match(text(partial, 'bursts'), /detecting since 03:00:01/);

  const full = liveReducer(partial, intervalAfter(partial, busyWindow(), T0_MS + 3000, 0));
  assert.equal(probeGap(full, 'napi'), null);
  assert.doesNotMatch(text(full, 'nic'), /NAPI probes/);
  // epoll was never attached: the workloads panel says how to get it
  assert.match(text(full, 'workloads'), /epoll probes are not attached/);
  // a recording (or a live run with every group) has no gaps
  assert.equal(probeGap(liveFixture(), 'napi'), null);
});
