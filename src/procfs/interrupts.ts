// /proc/interrupts: per-CPU counts of every IRQ line and x86 system row.
import { readFileSync } from 'node:fs';

export interface InterruptRow {
  /** IRQ number as text ("36") or the system row name ("LOC", "RES", ...). */
  id: string;
  perCpu: number[];
  /** The description after the counts (chip, hwirq, action names). */
  desc: string;
}

export function parseInterrupts(text: string): Map<string, InterruptRow> {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines.shift() ?? '';
  const ncpus = header.trim().split(/\s+/).length;
  const rows = new Map<string, InterruptRow>();
  for (const line of lines) {
    const m = /^\s*([^:]+):(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const parts = m[2].trim().split(/\s+/);
    const perCpu: number[] = [];
    let i = 0;
    for (; i < parts.length && perCpu.length < ncpus && /^\d+$/.test(parts[i] ?? ''); i++)
      perCpu.push(Number(parts[i]));
    rows.set(m[1].trim(), { id: m[1].trim(), perCpu, desc: parts.slice(i).join(' ') });
  }
  return rows;
}

export function readInterrupts(): Map<string, InterruptRow> {
  return parseInterrupts(readFileSync('/proc/interrupts', 'utf8'));
}
