// The painted frame: its text is the plain screen with or without colour, and
// the painter rewrites only the rows that changed (all of them on a new size).
/* eslint-disable no-control-regex -- the frames are escape codes */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameRows, rowAnsi, rowText } from '../../ui/model/frame.js';
import { buildScreen, screenLines } from '../../ui/model/screen.js';
import { initialUiState } from '../../ui/model/ui-state.js';
import { Painter } from '../../ui/tui/painter.js';
import { estimates, liveFixture } from './fixtures.js';

const COLOUR = { color: true, unicode: true };
const PLAIN = { color: false, unicode: true };
const SIZE = { cols: 120, rows: 30 };

test('a frame in colour has the same text as the plain screen, row for row; without colour no styles at all', () => {
  for (const panel of ['irqs', 'nic', 'workloads'] as const) {
    const ui = { ...initialUiState(), panel, lower: panel };
    const live = liveFixture({ workloads: estimates });
    const coloured = frameRows(buildScreen(live, ui, SIZE, COLOUR), COLOUR);
    assert.deepEqual(coloured.map(rowText), screenLines(buildScreen(live, ui, SIZE, COLOUR)), panel);
    assert.ok(coloured.map(rowAnsi).join('').includes('\x1b['), 'colour: styled');
    const plain = frameRows(buildScreen(live, ui, SIZE, PLAIN), PLAIN);
    assert.deepEqual(plain.map(rowText), screenLines(buildScreen(live, ui, SIZE, PLAIN)));
    assert.ok(!plain.map(rowAnsi).join('').includes('\x1b'), 'NO_COLOR: no escape codes');
  }
  // no row is wider than the terminal, in colour too (a wider one would wrap and push the frame down)
  for (const cols of [60, 61, 75]) {
    const at = { cols, rows: 20 };
    const ui = { ...initialUiState(), panel: 'workloads' as const, lower: 'workloads' as const };
    for (const r of frameRows(buildScreen(liveFixture({ workloads: estimates }), ui, at, COLOUR), COLOUR))
      assert.ok(Array.from(rowText(r)).length <= cols, `${cols} columns: '${rowText(r)}'`);
  }
  // the title is inverse, the focused tab inverse, the status line dim
  const rows = frameRows(buildScreen(liveFixture(), initialUiState(), SIZE, COLOUR), COLOUR);
  assert.match(rowAnsi(rows[0] ?? []), /^\x1b\[7mirqlens/);
  assert.ok(
    rows.some((r) => r.some((s) => s.inverse && /^\[.+\]$/.test(s.text))),
    'the focused tab',
  );
  assert.match(rowAnsi(rows[rows.length - 1] ?? []), /^\x1b\[2mcost:/);
});

test('the painter redraws everything first and on a new size, then only the rows that changed', () => {
  const out: string[] = [];
  const p = new Painter((s) => out.push(s));
  const row = (t: string) => [{ text: t }];
  p.paint([row('a'), row('b'), row('c')], { cols: 80, rows: 24 });
  assert.equal(out.length, 1);
  assert.match(out[0] ?? '', /\x1b\[2J/);
  for (const [i, t] of ['a', 'b', 'c'].entries()) assert.ok(out[0]?.includes(`\x1b[${i + 1};1H${t}\x1b[K`));

  p.paint([row('a'), row('B'), row('c')], { cols: 80, rows: 24 });
  assert.equal(out[1], '\x1b[2;1HB\x1b[K', 'only the changed row');
  p.paint([row('a'), row('B'), row('c')], { cols: 80, rows: 24 });
  assert.equal(out.length, 2, 'an unchanged frame writes nothing');
  // a shorter frame clears the rows it no longer has
  p.paint([row('a'), row('B')], { cols: 80, rows: 24 });
  assert.equal(out[2], '\x1b[3;1H\x1b[K');
  // a new size: the whole frame again, from a cleared screen
  p.paint([row('a'), row('B')], { cols: 100, rows: 24 });
  assert.match(out[3] ?? '', /\x1b\[2J.*\x1b\[1;1Ha\x1b\[K\x1b\[2;1HB\x1b\[K$/);
});
