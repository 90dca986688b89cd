// Driver counters and NIC settings through the ethtool command (read-only
// queries only: -S -g -c -l -x). Missing ethtool or an unsupported query is
// reported as such, never guessed.
import { execa } from 'execa';

export interface EthtoolInfo {
  /** ethtool -S: driver statistics */
  stats: Record<string, number> | null;
  /** ethtool -g: ring sizes, current and maximum */
  rings: { rx: number | null; rxMax: number | null; tx: number | null; txMax: number | null } | null;
  /** ethtool -c: coalescing, the fields this kernel reports as numbers or on/off */
  coalesce: Record<string, string> | null;
  /** ethtool -l: channel counts */
  channels: { combined: number | null; combinedMax: number | null; rx: number | null; rxMax: number | null } | null;
  /** ethtool -x: RSS indirection table entries per RX ring */
  rss: Map<number, number> | null;
  /** why a query gave nothing, per query */
  unavailable: string[];
}

async function run(args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  try {
    const r = await execa('ethtool', args, { reject: false, timeout: 5000 });
    return { ok: r.exitCode === 0, out: r.stdout, err: r.stderr.trim().split('\n')[0] ?? '' };
  } catch (e) {
    return { ok: false, out: '', err: e instanceof Error ? e.message : String(e) };
  }
}

export function parseStats(out: string): Record<string, number> {
  const s: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const m = /^\s*([^:]+):\s*(-?\d+)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) s[m[1].trim()] = Number(m[2]);
  }
  return s;
}

/** "Pre-set maximums" then "Current hardware settings" blocks (ethtool -g / -l). */
export function parseMaxCurrent(out: string): {
  max: Record<string, number | null>;
  cur: Record<string, number | null>;
} {
  const max: Record<string, number | null> = {};
  const cur: Record<string, number | null> = {};
  let into: Record<string, number | null> | null = null;
  for (const line of out.split('\n')) {
    if (/maximums/i.test(line)) into = max;
    else if (/current hardware/i.test(line)) into = cur;
    const m = /^\s*([A-Za-z ]+):\s*(\S+)/.exec(line);
    if (into && m?.[1] && m[2] !== undefined)
      into[m[1].trim().toLowerCase()] = /^\d+$/.test(m[2]) ? Number(m[2]) : null;
  }
  return { max, cur };
}

export function parseCoalesce(out: string): Record<string, string> {
  const c: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const adaptive = /^Adaptive RX:\s*(\S+)\s+TX:\s*(\S+)/.exec(line);
    if (adaptive?.[1]) c['adaptive-rx'] = adaptive[1];
    const m = /^([a-z-]+):\s*(\S+)\s*$/.exec(line.trim());
    if (m?.[1] && m[2] && m[2] !== 'n/a') c[m[1]] = m[2];
  }
  return c;
}

/** "  0:      0     1     0     1 ..." rows -> entries per ring. */
export function parseRss(out: string): Map<number, number> | null {
  const counts = new Map<number, number>();
  for (const line of out.split('\n')) {
    const m = /^\s*\d+:\s+([\d\s]+)$/.exec(line);
    if (!m?.[1]) continue;
    for (const v of m[1].trim().split(/\s+/)) counts.set(Number(v), (counts.get(Number(v)) ?? 0) + 1);
  }
  return counts.size ? counts : null;
}

export async function readEthtool(dev: string): Promise<EthtoolInfo> {
  const info: EthtoolInfo = { stats: null, rings: null, coalesce: null, channels: null, rss: null, unavailable: [] };
  const why = (q: string, r: { err: string }) =>
    info.unavailable.push(
      `ethtool ${q} ${dev}: ${/ENOENT|not found/i.test(r.err) ? 'ethtool is not installed (apt-get install ethtool)' : r.err || 'failed'}`,
    );
  const [s, g, c, l, x] = await Promise.all([
    run(['-S', dev]),
    run(['-g', dev]),
    run(['-c', dev]),
    run(['-l', dev]),
    run(['-x', dev]),
  ]);
  if (s.ok) info.stats = parseStats(s.out);
  else why('-S', s);
  if (g.ok) {
    const { max, cur } = parseMaxCurrent(g.out);
    info.rings = { rx: cur.rx ?? null, rxMax: max.rx ?? null, tx: cur.tx ?? null, txMax: max.tx ?? null };
  } else why('-g', g);
  if (c.ok) info.coalesce = parseCoalesce(c.out);
  else why('-c', c);
  if (l.ok) {
    const { max, cur } = parseMaxCurrent(l.out);
    info.channels = {
      combined: cur.combined ?? null,
      combinedMax: max.combined ?? null,
      rx: cur.rx ?? null,
      rxMax: max.rx ?? null,
    };
  } else why('-l', l);
  if (x.ok) info.rss = parseRss(x.out);
  if (!info.rss)
    why('-x', {
      err: x.ok
        ? /not supported/i.test(x.out)
          ? 'no RSS indirection table (Operation not supported)'
          : 'no RSS indirection table'
        : x.err,
    });
  return info;
}

/** Driver counters that mean the NIC itself dropped (ring full, no buffer, FIFO overrun). */
export function isNicDropCounter(name: string): boolean {
  return (
    /(^|_)(rx_?)?(missed|no_?buf(fer)?|out_of_buffer|fifo|over(run)?|discards?|drops?|dropped)(_|$)/i.test(name) &&
    !/^tx/i.test(name) &&
    !/xdp/i.test(name)
  );
}
