// /proc/softirqs: per-CPU run counts per softirq vector.
import { readFileSync } from 'node:fs';

export function parseSoftirqs(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^\s*([A-Z_]+):\s+(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out.set(m[1], m[2].trim().split(/\s+/).map(Number));
  }
  return out;
}

export function readSoftirqs(): Map<string, number[]> {
  return parseSoftirqs(readFileSync('/proc/softirqs', 'utf8'));
}
