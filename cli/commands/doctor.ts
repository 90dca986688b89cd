// `irqlens doctor`: watches the receive path for N seconds and explains drops.
// Exit 0 healthy, 1 findings, 2 could not run. Read-only.
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { dropProbeStatus } from '../../src/reduce/drops.js';
import { listIfaces, ownNetns, readIface, readSysctls } from '../../src/netstat/counters.js';
import type { EthtoolInfo } from '../../src/netstat/ethtool.js';
import { nicQueues } from '../../src/procfs/nic.js';
import { devicesOf, quickSample, refreshEthtoolStats, sampleNet, seriesSample } from '../../src/doctor/collect.js';
import { diagnose, isHealthy, type NetSample } from '../../src/doctor/findings.js';
import { foldDropRecords, type DropTimeline } from '../../src/doctor/timeline.js';
import { doctorJson, doctorText } from '../../src/doctor/text.js';
import { describe, UsageError } from '../common/errors.js';
import { burstOptionList, positiveNumber } from '../common/probe-options.js';
import { DOCTOR_PROBES, LIVE_RING_BYTES, RECORD_PRESETS } from '../../src/probe/options.js';
import { onInterrupt } from '../common/signals.js';

export interface DoctorOpts {
  iface?: string;
  duration: number;
  json?: boolean;
  dropUnspecified?: boolean;
  windowUs: number;
  burstPackets: number;
}

class CannotRun extends Error {}

function checkIface(iface: string | undefined): { dev: string; ifindex: number } | null {
  if (iface === undefined) return null;
  if (!/^[^/\s]{1,15}$/.test(iface) || !existsSync(`/sys/class/net/${iface}`)) {
    throw new CannotRun(
      `--iface: interface '${iface}' does not exist (interfaces here: ${listIfaces().join(', ') || 'none'})`,
    );
  }
  return { dev: iface, ifindex: readIface(iface)?.ifindex ?? 0 };
}

async function run(o: DoctorOpts): Promise<number> {
  const iface = checkIface(o.iface);
  let probe: Probe;
  try {
    probe = await Probe.start({
      records: [...RECORD_PRESETS.doctor],
      ringBytes: LIVE_RING_BYTES,
      // the window is between two marks (each asks for its own snapshot): periodic ones would only cost
      intervalMs: 60_000,
      windowUs: o.windowUs,
      burstPackets: o.burstPackets,
      dropUnspecified: o.dropUnspecified ?? false,
      noEpoll: false,
      probes: DOCTOR_PROBES,
    });
  } catch (e) {
    throw new CannotRun(describe(e));
  }
  const cleanup = onInterrupt(() => probe.stop(), 'cut-short');
  try {
    const tracker = new Tracker(probe);
    const timeline: DropTimeline = new Map();
    let sinceNs = Infinity;
    tracker.onMessage((_s, m) => {
      if (m.type === 'events') foldDropRecords(timeline, m.bytes, sinceNs);
    });
    const devs = devicesOf(iface?.dev ?? null);
    const ethtool = new Map<string, EthtoolInfo>();
    const before = await sampleNet(devs, ethtool);
    const start = await tracker.mark();
    // the counters' baseline right after the probe's mark, not before the slow ethtool/nft reads:
    // both then count over one window (ethtool -S and nft counters still take their own time)
    before.sample = { ...before.sample, ...fastCounters(quickSample()) };
    sinceNs = Number(start.tsNs);
    const progress = process.stderr.isTTY;
    // the window starts now: say so (scripts and tests start their load on this line)
    if (!progress)
      process.stderr.write(`doctor: watching ${iface ? iface.dev : 'every interface'} for ${o.duration} s\n`);
    const t0 = Date.now();
    const ms = o.duration * 1000;
    // the counters a finding times, twice a second, so it can say when they rose
    const series = [{ atMs: Date.now(), sample: seriesSample() }];
    while (Date.now() - t0 < ms) {
      await new Promise((r) => setTimeout(r, Math.min(500, ms - (Date.now() - t0))));
      series.push({ atMs: Date.now(), sample: seriesSample() });
      if (progress)
        process.stderr.write(
          `\rdoctor: watching ${iface ? iface.dev : 'every interface'}: ${Math.ceil((ms - (Date.now() - t0)) / 1000)} s left `,
        );
    }
    if (progress) process.stderr.write('\r\x1b[K');
    // the final counters right before the probe's last mark, for the same reason
    const last = fastCounters(quickSample());
    const end = await tracker.mark();
    await refreshEthtoolStats(devs, ethtool);
    const after = await sampleNet(devs, ethtool);
    after.sample = { ...after.sample, ...last };
    await probe.stop();
    await tracker.done;

    const w = windowOf(start, end);
    const unavailable = [
      ...new Set([...before.unavailable, ...after.unavailable, ...[...ethtool.values()].flatMap((e) => e.unavailable)]),
    ];
    const dropProbe = dropProbeStatus(probe.hello);
    if (dropProbe !== 'attached')
      unavailable.unshift(
        `skb:kfree_skb drop reasons: ${dropProbe} (they need Linux 5.17+); only counters were compared`,
      );
    const lostDrops = [...w.lost].filter(([k]) => k.startsWith('drop/')).reduce((a, [, n]) => a + n, 0);
    if (lostDrops)
      unavailable.push(`${lostDrops} drop records were lost (ring full): drop times are a sample; counts are exact`);
    const sysctls = readSysctls();
    const queues = nicQueues();
    const hello = probe.hello;
    const findings = diagnose({
      durationS: o.duration,
      iface,
      netns: ownNetns(),
      series,
      before: before.sample,
      after: after.sample,
      window: w,
      timeline,
      sysctls,
      ethtool,
      queues,
      kernel: hello.kernel,
      wallMs: (ns) => (Number(hello.realtimeNs) + (ns - Number(hello.monoNs))) / 1e6,
    });
    const healthy = isHealthy(findings);
    const checked = checkedList(w.drop.length, dropProbe === 'attached', after.sample, devs, ethtool, sysctls);
    if (o.json) {
      const settings = {
        sysctls,
        devices: after.sample.ifaces
          .filter((i) => devs.includes(i.dev))
          .map((i) => {
            const e = ethtool.get(i.dev);
            const r = e?.rings;
            const c = e?.channels;
            return {
              dev: i.dev,
              napi_defer_hard_irqs: i.napiDeferHardIrqs,
              gro_flush_timeout_ns: i.groFlushTimeoutNs,
              threaded: i.threaded,
              rings: r ? { rx: r.rx, rx_max: r.rxMax, tx: r.tx, tx_max: r.txMax } : null,
              coalesce: e?.coalesce ?? null,
              channels: c ? { combined: c.combined, combined_max: c.combinedMax, rx: c.rx, rx_max: c.rxMax } : null,
              rss: e?.rss ? Object.fromEntries(e.rss) : null,
            };
          }),
        irq_affinity: queues.map((q) => ({
          dev: q.dev,
          queue: q.queue,
          irq: q.irq,
          affinity: q.affinity,
          effective: q.effective,
        })),
      };
      process.stdout.write(
        JSON.stringify(
          doctorJson(findings, healthy, o.duration, iface?.dev ?? null, unavailable, checked, settings),
          null,
          2,
        ) + '\n',
      );
    } else {
      process.stdout.write(
        doctorText(findings, healthy, o.duration, iface ? iface.dev : 'every interface', unavailable, checked),
      );
    }
    for (const warning of probe.warnings) process.stderr.write(`irqlens: ${warning}\n`);
    return healthy ? 0 : 1;
  } finally {
    cleanup();
    await probe.stop();
  }
}

/** What doctor looked at, so "healthy" says what it rests on. */
function checkedList(
  dropRows: number,
  dropProbe: boolean,
  s: NetSample,
  devs: readonly string[],
  ethtool: ReadonlyMap<string, EthtoolInfo>,
  sysctls: Record<string, number | null>,
): string[] {
  const out: string[] = [];
  if (dropProbe)
    out.push(
      `every packet drop the kernel reported (skb:kfree_skb): ${dropRows ? `${dropRows} CPU/reason/device rows` : 'none'}`,
    );
  if (s.softnet) out.push(`/proc/net/softnet_stat on ${s.softnet.length} CPUs: backlog drops, time_squeeze`);
  if (s.proto) out.push('/proc/net/snmp, netstat, snmp6: socket buffer and listen drops');
  for (const d of devs) {
    const e = ethtool.get(d);
    const parts = [`${d}: sysfs statistics`];
    if (e?.stats) parts.push(`ethtool -S (${Object.keys(e.stats).length} counters)`);
    if (e?.rings) parts.push(`RX ring ${e.rings.rx ?? '?'}/${e.rings.rxMax ?? '?'}`);
    if (e?.coalesce) parts.push(`rx-usecs ${e.coalesce['rx-usecs'] ?? '?'}`);
    if (e?.channels) parts.push(`${e.channels.combined ?? e.channels.rx ?? '?'} channels`);
    const i = s.ifaces.find((x) => x.dev === d);
    if (i && i.napiDeferHardIrqs !== null)
      parts.push(
        `napi_defer_hard_irqs ${i.napiDeferHardIrqs}, gro_flush_timeout ${i.groFlushTimeoutNs ?? '?'} ns, threaded ${i.threaded ?? '?'}`,
      );
    out.push(parts.join(', '));
  }
  if (s.nftRules) out.push(`nftables: ${s.nftRules.length} drop rules in this network namespace`);
  const v = (k: string) => sysctls[`net.core.${k}`] ?? '?';
  out.push(
    `sysctls: netdev_max_backlog ${v('netdev_max_backlog')}, netdev_budget ${v('netdev_budget')}, netdev_budget_usecs ${v('netdev_budget_usecs')}, busy_poll ${v('busy_poll')}, busy_read ${v('busy_read')}, rmem_max ${v('rmem_max')}`,
  );
  return out;
}

export async function doctorCommand(o: DoctorOpts): Promise<void> {
  let code: number;
  try {
    code = await run(o);
  } catch (e) {
    process.stderr.write(`irqlens doctor: ${e instanceof CannotRun ? e.message : describe(e)}\n`);
    code = 2;
  }
  process.exitCode = code;
}

/** The procfs/sysfs counters of a sample (cheap to read, so they can sit next to the probe's marks). */
function fastCounters(s: NetSample): Pick<NetSample, 'softnet' | 'proto' | 'ifaces'> {
  return { softnet: s.softnet, proto: s.proto, ifaces: s.ifaces };
}

// shorter than the counters' 500 ms sampling, a watch sees nothing and would call any host healthy
function atLeastHalfSecond(v: string): number {
  const n = positiveNumber('--duration')(v);
  if (n < 0.5) throw new UsageError(`--duration: '${v}' is too short to watch anything: give at least 0.5 seconds`);
  return n;
}

export function registerDoctorCommand(program: Command): void {
  const c = program.command('doctor');
  for (const o of burstOptionList()) c.addOption(o);
  c.description('watch the receive path and explain packet drops, most severe first (read-only)')
    .option('--iface <dev>', 'only this interface (socket-level drops still count)')
    .addOption(
      new Option('--duration <seconds>', 'how long to watch (at least 0.5)').default(10).argParser(atLeastHalfSecond),
    )
    .option('--json', 'JSON output (schema irqlens.doctor/1)')
    .option('--drop-unspecified', 'also count packet frees without a drop reason (mostly normal frees)')
    .addHelpText(
      'after',
      `
Exit code: 0 healthy, 1 findings, 2 could not run (no privileges, no such interface, ...).
doctor never changes a setting; each finding names the command to try and what it trades away.

Examples:
  irqlens doctor                         watch every interface for 10 s
  irqlens doctor --iface eth0 --duration 60
  irqlens doctor --json | jq '.findings[].title'`,
    )
    .action((o: DoctorOpts) => doctorCommand(o));
}
