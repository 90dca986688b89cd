// layout.ts mirrors bpf/events.h by hand; the helper prints what the C
// compiler actually laid out (--layout, no root needed). They must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { helperPath } from '../../src/probe/paths.js';
import {
  EPOLL_RET_SLOTS,
  FRAME,
  HELLO_SOFTIRQ_ASYNC_ONLY,
  HELLO_NO_RAISE_LATENCY,
  HIST_SLOTS,
  LAYOUT,
  LOST_REASONS,
  NAPI_WORK_SLOTS,
  NR_KINDS,
  NR_REC_KINDS,
  NR_SOFTIRQS,
  MAX_PERIOD_EVERY,
  PERIOD_PMU,
  PERIOD_STEAL,
  PROG_STATUS,
  PROBE_GROUPS,
  REC,
  REC_NAMES,
  SNAP_FULL,
  SNAP_REQUESTED,
  SOFTIRQ_NAMES,
  STREAM_VERSION,
  TABLE,
  VECTORS,
  type StructLayout,
} from '../../src/stream/layout.js';
import { IRQ_KINDS } from '../../src/attribution/types.js';

interface HelperLayout {
  version: number;
  structs: Record<string, StructLayout>;
  constants: Record<string, number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseLayout(text: string): HelperLayout {
  const j: unknown = JSON.parse(text);
  assert.ok(isRecord(j), 'helper --layout printed a JSON object');
  assert.equal(typeof j.version, 'number', 'version is a number');
  assert.ok(isRecord(j.structs), 'structs is an object');
  const structs: Record<string, StructLayout> = {};
  for (const [name, s] of Object.entries(j.structs)) {
    assert.ok(isRecord(s) && typeof s.size === 'number' && isRecord(s.fields), `struct ${name} has a size and fields`);
    const fields: Record<string, number> = {};
    for (const [f, off] of Object.entries(s.fields)) {
      assert.equal(typeof off, 'number', `${name}.${f} offset is a number`);
      fields[f] = off as number;
    }
    structs[name] = { size: s.size, fields };
  }
  assert.ok(isRecord(j.constants), 'constants is an object');
  const constants: Record<string, number> = {};
  for (const [k, v] of Object.entries(j.constants)) {
    assert.equal(typeof v, 'number', `${k} is a number`);
    constants[k] = v as number;
  }
  return { version: j.version as number, structs, constants };
}

let cached: HelperLayout | undefined;

/** Runs the helper once, on first use, so a missing binary fails the tests with a clear message. */
function helperLayout(): HelperLayout {
  if (cached) return cached;
  const helper = helperPath();
  assert.ok(existsSync(helper), `${helper} is missing: build it first (npm run build)`);
  cached = parseLayout(execFileSync(helper, ['--layout'], { encoding: 'utf8', timeout: 10_000 }));
  return cached;
}

const fromTs: Record<string, StructLayout> = LAYOUT;

test('STREAM_VERSION is the helper stream version', () => {
  assert.equal(STREAM_VERSION, helperLayout().version);
});

test('layout.ts describes exactly the structs the helper reports', () => {
  assert.deepEqual(Object.keys(fromTs).sort(), Object.keys(helperLayout().structs).sort());
});

for (const [name, ts] of Object.entries(fromTs)) {
  test(`${name}: size and field offsets match the C layout`, () => {
    const c = helperLayout().structs[name];
    assert.ok(c, `the helper reports no struct ${name}`);
    assert.equal(ts.size, c.size, `sizeof(struct ${name})`);
    assert.deepEqual(Object.keys(ts.fields).sort(), Object.keys(c.fields).sort(), `${name} field names`);
    for (const [f, off] of Object.entries(c.fields)) assert.equal(ts.fields[f], off, `offsetof(struct ${name}, ${f})`);
  });
}

test('every struct is a multiple of 8 bytes and its fields lie inside it (events.h rules)', () => {
  for (const [name, s] of Object.entries(helperLayout().structs)) {
    assert.equal(s.size % 8, 0, `${name} is ${s.size} bytes`);
    for (const [f, off] of Object.entries(s.fields)) assert.ok(off >= 0 && off < s.size, `${name}.${f} at ${off}`);
  }
});

/** Every events.h constant the TypeScript side mirrors, by its C name. */
function mirroredConstants(): Record<string, number> {
  const c: Record<string, number> = {
    IRQLENS_STREAM_VERSION: STREAM_VERSION,
    IRQLENS_HIST_SLOTS: HIST_SLOTS,
    IRQLENS_NAPI_WORK_SLOTS: NAPI_WORK_SLOTS,
    IRQLENS_EPOLL_RET_SLOTS: EPOLL_RET_SLOTS,
    IRQLENS_NR_SOFTIRQS: NR_SOFTIRQS,
    IRQLENS_NR_VECTORS: VECTORS.length,
    IRQLENS_NR_REC_KINDS: NR_REC_KINDS,
    IRQLENS_NR_KINDS: NR_KINDS,
    IRQLENS_MAX_PERIOD_EVERY: MAX_PERIOD_EVERY,
    IRQLENS_PERIOD_PMU: PERIOD_PMU,
    IRQLENS_PERIOD_STEAL: PERIOD_STEAL,
    IRQLENS_HELLO_SOFTIRQ_ASYNC_ONLY: HELLO_SOFTIRQ_ASYNC_ONLY,
    IRQLENS_HELLO_NO_RAISE_LATENCY: HELLO_NO_RAISE_LATENCY,
    IRQLENS_SNAP_FULL: SNAP_FULL,
    IRQLENS_SNAP_REQUESTED: SNAP_REQUESTED,
  };
  VECTORS.forEach((v, i) => (c[`IRQLENS_VEC_${v.name}`] = i));
  for (const [k, v] of Object.entries(REC)) c[`IRQLENS_REC_${k}`] = v;
  for (const [k, v] of Object.entries(FRAME)) c[`IRQLENS_FRAME_${k}`] = v;
  for (const [k, v] of Object.entries(TABLE)) c[`IRQLENS_T_${k}`] = v;
  PROG_STATUS.forEach((s, i) => (c[`IRQLENS_PROG_${s.toUpperCase()}`] = i));
  PROBE_GROUPS.forEach((g, i) => (c[`IRQLENS_PG_${g.toUpperCase().replace('-', '_')}`] = i));
  c.IRQLENS_NR_PG = PROBE_GROUPS.length;
  IRQ_KINDS.forEach((k, i) => (c[`IRQLENS_KIND_${k.toUpperCase()}`] = i));
  c.IRQLENS_LOST_RING = LOST_REASONS.indexOf('ring_full');
  c.IRQLENS_LOST_MAP = LOST_REASONS.indexOf('map_full');
  return c;
}

test('constants: record kinds, tables, frames, flags, vector and kind order and slot counts match events.h', () => {
  const c = helperLayout().constants;
  const ts = mirroredConstants();
  for (const [name, v] of Object.entries(ts))
    assert.equal(v, c[name], `${name}: TypeScript ${v}, events.h ${String(c[name])}`);
  // a constant events.h gained that TypeScript does not mirror (or say it need not) fails here
  const cOnly = new Set(['IRQLENS_COMM_LEN', 'IRQLENS_DEV_LEN', 'IRQLENS_MAX_SELF_TGIDS', 'IRQLENS_EVENTS_FLUSH_MS']);
  assert.deepEqual(
    Object.keys(c).filter((k) => !(k in ts) && !cOnly.has(k)),
    [],
  );
  assert.equal(SOFTIRQ_NAMES.length, NR_SOFTIRQS);
  for (const [k, v] of Object.entries(REC)) assert.equal(REC_NAMES[v], k.toLowerCase(), `REC_NAMES[${v}]`);
});
