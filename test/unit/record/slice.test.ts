// Slicing: a slice of a slice is the same file as the one slice; the baseline
// carries exactly the state the original had at --from; the records kept are
// the original's in range; CPU, IRQ and device filters keep only theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Recording } from '../../../src/record/reader.js';
import { RecordError } from '../../../src/record/errors.js';
import { sliceRecording, type SliceSpec } from '../../../src/record/slice.js';
import { eachMessage, measurementOf } from '../../../src/record/offline.js';
import { initialTotals, reduceTotals, windowOf, type Totals } from '../../../src/reduce/totals.js';
import { decodeRecords } from '../../../src/stream/decode.js';
import type { BurstRec, EventRec, PeriodRec } from '../../../src/stream/types.js';
import { fixtureRecording, scratch } from './support.js';
import { prng } from '../support/fixture.js';

const dir = scratch();
const src = join(dir, 'src.irqrec');
fixtureRecording(src, { chunkBytes: 8192 });

let n = 0;
function slice(from: string, spec: SliceSpec): string {
  const out = join(dir, `slice-${n++}.irqrec`);
  const rec = Recording.open(from);
  try {
    sliceRecording(rec, out, spec);
  } finally {
    rec.close();
  }
  return out;
}

type Rec = EventRec | BurstRec | PeriodRec;

/** Totals after every snapshot, every record in stream order, and the records that arrived after each snapshot. */
function fold(path: string): { states: Totals[]; records: Rec[]; after: Rec[][] } {
  const rec = Recording.open(path);
  let s = initialTotals(rec.hello);
  const states: Totals[] = [];
  const records: Rec[] = [];
  const after: Rec[][] = [[]];
  eachMessage(rec, (m) => {
    if (m.type === 'hello') return;
    s = reduceTotals(s, m);
    if (m.type === 'snapshot') {
      states.push(s);
      after.push([]);
    }
    if (m.type === 'events') {
      const rs = decodeRecords(m.bytes);
      records.push(...rs);
      after[after.length - 1]?.push(...rs);
    }
  });
  rec.close();
  return { states, records, after };
}

const orig = fold(src);
const t0 = Number(Recording.open(src).hello.monoNs);
const secs = (ts: bigint) => (Number(ts) - t0) / 1e9;
const cpuOf = (r: EventRec | BurstRec | PeriodRec) => ('cpu' in r ? r.cpu : r.cpuStart);
const lastS = secs(orig.states[orig.states.length - 1]?.tsNs ?? 0n);

/** Maps as entry lists: the same rows in the same order. */
function rows(t: Totals) {
  return {
    hardirq: [...t.hardirq],
    softirq: [...t.softirq],
    vector: [...t.vector],
    napi: [...t.napi],
    epoll: [...t.epoll],
    victim: [...t.victim],
    irqNames: [...t.irqNames],
    lost: [...t.lost],
    progStat: [...t.progStat],
    cpuTime: [...t.cpuTime],
  };
}

test('a slice starts from the state the original had at --from, and covers its window exactly', () => {
  const states = orig.states;
  const from = (secs(states[2]?.tsNs ?? 0n) + secs(states[3]?.tsNs ?? 0n)) / 2; // between snapshots 2 and 3
  const to = secs(states[6]?.tsNs ?? 0n) + 0.001;
  const s = fold(slice(src, { fromS: from, toS: to }));
  const b = states[2];
  const first = s.states[0];
  assert.ok(b && first);
  assert.equal(first.tsNs, b.tsNs, 'the baseline is the last snapshot before --from');
  assert.deepEqual(rows(first), rows(b));
  assert.equal(s.states.length, 5, 'baseline + snapshots 3..6');
  const sl = s.states[s.states.length - 1];
  const e = states[6];
  assert.ok(sl && e);
  assert.deepEqual(windowOf(first, sl), windowOf(b, e));
});

test('the records kept are those that arrived between the baseline and the last snapshot in range', () => {
  const states = orig.states;
  const from = secs(states[1]?.tsNs ?? 0n) + 0.001;
  const to = secs(states[5]?.tsNs ?? 0n) + 0.001;
  const s = fold(slice(src, { fromS: from, toS: to }));
  // after[i + 1] holds what arrived after snapshot i: snapshots 1 (baseline) .. 5
  const want = [2, 3, 4, 5].flatMap((i) => orig.after[i] ?? []);
  assert.ok(want.length > 50, `${want.length} records in range`);
  assert.deepEqual(s.records, want);
});

test('a slice of a slice is the same file as the one slice (random ranges and CPU filters)', () => {
  const rand = prng(77);
  let compared = 0;
  for (let i = 0; i < 40; i++) {
    const r = () => Math.round(rand() * (lastS + 0.05) * 1000) / 1000;
    const [a1, b1] = [r(), r()].sort((x, y) => x - y) as [number, number];
    const [a2, b2] = [r(), r()].sort((x, y) => x - y) as [number, number];
    const c1 = rand() < 0.3 ? [Math.floor(rand() * 2)] : undefined;
    const c2 = rand() < 0.3 ? [0, 1] : undefined;
    let twice: string | undefined;
    let once: string | undefined;
    try {
      twice = slice(slice(src, { fromS: a1, toS: b1, ...(c1 ? { cpus: c1 } : {}) }), {
        fromS: a2,
        toS: b2,
        ...(c2 ? { cpus: c2 } : {}),
      });
    } catch (e) {
      assert.ok(e instanceof RecordError && /no snapshot of .* is in the range/.test(e.message), String(e));
    }
    const cpus = c1 && c2 ? c1.filter((c) => c2.includes(c)) : (c1 ?? c2);
    try {
      once = slice(src, { fromS: Math.max(a1, a2), toS: Math.min(b1, b2), ...(cpus ? { cpus } : {}) });
    } catch (e) {
      assert.ok(e instanceof RecordError && /no snapshot of .* is in the range/.test(e.message), String(e));
    }
    assert.equal(
      twice === undefined,
      once === undefined,
      `case ${i}: [${a1},${b1}] then [${a2},${b2}]: one of them is empty`,
    );
    if (!twice || !once) continue;
    assert.ok(
      readFileSync(twice).equals(readFileSync(once)),
      `case ${i}: [${a1},${b1}] cpus ${String(c1)} then [${a2},${b2}] cpus ${String(c2)}`,
    );
    compared++;
  }
  assert.ok(compared >= 15, `${compared} non-empty cases compared`);
});

test('the whole range without filters keeps every frame: same measurement as the original', () => {
  const whole = slice(src, { fromS: 0 });
  const a = Recording.open(src);
  const b = Recording.open(whole);
  const ma = measurementOf(a);
  const mb = measurementOf(b);
  assert.deepEqual(mb.window, ma.window);
  assert.deepEqual(mb.collector.periods, ma.collector.periods);
  assert.equal(b.header.slice?.source, 'src.irqrec');
  a.close();
  b.close();
});

test('--cpu keeps only that CPU: its records and rows, none of the other', () => {
  const s = fold(slice(src, { cpus: [1] }));
  assert.ok(s.records.length > 20);
  assert.ok(s.records.every((r) => cpuOf(r) === 1));
  assert.equal(s.records.length, orig.records.filter((r) => cpuOf(r) === 1).length);
  const last = s.states[s.states.length - 1];
  assert.ok(last);
  for (const m of [last.hardirq, last.softirq, last.vector, last.napi, last.victim, last.cpuTime])
    for (const r of m.values()) assert.equal(r.cpu, 1);
  assert.ok(last.softirq.size > 0 && last.vector.size > 0);
});

test('--irq by name or number keeps only those device interrupts; other kinds stay', () => {
  const end = orig.states[orig.states.length - 1];
  assert.ok(end);
  const [irq, name] = [...end.irqNames].find(([i]) => [...end.hardirq.values()].some((r) => r.irq === i)) ?? [0, ''];
  assert.ok(name);
  for (const want of [String(irq), name]) {
    const s = fold(slice(src, { irqs: [want] }));
    const last = s.states[s.states.length - 1];
    assert.ok(last);
    assert.deepEqual([...new Set([...last.hardirq.values()].map((r) => r.irq))], [irq]);
    assert.ok(s.records.filter((r) => r.kind === 'hardirq').every((r) => r.kind === 'hardirq' && r.id === irq));
    assert.equal(
      s.records.filter((r) => r.kind === 'softirq').length,
      orig.records.filter((r) => r.kind === 'softirq').length,
    );
  }
  assert.throws(() => slice(src, { irqs: ['no-such-irq'] }), /--irq: no IRQ in .* is named like 'no-such-irq'/);
});

test("--dev keeps that device's NAPI instances and bursts; an unknown device is an error", () => {
  const end = orig.states[orig.states.length - 1];
  assert.ok(end);
  const dev =
    [...end.napi.values()].map((r) => r.dev).find((d) => d && d !== '(backlog)') ?? [...end.napi.values()][0]?.dev;
  assert.ok(dev);
  const s = fold(slice(src, { devs: [dev] }));
  const last = s.states[s.states.length - 1];
  assert.ok(last);
  assert.ok([...last.napi.values()].every((r) => r.dev === dev));
  const ids = new Set([...last.napi.values()].map((r) => r.napiId));
  assert.ok(s.records.filter((r) => r.kind === 'napi').every((r) => r.kind === 'napi' && ids.has(r.id)));
  assert.throws(() => slice(src, { devs: ['nope0'] }), /--dev: .* knows no device 'nope0'/);
});

test('a range outside the recording is a RecordError and leaves no file', () => {
  const out = join(dir, 'empty.irqrec');
  const rec = Recording.open(src);
  assert.throws(
    () => sliceRecording(rec, out, { fromS: 50, toS: 60 }),
    /no snapshot of .* is in the range \(it spans 0 to [\d.]+ s, snapshots every \d+ ms\)/,
  );
  rec.close();
  assert.equal(existsSync(out), false);
});
