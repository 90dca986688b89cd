// The HTTP + websocket server. Read-only: it serves the page, /metrics and a
// one-way stream of frames; what clients send is never acted on. Loopback by
// default; any other address needs a token. Each client's send queue is
// bounded: a client that reads too slowly misses frames and is told how many.
import { errnoText } from '../output/errno.js';
import { UsageError } from '../errors.js';
import { hostAllowed, resolveBind, type BindTarget } from './loopback.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { ServeError } from './errors.js';
import { encode, type Frame, type HelloMsg } from './wire.js';

export interface ServerOptions {
  host: string;
  port: number;
  token?: string;
  /** Bytes a client may have queued before frames are skipped for it. */
  maxQueueBytes?: number;
  /** Largest message a client may send (bytes); larger ones close the socket (1009). */
  maxMessageBytes?: number;
  /** Frames kept for clients that join later, at most this many and this many bytes. */
  historyFrames?: number;
  historyBytes?: number;
}

export interface Routes {
  /** The page, scripts and styles: path -> [content type, body]. */
  static: (path: string) => [string, string | Uint8Array] | null;
  metrics: () => string;
}

interface Client {
  ws: WebSocket;
  missed: number;
  totalMissed: number;
}

function sameToken(given: string | null, want: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class WebServer {
  framesSent = 0;
  framesMissed = 0;
  private readonly clients = new Set<Client>();
  private readonly history: Uint8Array[] = [];
  private historySize = 0;
  private helloBytes: Uint8Array;
  private endBytes: Uint8Array | null = null;

  private constructor(
    private readonly http: http.Server,
    private readonly wss: WebSocketServer,
    private readonly o: Required<Omit<ServerOptions, 'token'>> & { token?: string },
    private readonly bind: BindTarget,
    hello: HelloMsg,
  ) {
    this.helloBytes = encode(hello);
  }

  static async listen(opts: ServerOptions, routes: Routes, hello: HelloMsg): Promise<WebServer> {
    let bind: BindTarget;
    try {
      bind = await resolveBind(opts.host);
    } catch (e) {
      throw new ServeError(
        `cannot bind ${opts.host}: the name does not resolve (${errnoText(e)}); give an address of this machine with --host`,
        { cause: e },
      );
    }
    if (!bind.loopback && !opts.token) {
      const resolved = bind.addresses.join(', ') === opts.host ? '' : ` (${bind.addresses.join(', ')})`;
      throw new UsageError(
        `binding ${opts.host}${resolved} (not loopback) needs --token: anyone who can reach it would see this machine's interrupts`,
      );
    }
    const o = { maxQueueBytes: 1 << 20, maxMessageBytes: 4096, historyFrames: 600, historyBytes: 16 << 20, ...opts };
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes });
    const ws = new WebServer(server, wss, o, bind, hello);
    server.on('request', (req, res) => {
      ws.onRequest(req, res, routes);
    });
    server.on('upgrade', (req, socket, head) => {
      const refused = ws.refusal(req, true);
      if (refused) {
        socket.end(
          `HTTP/1.1 ${refused[0]} ${http.STATUS_CODES[refused[0]] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refused[1]}\n`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (c) => {
        ws.onClient(c);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE')
          reject(
            new ServeError(
              `port ${o.port} on ${o.host} is in use: pick another with --port (or --port 0 for any free one)`,
            ),
          );
        else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
          reject(new ServeError(`cannot bind ${o.host}: not an address of this machine (--host)`));
        else if (e.code === 'EACCES')
          reject(new ServeError(`port ${o.port} needs privileges: pick one above 1023 with --port`));
        else reject(e);
      });
      // the address checked above, not the name again: a second lookup could answer differently
      server.listen(o.port, bind.addresses[0], () => {
        resolve();
      });
    });
    return ws;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** Bytes queued for all clients (each bounded by maxQueueBytes plus one frame) and kept in the history. */
  get heldBytes(): { queued: number; history: number } {
    let queued = 0;
    for (const c of this.clients) queued += c.ws.bufferedAmount;
    return { queued, history: this.historySize };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  setHello(h: HelloMsg): void {
    this.helloBytes = encode(h);
  }

  /** Why a request is refused ([status, message]), or null. */
  private refusal(req: http.IncomingMessage, websocket: boolean): [number, string] | null {
    const url = new URL(req.url ?? '/', 'http://x');
    const host = req.headers.host ?? '';
    if (!this.o.token) {
      // without a token only loopback names are served: a foreign name is DNS rebinding
      if (!hostAllowed(host, this.bind, this.port))
        return [
          403,
          `Host '${host}' refused: open http://${this.bind.addresses[0]?.includes(':') ? `[${this.bind.addresses[0]}]` : (this.bind.addresses[0] ?? '127.0.0.1')}:${this.port}/`,
        ];
    }
    if (websocket) {
      if (url.pathname !== '/ws') return [404, 'no websocket here (use /ws)'];
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`)
        return [403, `Origin '${origin}' refused: the page must come from this server`];
    }
    if (this.o.token) {
      const auth = req.headers.authorization;
      const given = url.searchParams.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : null);
      if (!sameToken(given, this.o.token))
        return [401, 'a token is required: add ?token=... to the URL (or send Authorization: Bearer ...)'];
    }
    return null;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse, routes: Routes): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, type: string, body: string | Uint8Array) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Content-Security-Policy':
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'text/plain', 'read-only: only GET\n');
      return;
    }
    // the page and /metrics carry data: they need the token; scripts and styles do not
    const guarded = url.pathname === '/' || url.pathname === '/metrics';
    const refused = this.refusal(req, false);
    if (refused && (guarded || refused[0] === 403)) {
      send(refused[0], 'text/plain', refused[1] + '\n');
      return;
    }
    if (url.pathname === '/metrics') {
      send(200, 'text/plain; version=0.0.4; charset=utf-8', routes.metrics());
      return;
    }
    const r = routes.static(url.pathname);
    if (!r) send(404, 'text/plain', 'not found\n');
    else send(200, r[0], r[1]);
  }

  private onClient(ws: WebSocket): void {
    const c: Client = { ws, missed: 0, totalMissed: 0 };
    this.clients.add(c);
    // read-only: incoming messages are never acted on (ws closes oversized ones with 1009)
    ws.on('message', () => undefined);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.clients.delete(c);
    });
    ws.send(this.helloBytes);
    for (const f of this.history) this.deliver(c, f);
    if (this.endBytes) ws.send(this.endBytes);
  }

  private deliver(c: Client, bytes: Uint8Array): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > this.o.maxQueueBytes) {
      c.missed++;
      c.totalMissed++;
      this.framesMissed++;
      return;
    }
    if (c.missed) {
      c.ws.send(encode({ type: 'missed', frames: c.missed, totalMissed: c.totalMissed }));
      c.missed = 0;
    }
    c.ws.send(bytes);
    this.framesSent++;
  }

  broadcast(f: Frame): void {
    const bytes = encode(f);
    this.history.push(bytes);
    this.historySize += bytes.length;
    while (this.history.length > this.o.historyFrames || this.historySize > this.o.historyBytes)
      this.historySize -= this.history.shift()?.length ?? 0;
    for (const c of this.clients) this.deliver(c, bytes);
  }

  /** The source ended (a recording's end): clients are told; the server keeps serving what it has. */
  end(reason: string): void {
    this.endBytes = encode({ type: 'end', reason });
    for (const c of this.clients) if (c.ws.readyState === c.ws.OPEN) c.ws.send(this.endBytes);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((r) => {
      this.wss.close(() => {
        r();
      });
    });
    this.http.closeAllConnections();
    await new Promise<void>((r) => {
      this.http.close(() => {
        r();
      });
    });
  }
}
