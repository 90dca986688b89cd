// The comparison for people: settings that differ, then per section each
// figure for A and B, the change, the 95% interval of B - A and a mark when
// the difference is beyond noise.
import type { Comparison, Metric, Row } from './compare.js';

function num(x: number | null): string {
  if (x === null) return '-';
  const a = Math.abs(x);
  if (a < 1e-9) return '0';
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return a === 0 ? '0' : x.toPrecision(2);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${num(x)}`;
}

function line(name: string, m: Metric): string {
  const change =
    m.change === null
      ? m.diff === null
        ? ''
        : signed(m.diff)
      : `${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%`;
  const ci = m.ci ? `[${signed(m.ci[0])}, ${signed(m.ci[1])}]` : m.beyond_noise === null ? '(no verdict)' : '';
  const mark = m.beyond_noise ? ' *' : '';
  return `    ${name.padEnd(28)} ${num(m.a).padStart(10)} ${num(m.b).padStart(10)} ${change.padStart(9)}  ${ci}${mark}`;
}

const TITLES: Record<string, string> = {
  cpus: 'CPUs',
  irqs: 'device IRQs',
  vectors: 'system vectors',
  softirqs: 'softirqs',
  queues: 'NIC queues (NAPI)',
  workloads: 'workloads',
};

export function compareText(c: Comparison): string {
  const L: string[] = [];
  const side = (s: Comparison['a']) =>
    `${s.file} (${s.host}, kernel ${s.kernel}, ${s.duration_s.toFixed(1)} s, ${s.intervals} intervals)`;
  L.push(`irqlens compare`);
  L.push(`  A = ${side(c.a)}`);
  L.push(`  B = ${side(c.b)}`);
  if (c.settings.length) {
    L.push('', 'settings that differ:');
    for (const d of c.settings.slice(0, 40)) L.push(`  ${d.what}: ${JSON.stringify(d.a)} -> ${JSON.stringify(d.b)}`);
    if (c.settings.length > 40) L.push(`  ... and ${c.settings.length - 40} more (--json has them all)`);
  }
  for (const key of ['cpus', 'irqs', 'vectors', 'softirqs', 'queues', 'workloads'] as const) {
    const rows: Row[] = c[key];
    if (!rows.length) continue;
    L.push(
      '',
      `${TITLES[key] ?? key}${' '.repeat(Math.max(1, 33 - (TITLES[key] ?? key).length))}${'A'.padStart(10)} ${'B'.padStart(10)} ${'change'.padStart(9)}  95% interval of B-A`,
    );
    for (const r of rows) {
      L.push(`  ${r.name}`);
      for (const [name, m] of Object.entries(r.metrics)) if (m.a || m.b) L.push(line(name, m));
    }
  }
  L.push('', `* beyond noise. ${c.method}.`);
  return L.join('\n') + '\n';
}
