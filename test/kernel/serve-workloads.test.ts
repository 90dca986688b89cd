// `irqlens serve --workloads` end to end on the real kernel: the helper starts sampled, the pipeline
// hands the probe's sampling to the workload feed, the feed retunes it to the workload's rate, and
// the page's frame says which busy periods the estimate used and how the kernel sampled them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { WebSocket } from 'ws';
import { decode, type ServerMsg } from '../../src/serve/wire.js';
import { startServe } from '../web/serve-child.js';
import { assertCanRun, bin, kernelSkip, killAll, track } from './support.js';

after(() => {
  killAll();
});

test(
  'serve --workloads: at 200,000 epoll calls/s the kernel samples busy periods, and the frame says 1 in how many',
  { skip: kernelSkip, timeout: 90_000 },
  async () => {
    assertCanRun();
    const spin = track(execa(bin('epoll-spin'), ['60', '200000'], { reject: false }));
    const srv = await startServe(['--workloads', '--pid', String(spin.pid ?? 0)]);
    const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}ws`);
    try {
      const detail = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no workload estimate within 40 s'));
        }, 40_000);
        ws.on('message', (d: Buffer) => {
          const m: ServerMsg = decode(new Uint8Array(d));
          if (m.type !== 'frame' || m.workloads.state === 'off' || m.workloads.state === 'measuring') return;
          clearTimeout(timer);
          resolve(`${m.workloads.state}: ${m.workloads.detail}`);
        });
        ws.on('error', reject);
      });
      // the feed aims at ~800 decoded periods a second: at 200k calls/s, 1 in 256
      const m = /^ready: over [\d.]+ s, using .*busy periods, 1 in (\d+)(?:-\d+)? epoll calls$/.exec(detail);
      assert.ok(m, detail);
      assert.ok(Number(m[1]) >= 64, `sampled 1 in ${m[1]} at 200k calls/s: ${detail}`);
    } finally {
      ws.close();
      await srv.stop();
      spin.kill('SIGTERM');
      await spin;
    }
  },
);
