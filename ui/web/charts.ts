// uPlot charts: each is created once and then only given new columns
// (setData), so a redraw allocates nothing but the arrays it draws.
import { uplotCtor, type UPlot, type UPlotData, type UPlotOptions } from './env.js';

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1f77b4',
  '#8c564b',
  '#17becf',
  '#bcbd22',
];
export const color = (i: number) => PALETTE[i % PALETTE.length] ?? '#888';

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || Number.isNaN(v)
    ? '-'
    : v >= 1e6
      ? `${(v / 1e6).toFixed(digits)}M`
      : v >= 1e4
        ? `${(v / 1e3).toFixed(digits)}k`
        : v.toFixed(digits);
export const pct = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(2)}%`;

function width(el: HTMLElement): number {
  return Math.max(320, el.clientWidth || 800);
}

/** A time-series chart whose series (names) may change; keeps the user's zoom while data streams in. */
export class SeriesChart {
  private plot: UPlot | null = null;
  private names: string[] = [];
  private zoomed = false;

  constructor(
    private readonly el: HTMLElement,
    private readonly unit: string,
    private readonly xUnit = 'seconds',
    private readonly yFmt: (v: number | null) => string = (v) => fmt(v),
  ) {}

  /** Seconds since the stream's start on x; one column per name. */
  update(x: Float64Array, names: string[], cols: Float64Array[], markers: number[] = []): void {
    this.markers = markers;
    // uPlot draws a gap for null, not for NaN (a figure the frame did not have)
    const data = [x, ...cols.map((c) => Array.from(c, (v) => (Number.isNaN(v) ? null : v)))] as unknown as UPlotData;
    if (!this.plot || names.join('\u0000') !== this.names.join('\u0000')) {
      this.plot?.destroy();
      this.names = names;
      this.zoomed = false;
      this.plot = this.create(names, data);
      return;
    }
    this.plot.setData(data, !this.zoomed);
  }

  private markers: number[] = [];

  private create(names: string[], data: UPlotData): UPlot {
    const UPlotC = uplotCtor();
    const opts: UPlotOptions = {
      width: width(this.el),
      height: 240,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [
        { label: this.xUnit, values: (_u, v) => v.map((s) => s.toFixed(1)) },
        { label: this.unit, size: 60, values: (_u, v) => v.map((s) => this.yFmt(s)) },
      ],
      series: [
        { label: this.xUnit, value: (_u, v) => (v === null ? '-' : v.toFixed(1)) },
        ...names.map((n, i) => ({
          label: n,
          stroke: color(i),
          width: 1.5,
          value: (_u: UPlot, v: number | null) => this.yFmt(v),
        })),
      ],
      hooks: {
        setSelect: [
          () => {
            this.zoomed = true;
          },
        ],
        // burst markers: a vertical line at each burst's start
        draw: [
          (u: UPlot) => {
            if (!this.markers.length) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = 'rgba(200,0,0,0.6)';
            ctx.lineWidth = 1;
            for (const m of this.markers) {
              const px = Math.round(u.valToPos(m, 'x', true));
              if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(px, u.bbox.top);
              ctx.lineTo(px, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
    const p = new UPlotC(opts, data, this.el);
    // double-click resets the zoom (uPlot's own) and streaming rescales again
    this.el.addEventListener('dblclick', () => {
      this.zoomed = false;
    });
    return p;
  }

  get seriesCount(): number {
    return this.names.length;
  }
}

/** Per-CPU stacked bars: each series is drawn at its cumulative height, the tallest first, so each band shows one share. */
export class StackedCpuChart {
  private plot: UPlot | null = null;
  private key = '';
  private raw: Float64Array[] = [];

  constructor(private readonly el: HTMLElement) {}

  update(names: string[], shares: Float64Array[]): void {
    const n = shares[0]?.length ?? 0;
    const x = Float64Array.from({ length: n }, (_v, i) => i);
    const cum: Float64Array[] = [];
    let acc = new Float64Array(n);
    for (const s of shares) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) next[i] = (acc[i] ?? 0) + (Number.isNaN(s[i] ?? NaN) ? 0 : (s[i] ?? 0));
      cum.push(next);
      acc = next;
    }
    this.raw = [...shares].reverse();
    const data = [x, ...[...cum].reverse()] as unknown as UPlotData;
    const key = `${n}:${names.join(',')}`;
    if (this.plot && key === this.key) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.key = key;
    const UPlotC = uplotCtor();
    const bars = UPlotC.paths.bars?.({ size: [0.7, 60] });
    const rev = [...names].reverse();
    this.plot = new UPlotC(
      {
        width: width(this.el),
        height: 260,
        scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: [0, 1.05] } },
        axes: [
          { label: 'CPU', values: (_u, v) => v.map((c) => (Number.isInteger(c) ? String(c) : '')) },
          { label: 'share of CPU time', values: (_u, v) => v.map((s) => `${(s * 100).toFixed(0)}%`) },
        ],
        series: [
          { label: 'CPU' },
          ...rev.map((name, i) => ({
            label: name,
            fill: color(names.length - 1 - i),
            stroke: color(names.length - 1 - i),
            ...(bars ? { paths: bars } : {}),
            points: { show: false },
            value: (_u: UPlot, _v: number | null, _s: number, idx: number | null) =>
              idx === null ? '-' : pct(this.raw[i]?.[idx]),
          })),
        ],
      },
      data,
      this.el,
    );
  }
}
