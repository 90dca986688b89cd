// doctor's findings as text (most severe first) and as JSON (irqlens.doctor/1).
import type { Finding } from './findings.js';

export const DOCTOR_SCHEMA = 'irqlens.doctor/1';

const MARK = { critical: 'CRITICAL', warning: 'WARNING', info: 'note' } as const;

export function doctorText(
  findings: readonly Finding[],
  healthy: boolean,
  durationS: number,
  scope: string,
  unavailable: readonly string[],
  checked: readonly string[],
): string {
  const lines: string[] = [];
  const serious = findings.filter((f) => f.severity !== 'info').length;
  lines.push(
    healthy
      ? `healthy: no drops or receive-path problems in ${durationS} s on ${scope}`
      : `${serious} finding${serious === 1 ? '' : 's'} in ${durationS} s on ${scope}, most severe first`,
  );
  for (const f of findings) {
    lines.push('', `${MARK[f.severity]}: ${f.title}`);
    for (const e of f.evidence) lines.push(`  - ${e}`);
    lines.push('  try:');
    for (const a of f.actions) lines.push(`    $ ${a.command}`, `      ${a.why}; trade-off: ${a.tradeoff}`);
  }
  if (checked.length) {
    lines.push('', 'checked:');
    for (const c of checked) lines.push(`  - ${c}`);
  }
  if (unavailable.length) {
    lines.push('', 'unavailable (not checked):');
    for (const u of unavailable) lines.push(`  - ${u}`);
  }
  lines.push('', 'doctor only reads: it changed no setting.');
  return lines.join('\n') + '\n';
}

export function doctorJson(
  findings: readonly Finding[],
  healthy: boolean,
  durationS: number,
  iface: string | null,
  unavailable: readonly string[],
  checked: readonly string[],
  settings: Record<string, unknown>,
) {
  return {
    schema: DOCTOR_SCHEMA,
    healthy,
    duration_s: durationS,
    interface: iface,
    findings: findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      evidence: f.evidence,
      actions: f.actions,
      counts: f.counts,
    })),
    checked,
    unavailable,
    settings,
  };
}
