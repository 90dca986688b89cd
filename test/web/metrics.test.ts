// /metrics: valid exposition (a real parser plus the format's line grammar),
// Prometheus naming, histograms consistent, and every counter equal to what
// `snapshot --json` (snapshotJson) reports for the same state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import parse from 'parse-prometheus-text-format';
import { Recording } from '../../src/record/reader.js';
import { initialTotals, windowOf } from '../../src/reduce/totals.js';
import { snapshotJson } from '../../src/report/snapshot-json.js';
import { metricsText } from '../../src/serve/metrics.js';
import { Pipeline } from '../../src/serve/pipeline.js';
import { OnDemandGroups } from '../../src/live/on-demand.js';
import { decodeSnapshot } from '../../src/stream/decode.js';
import type { Hello, Snapshot } from '../../src/stream/types.js';
import type { Frame } from '../../src/serve/wire.js';
import { snapshotPayload } from '../unit/support/stream-builder.js';
import { fixtureRecording, scratch } from '../unit/record/support.js';
import { synthRecording } from '../unit/record/synth.js';

const stats = { clients: 1, framesSent: 2, framesMissed: 3, cpuSeconds: 0.5, rssBytes: 1e6 };

function folded(path: string) {
  const rec = Recording.open(path);
  const p = new Pipeline(rec.hello, {
    intervalMs: 0,
    queues: () => [],
    estimate: null,
    everySnapshotNs: 0,
    onFrame: () => undefined,
  });
  for (const m of rec.messages()) p.add(m);
  rec.close();
  return p.state;
}

type Series = Map<string, number>;

/** name{sorted labels} -> value, from the line grammar of the text format (0.0.4), failing on any other line. */
function strictParse(text: string): { series: Series; types: Map<string, string> } {
  const series: Series = new Map();
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sample = new RegExp(`^(${name})(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*\\})? (\\S+)$`);
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${name}) .+$`).exec(line))) helps.add(m[1] ?? '');
    else if ((m = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram)$`).exec(line)))
      types.set(m[1] ?? '', m[2] ?? '');
    else if ((m = sample.exec(line))) {
      const value = Number(m[3] === '+Inf' ? Infinity : m[3]);
      assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in: ${line}`);
      const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
        .map((x) => `${x[1] ?? ''}=${x[2] ?? ''}`)
        .sort()
        .join(',');
      const key = `${m[1] ?? ''}{${labels}}`;
      assert.ok(!series.has(key), `duplicate series ${key}`);
      series.set(key, value);
    } else assert.fail(`not exposition format: ${line}`);
  }
  for (const t of types.keys()) assert.ok(helps.has(t), `${t} has no HELP`);
  return { series, types };
}

const get = (s: Series, name: string, labels: Record<string, string | number>) =>
  s.get(
    `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}=${String(v)}`)
      .sort()
      .join(',')}}`,
  );

function checkAgainstSnapshot(path: string): void {
  const state = folded(path);
  const text = metricsText(state, stats);
  // the real parser reads it, and finds the families we wrote
  const fams = parse(text);
  assert.ok(fams.some((f) => f.name === 'irqlens_hardirq_total' && f.type === 'COUNTER'));
  const { series, types } = strictParse(text);
  for (const [n, t] of types) {
    assert.match(n, /^irqlens_/, `${n}: prefix`);
    if (t === 'counter') assert.match(n, /_total$/, `${n}: a counter ends in _total`);
    if (/seconds|bytes/.test(n) && t !== 'histogram')
      assert.match(n, /_(seconds|bytes)(_total)?$/, `${n}: base unit last`);
  }
  const snap = snapshotJson(windowOf(initialTotals(state.hello), state));
  let checked = 0;
  for (const irq of snap.irqs) {
    for (const pc of irq.per_cpu) {
      const l = { cpu: pc.cpu, irq: irq.irq, name: irq.name };
      assert.equal(get(series, 'irqlens_hardirq_total', l), pc.count, `hardirq ${irq.irq} cpu ${pc.cpu}`);
      assert.ok(Math.abs((get(series, 'irqlens_hardirq_seconds_total', l) ?? NaN) - pc.time_ns / 1e9) < 1e-9);
      checked++;
    }
    const inf = get(series, 'irqlens_hardirq_duration_seconds_bucket', { irq: irq.irq, name: irq.name, le: '+Inf' });
    assert.equal(inf, irq.count, `histogram +Inf of irq ${irq.irq}`);
    assert.equal(get(series, 'irqlens_hardirq_duration_seconds_count', { irq: irq.irq, name: irq.name }), irq.count);
    // buckets never decrease
    let prev = 0;
    for (let k = 0; k < 32; k++) {
      const v =
        get(series, 'irqlens_hardirq_duration_seconds_bucket', {
          irq: irq.irq,
          name: irq.name,
          le: String(2 ** (k + 1) / 1e9),
        }) ?? NaN;
      assert.ok(v >= prev, `bucket ${k} of irq ${irq.irq} decreases`);
      prev = v;
    }
  }
  for (const c of snap.cpus) {
    for (const [vec, v] of Object.entries(c.softirq)) {
      assert.equal(
        get(series, 'irqlens_softirq_total', { cpu: c.cpu, vector: vec }),
        v.count,
        `softirq ${vec} cpu ${c.cpu}`,
      );
      checked++;
    }
    for (const [vec, v] of Object.entries(c.vectors)) {
      assert.equal(
        get(series, 'irqlens_vector_total', { cpu: c.cpu, vector: vec }),
        v.count,
        `vector ${vec} cpu ${c.cpu}`,
      );
      checked++;
    }
  }
  for (const n of snap.napi) {
    const l = { cpu: n.cpu, device: n.dev, napi_id: n.napi_id };
    assert.equal(get(series, 'irqlens_napi_packets_total', l), n.packets, `napi ${n.napi_id} cpu ${n.cpu}`);
    assert.equal(get(series, 'irqlens_napi_polls_total', l), n.polls);
    checked++;
  }
  // the interrupt tax per workload: snapshot's victims summed by command name and kind
  const tax = new Map<string, { l: { comm: string; kind: string }; n: number; ns: number }>();
  for (const v of snap.victims) {
    const k = `${v.comm}/${v.kind}`;
    const e = tax.get(k) ?? { l: { comm: v.comm, kind: v.kind }, n: 0, ns: 0 };
    e.n += v.count;
    e.ns += v.time_ns;
    tax.set(k, e);
  }
  for (const { l, n, ns } of tax.values()) {
    assert.equal(get(series, 'irqlens_interrupted_total', l), n, `interrupted ${l.comm} ${l.kind}`);
    assert.ok(
      Math.abs((get(series, 'irqlens_interrupted_seconds_total', l) ?? NaN) - ns / 1e9) < 1e-9,
      `interrupted seconds ${l.comm} ${l.kind}`,
    );
    checked++;
  }
  for (const [k, v] of Object.entries(snap.lost)) {
    const [kind = '', reason = ''] = k.split('/');
    assert.equal(get(series, 'irqlens_lost_records_total', { kind, reason }), v, `lost ${k}`);
  }
  assert.ok(checked > 0, 'nothing to compare: the recording has no rows');
  assert.equal(get(series, 'irqlens_server_frames_missed_total', {}), 3);
}

test('/metrics of the captured fixture stream: valid, well named, equal to snapshot --json', () => {
  const path = join(scratch(), 'fixture.irqrec');
  fixtureRecording(path);
  checkAgainstSnapshot(path);
});

test('/metrics of a synthetic recording with known rates: equal to snapshot --json', () => {
  const path = join(scratch(), 'synth.irqrec');
  synthRecording(path, { seconds: 3, intervalMs: 100, irqRate: 5000, irqNs: 1500, netRxRate: 800, seed: 7 });
  const state = folded(path);
  const { series } = strictParse(metricsText(state, stats));
  // the synthetic stream's IRQ 24 on CPU 0: ~5000/s over 3 s
  const n = get(series, 'irqlens_hardirq_total', { cpu: 0, irq: 24, name: 'eth0-rx-0' }) ?? 0;
  assert.ok(n > 12_000 && n < 18_000, `irq 24 count ${n}`);
  checkAgainstSnapshot(path);
});

test('label values are escaped (quotes, backslashes, newlines in IRQ names)', () => {
  const path = join(scratch(), 'esc.irqrec');
  synthRecording(path, {
    seconds: 1,
    intervalMs: 100,
    irqRate: 100,
    irqNs: 1000,
    netRxRate: 0,
    seed: 1,
    header: { irqNames: { '24': 'x' } },
  });
  const state = folded(path);
  const names = new Map(state.irqNames);
  names.set(24, 'we"ird\\name\nx');
  const text = metricsText({ ...state, irqNames: names }, stats);
  const { series } = strictParse(text);
  assert.ok(
    [...series.keys()].some((k) => k.includes('name=we\\"ird\\\\name\\nx')),
    'escaped name not found',
  );
});

/** A one-CPU machine's hello with these programs. */
function oneCpuHello(progs: Hello['progs']): Hello {
  return {
    type: 'hello',
    version: 1,
    ncpus: 1,
    pmu: false,
    monoNs: 0n,
    realtimeNs: 0n,
    kernel: '6.1.0-test',
    host: 'box',
    windowNs: 100_000,
    burstPackets: 256,
    intervalMs: 100,
    ringBytes: 1 << 24,
    recordMask: 0,
    targetTgid: 0,
    tracefsMounted: false,
    softirqAsyncOnly: false,
    progs,
  };
}

test('sampled BPF statistics: the page and /metrics carry the latest ns per event and integrate it over every later event', () => {
  const hello = oneCpuHello([
    { name: 'irql_hi_entry', tracepoint: 'irq/irq_handler_entry', status: 'attached', err: 0, group: 'hardirq' },
    { name: 'irql_hi_exit', tracepoint: 'irq/irq_handler_exit', status: 'attached', err: 0, group: 'hardirq' },
  ]);
  // cumulative: 1000 IRQs per second; statistics on only in the first second (200 + 300 ns per IRQ)
  const snap = (s: number, irqs: number, runs: number, entryNs: number, exitNs: number): Snapshot => ({
    ...decodeSnapshot(snapshotPayload({ tsNs: BigInt(s) * 1_000_000_000n, seq: s, tables: [] })),
    hardirq: [{ cpu: 0, irq: 24, count: irqs, timeNs: irqs * 1000, maxNs: 1000, hist: [] }],
    progStat: [
      { prog: 0, runCnt: runs, runTimeNs: entryNs },
      { prog: 1, runCnt: runs, runTimeNs: exitNs },
    ],
  });
  const frames: Frame[] = [];
  const p = new Pipeline(hello, {
    intervalMs: 0,
    queues: () => [],
    estimate: null,
    everySnapshotNs: 0,
    onFrame: (f) => frames.push(f),
  });
  for (const m of [
    hello,
    snap(0, 0, 0, 0, 0),
    snap(1, 1000, 1000, 200_000, 300_000),
    snap(2, 2000, 1000, 200_000, 300_000),
    snap(3, 3000, 1000, 200_000, 300_000),
  ])
    p.add(m);
  assert.deepEqual([...(p.bpfNs ?? [])], [['hardirq', 500]]);
  // three seconds of 1000 IRQs at 500 ns each, though the statistics ran for one
  assert.ok(Math.abs((p.bpfSeconds.get('hardirq') ?? 0) - 3 * 1000 * 500e-9) < 1e-12);
  assert.equal(frames.length, 3);
  for (const f of frames) assert.ok(Math.abs(f.tool.bpfFrac - 0.0005) < 1e-12, 'each second: 1000 x 500 ns');
  const { series, types } = strictParse(
    metricsText(p.state, { ...stats, bpf: { nsPerEvent: p.bpfNs, estimatedSeconds: p.bpfSeconds } }),
  );
  assert.equal(types.get('irqlens_bpf_seconds_per_event'), 'gauge');
  assert.ok(Math.abs((get(series, 'irqlens_bpf_seconds_per_event', { probe: 'hardirq' }) ?? 0) - 500e-9) < 1e-18);
  assert.ok(Math.abs((get(series, 'irqlens_bpf_run_seconds_total', { probe: 'hardirq' }) ?? 0) - 0.0015) < 1e-12);
  assert.equal(types.has('irqlens_bpf_runs_total'), false, 'the kernel counts only the sampled runs: not exported');
  // statistics on throughout: the kernel's own counters, per program
  const on = strictParse(metricsText(p.state, stats)).series;
  assert.equal(get(on, 'irqlens_bpf_runs_total', { program: 'irql_hi_entry' }), 1000);
});

/** A source that answers each snapshot command at once, like the helper; `commands` lists every other command. */
function instantSource(hello: Hello) {
  const asked: number[] = [];
  const commands: string[] = [];
  const queue: Snapshot[] = [];
  const waker: { wake: (() => void) | null } = { wake: null };
  const state = { ended: false };
  let seq = 0;
  return {
    asked,
    commands,
    end: () => {
      state.ended = true;
      waker.wake?.();
    },
    src: {
      hello,
      warnings: [] as string[],
      command: (cmd: string) => {
        if (cmd !== 'snapshot') {
          commands.push(cmd);
          return;
        }
        asked.push(Date.now());
        seq++;
        queue.push({
          ...decodeSnapshot(snapshotPayload({ tsNs: BigInt(seq) * 1_000_000n, seq, tables: [] })),
          requested: true,
        });
        waker.wake?.();
      },
      async *messages() {
        while (!state.ended) {
          const m = queue.shift();
          if (m) yield m;
          else
            await new Promise<void>((r) => {
              waker.wake = r;
            });
        }
      },
      stop: () => Promise.resolve(),
    },
  };
}

test('live with no page open: a snapshot only every idle.everyMs; with a page, every intervalMs', async () => {
  const hello = oneCpuHello([]);
  const { asked, src, end } = instantSource(hello);
  let watched = false;
  const p = new Pipeline(hello, {
    intervalMs: 10,
    queues: () => [],
    estimate: null,
    onFrame: () => undefined,
    idle: { watched: () => watched, everyMs: 250 },
  });
  const running = p.run(src);
  await new Promise((r) => setTimeout(r, 600));
  const idle = asked.length;
  watched = true;
  await new Promise((r) => setTimeout(r, 300));
  const open = asked.length - idle;
  p.stopTimer();
  end();
  await running;
  // idle: the first at once, then one per 250 ms (~3 in 600 ms), never one per 10 ms (~60)
  assert.ok(idle >= 2 && idle <= 4, `${idle} snapshots asked in 600 ms without a page`);
  // watched: one per 10 ms tick (~30 in 300 ms); far more than the idle pace allows (at most 2)
  assert.ok(open >= 8, `${open} snapshots asked in 300 ms with a page open`);
});

test('on-demand NAPI (live serve): attached while a page is open; frames say which intervals it ran through whole', async () => {
  const hello = oneCpuHello([]);
  const { src, end, commands } = instantSource(hello);
  let watched = false;
  const groups = new OnDemandGroups({
    base: ['hardirq'],
    set: (g) => {
      src.command(`probes ${g.join(',')}`);
    },
  });
  const frames: Frame[] = [];
  const p = new Pipeline(hello, {
    intervalMs: 10,
    queues: () => [],
    estimate: null,
    onFrame: (f) => frames.push(f),
    demand: {
      groups,
      tick: () => {
        if (watched) groups.want(['napi'], Date.now() + 50);
        groups.tick(Date.now());
      },
    },
  });
  const running = p.run(src);
  await new Promise((r) => setTimeout(r, 100));
  const before = frames.length;
  watched = true;
  await new Promise((r) => setTimeout(r, 150));
  watched = false;
  // the hold (50 ms) passes: napi detaches
  await new Promise((r) => setTimeout(r, 150));
  p.stopTimer();
  end();
  await running;
  assert.deepEqual(commands, ['probes hardirq,napi', 'probes hardirq']);
  const covered = frames.map((f) => f.napiCovered);
  assert.ok(before >= 3 && covered.slice(0, before).every((c) => !c), `not attached: ${covered.join()}`);
  // one covered run, after the partial interval the attach fell in, ended by the detach
  const first = covered.indexOf(true);
  const last = covered.lastIndexOf(true);
  assert.ok(first > before, `the interval the attach fell in is not covered: ${covered.join()}`);
  assert.ok(last - first >= 5 && covered.slice(first, last + 1).every(Boolean), covered.join());
  assert.ok(last < covered.length - 3, `uncovered again after the detach: ${covered.join()}`);
  assert.ok(
    frames.every((f) => f.napiCovered || f.nic.keys.length === 0),
    'no NIC figures from a partial interval',
  );
});

test('/metrics leaves out the families of a detached on-demand group and says which groups are attached', () => {
  const path = join(scratch(), 'ondemand.irqrec');
  synthRecording(path, { seconds: 1, intervalMs: 100, irqRate: 1000, irqNs: 1500, netRxRate: 800, seed: 3 });
  const state = folded(path);
  const names = (probes?: ReadonlyMap<string, boolean>) =>
    strictParse(metricsText(state, { ...stats, ...(probes ? { probes } : {}) })).types;
  const all = names();
  assert.ok(all.has('irqlens_napi_polls_total') && all.has('irqlens_softirq_async_total'));
  assert.equal(all.has('irqlens_probe_attached'), false, 'a recording: no attachment gauge');
  const off = new Map([
    ['hardirq', true],
    ['napi', false],
    ['softirq-raise', false],
  ]);
  const t = strictParse(metricsText(state, { ...stats, probes: off }));
  for (const f of ['irqlens_napi_polls_total', 'irqlens_napi_packets_total', 'irqlens_softirq_async_total'])
    assert.equal(t.types.has(f), false, `${f} left out while detached`);
  assert.ok(t.types.has('irqlens_hardirq_total') && t.types.has('irqlens_softirq_total'));
  assert.equal(get(t.series, 'irqlens_probe_attached', { group: 'napi' }), 0);
  assert.equal(get(t.series, 'irqlens_probe_attached', { group: 'hardirq' }), 1);
  const on = names(new Map([...off, ['napi', true]]));
  assert.ok(on.has('irqlens_napi_polls_total') && !on.has('irqlens_softirq_async_total'));
});
