import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A failure the proxy answers with instead of forwarding. */
export type Fault = 502 | 503 | 504 | 'reset';

/**
 * A reverse proxy in front of a real registry that fails every other request the way
 * gateways and networks do: a 502/504 with an HTML body (a load balancer's answer), a 503,
 * or a connection reset before anything reaches the registry. Writes (POST/PATCH) get
 * only 503s and resets, which a client may repeat without doing the write twice; reads and
 * PUT/DELETE get 502/504 too. A failed request's retry passes, so a client with retries
 * succeeds and one without fails.
 */
export class FlakyProxy {
  readonly faults: { method: string; path: string; fault: Fault }[] = [];
  forwarded = 0;
  private count = 0;
  private readonly faultsByKind = { reads: 0, writes: 0 };

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FlakyProxy> {
    let self: FlakyProxy | null = null;
    const server = http.createServer((req, res) => self?.handle(req, res, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FlakyProxy(server, `http://127.0.0.1:${port}`);
    return self;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, target: string): void {
    const method = req.method ?? 'GET';
    const n = this.count++;
    if (n % 2 === 0) {
      const writes: Fault[] = [503, 'reset'];
      const reads: Fault[] = [502, 504, 'reset', 503];
      const kind = method === 'POST' || method === 'PATCH' ? 'writes' : 'reads';
      const cycle = kind === 'writes' ? writes : reads;
      const fault = cycle[this.faultsByKind[kind]++ % cycle.length];
      this.faults.push({ method, path: req.url ?? '', fault });
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(fault, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>${fault} Gateway problem</h1></body></html>`);
      return;
    }
    this.forwarded++;
    const upstream = http.request(
      `${target}${req.url}`,
      { method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A server that accepts connections and never answers (a hung registry or a black-holed proxy). */
export class SilentServer {
  readonly sockets: net.Socket[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<SilentServer> {
    let self: SilentServer | null = null;
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      self?.sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new SilentServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
