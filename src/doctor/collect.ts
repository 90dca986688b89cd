// Reads every counter doctor compares, at the start and the end of its watch.
import { listIfaces, readIface, readProtoCounters, readSoftnet } from '../netstat/counters.js';
import { readEthtool, type EthtoolInfo } from '../netstat/ethtool.js';
import { readDropRules } from '../netstat/nft.js';
import type { NetSample } from './findings.js';

export interface Sampled {
  sample: NetSample;
  unavailable: string[];
}

/** Devices whose counters matter: the one asked for, else every real NIC. */
export function devicesOf(iface: string | null): string[] {
  if (iface) return [iface];
  return listIfaces().filter((d) => readIface(d)?.physical);
}

export async function sampleNet(devs: readonly string[], ethtool: Map<string, EthtoolInfo>): Promise<Sampled> {
  const unavailable: string[] = [];
  const { softnet, proto, ifaces } = quickSample();
  if (!softnet) unavailable.push('/proc/net/softnet_stat is missing: no backlog-drop or time_squeeze counters');
  if (!proto) unavailable.push('/proc/net/snmp is missing: no socket buffer counters');
  const ethtoolStats = new Map<string, Record<string, number> | null>();
  for (const d of devs) {
    const info = ethtool.get(d) ?? (await readEthtool(d));
    ethtool.set(d, info);
    ethtoolStats.set(d, info.stats);
  }
  const nft = await readDropRules();
  if ('unavailable' in nft) unavailable.push(nft.unavailable);
  return { sample: { softnet, proto, ifaces, ethtoolStats, nftRules: 'rules' in nft ? nft.rules : null }, unavailable };
}

/** Driver statistics again (ethtool -S only), for the end of the window. */
export async function refreshEthtoolStats(devs: readonly string[], into: Map<string, EthtoolInfo>): Promise<void> {
  for (const d of devs) {
    const fresh = await readEthtool(d);
    const old = into.get(d);
    into.set(d, old ? { ...old, stats: fresh.stats } : fresh);
  }
}

/** The sysfs drop counters a NIC-ring finding times (nicRing in findings.ts). */
export const SERIES_IFACE_STATS = ['rx_missed_errors', 'rx_fifo_errors', 'rx_over_errors', 'rx_dropped'] as const;

/** Softnet, the protocol counters and every device's sysfs counters; `series`: only what a finding times. */
function countersSample(series: boolean): NetSample {
  return {
    softnet: readSoftnet(),
    proto: readProtoCounters('/', series),
    ifaces: listIfaces()
      .map((d) => readIface(d, '/', series ? SERIES_IFACE_STATS : undefined))
      .filter((x) => x !== null),
    ethtoolStats: new Map(),
    nftRules: null,
  };
}

/**
 * What the twice-a-second series needs (a finding says when its counter rose): softnet, /proc/net/snmp and each
 * device's drop counters. The full read is ~80 files: at 2/s it was most of what doctor's Node process did
 * (BENCHMARKS.md).
 */
export function seriesSample(): NetSample {
  return countersSample(true);
}

/** The cheap counters only (procfs and sysfs reads), for the baselines at the window's edges. */
export function quickSample(): NetSample {
  return countersSample(false);
}
