// The websocket protocol and the server's guards, on loopback with a real
// ws client and raw sockets: frames round-trip, tokens, Origin and Host are
// checked, oversized messages are refused and a slow client cannot grow the
// server's memory (it misses frames and is told so).
import { hostAllowed, isLoopbackAddress, parseHostHeader, resolveBind } from '../../src/serve/loopback.js';
import { UsageError } from '../../src/errors.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { WebSocket } from 'ws';
import { WebServer } from '../../src/serve/server.js';
import { decode, encode, type Frame, type HelloMsg, type ServerMsg } from '../../src/serve/wire.js';
import { FrameHistory } from '../../ui/web/history.js';
import { synthFrame } from './synth-frames.js';

const hello: HelloMsg = {
  type: 'hello',
  host: 'h',
  kernel: 'k',
  ncpus: 2,
  source: 'test',
  intervalMs: 100,
  history: 600,
};
const servers: WebServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function frame(seq: number, pad = 0): Frame {
  const n = 2;
  return {
    type: 'frame',
    seq,
    tS: seq / 10,
    durS: 0.1,
    ncpus: n,
    cpu: {
      hardirq: new Float64Array([0.01, 0.02]),
      vector: new Float64Array(n),
      soft: { NET_RX: new Float64Array([0.5, seq]) },
      tasks: new Float64Array([0.3, NaN]),
      idle: new Float64Array(n),
      irqsPerSec: new Float64Array([1000, 2]),
    },
    irq: { keys: ['irq:24'], names: ['eth0-rx-0'], perSec: new Float64Array([123.5]) },
    nic: { keys: ['eth0/rx-0'], labels: ['eth0/rx-0 cpu0'], pktPerSec: new Float64Array(pad).fill(seq) },
    drops: { available: false, reasons: [], perSec: new Float64Array(0) },
    bursts: [
      {
        cpu: 0,
        napiId: 7,
        dev: 'eth0',
        startS: 1,
        endS: 1.0002,
        packets: 300,
        peakWindowPackets: 280,
        binStartS: 0.999,
        binUs: 100,
        bins: new Float64Array([0, 280, 20]),
      },
    ],
    napiRecords: true,
    napiCovered: true,
    workloads: { state: 'off', detail: 'off', estimates: [] },
    tool: { eventsPerSec: 10, bpfFrac: NaN, lost: 0, lostTotal: 0, recordsPerSec: 0 },
  };
}

async function serve(o: { token?: string; maxQueueBytes?: number; host?: string } = {}): Promise<WebServer> {
  const s = await WebServer.listen(
    { host: o.host ?? '127.0.0.1', port: 0, ...o },
    { static: (p) => (p === '/' ? ['text/html', 'page'] : null), metrics: () => 'm 1\n' },
    hello,
  );
  servers.push(s);
  return s;
}

/** Opens a ws client; resolves with the messages it got once `until` says so (or rejects on refusal). */
function client(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; msgs: ServerMsg[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const msgs: ServerMsg[] = [];
    ws.on('message', (d: Buffer) => msgs.push(decode(new Uint8Array(d))));
    ws.on('open', () => {
      resolve({ ws, msgs });
    });
    ws.on('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode ?? 0}`));
    });
    ws.on('error', reject);
  });
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('frames round-trip through msgpackr with their typed arrays', () => {
  const f = frame(3, 4);
  const back = decode(encode(f));
  assert.equal(back.type, 'frame');
  if (back.type !== 'frame') return;
  assert.ok(back.cpu.hardirq instanceof Float64Array);
  assert.deepEqual([...back.cpu.hardirq], [0.01, 0.02]);
  assert.ok(Number.isNaN(back.cpu.tasks[1]));
  assert.ok(back.cpu.soft.NET_RX instanceof Float64Array);
  assert.equal(back.cpu.soft.NET_RX[1], 3);
  assert.ok(back.bursts[0]?.bins instanceof Float64Array);
  assert.deepEqual([...(back.bursts[0]?.bins ?? [])], [0, 280, 20]);
  assert.deepEqual(back.irq.names, ['eth0-rx-0']);
  // and the other way: what a client would send decodes on the server the same
  const m: ServerMsg = { type: 'missed', frames: 2, totalMissed: 5 };
  assert.deepEqual(decode(encode(m)), m);
});

test('a client gets the hello, the kept history and then live frames', async () => {
  const s = await serve();
  s.broadcast(frame(0));
  const c = await client(`ws://127.0.0.1:${s.port}/ws`);
  s.broadcast(frame(1));
  await waitFor(() => c.msgs.length >= 3);
  assert.deepEqual(
    c.msgs.map((m) => (m.type === 'frame' ? m.seq : m.type)),
    ['hello', 0, 1],
  );
  c.ws.close();
});

test('a token guards the page, /metrics and the websocket', async () => {
  const tok = 'secret-token-0123456789';
  const s = await serve({ token: tok });
  const base = `http://127.0.0.1:${s.port}`;
  assert.equal((await fetch(`${base}/`)).status, 401);
  assert.equal((await fetch(`${base}/metrics`)).status, 401);
  assert.equal((await fetch(`${base}/metrics?token=wrong-token-0123456789`)).status, 401);
  assert.equal((await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${tok}` } })).status, 200);
  assert.equal((await fetch(`${base}/?token=${tok}`)).status, 200);
  await assert.rejects(client(`ws://127.0.0.1:${s.port}/ws?token=nope`), /HTTP 401/);
  const c = await client(`ws://127.0.0.1:${s.port}/ws?token=${tok}`);
  await waitFor(() => c.msgs.length >= 1);
  c.ws.close();
});

test('binding a non-loopback address without a token is refused', async () => {
  await assert.rejects(
    WebServer.listen({ host: '0.0.0.0', port: 0 }, { static: () => null, metrics: () => '' }, hello),
    (e: unknown) => e instanceof UsageError && /needs --token/.test(e.message),
  );
});

test('loopback is decided on resolved addresses, never on how a name starts', async () => {
  assert.ok(
    isLoopbackAddress('127.0.0.1') &&
      isLoopbackAddress('127.255.0.9') &&
      isLoopbackAddress('::1') &&
      isLoopbackAddress('::ffff:127.0.0.1') &&
      isLoopbackAddress('::ffff:7f00:1'),
  );
  for (const a of [
    '128.0.0.1',
    '10.0.0.1',
    '::2',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '127.0.0.1.evil.example',
    'localhost',
  ])
    assert.equal(isLoopbackAddress(a), false, a);
  const elsewhere = async () => Promise.resolve(['203.0.113.7']);
  assert.deepEqual(await resolveBind('127.0.0.1.evil.example', elsewhere), {
    host: '127.0.0.1.evil.example',
    addresses: ['203.0.113.7'],
    loopback: false,
  });
  const mixed = async () => Promise.resolve(['127.0.0.1', '203.0.113.7']);
  assert.equal(
    (await resolveBind('both.example', mixed)).loopback,
    false,
    'one non-loopback address is enough to need a token',
  );
  assert.equal((await resolveBind('localhost')).loopback, true);
  const t = await resolveBind('127.0.0.1');
  for (const h of ['127.0.0.1:7070', 'localhost:7070', '127.0.0.1', '[::1]:7070'])
    assert.ok(hostAllowed(h, t, 7070), h);
  for (const h of ['127.0.0.1.evil.example:7070', '127.0.0.1:7071', 'evil.example', '127.0.0.2:7070', '[::1', ''])
    assert.equal(hostAllowed(h, t, 7070), false, h);
  assert.equal(parseHostHeader('[::1]:80')?.name, '::1');
});

test('a Host of 127.0.0.1.evil.example gets neither /metrics nor the websocket without a token', async () => {
  const s = await serve();
  const get = (host: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: s.port, path: '/metrics', headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
  assert.equal(await get(`127.0.0.1.evil.example:${s.port}`), 403);
  assert.equal(await get(`127.0.0.1:${s.port}`), 200);
  await assert.rejects(client(`ws://127.0.0.1:${s.port}/ws`, { Host: `127.0.0.1.evil.example:${s.port}` }), /HTTP 403/);
});

test('a foreign Origin and a foreign Host (DNS rebinding) are refused', async () => {
  const s = await serve();
  const url = `ws://127.0.0.1:${s.port}/ws`;
  await assert.rejects(client(url, { Origin: 'http://evil.example' }), /HTTP 403/);
  const ok = await client(url, { Origin: `http://127.0.0.1:${s.port}` });
  ok.ws.close();
  // fetch may not set Host: a plain request does, as a rebinding page's browser would
  const status = await new Promise<number>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: s.port, path: '/metrics', headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
  assert.equal(status, 403);
});

test('an oversized client message closes that socket (1009); the server keeps serving', async () => {
  const s = await serve();
  const c = await client(`ws://127.0.0.1:${s.port}/ws`);
  const code = await new Promise<number>((resolve) => {
    c.ws.on('close', (cd: number) => {
      resolve(cd);
    });
    c.ws.send(Buffer.alloc(64 * 1024, 1));
  });
  assert.equal(code, 1009);
  const again = await client(`ws://127.0.0.1:${s.port}/ws`);
  await waitFor(() => again.msgs.length >= 1);
  again.ws.close();
});

/** Server-to-client websocket frames (unmasked) from raw bytes; returns the payloads and the bytes left over. */
function wsPayloads(buf: Buffer): { payloads: Buffer[]; rest: Buffer } {
  const payloads: Buffer[] = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    let len = (buf[off + 1] ?? 0) & 0x7f;
    let hdr = 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      hdr = 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      hdr = 10;
    }
    if (buf.length - off < hdr + len) break;
    payloads.push(buf.subarray(off + hdr, off + hdr + len));
    off += hdr + len;
  }
  return { payloads, rest: buf.subarray(off) };
}

test(
  'a client that stops reading misses frames, is told so, and server memory stays bounded',
  { timeout: 60_000 },
  async () => {
    const limit = 256 * 1024;
    const s = await serve({ maxQueueBytes: limit });
    const sock = net.connect(s.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', r));
    sock.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        if (head.includes('\r\n\r\n')) {
          sock.off('data', onData);
          resolve();
        }
      };
      sock.on('data', onData);
    });
    assert.match(head.toString('latin1'), /^HTTP\/1\.1 101/);
    sock.pause();
    // ~64 KiB frames: 1500 of them would be ~96 MiB queued for a client that never reads
    const frameBytes = encode(frame(0, 8192)).length;
    let peak = 0;
    for (let i = 0; i < 1500; i++) {
      s.broadcast(frame(i, 8192));
      peak = Math.max(peak, s.heldBytes.queued);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.ok(s.framesMissed > 1000, `only ${s.framesMissed} frames skipped`);
    assert.ok(peak <= limit + 2 * frameBytes, `${peak} bytes queued for one client (limit ${limit})`);
    // the history for late joiners is bounded in bytes too (16 MiB by default)
    assert.ok(s.heldBytes.history <= 16 << 20, `history holds ${s.heldBytes.history} bytes`);
    // reading again: what was queued arrives, then the next frame comes with a "missed" notice first
    let buf = head.subarray(head.indexOf('\r\n\r\n') + 4);
    const got: ServerMsg[] = [];
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const { payloads, rest } = wsPayloads(buf);
      buf = Buffer.from(rest);
      for (const p of payloads) got.push(decode(new Uint8Array(p)));
    });
    sock.resume();
    await waitFor(() => got.some((m) => m.type === 'frame' && m.seq === 1499) || false, 2000).catch(() => undefined);
    s.broadcast(frame(1500));
    await waitFor(() => got.some((m) => m.type === 'frame' && m.seq === 1500), 20_000);
    const missed = got.find((m) => m.type === 'missed');
    assert.ok(
      missed && missed.type === 'missed' && missed.totalMissed === s.framesMissed,
      `no or wrong missed notice: ${JSON.stringify(missed)}`,
    );
    const seqs = got.flatMap((m) => (m.type === 'frame' ? [m.seq] : []));
    assert.ok(seqs.length < 1500, 'every frame was queued: nothing was bounded');
    sock.destroy();
  },
);

test('the page history: a frame without NAPI coverage is a gap (NaN) in every NIC column, never a zero', () => {
  const h = new FrameHistory(10);
  for (let i = 0; i < 4; i++) {
    const f = synthFrame(i, 2, () => 0.5);
    h.push(i === 1 ? { ...f, napiCovered: false, nic: { keys: [], labels: [], pktPerSec: new Float64Array(0) } } : f);
  }
  const nic = h.columns((f) => (f.napiCovered ? { keys: f.nic.labels, values: f.nic.pktPerSec } : null), 8);
  assert.equal(nic.keys.length, 8, 'the top 8 queues');
  for (const col of nic.cols) {
    assert.ok(Number.isNaN(col[1]), 'the uncovered frame');
    assert.deepEqual([col[0], col[2], col[3]], [5e5, 5e5, 5e5]);
  }
  // a queue absent from a covered frame is zero there (it had no traffic), as before
  const irq = h.columns((f) => ({ keys: f.irq.keys.slice(0, f.seq === 2 ? 1 : 2), values: f.irq.perSec }), 8);
  assert.deepEqual(Array.from(irq.cols[1] ?? []), [25_000, 25_000, 0, 25_000]);
});
