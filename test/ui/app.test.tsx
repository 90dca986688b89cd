// The ink UI rendered with ink-testing-library from fixture state: exact
// frames for the main layouts, sorting, filtering, empty and error states,
// and what each key does (pause, help, recording, interval, quit), resizing.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { busyWindow, emptyWindow, estimates, hello, intervalAfter, liveFixture, T0_MS } from './fixtures.js';
import { ASCII, KEY, PLAIN, renderApp } from './support.js';
import * as F from './frames.js';
import { initialLiveState, liveReducer } from '../../src/derive/live-state.js';
import { buildScreen, screenLines } from '../../ui/model/screen.js';
import { initialUiState } from '../../ui/model/ui-state.js';
import { RECORDING_NOT_AVAILABLE } from '../../ui/model/keys.js';

const S80 = { cols: 80, rows: 24 };
const S120 = { cols: 120, rows: 40 };

afterEach(() => {
  cleanup();
});

/** The lines of the panel under the tab bar (the tab bar is the line that has "sort:" or "[drops]"). */
function panelLines(frame: string): string[] {
  const lines = frame.split('\n');
  const tabs = lines.findIndex((l) => l.includes(' drops ') || l.includes('[drops]'));
  return lines.slice(tabs + 1, -2).filter(Boolean);
}

test('main layout at 80x24: CPU table with history, top IRQs, tab bar and the status line', async () => {
  const r = await renderApp(liveFixture(), S80);
  assert.equal(r.frame(), F.MAIN_80x24);
});

test('main layout at 120x40: a column per softirq vector, the tax per CPU, the workloads panel with tax, disrupted periods and what-if', async () => {
  const r = await renderApp(liveFixture({ workloads: estimates }), S120, {
    initial: { panel: 'workloads', lower: 'workloads' },
  });
  assert.equal(r.frame(), F.WORKLOADS_120x40);
});

test('a tax that is only a lower bound (no quiet moment between interrupts) reads as at least, in the CPU table and the workloads panel', async () => {
  const lower = {
    ...estimates,
    estimates: estimates.estimates.map((e) => (e.comm === 'nginx' ? { ...e, taxLowerBound: true } : e)),
  };
  const r = await renderApp(liveFixture({ workloads: lower }), S120, {
    initial: { panel: 'workloads', lower: 'workloads' },
  });
  const f = r.frame();
  assert.match(f, /ngin\S* >=4\.10%/, f);
  assert.match(f, / >=4\.10% \(3\.20\.\.5\.0/, f);
  assert.match(f, />=\+4\.28%/, f);
  // the upper bound of the other workload is unchanged
  assert.match(f, /<=1\.20%/);
  assert.match(f, /95% CI, <= upper, >= lower bound/);
  r.unmount();
  // the same estimates without the flag: no figure reads "at least"
  const plain = await renderApp(liveFixture({ workloads: estimates }), S120, {
    initial: { panel: 'workloads', lower: 'workloads' },
  });
  assert.doesNotMatch(plain.frame(), />=/);
});

test('the frame is exactly the model: components add nothing and drop nothing without colour', async () => {
  const live = liveFixture({ workloads: estimates });
  for (const size of [S80, S120]) {
    const r = await renderApp(live, size);
    assert.equal(r.frame(), screenLines(buildScreen(live, initialUiState(), size, PLAIN)).join('\n'));
    r.unmount();
  }
});

test('sorting: s on the IRQ panel orders by rate, then by max duration', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press(KEY.tab, 's');
  assert.equal(r.frame(), F.SORT_RATE_80x24);
  await r.press('s');
  assert.equal(r.frame(), F.SORT_MAX_80x24);
});

test('sorting the CPU table by interrupt time puts the busiest CPU first; the machine row stays last', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press('s');
  const cpus = r
    .frame()
    .split('\n')
    .slice(2, 7)
    .map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual(cpus, ['2', '3', '1', '0', 'all']);
});

test('filtering: f, typing and enter narrow the CPU table and the IRQ figures to CPU 1', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press('f', 'c', 'p', 'u', ':', '1');
  assert.equal(r.frame(), F.FILTER_TYPING_80x24);
  await r.press(KEY.enter);
  assert.equal(r.frame(), F.FILTER_CPU1_80x24);
});

test('filtering: a filter that matches nothing says so; bad terms are named; esc cancels typing; an empty filter clears', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press('f', 'z', 'z', 'z', KEY.enter);
  assert.deepEqual(panelLines(r.frame()), ['no IRQ matches the filter (5 IRQs in this interval)']);
  assert.equal(r.frame().split('\n').at(-2), 'filter: zzz   (f to change, empty clears)');
  await r.press('f', KEY.backspace, KEY.backspace, KEY.backspace, 'c', 'p', 'u', ':', 'x', KEY.enter);
  assert.match(r.frame(), /filter: not understood: cpu:x \(f to change\)/);
  await r.press('f', 'q', KEY.escape);
  assert.match(r.frame(), /filter: not understood: cpu:x/, 'esc keeps the applied filter; q was text, not quit');
  await r.press('f', ...Array<string>(5).fill(KEY.backspace), KEY.enter);
  assert.equal(r.frame(), F.MAIN_80x24);
  assert.equal(r.controller.quits, 0);
});

test('filtering by process keeps the workloads it names and the IRQs that interrupted it', async () => {
  const r = await renderApp(liveFixture({ workloads: estimates }), S120, { initial: { filter: 'proc:memcached' } });
  assert.deepEqual(
    panelLines(r.frame()).map((l) => l.split(/\s+/)[0]),
    ['IRQ', 'virtio2-input.0'],
  );
  await r.press(KEY.shiftTab);
  const rows = panelLines(r.frame());
  assert.equal(rows.length, 3, 'header, memcached, the tax note');
  assert.match(rows[1] ?? '', /^\s+900 memcached/);
});

test('empty: before the first interval every panel waits, and says so', async () => {
  const started = liveReducer(initialLiveState(), {
    type: 'started',
    hello,
    stats: 'on',
    workloads: false,
    utcOffsetMin: 0,
  });
  const r = await renderApp(started, S80);
  assert.equal(r.frame(), F.BEFORE_FIRST_80x24);
});

test('empty: a quiet interval; NIC queues without traffic, and each panel names what it is waiting for', async () => {
  const live = liveFixture({ last: emptyWindow() });
  const r = await renderApp(live, S80, { initial: { panel: 'nic', lower: 'nic' } });
  assert.equal(r.frame(), F.QUIET_NIC_80x24);
  await r.press(KEY.left);
  assert.deepEqual(panelLines(r.frame()), ['no interrupts in this interval']);
  await r.press(KEY.right, KEY.right);
  assert.deepEqual(panelLines(r.frame()), [
    'no micro-bursts yet (a burst: >= 256 packets in 100 us on one NAPI instance)',
  ]);
  await r.press(KEY.right);
  assert.deepEqual(panelLines(r.frame()), ['no packets dropped since start (skb:kfree_skb, real drops only)']);
  await r.press(KEY.right);
  assert.deepEqual(panelLines(r.frame()), [
    'no process used epoll in this interval',
    'tax not traced: start with --workloads (limit with --pid) to trace busy periods…',
  ]);
});

test('workloads: "measuring..." until the estimator has enough data, never a number it does not have', async () => {
  const measuring = liveFixture({ workloads: { state: 'measuring', collectedS: 3, needS: 5 } });
  const r = await renderApp(measuring, S120, { initial: { panel: 'workloads', lower: 'workloads' } });
  const f = r.frame();
  assert.match(f, /^ +1200 nginx .* - measuring\.\.\. +-$/m);
  assert.match(f, /^ {2}2 .* 1\.4k measuring\.\.\. /m, 'the CPU rows say it too');
  assert.match(f, /tax measuring\.\.\. \(3 s of busy periods so far; an estimate every 5 s\)/);
  r.unmount();
  const tooFew = liveFixture({
    workloads: {
      ...estimates,
      estimates: [
        {
          tgid: 900,
          comm: 'memcached',
          periods: 90,
          cleanPeriods: 50,
          disruptedPeriods: 4,
          tax: null,
          gain: null,
          notEnoughData: '50 clean periods, need 200',
          note: null,
          mainCpu: 0,
        },
      ],
    },
  });
  const t = await renderApp(tooFew, S120, { initial: { panel: 'workloads', lower: 'workloads' } });
  assert.match(t.frame(), /^ +900 memcached .* 8\.00% measuring\.\.\. +-$/m);
  assert.match(t.frame(), /^ +1200 nginx .* - no busy periods +-$/m);
  assert.match(t.frame(), /^memcached measuring: 50 clean periods, need 200$/m, 'the estimator says why');
});

test('error: a probe failure replaces the frame with what stopped', async () => {
  const s = liveReducer(liveFixture(), { type: 'fatal', message: 'the helper was killed by SIGKILL' });
  const r = await renderApp(s, S80);
  assert.equal(r.frame(), F.FATAL_80x24);
});

test('error: lost records turn the status line into a warning that names the kind', async () => {
  const r = await renderApp(liveFixture({ last: busyWindow({ lost: new Map([['softirq/ring_full', 1234]]) }) }), S80);
  assert.equal(r.frame(), F.LOST_80x24);
});

test('error: programs that could not attach and helper warnings are on the message line', async () => {
  const partial = {
    ...hello,
    progs: [
      ...hello.progs,
      { name: 'irql_v_trm_en', tracepoint: 'thermal_apic_entry', status: 'unsupported' as const, err: 0 },
    ],
  };
  const s = liveReducer(liveFixture({ last: busyWindow({ hello: partial }) }), {
    type: 'started',
    hello: partial,
    stats: 'on',
    workloads: false,
    utcOffsetMin: 0,
  });
  const r = await renderApp(s, S80);
  assert.equal(r.frame().split('\n').at(-2), 'not attached: thermal_apic_entry (unsupported)');
  const warned = liveReducer(liveFixture(), { type: 'warnings', warnings: ['ring buffer 75% full'] });
  const w = await renderApp(warned, S80);
  assert.equal(w.frame().split('\n').at(-2), 'helper: ring buffer 75% full');
});

test('help: ? shows keys and what the columns mean, ? or esc closes it', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press('?');
  assert.equal(r.frame(), F.HELP_80x24);
  await r.press(KEY.escape);
  assert.equal(r.frame(), F.MAIN_80x24);
  await r.press('?', '?');
  assert.equal(r.frame(), F.MAIN_80x24);
});

test('pause: p freezes what is shown while intervals keep coming; p again shows the newest', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press('p');
  const paused = r.frame();
  assert.match(paused.split('\n')[0] ?? '', /PAUSED {2}03:00:12/);
  r.source.set(
    liveReducer(r.source.getState(), intervalAfter(r.source.getState(), emptyWindow(), T0_MS + 13_000, 0.01)),
  );
  await r.press('s');
  assert.equal(r.frame().split('\n')[2], paused.split('\n')[4], 'sorting still works on the frozen data (CPU 2 first)');
  assert.match(r.frame(), /03:00:12/);
  await r.press('p');
  assert.match(r.frame().split('\n')[0] ?? '', / 03:00:13 {2}every 1s/);
  assert.doesNotMatch(r.frame(), /PAUSED/);
});

test('pause freezes the frame on screen when p was pressed, even if an interval lands before the next redraw', async () => {
  const r = await renderApp(liveFixture(), S80);
  const before = r.frame().split('\n').slice(1, 7).join('\n');
  // the key and a new interval arrive together, before React has drawn or run any effect
  await r.pressWith('p', () => {
    r.source.set(
      liveReducer(r.source.getState(), intervalAfter(r.source.getState(), emptyWindow(), T0_MS + 13_000, 0.01)),
    );
  });
  assert.match(r.frame().split('\n')[0] ?? '', /PAUSED {2}03:00:12/);
  assert.equal(
    r.frame().split('\n').slice(1, 7).join('\n'),
    before,
    'the CPU rows are the ones on screen when p was pressed',
  );
});

test('keys: r without a recorder says recording is not available here; + and - change the interval and tell the sampler; q quits', async () => {
  const r = await renderApp(liveFixture(), S80);
  assert.deepEqual(r.controller.intervals, [1]);
  await r.press('r');
  assert.equal(r.frame().split('\n').at(-2), RECORDING_NOT_AVAILABLE);
  await r.press('+', '+');
  assert.match(r.frame().split('\n')[0] ?? '', /every 5s/);
  await r.press('-', '-', '-', '-');
  assert.match(r.frame().split('\n')[0] ?? '', /every 0\.25s/);
  assert.deepEqual(r.controller.intervals, [1, 2, 5, 2, 1, 0.5, 0.25]);
  await r.press('q');
  assert.equal(r.controller.quits, 1);
});

test('keys: Ctrl-C quits like q; keys typed faster than redraws all count', async () => {
  const r = await renderApp(liveFixture(), S80);
  await r.press(KEY.ctrlC);
  assert.equal(r.controller.quits, 1);
  const fast = await renderApp(liveFixture(), S80);
  await fast.press(KEY.tab + KEY.tab + KEY.tab + 's');
  assert.match(fast.frame(), /\[micro-bursts\] .* sort: packets$/m);
});

test('resize: the layout follows the terminal, down to 80x24 and back', async () => {
  const r = await renderApp(liveFixture(), S120);
  assert.match(r.frame(), /NET_RX NET_TX TIMER BLOCK/);
  await r.resize(S80);
  assert.equal(r.frame(), F.MAIN_80x24);
  await r.resize({ cols: 50, rows: 10 });
  assert.equal(r.frame(), 'terminal 50x10 is too small: need 60x14 (q quits)');
  await r.resize(S120);
  assert.equal(r.frame().split('\n').length, 39);
});

test('ASCII terminals get ASCII sparklines and cut marks', async () => {
  const r = await renderApp(liveFixture(), S80, { theme: ASCII });
  const f = r.frame();
  assert.match(f, /^ {2}0 .* \.\.:=\+\*\.\.:=\+=$/m);
  assert.doesNotMatch(f, /[▁▂▃▄▅▆▇█…]/);
});

test('keys: with a recorder, r starts and r stops a recording and the status says where', async () => {
  const r = await renderApp(liveFixture(), S80);
  let on = false;
  const calls: boolean[] = [];
  // a controller that can record: toggles and reports like the real Recorder
  r.controller.toggleRecording = () => {
    on = !on;
    calls.push(on);
    return Promise.resolve(on ? 'recording to /tmp/x.irqrec (r stops)' : 'recorded /tmp/x.irqrec');
  };
  await r.press('r');
  await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(calls, [true]);
  assert.match(r.frame(), /recording to \/tmp\/x\.irqrec \(r stops\)/);
  await r.press('r');
  await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(calls, [true, false]);
  assert.match(r.frame(), /recorded \/tmp\/x\.irqrec/);
});

test('keys: b asks for the BPF cost (the controller samples statistics while it is shown), b again stops', async () => {
  const r = await renderApp(liveFixture(), S80);
  const calls: boolean[] = [];
  r.controller.bpfCostShown = (shown) => {
    calls.push(shown);
  };
  await r.press('b');
  await r.press('b');
  assert.deepEqual(calls, [true, false]);
});

test('drops: per kernel drop reason, the rate now, the count since start, CPUs, where and when', async () => {
  const d = (cpu: number, reason: number, count: number, ifindex: number, l4Proto: number) => ({
    cpu,
    reason,
    ifindex,
    ethProto: 0x0800,
    l4Proto,
    netns: 0,
    count,
    lastNs: hello.monoNs + 2_500_000_000n,
  });
  const last = busyWindow({
    drop: [d(0, 6, 300, 1, 17), d(1, 6, 100, 1, 17), d(2, 12, 50, 4, 6)],
    dropNames: new Map([
      [6, 'SOCKET_RCVBUFF'],
      [12, 'NETFILTER_DROP'],
    ]),
  });
  const live = liveFixture({ last });
  const r = await renderApp(live, S120, { initial: { panel: 'drops', lower: 'drops' } });
  const rows = panelLines(r.frame());
  assert.match(rows[0] ?? '', /reason\s+drops\/s\s+since start\s+CPUs\s+where\s+last/);
  assert.match(rows[1] ?? '', /^\s*SOCKET_RCVBUFF\s+400\s+400\s+0,1\s+if1 ipv4\/udp\s+\d\d:\d\d:\d\d\.\d{3}/);
  assert.match(rows[2] ?? '', /^\s*NETFILTER_DROP\s+50\s+50\s+2\s+eth0 ipv4\/tcp/);
});
