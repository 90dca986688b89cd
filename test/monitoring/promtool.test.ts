// The monitoring folder and /metrics checked by Prometheus's own tool: promtool
// check metrics on a live scrape, check rules and a unit test of every alert; every
// metric the dashboard and rules query exists in what /metrics declares.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';
import { Recording } from '../../src/record/reader.js';
import { initialTotals } from '../../src/reduce/totals.js';
import { metricsText } from '../../src/serve/metrics.js';
import { fixtureRecording, scratch } from '../unit/record/support.js';
import { assertCanRun, kernelSkip, killAll } from '../kernel/support.js';
import { startServe } from '../web/serve-child.js';

const dir = join(repoRoot(), 'deploy', 'monitoring');
const rulesFile = join(dir, 'irqlens-rules.yml');
const rulesTest = join(dir, 'irqlens-rules.test.yml');
const dashboardFile = join(dir, 'grafana-dashboard.json');

after(() => {
  killAll();
});

async function promtool(args: string[], input?: string) {
  const r = await execa('promtool', args, { cwd: dir, reject: false, ...(input === undefined ? {} : { input }) });
  if ((r as { code?: string }).code === 'ENOENT')
    throw new Error('promtool is not installed: run bash scripts/setup.sh (Debian package prometheus)');
  return r;
}

/** Family names /metrics declares (HELP and TYPE are written even for a family with no rows yet). */
function declaredFamilies(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** The series names a family of this type exposes. */
function seriesNames(families: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [n, t] of families) {
    out.add(n);
    if (t === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(n + s);
  }
  return out;
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

function dashboardExprs(): { title: string; expr: string }[] {
  const d = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
    panels: Panel[];
    templating: { list: { definition?: string }[] };
  };
  const out: { title: string; expr: string }[] = [];
  for (const p of d.panels) {
    if (p.type === 'row') continue;
    assert.ok(p.targets?.length, `panel '${p.title}' has no query`);
    for (const t of p.targets) out.push({ title: p.title, expr: t.expr });
  }
  for (const v of d.templating.list) if (v.definition) out.push({ title: 'variable', expr: v.definition });
  return out;
}

const rulesExprs = () => [...readFileSync(rulesFile, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] ?? '');
const metricRefs = (expr: string) => [...expr.matchAll(/\b(irqlens_[a-z0-9_]+)\b/g)].map((m) => m[1] ?? '');

test('every metric the dashboard and the alert rules query is one /metrics declares', () => {
  const path = join(scratch(), 'monitoring.irqrec');
  fixtureRecording(path);
  const rec = Recording.open(path);
  const hello = rec.hello;
  rec.close();
  const text = metricsText(initialTotals(hello), {
    clients: 0,
    framesSent: 0,
    framesMissed: 0,
    cpuSeconds: 0,
    rssBytes: 0,
  });
  const names = seriesNames(declaredFamilies(text));
  const used = [
    ...dashboardExprs().map((e) => ({ where: `dashboard '${e.title}'`, expr: e.expr })),
    ...rulesExprs().map((expr) => ({ where: 'rules', expr })),
  ];
  const refs = used.flatMap((u) => metricRefs(u.expr).map((n) => ({ ...u, n })));
  assert.ok(refs.length > 20, `too few metric references found: ${refs.length}`);
  const unknown = refs.filter((r) => !names.has(r.n)).map((r) => `${r.where}: ${r.n}`);
  assert.deepEqual(unknown, []);
  // what the issue asks the dashboard and the rules to cover
  for (const n of [
    'irqlens_drops_total',
    'irqlens_napi_bursts_total',
    'irqlens_interrupted_seconds_total',
    'irqlens_lost_records_total',
    'irqlens_bpf_run_seconds_total',
    'irqlens_server_cpu_seconds_total',
  ]) {
    assert.ok(
      dashboardExprs().some((e) => metricRefs(e.expr).includes(n)),
      `no dashboard panel queries ${n}`,
    );
    assert.ok(
      rulesExprs().some((e) => metricRefs(e).includes(n)),
      `no alert rule queries ${n}`,
    );
  }
});

test('promtool check rules: the alert rules are valid, without warnings', async () => {
  const r = await promtool(['check', 'rules', rulesFile]);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  assert.doesNotMatch(r.stdout + r.stderr, /WARN/i);
});

test('promtool check config: the scrape job and its rule file are a valid Prometheus config', async () => {
  const r = await promtool(['check', 'config', join(dir, 'prometheus-scrape.yml')]);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: .*prometheus-scrape\.yml is valid/);
  assert.doesNotMatch(r.stdout + r.stderr, /WARN/i);
});

test('promtool test rules: every alert has a unit test in which it fires', async () => {
  const alerts = [...readFileSync(rulesFile, 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1] ?? '');
  const tests = readFileSync(rulesTest, 'utf8');
  assert.ok(alerts.length >= 6, `${alerts.length} alerts`);
  for (const a of alerts) {
    assert.match(
      tests,
      new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`),
      `${a}: no test in which it fires`,
    );
  }
  const r = await promtool(['test', 'rules', rulesTest]);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test(
  'promtool check metrics on a live /metrics: no problems, and no name node_exporter uses',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    if (process.env.CI) assertCanRun();
    const srv = await startServe([]);
    let text = '';
    try {
      // a few intervals so the families have rows
      await new Promise((r) => setTimeout(r, 1500));
      text = await (await fetch(`${srv.url}metrics`)).text();
    } finally {
      await srv.stop();
    }
    const fams = declaredFamilies(text);
    assert.ok(/^irqlens_vector_total\{/m.test(text), 'the live scrape has no samples');
    const r = await promtool(['check', 'metrics'], text);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal((r.stdout + r.stderr).trim(), '', 'promtool check metrics reported problems');
    const foreign = [...fams.keys()].filter((n) => !n.startsWith('irqlens_'));
    assert.deepEqual(foreign, [], 'families outside the irqlens_ namespace');
    const clash = [...fams.keys()].filter((n) =>
      /^node_(softnet_|interrupts_total$|network_receive_drop_total$)/.test(n),
    );
    assert.deepEqual(clash, []);
    // the dashboard and the rules query what a real scrape declares, not only the module's list
    const live = seriesNames(fams);
    const missing = [...dashboardExprs().map((e) => e.expr), ...rulesExprs()]
      .flatMap(metricRefs)
      .filter((n) => !live.has(n));
    assert.deepEqual([...new Set(missing)], [], 'queried metrics the live /metrics does not declare');
  },
);
