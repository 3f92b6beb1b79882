import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '../../src/client/connection';
import {
  RegistryAuthError,
  RegistryClientError,
  RegistryUnavailableError,
} from '../../src/client/errors';
import { Transport, type TransportOptions } from '../../src/client/transport';

/** One request as the test server saw it. */
interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A real HTTP server on 127.0.0.1 that records every request it receives. */
class TestServer {
  readonly seen: Seen[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(handler: Handler): Promise<TestServer> {
    let self: TestServer | null = null;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        self?.seen.push({
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: req.headers.authorization,
          body,
        });
        handler(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new TestServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Requests to the token endpoint(s). */
  get tokenRequests(): Seen[] {
    return this.seen.filter((s) => s.path.endsWith('/token'));
  }

  /** Requests other than token requests. */
  get apiRequests(): Seen[] {
    return this.seen.filter((s) => !s.path.endsWith('/token'));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers token requests with `tok-1`, `tok-2`... valid for `expiresIn` seconds. */
function tokenEndpoint(expiresIn = 3600) {
  let issued = 0;
  return (res: http.ServerResponse) => {
    issued++;
    json(res, 200, { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: expiresIn });
  };
}

/** A server whose token endpoint works and whose API is `api`. */
async function registryServer(api: Handler, expiresIn = 3600): Promise<TestServer> {
  const token = tokenEndpoint(expiresIn);
  return TestServer.start((req, res, body) => {
    if (req.method === 'POST' && req.url?.endsWith('/token')) return token(res);
    api(req, res, body);
  });
}

function connectionTo(url: string, overrides: Partial<Connection> = {}): Connection {
  return {
    registryUrl: url,
    tokenUrl: `${url}/oauth2/token`,
    clientId: 'ingot_ci_test',
    clientSecret: 'ingot_cs_do-not-print',
    organizationId: 'org-1',
    projectId: 'proj-1',
    timeoutMs: 5_000,
    maxRetries: 3,
    deadlineMs: 30_000,
    ...overrides,
  };
}

/** Transport options that record the waits instead of waiting, with a fixed jitter. */
function instant(random: () => number = () => 0.5): TransportOptions & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
    random,
  };
}

/** The backoff the transport documents: half the ceiling plus a random half of it. */
function expectedBackoff(attempt: number, random: number): number {
  const ceiling = Math.min(200 * 2 ** (attempt - 1), 5_000);
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the request to fail');
}

describe('Transport against real HTTP servers', () => {
  const servers: TestServer[] = [];
  const start = async (api: Handler, expiresIn?: number) => {
    const server = await registryServer(api, expiresIn);
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  describe('retries', () => {
    it('succeeds on the third attempt after two 503s', async () => {
      let calls = 0;
      const server = await start((_req, res) => {
        calls++;
        if (calls <= 2) return json(res, 503, { code: 14, message: 'busy' });
        json(res, 200, { bucket: { name: 'b' } });
      });
      const options = instant();
      const transport = new Transport(connectionTo(server.url), options);

      const result = await transport.request<{ bucket: { name: string } }>({
        method: 'GET',
        path: '/x',
        operation: 'get bucket "b"',
      });

      assert.deepEqual(result, { bucket: { name: 'b' } });
      assert.equal(server.apiRequests.length, 3);
      assert.equal(server.tokenRequests.length, 1);
      assert.equal(transport.requests, 4);
      assert.deepEqual(options.delays, [expectedBackoff(1, 0.5), expectedBackoff(2, 0.5)]);
      assert.deepEqual(options.delays, [150, 300]);
    });

    it('backs off exponentially, with the jitter between half the ceiling and the ceiling, capped at 5 s', async () => {
      const server = await start((_req, res) => json(res, 503, { code: 14, message: 'down' }));
      const randoms = [0, 0.999999, 0.25, 0.75, 0, 0.999999, 0.5, 0.1];
      let i = 0;
      const options = instant(() => randoms[i++]);
      const transport = new Transport(connectionTo(server.url, { maxRetries: 8 }), options);

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.equal(error.status, 503);
      assert.equal(server.apiRequests.length, 9);
      assert.equal(options.delays.length, 8);
      options.delays.forEach((delay, index) => {
        const attempt = index + 1;
        const ceiling = Math.min(200 * 2 ** (attempt - 1), 5_000);
        assert.ok(
          delay >= ceiling / 2 && delay <= ceiling,
          `delay ${delay} of retry ${attempt} is outside [${ceiling / 2}, ${ceiling}]`,
        );
        assert.equal(delay, expectedBackoff(attempt, randoms[index]));
      });
      assert.deepEqual(options.delays, [100, 400, 500, 1400, 1600, 5000, 3750, 2750]);
    });

    it('honours Retry-After on a 429 instead of its own backoff', async () => {
      let calls = 0;
      const server = await start((_req, res) => {
        calls++;
        if (calls === 1)
          return json(res, 429, { code: 8, message: 'slow down' }, { 'retry-after': '2' });
        if (calls === 2) return json(res, 429, { code: 8, message: 'slow down' });
        json(res, 200, { ok: true });
      });
      const options = instant();
      const transport = new Transport(connectionTo(server.url), options);

      assert.deepEqual(
        await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
        { ok: true },
      );
      // First wait from Retry-After (2 s); the second 429 has none, so the backoff applies.
      assert.deepEqual(options.delays, [2000, expectedBackoff(2, 0.5)]);
      assert.equal(server.apiRequests.length, 3);
    });

    it('reports a 429 at once when its Retry-After is longer than a call waits', async () => {
      const server = await start((_req, res) =>
        json(res, 429, { code: 8, message: 'slow down.' }, { 'retry-after': '90' }),
      );
      const options = instant();
      const transport = new Transport(connectionTo(server.url), options);

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
      );

      assert.ok(error instanceof RegistryClientError, String(error));
      assert.equal(error.status, 429);
      assert.equal(error.detail.retryAfterSeconds, 90);
      assert.match(error.message, /list buckets at .* failed \(429\): slow down; retry in 90 s/);
      assert.deepEqual(options.delays, []);
      assert.equal(server.apiRequests.length, 1);
    });

    it('retries a 429 on a POST too: the registry did not process it', async () => {
      let calls = 0;
      const server = await start((_req, res) => {
        calls++;
        if (calls === 1)
          return json(res, 429, { code: 8, message: 'slow down' }, { 'retry-after': '1' });
        json(res, 200, { version: { fingerprint: 'fp' } });
      });
      const options = instant();
      const transport = new Transport(connectionTo(server.url), options);

      await transport.request({
        method: 'POST',
        path: '/x',
        body: { fingerprint: 'fp' },
        operation: 'create version',
      });
      assert.equal(server.apiRequests.length, 2);
      assert.deepEqual(
        server.apiRequests.map((r) => r.body),
        ['{"fingerprint":"fp"}', '{"fingerprint":"fp"}'],
      );
      assert.deepEqual(options.delays, [1000]);
    });

    it('retries a 500 on a GET', async () => {
      let calls = 0;
      const server = await start((_req, res) => {
        calls++;
        if (calls <= 2) return json(res, 500, { code: 13, message: 'internal error' });
        json(res, 200, { ok: true });
      });
      const transport = new Transport(connectionTo(server.url), instant());

      assert.deepEqual(
        await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
        { ok: true },
      );
      assert.equal(server.apiRequests.length, 3);
    });

    it('does not retry a 500 on a POST (the write may have happened)', async () => {
      const server = await start((_req, res) =>
        json(res, 500, { code: 13, message: 'internal error' }, { 'x-request-id': 'req-42' }),
      );
      const options = instant();
      const transport = new Transport(connectionTo(server.url), options);

      const error = await rejection(
        transport.request({
          method: 'POST',
          path: '/x',
          body: {},
          operation: 'create version "fp-1" in bucket "b"',
        }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.equal(error.status, 500);
      assert.equal(error.reason, 'HTTP_500');
      assert.equal(server.apiRequests.length, 1);
      assert.deepEqual(options.delays, []);
      assert.match(error.message, /create version "fp-1" in bucket "b"/);
      assert.ok(error.message.includes(server.url), error.message);
      assert.match(error.message, /internal error/);
      assert.match(error.message, /request id req-42/);
    });

    it('gives up after maxRetries + 1 attempts on a closed port, naming the operation, the registry and the connection failure', async () => {
      const closed = await TestServer.start(() => undefined);
      const url = closed.url;
      await closed.close();
      const options = instant();
      const transport = new Transport(connectionTo(url, { maxRetries: 2 }), options);

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'get bucket "runner"' }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.equal(error.status, 0);
      assert.equal(error.reason, 'UNAVAILABLE');
      assert.equal(transport.requests, 3);
      assert.equal(options.delays.length, 2);
      assert.match(error.message, /get bucket "runner"/);
      assert.ok(error.message.includes(url), error.message);
      assert.match(error.message, /connection failed/);
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /3 attempt\(s\)/);
    });

    it('a closed API port after a working token endpoint also fails after maxRetries + 1 attempts', async () => {
      const tokens = await start((_req, res) => json(res, 404, {}));
      const closed = await TestServer.start(() => undefined);
      const url = closed.url;
      await closed.close();
      const transport = new Transport(
        connectionTo(url, { tokenUrl: `${tokens.url}/oauth2/token`, maxRetries: 3 }),
        instant(),
      );

      const error = await rejection(
        transport.request({ method: 'POST', path: '/x', body: {}, operation: 'create bucket "b"' }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.equal(tokens.tokenRequests.length, 1);
      // 1 token request + 4 attempts: a refused connection sent nothing, so even a POST is retried.
      assert.equal(transport.requests, 5);
      assert.match(
        error.message,
        /create bucket "b" at http:\/\/127\.0\.0\.1:\d+ failed after 4 attempt\(s\): connection failed/,
      );
    });
  });

  describe('timeouts', () => {
    it('a GET to a server that never answers times out, and is retried', async () => {
      const server = await start(() => undefined);
      const options = instant();
      const transport = new Transport(
        connectionTo(server.url, { timeoutMs: 200, maxRetries: 1 }),
        options,
      );

      const error = await rejection(
        transport.request({
          method: 'GET',
          path: '/x',
          operation: 'get channel "prod" of bucket "b"',
        }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.match(error.message, /no answer within 200 ms/);
      assert.match(error.message, /get channel "prod" of bucket "b"/);
      assert.ok(error.message.includes(server.url), error.message);
      assert.equal(server.apiRequests.length, 2);
      assert.equal(options.delays.length, 1);
    });

    it('a POST that times out is not retried', async () => {
      const server = await start(() => undefined);
      const options = instant();
      const transport = new Transport(
        connectionTo(server.url, { timeoutMs: 200, maxRetries: 3 }),
        options,
      );

      const error = await rejection(
        transport.request({
          method: 'POST',
          path: '/x',
          body: { fingerprint: 'fp' },
          operation: 'create version "fp"',
        }),
      );

      assert.ok(error instanceof RegistryUnavailableError, String(error));
      assert.match(error.message, /no answer within 200 ms/);
      assert.match(error.message, /1 attempt\(s\)/);
      assert.equal(server.apiRequests.length, 1);
      assert.deepEqual(options.delays, []);
    });

    it('a response whose body never finishes is a RegistryUnavailableError naming the operation and the registry', async () => {
      const server = await start((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"bucket":');
      });
      const transport = new Transport(
        connectionTo(server.url, { timeoutMs: 200, maxRetries: 0 }),
        instant(),
      );

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'get bucket "runner"' }),
      );

      assert.ok(error instanceof RegistryUnavailableError, `${error.name}: ${error.message}`);
      assert.match(error.message, /get bucket "runner"/);
      assert.ok(error.message.includes(server.url), error.message);
      assert.match(error.message, /no answer within 200 ms/);
    });
  });

  describe('tokens', () => {
    it('sends the client credentials as a form, and the bearer token on API calls', async () => {
      const server = await start((_req, res) => json(res, 200, {}));
      const transport = new Transport(connectionTo(server.url), instant());

      await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' });

      const form = new URLSearchParams(server.tokenRequests[0].body);
      assert.equal(form.get('grant_type'), 'client_credentials');
      assert.equal(form.get('client_id'), 'ingot_ci_test');
      assert.equal(form.get('client_secret'), 'ingot_cs_do-not-print');
      assert.equal(server.apiRequests[0].authorization, 'Bearer tok-1');
    });

    it('caches the token: N calls make 1 token request and N API requests', async () => {
      const server = await start((_req, res) => json(res, 200, { ok: true }));
      const transport = new Transport(connectionTo(server.url), instant());

      for (let i = 0; i < 4; i++)
        await transport.request({ method: 'GET', path: `/x/${i}`, operation: 'list buckets' });

      assert.equal(server.tokenRequests.length, 1);
      assert.equal(server.apiRequests.length, 4);
      assert.equal(transport.requests, 5);
      assert.ok(server.apiRequests.every((r) => r.authorization === 'Bearer tok-1'));
    });

    it('concurrent requests share one token request', async () => {
      let issued = 0;
      const server = await TestServer.start((req, res) => {
        if (req.url === '/oauth2/token') {
          issued++;
          // Answer late, so every request is waiting for the token at the same time.
          setTimeout(() => json(res, 200, { access_token: `tok-${issued}`, expires_in: 3600 }), 50);
          return;
        }
        json(res, 200, { path: req.url });
      });
      servers.push(server);
      const transport = new Transport(connectionTo(server.url), instant());

      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          transport.request<{ path: string }>({
            method: 'GET',
            path: `/x/${n}`,
            operation: 'list buckets',
          }),
        ),
      );

      assert.deepEqual(
        results.map((r) => r.path),
        ['/x/1', '/x/2', '/x/3', '/x/4', '/x/5'],
      );
      assert.equal(server.tokenRequests.length, 1);
      assert.equal(server.apiRequests.length, 5);
      assert.ok(server.apiRequests.every((r) => r.authorization === 'Bearer tok-1'));
    });

    it('requests a new token once the cached one is due for refresh', async () => {
      // expires_in 1 s: refreshed at max(ttl - 60 s, ttl / 2) = 0.5 s.
      const server = await start((_req, res) => json(res, 200, {}), 1);
      const transport = new Transport(connectionTo(server.url), instant());

      await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' });

      assert.equal(server.tokenRequests.length, 2);
      assert.deepEqual(
        server.apiRequests.map((r) => r.authorization),
        ['Bearer tok-1', 'Bearer tok-2'],
      );
    });

    it('a 401 on an API call renews the token exactly once and retries', async () => {
      const server = await start((req, res) => {
        if (req.headers.authorization === 'Bearer tok-1')
          return json(res, 401, { code: 16, message: 'token expired' });
        json(res, 200, { ok: true });
      });
      const transport = new Transport(connectionTo(server.url), instant());

      assert.deepEqual(
        await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
        { ok: true },
      );
      assert.equal(server.tokenRequests.length, 2);
      assert.deepEqual(
        server.apiRequests.map((r) => r.authorization),
        ['Bearer tok-1', 'Bearer tok-2'],
      );

      // The renewed token is cached for the next call.
      await transport.request({ method: 'GET', path: '/x', operation: 'list buckets' });
      assert.equal(server.tokenRequests.length, 2);
    });

    it('a second 401 after the renewal is a RegistryAuthError, without renewing again', async () => {
      const server = await start((_req, res) =>
        json(res, 401, {
          code: 16,
          message: 'the bearer token is invalid or expired.',
          details: [{ reason: 'UNAUTHENTICATED' }],
        }),
      );
      const transport = new Transport(connectionTo(server.url), instant());

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'get bucket "b"' }),
      );

      assert.ok(error instanceof RegistryAuthError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.reason, 'UNAUTHENTICATED');
      assert.equal(server.tokenRequests.length, 2);
      assert.equal(server.apiRequests.length, 2);
      assert.match(error.message, /get bucket "b"/);
      assert.ok(error.message.includes(server.url), error.message);
      assert.match(error.message, /HCP_CLIENT_ID and HCP_CLIENT_SECRET/);
    });

    it('a refused token request names the client, the token URL and the variables to check, never the secret', async () => {
      const server = await TestServer.start((_req, res) =>
        json(res, 401, {
          error: 'invalid_client',
          error_description: 'invalid client credentials.',
        }),
      );
      servers.push(server);
      const transport = new Transport(connectionTo(server.url), instant());

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
      );

      assert.ok(error instanceof RegistryAuthError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.reason, 'invalid_client');
      assert.match(error.message, /client "ingot_ci_test"/);
      assert.ok(error.message.includes(`${server.url}/oauth2/token`), error.message);
      assert.match(error.message, /HCP_CLIENT_ID and HCP_CLIENT_SECRET/);
      assert.ok(!error.message.includes('do-not-print'), error.message);
      assert.equal(server.apiRequests.length, 0);
    });

    it('a token endpoint answering something other than a token is a client error naming the token URL, not a crash', async () => {
      const server = await TestServer.start((req, res) => {
        if (req.url === '/html/token') {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('access_token=ingot_at_leaked&token_type=bearer');
          return;
        }
        json(res, 200, { status: 'ok' });
      });
      servers.push(server);

      const html = await rejection(
        new Transport(
          connectionTo(server.url, { tokenUrl: `${server.url}/html/token` }),
          instant(),
        ).request({
          method: 'GET',
          path: '/x',
          operation: 'list buckets',
        }),
      );
      assert.ok(html instanceof RegistryClientError, `${html.name}: ${html.message}`);
      assert.match(html.message, /authenticate for list buckets/);
      assert.ok(html.message.includes(`${server.url}/html/token`), html.message);
      assert.match(html.message, /not JSON/);
      assert.match(html.message, /HCP_AUTH_URL/);
      assert.ok(!html.message.includes('ingot_at_leaked'), html.message);

      const noToken = await rejection(
        new Transport(
          connectionTo(server.url, { tokenUrl: `${server.url}/json/token` }),
          instant(),
        ).request({
          method: 'GET',
          path: '/x',
          operation: 'list buckets',
        }),
      );
      assert.ok(noToken instanceof RegistryAuthError, `${noToken.name}: ${noToken.message}`);
      assert.match(noToken.message, /no access_token/);
      assert.ok(noToken.message.includes(`${server.url}/json/token`), noToken.message);
      assert.equal(server.apiRequests.length, 0);
    });

    it('sends the HCP audience only when the token URL is not <registry>/oauth2/token', async () => {
      const server = await start((_req, res) => json(res, 200, {}));

      await new Transport(connectionTo(server.url), instant()).request({
        method: 'GET',
        path: '/x',
        operation: 'op',
      });
      await new Transport(
        connectionTo(server.url, { tokenUrl: `${server.url}/idp/oauth2/token` }),
        instant(),
      ).request({
        method: 'GET',
        path: '/x',
        operation: 'op',
      });

      const [own, hcp] = server.tokenRequests;
      assert.equal(own.path, '/oauth2/token');
      assert.equal(new URLSearchParams(own.body).has('audience'), false);
      assert.equal(hcp.path, '/idp/oauth2/token');
      assert.equal(new URLSearchParams(hcp.body).get('audience'), 'https://api.hashicorp.cloud');
    });
  });

  describe('requests and answers', () => {
    it('sends the query string without undefined values and the JSON body with its content type', async () => {
      const server = await start((req, res) =>
        json(res, 200, { type: req.headers['content-type'] ?? null }),
      );
      const transport = new Transport(connectionTo(server.url), instant());

      const posted = await transport.request<{ type: string }>({
        method: 'POST',
        path: '/search',
        query: { 'pagination.page_size': 10, 'pagination.next_page_token': undefined, q: 'a b&c' },
        body: { external_identifier: 'ami-1' },
        operation: 'search',
      });

      assert.equal(posted.type, 'application/json');
      assert.equal(server.apiRequests[0].path, '/search?pagination.page_size=10&q=a+b%26c');
      assert.equal(server.apiRequests[0].body, '{"external_identifier":"ami-1"}');
    });

    it('an empty 200 body is an empty object', async () => {
      const server = await start((_req, res) => {
        res.writeHead(200);
        res.end();
      });
      const transport = new Transport(connectionTo(server.url), instant());

      assert.deepEqual(
        await transport.request({ method: 'DELETE', path: '/x', operation: 'delete channel' }),
        {},
      );
    });

    it('a 4xx keeps the registry’s status, reason and message', async () => {
      const server = await start((_req, res) =>
        json(res, 404, {
          code: 5,
          message: 'bucket "nope" does not exist.',
          details: [{ reason: 'BUCKET_NOT_FOUND' }],
        }),
      );
      const transport = new Transport(connectionTo(server.url), instant());

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'get bucket "nope"' }),
      );

      assert.ok(error instanceof RegistryClientError, String(error));
      assert.ok(!(error instanceof RegistryUnavailableError));
      assert.equal(error.status, 404);
      assert.equal(error.reason, 'BUCKET_NOT_FOUND');
      assert.equal(
        error.message,
        `get bucket "nope" at ${server.url} failed (404): bucket "nope" does not exist.`,
      );
      assert.equal(server.apiRequests.length, 1);
    });

    it('a 200 that is not JSON (not a registry at that URL) names the operation and the registry', async () => {
      const server = await start((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome</body></html>');
      });
      const transport = new Transport(connectionTo(server.url), instant());

      const error = await rejection(
        transport.request({ method: 'GET', path: '/x', operation: 'list buckets' }),
      );

      assert.ok(error instanceof RegistryClientError, `${error.name}: ${error.message}`);
      assert.match(error.message, /list buckets/);
      assert.ok(error.message.includes(server.url), error.message);
      assert.match(error.message, /not JSON/);
    });
  });
});
