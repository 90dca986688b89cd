// NIC queue -> IRQ -> CPU chain from a fake sysfs/procfs tree, joined with NAPI rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { nicQueues, parseCpuList } from '../../src/procfs/nic.js';
import { queueChains } from '../../src/reduce/nic-chain.js';
import type { Window } from '../../src/reduce/totals.js';
import type { Hello } from '../../src/stream/types.js';

function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'irqlens-nic-'));
  const w = (p: string, s: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), s);
  };
  w(
    'proc/interrupts',
    '           CPU0       CPU1\n 38:          0        196 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n 39:        167          0 PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0\n 60:          5          5 PCI-MSI 1-edge      ens5-TxRx-1\nLOC:  1 2 Local timer interrupts\n',
  );
  w('proc/irq/38/smp_affinity_list', '0-1\n');
  w('proc/irq/38/effective_affinity_list', '1\n');
  w('proc/irq/60/smp_affinity_list', '0,2-3\n');
  mkdirSync(join(root, 'devices/virtio2'), { recursive: true });
  mkdirSync(join(root, 'devices/pci1'), { recursive: true });
  for (const [dev, ifindex, target, queues] of [
    ['eth0', 4, 'devices/virtio2', ['rx-0', 'tx-0']],
    ['ens5', 7, 'devices/pci1', ['rx-1']],
    ['lo', 1, '', ['rx-0']],
  ] as const) {
    w(`sys/class/net/${dev}/ifindex`, `${ifindex}\n`);
    for (const q of queues) mkdirSync(join(root, `sys/class/net/${dev}/queues/${q}`), { recursive: true });
    if (target) symlinkSync(join(root, target), join(root, `sys/class/net/${dev}/device`));
  }
  return root;
}

test('cpu lists parse ranges and single CPUs', () => {
  assert.deepEqual(parseCpuList('0,2-4,7'), [0, 2, 3, 4, 7]);
  assert.deepEqual(parseCpuList(''), []);
});

test('queues map to their IRQs by driver naming (virtio, <dev>-TxRx-N); devices without hardware are skipped', () => {
  const root = fakeRoot();
  try {
    const q = nicQueues(root);
    assert.deepEqual(
      q.map((x) => `${x.dev}/${x.queue}:${x.irq}:${x.irqName}`),
      ['ens5/rx-1:60:ens5-TxRx-1', 'eth0/rx-0:38:virtio2-input.0', 'eth0/tx-0:39:virtio2-output.0'],
    );
    assert.deepEqual(q.find((x) => x.irq === 38)?.affinity, [0, 1]);
    assert.deepEqual(q.find((x) => x.irq === 38)?.effective, [1]);
    assert.deepEqual(q.find((x) => x.irq === 60)?.affinity, [0, 2, 3]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the chain joins the IRQ rate per CPU and the NAPI instances that polled on those CPUs', () => {
  const w = {
    hello: { ncpus: 2 } as Hello,
    durationNs: 2e9,
    hardirq: [{ cpu: 1, irq: 38, count: 400, timeNs: 1, maxNs: 1, hist: [] }],
    napi: [
      {
        napiId: 9,
        ifindex: 4,
        cpu: 1,
        polls: 200,
        packets: 1000,
        pollsAtBudget: 3,
        bursts: 1,
        budget: 64,
        dev: 'eth0',
        workHist: [],
      },
      {
        napiId: 9,
        ifindex: 4,
        cpu: 0,
        polls: 2,
        packets: 2,
        pollsAtBudget: 0,
        bursts: 0,
        budget: 64,
        dev: 'eth0',
        workHist: [],
      },
      {
        napiId: 0,
        ifindex: 0,
        cpu: 1,
        polls: 50,
        packets: 50,
        pollsAtBudget: 0,
        bursts: 0,
        budget: 64,
        dev: '(backlog)',
        workHist: [],
      },
    ],
  } as unknown as Window;
  const [c] = queueChains(
    [{ dev: 'eth0', ifindex: 4, queue: 'rx-0', irq: 38, irqName: 'virtio2-input.0', affinity: [0, 1], effective: [1] }],
    w,
  );
  assert.ok(c);
  assert.deepEqual(c.irq_per_s, { '1': 200 });
  assert.deepEqual(c.napi, [
    { napi_id: 9, cpu: 1, packets_per_s: 500, polls_per_s: 100, polls_at_budget: 3, bursts: 1 },
  ]);
});
