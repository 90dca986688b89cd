// doctor's parsers and rules on inputs whose right answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyWindow, type Window } from '../../src/reduce/totals.js';
import type { DropRow, Hello, SoftirqRow } from '../../src/stream/types.js';
import { parsePairedCounters, parseSnmp6, parseSoftnet, type IfaceCounters } from '../../src/netstat/counters.js';
import { isNicDropCounter, parseCoalesce, parseMaxCurrent, parseRss, parseStats } from '../../src/netstat/ethtool.js';
import { parseDropRules } from '../../src/netstat/nft.js';
import { diagnose, isHealthy, type DoctorInput, type NetSample } from '../../src/doctor/findings.js';
import { foldDropRecords, nearBursts, type DropTimeline } from '../../src/doctor/timeline.js';
import { doctorText } from '../../src/doctor/text.js';
import { quickSample, seriesSample, SERIES_IFACE_STATS } from '../../src/doctor/collect.js';
import { eventRec, concat } from './support/stream-builder.js';

const hello = { ncpus: 2, kernel: '6.18.0', windowNs: 100_000, monoNs: 0n, realtimeNs: 0n } as Hello;
const NS = 4026531840;

function window(over: Partial<Window> = {}): Window {
  return {
    ...emptyWindow(hello, 2e9),
    dropNames: new Map([
      [6, 'SOCKET_RCVBUFF'],
      [12, 'NETFILTER_DROP'],
      [71, 'CPU_BACKLOG'],
      [3, 'NO_SOCKET'],
    ]),
    ...over,
  };
}

function drop(reason: number, count: number, over: Partial<DropRow> = {}): DropRow {
  return { cpu: 0, reason, ifindex: 1, ethProto: 0x0800, l4Proto: 17, netns: NS, count, lastNs: 1n, ...over };
}

function iface(dev: string, ifindex: number, stats: Record<string, number>, physical = true): IfaceCounters {
  return { dev, ifindex, stats, napiDeferHardIrqs: 0, groFlushTimeoutNs: 0, threaded: 0, physical };
}

function sample(over: Partial<NetSample> = {}): NetSample {
  return {
    softnet: [
      { cpu: 0, processed: 0, dropped: 0, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 },
      { cpu: 1, processed: 0, dropped: 0, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 },
    ],
    proto: new Map([['Udp.RcvbufErrors', 100]]),
    ifaces: [iface('lo', 1, {}, false), iface('eth0', 2, { rx_missed_errors: 5 })],
    ethtoolStats: new Map(),
    nftRules: [],
    ...over,
  };
}

function input(over: Partial<DoctorInput> = {}): DoctorInput {
  return {
    durationS: 2,
    iface: null,
    before: sample(),
    after: sample(),
    window: window(),
    timeline: new Map(),
    netns: NS,
    sysctls: {
      'net.core.netdev_max_backlog': 1000,
      'net.core.netdev_budget': 300,
      'net.core.netdev_budget_usecs': 8000,
      'net.core.rmem_max': 4194304,
    },
    ethtool: new Map(),
    queues: [],
    kernel: '6.18.0',
    series: [],
    wallMs: (ns) => ns / 1e6,
    ...over,
  };
}

test('softnet_stat: hex columns, the CPU id from column 13', () => {
  const rows = parseSoftnet(
    '0a639164 00000010 00000005 0 0 0 0 0 0 0 0 0 00000000 0 0\n06545585 00000000 00000009 0 0 0 0 0 0 00000002 00000001 0 00000003 0 0\n',
  );
  assert.deepEqual(
    rows.map((r) => [r.cpu, r.processed, r.dropped, r.timeSqueeze, r.receivedRps, r.flowLimit]),
    [
      [0, 0x0a639164, 16, 5, 0, 0],
      [3, 0x06545585, 0, 9, 2, 1],
    ],
  );
});

test('snmp and snmp6 counters by name', () => {
  const m = parsePairedCounters(
    'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdp: 10 2 7 40 7\nTcpExt: ListenDrops\nTcpExt: 3\n',
  );
  assert.equal(m.get('Udp.RcvbufErrors'), 7);
  assert.equal(m.get('TcpExt.ListenDrops'), 3);
  assert.equal(parseSnmp6('Udp6InErrors   4\nUdp6RcvbufErrors 9\n').get('Udp6RcvbufErrors'), 9);
});

test('ethtool output: -S, -g, -c, -x and which driver counters are drops', () => {
  assert.deepEqual(parseStats('NIC statistics:\n     rx_drops: 3\n     rx_queue_0_packets: 10\n'), {
    rx_drops: 3,
    rx_queue_0_packets: 10,
  });
  const g = parseMaxCurrent(
    'Ring parameters for eth0:\nPre-set maximums:\nRX:\t\t4096\nRX Mini:\tn/a\nTX:\t\t4096\nCurrent hardware settings:\nRX:\t\t256\nTX:\t\t512\n',
  );
  assert.equal(g.max.rx, 4096);
  assert.equal(g.cur.rx, 256);
  assert.equal(g.cur.tx, 512);
  assert.equal(g.max['rx mini'], null);
  const c = parseCoalesce('Coalesce parameters for eth0:\nAdaptive RX: off  TX: n/a\nrx-usecs: 8\nrx-frames: n/a\n');
  assert.deepEqual(c, { 'adaptive-rx': 'off', 'rx-usecs': '8' });
  assert.deepEqual(
    [
      ...(parseRss(
        'RX flow hash indirection table for eth0 with 2 RX ring(s):\n    0:      0     1     0     1\n    4:      0     0     0     0\n',
      ) ?? []),
    ],
    [
      [0, 6],
      [1, 2],
    ],
  );
  for (const k of [
    'rx_missed_errors',
    'rx_fifo_errors',
    'rx_no_buffer_count',
    'rx_queue_0_drops',
    'rx_out_of_buffer',
    'rx_discards',
  ])
    assert.ok(isNicDropCounter(k), k);
  for (const k of ['rx_packets', 'tx_dropped', 'rx_xdp_drops', 'rx_bytes']) assert.ok(!isNicDropCounter(k), k);
});

test('nft JSON: drop rules with their counters and chains', () => {
  const json = JSON.stringify({
    nftables: [
      { metainfo: {} },
      {
        rule: {
          family: 'inet',
          table: 't',
          chain: 'input',
          handle: 4,
          expr: [{ match: { left: {}, right: 9999 } }, { counter: { packets: 17, bytes: 900 } }, { drop: null }],
        },
      },
      {
        rule: {
          family: 'inet',
          table: 't',
          chain: 'input',
          handle: 5,
          expr: [{ counter: { packets: 3 } }, { accept: null }],
        },
      },
    ],
  });
  assert.deepEqual(parseDropRules(json), [
    { family: 'inet', table: 't', chain: 'input', handle: 4, packets: 17, text: '9999' },
  ]);
  assert.deepEqual(parseDropRules('not json'), []);
});

test('no drops and no counters moving: healthy, no findings', () => {
  const f = diagnose(input());
  assert.deepEqual(f, []);
  assert.ok(isHealthy(f));
  assert.match(doctorText(f, true, 2, 'every interface', [], []), /^healthy: /);
});

test('drops of several reasons: most severe first, each with its counter evidence', () => {
  const d = input({
    window: window({
      drop: [drop(3, 50), drop(6, 900, { cpu: 1 }), drop(6, 100), drop(71, 40, { cpu: 1, ifindex: 0 })],
    }),
    after: sample({
      proto: new Map([['Udp.RcvbufErrors', 1100]]),
      softnet: [
        { cpu: 0, processed: 0, dropped: 0, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 },
        { cpu: 1, processed: 0, dropped: 40, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 },
      ],
    }),
  });
  const f = diagnose(d);
  assert.deepEqual(
    f.map((x) => [x.id, x.severity]),
    [
      ['socket-rcvbuf', 'critical'],
      ['backlog', 'critical'],
      ['drops:NO_SOCKET', 'warning'],
    ],
  );
  assert.equal(f[0]?.counts.drops, 1000);
  assert.equal(f[0]?.counts.udp_rcvbuf_errors, 1000);
  assert.ok(f[0]?.evidence.includes('by CPU: CPU 1: 900, CPU 0: 100'));
  assert.ok(f[0]?.evidence.includes('by device: lo ipv4/udp: 1000'));
  assert.equal(f[1]?.counts.softnet_dropped, 40);
  // with per-interval readings, the finding says when the counter rose
  const series = [0, 0, 40, 40].map((dropped, i) => ({
    atMs: Date.UTC(2026, 0, 1, 10, 0, i),
    sample: sample({ softnet: [{ cpu: 1, processed: 0, dropped, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 }] }),
  }));
  const timed = diagnose({ ...d, series }).find((x) => x.id === 'backlog');
  assert.ok(
    timed?.evidence.includes(
      'softnet_stat dropped rose between 10:00:01.000 and 10:00:02.000 UTC (counters read every 1000 ms)',
    ),
    timed?.evidence.join('\n'),
  );
  assert.ok(f[1]?.actions.some((a) => a.command === 'sysctl -w net.core.netdev_max_backlog=2000'));
  assert.ok(!isHealthy(f));
});

test("a drop in another network namespace is not given this namespace's device name", () => {
  const f = diagnose(input({ window: window({ drop: [drop(12, 7, { ifindex: 2, netns: 99 })] }) }));
  assert.equal(f[0]?.id, 'netfilter');
  assert.ok(
    f[0]?.evidence.includes('by device: ifindex 2 in network namespace 99 ipv4/udp: 7'),
    f[0]?.evidence.join('\n'),
  );
});

test("--iface keeps that device's drops and socket-level ones (no device), not others", () => {
  const w = window({ drop: [drop(12, 7, { ifindex: 1 }), drop(3, 5, { ifindex: 2 }), drop(6, 4, { ifindex: 0 })] });
  const f = diagnose(input({ iface: { dev: 'eth0', ifindex: 2 }, window: w }));
  assert.deepEqual(f.map((x) => x.id).sort(), ['drops:NO_SOCKET', 'socket-rcvbuf']);
});

test('NIC counters: a ring overflow names the device, its ring and the ethtool command', () => {
  const after = sample({ ifaces: [iface('lo', 1, {}, false), iface('eth0', 2, { rx_missed_errors: 25 })] });
  const ethtool = new Map([
    [
      'eth0',
      {
        stats: null,
        rings: { rx: 256, rxMax: 4096, tx: 256, txMax: 4096 },
        coalesce: { 'rx-usecs': '8' },
        channels: null,
        rss: null,
        unavailable: [],
      },
    ],
  ]);
  const f = diagnose(input({ after, ethtool }));
  assert.equal(f[0]?.id, 'nic-ring:eth0');
  assert.equal(f[0]?.counts.rx_missed_errors, 20);
  assert.ok(f[0]?.actions.some((a) => a.command === 'ethtool -G eth0 rx 4096'));
  assert.ok(f[0]?.evidence.includes('RX ring 256 of at most 4096'));
});

test('time_squeeze and NET_RX on one CPU are warnings with the sysctls to try', () => {
  const si = (cpu: number, timeNs: number): SoftirqRow => ({
    cpu,
    vec: 3,
    count: 1,
    timeNs,
    maxNs: 0,
    hist: [],
    asyncCount: 0,
    asyncTimeNs: 0,
    raised: 0,
    raiseLatNs: 0,
    latHist: [],
  });
  const after = sample({
    softnet: [
      { cpu: 0, processed: 0, dropped: 0, timeSqueeze: 12, receivedRps: 0, flowLimit: 0 },
      { cpu: 1, processed: 0, dropped: 0, timeSqueeze: 0, receivedRps: 0, flowLimit: 0 },
    ],
  });
  const f = diagnose(input({ after, window: window({ softirq: [si(0, 400e6), si(1, 10e6)] }) }));
  assert.deepEqual(
    f.map((x) => x.id),
    ['time-squeeze', 'net-rx-one-cpu'],
  );
  assert.equal(f[0]?.counts.time_squeeze, 12);
  assert.ok(f[0]?.actions.some((a) => a.command === 'sysctl -w net.core.netdev_budget=600'));
  assert.equal(f[1]?.counts.cpu, 0);
  // a little NET_RX on one CPU is not a finding
  assert.deepEqual(diagnose(input({ window: window({ softirq: [si(0, 10e6)] }) })), []);
});

test('drop records fold into per-reason times; drops inside bursts are counted as such', () => {
  const rec = (reason: number, ts: bigint) =>
    eventRec({ kind: 'drop', cpu: 0, id: reason, tsNs: ts, durNs: 0, tgid: 0, arg0: 1, arg1: 0 });
  const t: DropTimeline = new Map();
  foldDropRecords(t, concat(rec(6, 5_000_000n), rec(6, 9_000_000n), rec(71, 100n), rec(6, 1n)), 1000);
  assert.deepEqual([...t.keys()], [6]);
  assert.deepEqual(t.get(6), { count: 2, firstNs: 5_000_000, lastNs: 9_000_000, times: [5_000_000, 9_000_000] });
  const burst = {
    kind: 'burst' as const,
    cpu: 0,
    napiId: 0,
    startNs: 4_500_000n,
    endNs: 4_600_000n,
    ifindex: 1,
    packets: 300,
    peakWindowPackets: 300,
    pollsAtBudget: 0,
    windows: 1,
  };
  assert.equal(nearBursts([5_000_000, 9_000_000], [burst]), 0.5);
});

test('an epoll workload woken per packet by a busy NIC gets the interrupt-mitigation options, IRQ suspension on 6.13+', () => {
  const queues = [
    { dev: 'eth0', ifindex: 2, queue: 'rx-0', irq: 38, irqName: 'eth0-rx-0', affinity: [0, 1], effective: [0] },
  ];
  const hardirq = [{ cpu: 0, irq: 38, count: 60_000, timeNs: 60e6, maxNs: 5000, hist: [] }];
  const epoll = [
    {
      tgid: 900,
      tid: 900,
      comm: 'memcached',
      calls: 50_000,
      waitNs: 0,
      busyNs: 0,
      events: 52_000,
      errors: 0,
      retHist: [],
    },
  ];
  const f = diagnose(input({ queues, window: window({ hardirq, epoll }) }));
  assert.deepEqual(
    f.map((x) => [x.id, x.severity]),
    [['interrupt-heavy-epoll', 'info']],
  );
  assert.ok(isHealthy(f), 'a tuning note alone is not a problem');
  assert.ok(f[0]?.actions.some((a) => a.command.includes('irq-suspend-timeout')));
  assert.ok(f[0]?.actions.some((a) => a.command.startsWith('echo 2 > /sys/class/net/eth0/napi_defer_hard_irqs')));
  const old = diagnose(input({ queues, kernel: '6.1.0', window: window({ hardirq, epoll }) }));
  assert.ok(old[0]?.actions.some((a) => a.command.startsWith('upgrade to Linux 6.13+')));
  // a quiet NIC: no note
  assert.deepEqual(
    diagnose(
      input({
        queues,
        window: window({ hardirq: [{ cpu: 0, irq: 38, count: 100, timeNs: 1e5, maxNs: 5000, hist: [] }], epoll }),
      }),
    ),
    [],
  );
});

test('drops when a socket or queue goes away are a note, not a problem', () => {
  const f = diagnose(input({ window: window({ drop: [drop(40, 3)], dropNames: new Map([[40, 'QUEUE_PURGE']]) }) }));
  assert.deepEqual(
    f.map((x) => [x.id, x.severity]),
    [['drops:QUEUE_PURGE', 'info']],
  );
  assert.ok(isHealthy(f));
});

test("the twice-a-second series reads only what findings time: /proc/net/snmp, softnet, each device's drop counters", () => {
  const s = seriesSample();
  assert.ok(s.proto?.has('Udp.RcvbufErrors'), 'the UDP receive-buffer counter');
  assert.ok(![...(s.proto?.keys() ?? [])].some((k) => k.startsWith('TcpExt.')), '/proc/net/netstat is not read');
  assert.ok(s.softnet && s.softnet.length > 0, 'softnet_stat');
  const lo = s.ifaces.find((i) => i.dev === 'lo');
  assert.ok(lo, 'every device, lo included');
  assert.ok('rx_dropped' in lo.stats);
  for (const k of Object.keys(lo.stats)) assert.ok((SERIES_IFACE_STATS as readonly string[]).includes(k), k);
  assert.equal(lo.napiDeferHardIrqs, null, 'no NAPI settings in the series');
  // the baseline reads every statistics file
  const full = quickSample().ifaces.find((i) => i.dev === 'lo');
  assert.ok(full && Object.keys(full.stats).length > SERIES_IFACE_STATS.length);
});
