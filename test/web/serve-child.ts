// `irqlens serve` as a child process on loopback for the browser tests: its URL
// from the first line it prints, /metrics scraped and summed by label.
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import parse from 'parse-prometheus-text-format';
import { repoRoot } from '../../src/probe/paths.js';
import { track } from '../kernel/support.js';

export interface Served {
  url: string;
  proc: ResultPromise<{ buffer: false; stdout: 'pipe'; stderr: 'pipe'; reject: false }>;
  stdout: () => string;
  stop: () => Promise<void>;
}

export const cli = () => join(repoRoot(), 'dist', 'cli', 'main.js');

/** `irqlens serve` from this checkout, or `o.bin` (an installed package's bin) with exactly `o.env`. */
export async function startServe(
  args: string[],
  o: { bin?: string; env?: Record<string, string> } = {},
): Promise<Served> {
  const spawn = { buffer: false, stdout: 'pipe', stderr: 'pipe', reject: false } as const;
  const proc = track(
    o.bin
      ? execa(o.bin, ['serve', '--port', '0', ...args], { ...spawn, env: o.env ?? {}, extendEnv: false })
      : execa('node', [cli(), 'serve', '--port', '0', ...args], spawn),
  );
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    err += s;
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (s: string) => {
      out += s;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    void proc.then(() => {
      reject(new Error(`serve exited before it listened: ${err || out}`));
    });
  });
  return {
    url,
    proc,
    stdout: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}

/** Interrupts per source name from /metrics: device IRQs by name, system vectors by vector, summed over CPUs. */
export async function scrapeIrqs(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}metrics`)).text();
  const out = new Map<string, number>();
  for (const f of parse(text)) {
    if (f.name !== 'irqlens_hardirq_total' && f.name !== 'irqlens_vector_total') continue;
    for (const s of f.metrics) {
      const name = f.name === 'irqlens_hardirq_total' ? s.labels?.name : s.labels?.vector;
      if (name) out.set(name, (out.get(name) ?? 0) + Number(s.value));
    }
  }
  return out;
}
