// nftables rules that drop packets, with their counters (nft -j list ruleset,
// read-only), so a NETFILTER_DROP finding can name the chain that did it.
import { execa } from 'execa';

export interface DropRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  packets: number;
  /** the rule as nft prints it is not in JSON; a short form of its matches */
  text: string;
}

interface NftExpr {
  counter?: { packets?: number };
  drop?: null;
  reject?: unknown;
  match?: { left?: unknown; right?: unknown };
}
interface NftRule {
  family?: string;
  table?: string;
  chain?: string;
  handle?: number;
  expr?: NftExpr[];
}

export function parseDropRules(json: string): DropRule[] {
  let doc: { nftables?: { rule?: NftRule }[] };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return [];
  }
  const out: DropRule[] = [];
  for (const item of doc.nftables ?? []) {
    const r = item.rule;
    if (!r?.expr) continue;
    const drops = r.expr.some((e) => 'drop' in e || 'reject' in e);
    const counter = r.expr.find((e) => e.counter)?.counter;
    if (!drops) continue;
    const text = r.expr
      .filter((e) => e.match)
      .map((e) => JSON.stringify(e.match?.right))
      .join(' ');
    out.push({
      family: r.family ?? '?',
      table: r.table ?? '?',
      chain: r.chain ?? '?',
      handle: r.handle ?? 0,
      packets: counter?.packets ?? 0,
      text,
    });
  }
  return out;
}

/** null when nft is missing or cannot list (then the finding says so). */
export async function readDropRules(): Promise<{ rules: DropRule[] } | { unavailable: string }> {
  try {
    const r = await execa('nft', ['-j', 'list', 'ruleset'], { reject: false, timeout: 5000 });
    if (r.exitCode !== 0) return { unavailable: `nft -j list ruleset: ${r.stderr.trim() || 'failed'}` };
    return { rules: parseDropRules(r.stdout) };
  } catch {
    return { unavailable: 'nft is not installed (apt-get install nftables); iptables users: iptables -L -v -n' };
  }
}
