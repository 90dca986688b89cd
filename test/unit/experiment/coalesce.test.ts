// The experiment's coalescing switch (ethtool -C): parsing ethtool -c's text
// and the DEV:PARAM=VALUE specs, and, against a stand-in ethtool on PATH that
// keeps one device's values in a file, that B sets them, A and the end put
// the originals back, the restorer does so after kill -9, and every refusal
// is one clear line. (No NIC here changes its coalescing: virtio_net refuses.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCoalesceSpec, parseEthtoolCoalesce, prepareCoalesce } from '../../../src/experiment/coalesce.js';
import { Switches } from '../../../src/experiment/switches.js';
import { repoRoot } from '../../../src/probe/paths.js';

/** `ethtool -c eth0` on this machine kind (virtio_net, ethtool 6.1). */
const VIRTIO = `Coalesce parameters for eth0:
Adaptive RX: off  TX: n/a
stats-block-usecs: n/a
sample-interval: n/a
pkt-rate-low: n/a
pkt-rate-high: n/a

rx-usecs: 0
rx-frames: 1
rx-usecs-irq: n/a
rx-frames-irq: n/a

tx-usecs: 0
tx-frames: 1
tx-usecs-irq: n/a
tx-frames-irq: n/a

CQE mode RX: n/a  TX: n/a
`;

test('ethtool -c text: every parameter under its ethtool -C name, n/a kept', () => {
  const m = parseEthtoolCoalesce(VIRTIO);
  assert.equal(m.get('rx-usecs'), '0');
  assert.equal(m.get('rx-frames'), '1');
  assert.equal(m.get('tx-frames'), '1');
  assert.equal(m.get('adaptive-rx'), 'off');
  assert.equal(m.get('adaptive-tx'), 'n/a');
  assert.equal(m.get('cqe-mode-rx'), 'n/a');
  assert.equal(m.get('rx-usecs-irq'), 'n/a');
  assert.equal(m.has('Coalesce parameters for eth0'), false);
  assert.equal(m.size, 16);
});

test('DEV:PARAM=VALUE specs: parts, or a message with the form and an example', () => {
  assert.deepEqual(parseCoalesceSpec('eth0:rx-usecs=50'), { dev: 'eth0', param: 'rx-usecs', value: '50' });
  assert.deepEqual(parseCoalesceSpec('enp1s0f1:adaptive-rx=off'), {
    dev: 'enp1s0f1',
    param: 'adaptive-rx',
    value: 'off',
  });
  for (const bad of ['eth0', 'eth0:rx-usecs', 'rx-usecs=50', 'eth0:=5', 'eth0:rx usecs=5', ':rx-usecs=5'])
    assert.throws(() => parseCoalesceSpec(bad), /is not DEV:PARAM=VALUE \(e\.g\. eth0:rx-usecs=50/, bad);
});

/** A stand-in ethtool for device `lo`: -c prints its values, -C sets rx-usecs and adaptive-rx and refuses the rest. */
function fakeEthtool(): { dir: string; state: string; log: string; values: () => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'irqlens-ethtool-'));
  const state = join(dir, 'state');
  const log = join(dir, 'log');
  writeFileSync(state, 'rx_usecs=3\nadaptive_rx=off\n');
  const script = `#!/bin/sh
echo "$*" >> '${log}'
. '${state}'
case "$1" in
-c)
  [ "$2" = lo ] || { echo "netlink error: Operation not supported" >&2; exit 1; }
  printf 'Coalesce parameters for lo:\\nAdaptive RX: %s  TX: n/a\\n\\nrx-usecs: %s\\nrx-frames: 1\\nrx-usecs-irq: n/a\\n' "$adaptive_rx" "$rx_usecs"
  ;;
-C)
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
    rx-usecs) rx_usecs=$2 ;;
    adaptive-rx) adaptive_rx=$2 ;;
    *) echo "netlink error: Operation not supported" >&2; exit 1 ;;
    esac
    shift 2
  done
  printf 'rx_usecs=%s\\nadaptive_rx=%s\\n' "$rx_usecs" "$adaptive_rx" > '${state}'
  ;;
esac
`;
  writeFileSync(join(dir, 'ethtool'), script);
  chmodSync(join(dir, 'ethtool'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path ?? ''}`;
  return {
    dir,
    state,
    log,
    values: () => readFileSync(state, 'utf8').trim().replace(/\n/g, ' '),
    done: () => {
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('coalescing switch: B sets the values, A and the end put back what ethtool -c showed', async () => {
  const f = fakeEthtool();
  try {
    const sw = Switches.prepare({ coalesce: ['lo:rx-usecs=50', 'lo:adaptive-rx=on'] }, () => []);
    assert.deepEqual(sw.describe(), ['lo coalescing: rx-usecs 50 (A: 3), adaptive-rx on (A: off)']);
    sw.arm();
    await sw.set('B');
    assert.equal(f.values(), 'rx_usecs=50 adaptive_rx=on');
    await sw.set('A');
    assert.equal(f.values(), 'rx_usecs=3 adaptive_rx=off');
    await sw.set('B');
    await sw.restore();
    assert.equal(f.values(), 'rx_usecs=3 adaptive_rx=off');
  } finally {
    f.done();
  }
});

test('coalescing switch: a device, a parameter or a value the driver does not take is one clear message', async () => {
  const f = fakeEthtool();
  try {
    assert.throws(() => prepareCoalesce(['nosuchdev0:rx-usecs=5']), /no network interface 'nosuchdev0' here/);
    assert.throws(
      () => prepareCoalesce(['lo:rx-usec=5']),
      /lo has no coalescing parameter 'rx-usec' \(ethtool -c lo lists: adaptive-rx, adaptive-tx, rx-usecs, rx-frames, rx-usecs-irq\)/,
    );
    assert.throws(
      () => prepareCoalesce(['lo:rx-usecs-irq=5']),
      /lo's driver does not have rx-usecs-irq \(ethtool -c shows n\/a\)/,
    );
    assert.throws(() => prepareCoalesce(['lo:rx-usecs=5', 'lo:rx-usecs=6']), /lo:rx-usecs is given twice/);
    // the driver lists rx-frames but refuses to change it: B says so with ethtool's reason, the end restores nothing it did not change
    const sw = Switches.prepare({ coalesce: ['lo:rx-frames=8'] }, () => []);
    sw.arm();
    await assert.rejects(
      sw.set('B'),
      /cannot set lo's coalescing \(ethtool -C lo rx-frames 8\): netlink error: Operation not supported/,
    );
    assert.equal(f.values(), 'rx_usecs=3 adaptive_rx=off');
    await sw.restore();
  } finally {
    f.done();
  }
});

test('coalescing switch: after kill -9 of the process that set B, the restorer puts the originals back', async () => {
  const f = fakeEthtool();
  try {
    const mod = pathToFileURL(join(repoRoot(), 'dist', 'src', 'experiment', 'switches.js')).href;
    const code = `const { Switches } = await import(${JSON.stringify(mod)});
const sw = Switches.prepare({ coalesce: ['lo:rx-usecs=77'] }, () => []);
sw.arm();
await sw.set('B');
process.stdout.write('B\\n');
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => {
        resolve();
      });
      child.once('exit', (c) => {
        reject(new Error(`the child ended (${String(c)}) before setting B`));
      });
    });
    assert.equal(f.values(), 'rx_usecs=77 adaptive_rx=off', 'B is set');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 100 && f.values() !== 'rx_usecs=3 adaptive_rx=off'; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(f.values(), 'rx_usecs=3 adaptive_rx=off', 'the restorer put rx-usecs back');
    assert.match(readFileSync(f.log, 'utf8'), /-C lo rx-usecs 3\n$/, 'by ethtool -C with the original');
  } finally {
    f.done();
  }
});
