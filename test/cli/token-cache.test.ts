import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RegistryUnavailableError } from '../../src/client/errors';
import { RegistryClient } from '../../src/client/registry-client';
import { cliEnv, ingot, ingotOk, processCli } from '../helpers/cli';
import {
  ENGINES,
  startTestRegistry,
  type Credentials,
  type TestRegistry,
} from '../helpers/registry-harness';

/**
 * Token reuse across `ingot` invocations, against a live registry: the registry's audit
 * log counts the tokens it issued (`token.issued`), so nothing of the client is mocked.
 */

/** Tokens the registry issued to `clientId`. */
async function issued(r: TestRegistry, clientId: string): Promise<number> {
  const { events } = await r.ok<{ events: { action: string; target: string }[] }>(
    'GET',
    `${r.ingot()}/audit-events?pagination.page_size=1000`,
  );
  return events.filter((e) => e.action === 'token.issued' && e.target === clientId).length;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-token-cache-'));
}

/** The cache file's tokens, as stored. */
function cachedTokens(dir: string): string[] {
  const file = JSON.parse(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8')) as {
    tokens: Record<string, { access_token: string }>;
  };
  return Object.values(file.tokens).map((t) => t.access_token);
}

for (const engine of ENGINES) {
  describe(`ingot token cache [${engine}]`, function () {
    this.timeout(120_000);
    let r: TestRegistry;
    let creds: Credentials;
    let dir: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      // A limit a script of a few commands would pass only by reusing its token.
      r = await startTestRegistry(engine, undefined, {
        tokenRateLimit: { perClient: 3, perAddress: 10_000, windowMs: 60_000 },
      });
      await r.publish('runner-ubuntu', 'fp-1');
    });
    after(() => r?.close());

    beforeEach(async () => {
      // Each test its own principal (so the rate limit and the count are its own) and cache.
      creds = await r.principal('admin', 'org-1', 'proj-1');
      dir = path.join(tempDir(), 'cache');
      env = { ...cliEnv(r, creds), INGOT_TOKEN_CACHE: dir };
    });

    it('several commands in a row, one a separate process, take one token', async () => {
      // Six commands with a limit of three tokens a minute: they pass only by reusing one.
      for (const args of [
        ['buckets', 'ls'],
        ['buckets', 'show', 'runner-ubuntu'],
        ['versions', 'ls', 'runner-ubuntu'],
        ['channels', 'ls', 'runner-ubuntu'],
        ['builds', 'ls', 'runner-ubuntu', 'v1'],
      ])
        await ingotOk(args, env);
      await processCli.ingotOk(['versions', 'show', 'runner-ubuntu', 'v1'], env);

      assert.equal(await issued(r, creds.clientId), 1);
      // Created by the CLI: the directory is the user's alone, and so is the file.
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      const file = path.join(dir, 'tokens.json');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(!text.includes(creds.clientSecret), 'no client secret in the cache');
      assert.ok(!text.includes(creds.clientId), 'entries are keyed by hashes');
      assert.deepEqual(fs.readdirSync(dir), ['tokens.json'], 'no temp file left behind');
    });

    it('replaces a cached token the registry revoked, within the same command', async () => {
      await ingotOk(['buckets', 'ls'], env);
      const [revoked] = cachedTokens(dir);
      await r.ok('POST', '/oauth2/revoke', { token: revoked });

      const result = await ingot(['buckets', 'ls'], env);

      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.equal(await issued(r, creds.clientId), 2);
      const [fresh] = cachedTokens(dir);
      assert.notEqual(fresh, revoked);
      assert.equal(cachedTokens(dir).length, 1, 'the revoked token is no longer cached');
    });

    it('never uses a token cached under another secret of the same client', async () => {
      await ingotOk(['buckets', 'ls'], env);

      const wrong = await ingot(['buckets', 'ls'], { ...env, HCP_CLIENT_SECRET: 'ingot_cs_wrong' });
      assert.equal(wrong.status, 1);
      assert.match(wrong.stderr, /could not authenticate to .* as client "ingot_ci_/);

      const rotated = await r.ok<{ client_secret: string }>(
        'POST',
        `/ingot/v1/principals/${creds.clientId}/rotate-secret`,
      );
      await ingotOk(['buckets', 'ls'], { ...env, HCP_CLIENT_SECRET: rotated.client_secret });
      assert.equal(await issued(r, creds.clientId), 2);
      // A key of its own, not the old entry overwritten after a refusal.
      assert.equal(cachedTokens(dir).length, 2);
    });

    it('ignores a corrupt cache file and replaces it', async () => {
      fs.mkdirSync(dir, { mode: 0o700 });
      fs.writeFileSync(path.join(dir, 'tokens.json'), '{"format": 1, "tokens": {"ab', {
        mode: 0o600,
      });

      const result = await ingot(['buckets', 'ls'], env);

      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.equal(cachedTokens(dir).length, 1);
      await ingotOk(['buckets', 'ls'], env);
      assert.equal(await issued(r, creds.clientId), 1);
    });

    it('INGOT_TOKEN_CACHE=off takes a token per command and writes nothing', async () => {
      const home = tempDir();
      const off = { ...env, INGOT_TOKEN_CACHE: 'off', HOME: home, XDG_CACHE_HOME: '' };
      await ingotOk(['buckets', 'ls'], off);
      await ingotOk(['buckets', 'ls'], off);

      assert.equal(await issued(r, creds.clientId), 2);
      assert.deepEqual(fs.readdirSync(home), []);
    });

    it('caches in ~/.cache/ingot by default, and in $XDG_CACHE_HOME/ingot when set', async () => {
      const home = tempDir();
      const xdg = tempDir();
      const unset = { ...env };
      delete unset.INGOT_TOKEN_CACHE;
      await ingotOk(['buckets', 'ls'], { ...unset, HOME: home, XDG_CACHE_HOME: '' });
      await ingotOk(['buckets', 'ls'], { ...unset, HOME: home, XDG_CACHE_HOME: xdg });

      assert.equal(cachedTokens(path.join(home, '.cache', 'ingot')).length, 1);
      assert.equal(cachedTokens(path.join(xdg, 'ingot')).length, 1);
      assert.equal(await issued(r, creds.clientId), 2);
    });

    it('warns once, and still works, when the cache cannot be written', async () => {
      const notADir = path.join(tempDir(), 'file');
      fs.writeFileSync(notADir, '');
      const result = await ingot(['buckets', 'ls'], { ...env, INGOT_TOKEN_CACHE: notADir });

      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.match(
        result.stderr,
        /^ingot: warning: cannot keep the access token in .*file\/tokens\.json \(EEXIST\), so each command takes a new one.*Set INGOT_TOKEN_CACHE to a writable directory, or to off\.\n$/,
      );
    });

    it('a rate-limited token request says so, with Retry-After and what to change', async () => {
      const off = { ...env, INGOT_TOKEN_CACHE: 'off' };
      for (let i = 0; i < 3; i++) await ingotOk(['buckets', 'ls'], off);

      const limited = await ingot(['buckets', 'ls'], off);

      assert.equal(limited.status, 1);
      assert.match(
        limited.stderr,
        /^ingot: could not authenticate to http:\/\/127\.0\.0\.1:\d+\/oauth2\/token as client "ingot_ci_[\w-]+" for list buckets: too many token requests \(HTTP 429\); retry in \d+ s \(Retry-After\)\. The endpoint said: "too many token requests for this client id: at most 3 per 60 s; retry in \d+ s\." /,
      );
      assert.match(
        limited.stderr,
        /INGOT_TOKEN_CACHE=off.*so each ingot command takes a new token/,
      );
      assert.ok(!limited.stderr.includes(creds.clientSecret));

      // With the cache on (and empty), the advice is about who else takes tokens.
      const cached = await ingot(['buckets', 'ls'], env);
      assert.equal(cached.status, 1);
      assert.match(
        cached.stderr,
        /ingot commands reuse one cached token \(in .*cache\) until shortly before it expires, so the requests come from processes that do not share it/,
      );
    });
  });
}

describe('ingot/client (the library) without a token store', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  before(async () => {
    r = await startTestRegistry('sqlite', undefined, {
      // A long window: Retry-After stays beyond what one call waits, however slow the machine.
      tokenRateLimit: { perClient: 1, perAddress: 10_000, windowMs: 3_600_000 },
    });
  });
  after(() => r?.close());

  it('keeps its token in memory, writes nothing, and reports a 429 without retrying', async () => {
    const home = tempDir();
    const env: NodeJS.ProcessEnv = { ...cliEnv(r), HOME: home, XDG_CACHE_HOME: '' };
    delete env.INGOT_TOKEN_CACHE;
    const client = new RegistryClient({}, {}, env);
    await client.listBuckets();
    await client.listBuckets();
    assert.equal(client.transport.requests, 3, 'one token request, two API requests');
    assert.deepEqual(fs.readdirSync(home), []);

    const another = new RegistryClient({}, {}, env);
    const error = await another.listBuckets().then(
      () => assert.fail('the second client needs a token the limit does not allow'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RegistryUnavailableError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.reason, 'TOKEN_RATE_LIMITED');
    assert.ok(
      Number.isInteger(error.detail.retryAfterSeconds),
      String(error.detail.retryAfterSeconds),
    );
    // Retry-After beyond what a call waits: reported at once, not retried into the limit.
    assert.equal(another.transport.requests, 1);
    assert.match(error.message, /every process that takes its own token as client "/);
  });
});
