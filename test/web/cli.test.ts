// `irqlens serve` and `report --html` from the command line, without root (a
// synthetic recording): bad input is one line naming the fix, exit != 0, no
// stack; SIGINT and SIGTERM end it cleanly and free the port.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { scratch } from '../unit/record/support.js';
import { synthRecording } from '../unit/record/synth.js';
import { killAll } from '../kernel/support.js';
import { cli, startServe } from './serve-child.js';

after(() => {
  killAll();
});

const dir = scratch();
const good = join(dir, 'good.irqrec');
synthRecording(good, { seconds: 2, intervalMs: 100, irqRate: 800, irqNs: 1500, netRxRate: 2000, seed: 4 });

const run = (args: string[]) => execa('node', [cli(), ...args], { reject: false, timeout: 30_000 });

function oneLine(stderr: string, match: RegExp): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
  assert.match(stderr, /^irqlens: /);
  assert.match(stderr, match);
}

test('bad usage: one line naming the fix, exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['serve', good, '--port', '99999'], /--port: '99999' is not a port from 0 to 65535/],
    [['serve', good, '--token', 'short'], /--token: use at least 16 printable characters/],
    [['serve', good, '--records', 'napi'], /--records is for live probes/],
    [['report', '--html', join(dir, 'x.html')], /--html needs a recording/],
    [['serve', good, '--host', '0.0.0.0', '--port', '0'], /binding 0\.0\.0\.0 \(not loopback\) needs --token/],
  ];
  for (const [args, match] of cases) {
    const r = await run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    oneLine(r.stderr, match);
  }
});

test('problems the user can fix: one line, exit code 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const addr = blocker.address();
  const port = addr && typeof addr !== 'string' ? addr.port : 0;
  const corrupt = join(dir, 'corrupt.irqrec');
  writeFileSync(corrupt, 'just some text\n');
  try {
    const cases: [string[], RegExp][] = [
      [
        ['serve', good, '--port', String(port)],
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use: pick another with --port`),
      ],
      [['serve', join(dir, 'missing.irqrec')], /missing\.irqrec/],
      [['serve', corrupt], /not an irqlens recording/],
      [['report', corrupt, '--html', join(dir, 'c.html')], /not an irqlens recording/],
      [
        ['report', good, '--html', join(dir, 'no-such-dir', 'r.html')],
        /cannot write .*r\.html: no such file or directory/,
      ],
    ];
    for (const [args, match] of cases) {
      const r = await run(args);
      assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
      oneLine(r.stderr, match);
    }
  } finally {
    blocker.close();
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} ends serve cleanly and frees its port`, { timeout: 30_000 }, async () => {
    const srv = await startServe([good, '--speed', '1000']);
    const port = Number(new URL(srv.url).port);
    assert.equal((await fetch(`${srv.url}metrics`)).status, 200);
    srv.proc.kill(signal);
    const r = await srv.proc;
    assert.equal(r.exitCode, 0, `exit ${String(r.exitCode)} ${String(r.signal)}`);
    // nothing listens there any more
    await assert.rejects(fetch(`${srv.url}metrics`));
    const again = net.createServer();
    await new Promise<void>((res, rej) => {
      again.once('error', rej);
      again.listen(port, '127.0.0.1', res);
    });
    again.close();
  });
}

test('report FILE --html writes one self-contained file with the report and the frames', async () => {
  const out = join(dir, 'r.html');
  const r = await run(['report', good, '--html', out]);
  assert.equal(r.exitCode, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<script type="application\/x-irqlens-frames" id="frames">[A-Za-z0-9+/=\n]+<\/script>/);
  assert.match(html, /irqlens report/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
});
