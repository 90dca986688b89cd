// The experiment's per-NAPI switch, pure parts: the DEV:KEY=VALUE specs, the
// helper's `napi list` lines, the per-instance commands for B and A, and the
// report's words. (The kernel side: test/kernel/napi-switch.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeNapi,
  napiArgs,
  parseNapiList,
  parseNapiSpec,
  type NapiSetting,
} from '../../../src/experiment/napi.js';

test('--napi specs: device, key and number, or a message with the form and the keys', () => {
  assert.deepEqual(parseNapiSpec('eth0:irq-suspend-timeout=20000000'), {
    dev: 'eth0',
    key: 'irq-suspend-timeout',
    value: '20000000',
  });
  assert.deepEqual(parseNapiSpec('ens5:defer-hard-irqs=100').key, 'defer-hard-irqs');
  for (const bad of [
    'eth0:irq-suspend=5',
    'eth0:gro-flush-timeout=-1',
    'eth0:defer-hard-irqs=1e3',
    'defer-hard-irqs=2',
  ])
    assert.throws(
      () => parseNapiSpec(bad),
      /is not DEV:KEY=NUMBER with KEY defer-hard-irqs, gro-flush-timeout, irq-suspend-timeout/,
      bad,
    );
});

test('napi list lines: one instance per line, n/a kept, other lines ignored', () => {
  const text =
    'napi id=8193 irq=36 defer-hard-irqs=0 gro-flush-timeout=0 irq-suspend-timeout=0\n' +
    'napi id=8194 defer-hard-irqs=2 gro-flush-timeout=200000 irq-suspend-timeout=n/a\n' +
    'something else\n';
  assert.deepEqual(parseNapiList(text), [
    { id: 8193, values: { 'defer-hard-irqs': '0', 'gro-flush-timeout': '0', 'irq-suspend-timeout': '0' } },
    { id: 8194, values: { 'defer-hard-irqs': '2', 'gro-flush-timeout': '200000', 'irq-suspend-timeout': 'n/a' } },
  ]);
  assert.deepEqual(parseNapiList(''), []);
});

test('napi switch: B puts its values on every instance, A each instance its own', () => {
  const n: NapiSetting = {
    dev: 'eth0',
    keys: ['irq-suspend-timeout', 'defer-hard-irqs'],
    b: { 'irq-suspend-timeout': '20000000', 'defer-hard-irqs': '100' },
    instances: [
      { id: 8193, values: { 'irq-suspend-timeout': '0', 'defer-hard-irqs': '0' } },
      { id: 8194, values: { 'irq-suspend-timeout': '0', 'defer-hard-irqs': '2' } },
    ],
  };
  assert.deepEqual(napiArgs(n, 'B'), [
    ['napi', 'set', '8193', 'irq-suspend-timeout=20000000', 'defer-hard-irqs=100'],
    ['napi', 'set', '8194', 'irq-suspend-timeout=20000000', 'defer-hard-irqs=100'],
  ]);
  assert.deepEqual(napiArgs(n, 'A'), [
    ['napi', 'set', '8193', 'irq-suspend-timeout=0', 'defer-hard-irqs=0'],
    ['napi', 'set', '8194', 'irq-suspend-timeout=0', 'defer-hard-irqs=2'],
  ]);
  assert.equal(
    describeNapi(n),
    'eth0 NAPI (2 instances): irq-suspend-timeout 20000000 (A: 0), defer-hard-irqs 100 (A: 0/2)',
  );
});
