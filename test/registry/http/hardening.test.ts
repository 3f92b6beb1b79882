import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { MAX_JSON_DEPTH } from '../../../src/registry/http/hardening';
import { ENGINES, startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';

/** `{"a":{"a":…}}` nested `depth` levels deep, as text (JSON.stringify would recurse). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Sends raw bytes and resolves with everything the server sent before closing. */
function rawRequest(url: string, bytes: string): { done: Promise<string>; socket: net.Socket } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.write(bytes);
  const done = new Promise<string>((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
  return { done, socket };
}

/** 19 of 20 declared body bytes, on a public route (so the body is read). */
const STALLED_BODY =
  'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"nineteen-bytes":1';

const TOKEN_LIMIT = { perClient: 3, perAddress: 8, windowMs: 60_000 };

function tokenRequest(registry: TestRegistry, clientId: string, secret = 'wrong') {
  return fetch(`${registry.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }),
  });
}

for (const engine of ENGINES) {
  describe(`abuse and deadlines [${engine}]`, function () {
    this.timeout(60_000);
    let registry: TestRegistry;
    const logs: string[] = [];

    before(async () => {
      registry = await startTestRegistry(engine, undefined, {
        timeouts: { requestMs: 500, headersMs: 500, checkIntervalMs: 100 },
        tokenRateLimit: TOKEN_LIMIT,
        logger: {
          // Successful reads are logged at debug (docs/registry.md): see them all here.
          level: 'debug',
          stream: new Writable({
            write: (chunk, _encoding, next) => {
              logs.push(String(chunk));
              next();
            },
          }),
        },
      });
    });
    after(async () => {
      await registry?.close();
    });

    it('sends nosniff and no-store on API answers, errors included', async () => {
      for (const res of [
        await registry.api('GET', `${registry.packer()}/buckets`),
        await registry.api('GET', `${registry.packer()}/buckets`, undefined, null),
      ]) {
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(res.headers.get('cache-control'), 'no-store');
      }
    });

    it(`answers JSON nested deeper than ${MAX_JSON_DEPTH} levels with a 400, on the API and on /oauth2/token`, async () => {
      const api = await fetch(`${registry.url}${registry.packer()}/buckets`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${await registry.token()}`,
          'content-type': 'application/json',
        },
        body: nested(100_000),
      });
      assert.equal(api.status, 400);
      assert.match(((await api.json()) as { message: string }).message, /nests deeper than 32/);
      const token = await fetch(`${registry.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: nested(100_000),
      });
      assert.equal(token.status, 400);
      assert.equal(((await token.json()) as { error: string }).error, 'invalid_request');
    });

    it('refuses /metrics to principals that are not registry-wide admins', async () => {
      const projectAdmin = await registry.principal('admin', 'org-1', 'proj-1');
      assert.equal((await registry.api('GET', '/metrics', undefined, projectAdmin)).status, 403);
      assert.equal((await registry.api('GET', '/metrics')).status, 200);
    });

    it('limits token requests per client id, then per address, with 429 and Retry-After', async () => {
      const statuses = [];
      for (let i = 0; i <= TOKEN_LIMIT.perClient; i++)
        statuses.push((await tokenRequest(registry, 'ingot_ci_bruteforced')).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      const limited = await tokenRequest(registry, 'ingot_ci_bruteforced');
      assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
      const body = (await limited.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'slow_down');
      assert.match(body.error_description, /client id: at most 3 per 60 s/);

      // Other client ids from the same address: the address limit still applies.
      let status = 0;
      for (let i = 0; i < TOKEN_LIMIT.perAddress && status !== 429; i++)
        status = (await tokenRequest(registry, `ingot_ci_other_${i}`)).status;
      assert.equal(status, 429);
    });

    it('cuts a request whose body stalls, with a 408', async () => {
      const { done } = rawRequest(registry.url, STALLED_BODY);
      assert.match(await done, /^HTTP\/1\.1 408/);
    });

    it('never logs a token sent in a query string', async () => {
      await fetch(`${registry.url}/healthz?access_token=ingot_at_leaked-secret&x=1`);
      assert.ok(
        logs.some((l) => l.includes('access_token=[REDACTED]')),
        'the request is logged',
      );
      assert.ok(!logs.some((l) => l.includes('leaked-secret')));
    });

    it('shuts down within the drain timeout even with a request still open', async function () {
      // Its own registry, whose request deadline (30 s) is beyond this test's timeout:
      // only the drain's cut can end the stalled request in time.
      this.timeout(20_000);
      const draining = await startTestRegistry(engine, undefined, { drainTimeoutMs: 300 });
      try {
        const { done, socket } = rawRequest(draining.url, STALLED_BODY);
        await new Promise((resolve) => socket.once('ready', resolve));
        await draining.running.close();
        await done;
      } finally {
        await draining.close();
      }
    });
  });
}
