// Micro-bursts on real traffic: a UDP blast over loopback fills the per-CPU
// backlog NAPI faster than one 100 us window can hold under a low threshold.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Probe } from '../../src/probe/client.js';
import { Tracker } from '../../src/probe/tracker.js';
import { windowOf } from '../../src/reduce/totals.js';
import { assertCanRun, kernelSkip, killAll } from './support.js';

after(() => {
  killAll();
});

/** Sends `count` datagrams to a local socket as fast as the socket takes them (bounded). */
async function udpBlast(count: number): Promise<number> {
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
  let got = 0;
  rx.on('message', () => {
    got++;
  });
  const tx = dgram.createSocket('udp4');
  const port = rx.address().port;
  const payload = Buffer.alloc(64, 1);
  try {
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<void>((r) => {
              tx.send(payload, port, '127.0.0.1', () => {
                r();
              });
            }),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    tx.close();
    rx.close();
  }
  return got;
}

test(
  'bursts: windows over the threshold become burst records with consistent fields',
  { skip: kernelSkip, timeout: 60_000 },
  async () => {
    assertCanRun();
    const threshold = 8;
    const probe = await Probe.start({ burstPackets: threshold, windowUs: 100, intervalMs: 100 });
    try {
      const tracker = new Tracker(probe);
      const s = await tracker.mark();
      const got = await udpBlast(50_000);
      const e = await tracker.mark();
      const w = windowOf(s, e);
      // (the receiving socket may drop most of them: they still pass through NAPI first)
      assert.ok(got > 0, 'no datagram arrived');
      assert.ok(w.napi.reduce((a, r) => a + r.packets, 0) > 10_000, 'the blast did not reach NAPI');
      const counted = w.napi.reduce((a, r) => a + r.bursts, 0);
      assert.ok(w.bursts.length > 0, `no burst records (bursts counted in maps: ${counted})`);
      // every burst the maps counted was also streamed (the ring was large enough): none lost silently
      const lost = w.lost.get('burst/ring_full') ?? 0;
      assert.ok(
        Math.abs(w.burstsTotal + lost - counted) <= 2,
        `burst records ${w.burstsTotal} + lost ${lost} vs counted ${counted}`,
      );
      const windowNs = 100_000n;
      for (const b of w.bursts) {
        assert.ok(b.endNs > b.startNs, 'burst ends before it starts');
        assert.equal((b.endNs - b.startNs) % windowNs, 0n, 'bursts are whole windows');
        assert.ok(
          b.windows >= 1 && BigInt(b.windows) <= (b.endNs - b.startNs) / windowNs,
          `windows ${b.windows} do not fit ${b.startNs}..${b.endNs}`,
        );
        // a hot window has >= threshold packets or budget-exhausting polls back to back
        assert.ok(
          b.peakWindowPackets >= threshold || b.pollsAtBudget >= 2,
          `burst without a hot window: ${JSON.stringify({ ...b, startNs: String(b.startNs), endNs: String(b.endNs) })}`,
        );
        assert.ok(b.packets >= b.peakWindowPackets);
      }
      const burstPackets = w.bursts.reduce((a, b) => a + b.packets, 0);
      const napiPackets = w.napi.reduce((a, r) => a + r.packets, 0);
      assert.ok(burstPackets <= napiPackets, `bursts hold ${burstPackets} packets, NAPI polled only ${napiPackets}`);
    } finally {
      await probe.stop();
    }
  },
);
