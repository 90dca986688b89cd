// The page's HTML: served (scripts and styles by URL, data over the websocket)
// or self-contained (everything inlined, the frames embedded) for a report file.
import { pageCss, pageScript, vendor } from './assets.js';

const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Text inside a <script> element must never close it. */
const escScript = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const BODY = `<header><h1>irqlens</h1><span id="source"></span><span id="status">connecting</span></header>
<main>
<section id="report-section" hidden><h2>Report</h2><div id="report"></div></section>
<section><h2>Per-CPU time shares</h2><p class="note">hardirq, system vectors and softirq by vector from the probes; tasks and idle from /proc/stat (tick resolution)</p><div id="cpu-chart" class="chart"></div></section>
<section><h2>Interrupts per second, per IRQ</h2><div id="irq-chart" class="chart"></div></section>
<section><h2>Packets per second, per NIC queue</h2><p class="note">vertical lines mark micro-bursts; drag to zoom, double-click to reset</p><p id="nic-note" class="note"></p><div id="nic-chart" class="chart"></div></section>
<section><h2>Micro-bursts at 100 us resolution</h2><p id="burst-note" class="note"></p><div id="burst-chart" class="chart"></div><table id="burst-table"></table></section>
<section><h2>Drops per second, by reason</h2><p id="drops-note" class="note"></p><div id="drops-chart" class="chart"></div></section>
<section><h2>Workload attribution</h2><p id="workloads-note" class="note"></p><div id="tax-chart" class="chart"></div><table id="workloads-table"></table></section>
</main>
<footer id="tool"></footer>`;

export function servedPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escHtml(title)}</title>
<link rel="stylesheet" href="/uplot.css"><link rel="stylesheet" href="/page.css">
<script src="/uplot.js"></script><script src="/msgpackr.js"></script>
</head><body data-mode="live">
${BODY}
<script type="module" src="/app.js"></script>
</body></html>
`;
}

/** One file with everything: vendor scripts, the page script, the frames (msgpack, base64) and the report. */
export function reportPage(title: string, framesB64: string, reportText: string): string {
  const v = vendor();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escHtml(title)}</title>
<style>${v.uplotCss}\n${pageCss()}</style>
<script>${escScript(v.uplotJs)}</script><script>${escScript(v.msgpackrJs)}</script>
</head><body data-mode="report">
${BODY}
<script type="application/json" id="report-text">${escScript(JSON.stringify(reportText))}</script>
<script type="application/x-irqlens-frames" id="frames">${framesB64}</script>
<script type="module">${escScript(pageScript())}</script>
</body></html>
`;
}
