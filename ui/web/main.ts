// The page: frames arrive (websocket, or embedded in a report file), go into a
// bounded history, and the charts redraw at most once per animation frame.
import type { BurstView, Frame, HelloMsg, ServerMsg } from '../../src/serve/wire.js';
import { byId, decodeMsg, tableRows } from './env.js';
import { FrameHistory, cpuShares } from './history.js';
import { SeriesChart, StackedCpuChart, pct } from './charts.js';

/** What tests and the benchmark read: counts and redraw times, all measured here. */
interface PageStats {
  hello: HelloMsg | null;
  frames: number;
  missed: number;
  ended: string | null;
  draws: number;
  drawMs: number[];
  series: Record<string, number>;
  /** Interrupts per IRQ name summed over the frames received (rate x interval), to check against /metrics. */
  irqCounts: Record<string, number>;
}

const stats: PageStats = {
  hello: null,
  frames: 0,
  missed: 0,
  ended: null,
  draws: 0,
  drawMs: [],
  series: {},
  irqCounts: {},
};
(globalThis as unknown as { irqlensStats: PageStats }).irqlensStats = stats;

const mode = document.body.dataset.mode ?? 'live';
const history = new FrameHistory(mode === 'report' ? 100_000 : 600);
const statusEl = byId('status');
let dirty = false;
let selectedBurst: BurstView | null = null;
const recentBursts: BurstView[] = [];

const cpuChart = new StackedCpuChart(byId('cpu-chart'));
const irqChart = new SeriesChart(byId('irq-chart'), 'per second');
const nicChart = new SeriesChart(byId('nic-chart'), 'packets/s');
const dropsChart = new SeriesChart(byId('drops-chart'), 'drops/s');
const taxChart = new SeriesChart(byId('tax-chart'), 'interrupt tax', 'seconds', pct);
const burstChart = new SeriesChart(byId('burst-chart'), 'packets per 100 us', 'us from the burst start');

function onMessage(m: ServerMsg): void {
  switch (m.type) {
    case 'hello':
      stats.hello = m;
      byId('source').textContent = `${m.host} (${m.kernel}), ${m.ncpus} CPUs, ${m.source}`;
      statusEl.textContent = 'connected';
      return;
    case 'frame':
      stats.frames++;
      history.push(m);
      m.irq.names.forEach((n, i) => {
        stats.irqCounts[n] = (stats.irqCounts[n] ?? 0) + (m.irq.perSec[i] ?? 0) * m.durS;
      });
      for (const b of m.bursts) recentBursts.push(b);
      if (recentBursts.length > 200) recentBursts.splice(0, recentBursts.length - 200);
      dirty = true;
      return;
    case 'missed':
      stats.missed = m.totalMissed;
      statusEl.textContent = `this page read too slowly: ${m.totalMissed} updates skipped`;
      return;
    case 'end':
      stats.ended = m.reason;
      statusEl.textContent = m.reason;
      return;
  }
}

function drawBursts(f: Frame): void {
  const note = byId('burst-note');
  const b = selectedBurst ?? recentBursts[recentBursts.length - 1] ?? null;
  if (!f.napiRecords)
    note.textContent =
      'per-event NAPI records are not streamed (serve --records burst,napi), so bursts are listed without their 100 us bins';
  else if (!b) note.textContent = 'no micro-burst yet';
  else
    note.textContent = `burst on ${b.dev} CPU ${b.cpu}: ${b.packets} packets, peak ${b.peakWindowPackets} in one window; red lines: its start and end (drag to zoom; click a row below for another burst)`;
  if (b && b.bins.length) {
    const x = Float64Array.from(b.bins, (_v, i) => (b.binStartS - b.startS) * 1e6 + i * b.binUs);
    burstChart.update(x, ['packets'], [b.bins], [0, (b.endS - b.startS) * 1e6]);
    stats.series.burst = b.bins.reduce((a, v) => a + v, 0);
  }
  tableRows(
    byId('burst-table'),
    ['t (s)', 'device', 'CPU', 'packets', 'peak / window', 'length (us)'],
    recentBursts
      .slice(-10)
      .reverse()
      .map((r) => [
        r.startS.toFixed(3),
        r.dev,
        String(r.cpu),
        String(r.packets),
        String(r.peakWindowPackets),
        ((r.endS - r.startS) * 1e6).toFixed(0),
      ]),
  );
  const rows = byId('burst-table').querySelectorAll('tr');
  recentBursts
    .slice(-10)
    .reverse()
    .forEach((r, i) => {
      rows[i + 1]?.addEventListener('click', () => {
        selectedBurst = r;
        dirty = true;
      });
    });
}

function drawWorkloads(f: Frame): void {
  const w = f.workloads;
  byId('workloads-note').textContent =
    mode === 'report' ? "the report above has the workloads' interrupt tax over the whole recording" : w.detail;
  const fig = (v: { value: number; lo: number; hi: number; bound: boolean } | null) =>
    !v ? '-' : v.bound ? `<= ${pct(Math.max(0, v.hi))}` : `${pct(v.value)} (${pct(v.lo)} .. ${pct(v.hi)})`;
  tableRows(
    byId('workloads-table'),
    ['process', 'tgid', 'busy periods', 'disrupted', 'interrupt tax (95% interval)', 'what-if gain', 'note'],
    w.estimates.map((e) => [
      e.comm,
      String(e.tgid),
      String(e.periods),
      String(e.disruptedPeriods),
      (e.taxLowerBound ? '>= ' : '') + fig(e.tax),
      fig(e.gain),
      e.notEnoughData ?? '',
    ]),
  );
  const ready = history.frames.filter((h) => h.workloads.state === 'ready');
  const top = w.estimates.find((e) => e.tax !== null);
  if (!top || !ready.length) return;
  const x = Float64Array.from(ready, (h) => h.tS);
  const pick = (k: 'value' | 'lo' | 'hi') =>
    Float64Array.from(ready, (h) => h.workloads.estimates.find((e) => e.tgid === top.tgid)?.tax?.[k] ?? NaN);
  taxChart.update(x, [`${top.comm} tax`, 'interval low', 'interval high'], [pick('value'), pick('lo'), pick('hi')]);
}

function draw(): void {
  const f = history.last;
  if (!f) return;
  const t0 = performance.now();
  const x = history.times();
  const span = mode === 'report' ? Infinity : 1;
  const shares = cpuShares(span === Infinity ? history.frames : history.recent(span));
  cpuChart.update(shares.names, shares.shares);
  stats.series.cpu = shares.names.length;
  const irq = history.columns(
    (h) => ({ keys: h.irq.names.map((n, i) => `${n} (${h.irq.keys[i] ?? ''})`), values: h.irq.perSec }),
    8,
  );
  irqChart.update(x, irq.keys, irq.cols);
  stats.series.irq = irq.keys.length;
  const nic = history.columns((h) => (h.napiCovered ? { keys: h.nic.labels, values: h.nic.pktPerSec } : null), 8);
  byId('nic-note').textContent = history.frames.every((h) => h.napiCovered)
    ? ''
    : 'gaps: the NAPI probes were not attached (serve attaches them while a page is open or /metrics is read; --all-probes keeps them on)';
  nicChart.update(
    x,
    nic.keys,
    nic.cols,
    recentBursts.map((b) => b.startS),
  );
  stats.series.nic = nic.keys.length;
  const drops = history.columns((h) => ({ keys: h.drops.reasons, values: h.drops.perSec }), 8);
  byId('drops-note').textContent = f.drops.available
    ? drops.keys.length
      ? ''
      : 'no drops'
    : 'this stream carries no drop data (the drop probe is not loaded)';
  if (drops.keys.length) dropsChart.update(x, drops.keys, drops.cols);
  stats.series.drops = drops.keys.length;
  drawBursts(f);
  drawWorkloads(f);
  const t = f.tool;
  byId('tool').textContent =
    `irqlens itself: ${t.eventsPerSec.toFixed(0)} events/s, BPF ${Number.isNaN(t.bpfFrac) ? 'n/a' : pct(t.bpfFrac)} of a CPU, ${t.lost} records lost this interval (${t.lostTotal} in all), ${stats.missed} updates skipped`;
  stats.draws++;
  stats.drawMs.push(performance.now() - t0);
  if (stats.drawMs.length > 1000) stats.drawMs.shift();
}

function loop(): void {
  if (dirty) {
    dirty = false;
    draw();
  }
  requestAnimationFrame(loop);
}

function connect(): void {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/ws${location.search}`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
    onMessage(decodeMsg(new Uint8Array(ev.data)));
  };
  ws.onclose = () => {
    if (!stats.ended) statusEl.textContent = 'disconnected: reload to reconnect';
  };
}

function loadReport(): void {
  byId('report-section').hidden = false;
  const pre = document.createElement('pre');
  pre.textContent = JSON.parse(byId('report-text').textContent || '""') as string;
  byId('report').append(pre);
  for (const line of (byId('frames').textContent ?? '').split('\n')) {
    if (!line.trim()) continue;
    onMessage(decodeMsg(Uint8Array.from(atob(line.trim()), (c) => c.charCodeAt(0))));
  }
}

if (mode === 'report') loadReport();
else connect();
requestAnimationFrame(loop);
