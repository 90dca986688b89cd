// layout.ts mirrors bpf/events.h by hand; the helper prints what the C
// compiler actually laid out (--layout, no root needed). They must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { helperPath } from '../../src/probe/paths.js';
import { LAYOUT, STREAM_VERSION, type StructLayout } from '../../src/stream/layout.js';

interface HelperLayout {
  version: number;
  structs: Record<string, StructLayout>;
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
  return { version: j.version as number, structs };
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
