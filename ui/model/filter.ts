// The filter language: "cpu:1,3 irq:virtio dev:eth0 proc:nginx" or bare text
// (matched against IRQ, device and process names). Every term must match; a
// term that says nothing about a panel's rows does not hide them.
import type { IrqRow } from '../../src/derive/irq-rows.js';
import type { NicRow } from '../../src/derive/nic-rows.js';
import type { BurstEntry } from '../../src/derive/burst-log.js';
import type { WorkloadRow } from '../../src/derive/workloads.js';

export interface Filter {
  cpus: number[] | null;
  irq: string[];
  dev: string[];
  proc: string[];
  text: string[];
}

export const NO_FILTER: Filter = { cpus: null, irq: [], dev: [], proc: [], text: [] };

export interface ParsedFilter {
  filter: Filter;
  /** Terms that were not understood (shown to the user; they match nothing). */
  errors: string[];
}

function cpuTerm(v: string): number[] | null {
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a || b - a > 4096) return null;
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

export function parseFilter(raw: string): ParsedFilter {
  const f: Filter = { cpus: null, irq: [], dev: [], proc: [], text: [] };
  const errors: string[] = [];
  for (const term of raw.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(cpu|irq|dev|proc|process|comm):(.*)$/i.exec(term);
    if (!m) {
      f.text.push(term.toLowerCase());
      continue;
    }
    const kind = (m[1] ?? '').toLowerCase();
    const v = (m[2] ?? '').toLowerCase();
    if (!v) {
      errors.push(term);
      continue;
    }
    if (kind === 'cpu') {
      const cpus = cpuTerm(v);
      if (cpus) f.cpus = [...(f.cpus ?? []), ...cpus];
      else errors.push(term);
    } else if (kind === 'irq') f.irq.push(v);
    else if (kind === 'dev') f.dev.push(v);
    else f.proc.push(v);
  }
  return { filter: f, errors };
}

const has = (hay: string, needle: string) => hay.toLowerCase().includes(needle);

export function matchCpu(f: Filter, cpu: number): boolean {
  return f.cpus === null || f.cpus.includes(cpu);
}

export function matchIrq(f: Filter, r: IrqRow): boolean {
  if (f.cpus && !r.cpus.some((c) => f.cpus?.includes(c))) return false;
  const id = r.irq === null ? '' : String(r.irq);
  if (!f.irq.every((t) => has(r.name, t) || id === t)) return false;
  if (!f.proc.every((t) => r.victims.some((v) => has(v.comm, t) || v.tgids.includes(Number(t))))) return false;
  return f.text.every((t) => has(r.name, t) || r.victims.some((v) => has(v.comm, t)));
}

export function matchNic(f: Filter, r: NicRow): boolean {
  if (f.cpus && (r.cpu === null || !f.cpus.includes(r.cpu))) return false;
  const irq = `${r.irqName ?? ''} ${r.irq ?? ''}`;
  if (!f.irq.every((t) => has(irq, t))) return false;
  if (!f.dev.every((t) => has(r.dev, t))) return false;
  return f.text.every((t) => has(r.dev, t) || has(irq, t) || has(r.queue ?? '', t));
}

export function matchBurst(f: Filter, b: BurstEntry): boolean {
  if (f.cpus && !f.cpus.includes(b.cpu)) return false;
  if (!f.dev.every((t) => has(b.dev, t))) return false;
  return f.text.every((t) => has(b.dev, t));
}

/** cpu: any CPU that dropped; dev:/text: the device column or the reason. */
export function matchDrop(f: Filter, r: { name: string; cpus: readonly number[] }, where: string): boolean {
  if (f.cpus && !r.cpus.some((c) => f.cpus?.includes(c))) return false;
  if (!f.dev.every((t) => has(where, t))) return false;
  return f.text.every((t) => has(r.name, t) || has(where, t));
}

export function matchWorkload(f: Filter, w: WorkloadRow): boolean {
  const main = w.estimate?.mainCpu;
  if (f.cpus && main !== undefined && main !== null && !f.cpus.includes(main)) return false;
  if (!f.proc.every((t) => has(w.comm, t) || String(w.tgid) === t)) return false;
  return f.text.every((t) => has(w.comm, t) || String(w.tgid) === t);
}
