// Which addresses are loopback, decided on addresses, never on how a name
// starts: "127.0.0.1.evil.example" is a name like any other, resolved first.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/** 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address. */
export function isLoopbackAddress(addr: string): boolean {
  const a = addr.toLowerCase();
  if (isIP(a) === 4) return a.split('.')[0] === '127';
  if (isIP(a) === 6) {
    if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return isLoopbackAddress(mapped[1] ?? '');
    // the same mapped address in hex (::ffff:7f00:1 is 127.0.0.1)
    const hex = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(a);
    return hex !== null && parseInt(hex[1] ?? '0', 16) >> 8 === 127;
  }
  return false;
}

export interface BindTarget {
  /** What the user gave (--host). */
  host: string;
  /** Every address it resolves to; the server binds the first. */
  addresses: string[];
  /** True when every one of them is loopback. */
  loopback: boolean;
}

async function systemLookup(name: string): Promise<string[]> {
  return (await lookup(name, { all: true, verbatim: true })).map((r) => r.address);
}

/** Resolves --host once, so the address checked is the address bound. */
export async function resolveBind(
  host: string,
  resolve: (name: string) => Promise<string[]> = systemLookup,
): Promise<BindTarget> {
  const addresses = isIP(host) ? [host] : await resolve(host);
  return { host, addresses, loopback: addresses.length > 0 && addresses.every(isLoopbackAddress) };
}

/** The name and port of a Host header ("[::1]:7070" -> ::1, 7070), or null when it does not parse. */
export function parseHostHeader(h: string): { name: string; port: number | null } | null {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(h) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(h);
  if (!m) return null;
  return { name: (m[1] ?? '').toLowerCase(), port: m[2] !== undefined ? Number(m[2]) : null };
}

/**
 * Without a token, a request must name this server exactly: the --host given, an address it
 * resolved to, or (on loopback) localhost and 127.0.0.1 / ::1; and its port, when given, is ours.
 * Anything else is a page of another site reaching us by DNS rebinding.
 */
export function hostAllowed(header: string, target: BindTarget, port: number): boolean {
  const h = parseHostHeader(header);
  if (!h || (h.port !== null && h.port !== port)) return false;
  const names = new Set([target.host.toLowerCase(), ...target.addresses.map((a) => a.toLowerCase())]);
  if (target.loopback) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  return names.has(h.name);
}
