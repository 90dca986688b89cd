// Prints frames as TypeScript literals for review (not a test): node dist/test/ui/dump-frames.js
import { busyWindow, emptyWindow, estimates, hello, liveFixture } from './fixtures.js';
import { renderApp, KEY, type Rendered } from './support.js';
import { initialLiveState, liveReducer } from '../../src/derive/live-state.js';

const show = (name: string, r: Rendered) =>
  process.stdout.write(
    `// ${name}\n[\n${r
      .frame()
      .split('\n')
      .map((l) => `  ${JSON.stringify(l)},`)
      .join('\n')}\n].join('\\n')\n`,
  );
const which = process.argv[2] ?? 'all';
const want = (n: string) => which === 'all' || which === n;
if (want('main80')) {
  const r = await renderApp(liveFixture(), { cols: 80, rows: 24 });
  show('main80', r);
  r.unmount();
}
if (want('work120')) {
  const r = await renderApp(
    liveFixture({ workloads: estimates }),
    { cols: 120, rows: 40 },
    { initial: { panel: 'workloads', lower: 'workloads' } },
  );
  show('work120', r);
  r.unmount();
}
if (want('sort')) {
  const r = await renderApp(liveFixture(), { cols: 80, rows: 24 });
  await r.press(KEY.tab, 's');
  show('sort rate', r);
  await r.press('s');
  show('sort max', r);
  r.unmount();
}
if (want('filter')) {
  const r = await renderApp(liveFixture(), { cols: 80, rows: 24 });
  await r.press('f', 'c', 'p', 'u', ':', '1');
  show('filter typing', r);
  await r.press(KEY.enter);
  show('filter cpu:1', r);
  r.unmount();
}
if (want('empty')) {
  const start = liveReducer(initialLiveState(), {
    type: 'started',
    hello,
    stats: 'on',
    workloads: false,
    utcOffsetMin: 0,
  });
  const r = await renderApp(start, { cols: 80, rows: 24 });
  show('before first interval', r);
  r.unmount();
  const q = await renderApp(
    liveFixture({ last: emptyWindow() }),
    { cols: 80, rows: 24 },
    { initial: { panel: 'nic', lower: 'nic' } },
  );
  show('quiet nic', q);
  q.unmount();
}
if (want('error')) {
  const s = liveReducer(liveFixture(), { type: 'fatal', message: 'the helper was killed by SIGKILL' });
  const r = await renderApp(s, { cols: 80, rows: 24 });
  show('fatal', r);
  r.unmount();
  const l = await renderApp(liveFixture({ last: busyWindow({ lost: new Map([['softirq/ring_full', 1234]]) }) }), {
    cols: 80,
    rows: 24,
  });
  show('lost', l);
  l.unmount();
}
if (want('help')) {
  const r = await renderApp(liveFixture(), { cols: 80, rows: 24 });
  await r.press('?');
  show('help', r);
  r.unmount();
}
process.exit(0);
