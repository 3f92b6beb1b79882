import assert from 'node:assert/strict';
import { hashToken } from '../../src/registry/auth/secrets';
import { openDatabase, type Database } from '../../src/registry/storage/database';
import { describeEachEngine, type Credentials } from '../helpers/registry-harness';

/**
 * The synchronous token check (src/registry/auth/token-cache.ts) must never let a token
 * through that the database no longer vouches for: a deleted principal, a revoked token
 * or an expired one is refused on the next request, whichever process changed it.
 */
describeEachEngine('cached bearer tokens', (registry) => {
  let other: Database;
  const read = async (token: string) =>
    (
      await fetch(`${registry().url}${registry().packer()}/buckets`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;
  /**
   * Reads until refused: the very next request on SQLite (its mapped WAL index), once
   * NOTIFY has arrived on PostgreSQL. Bounded by attempts, not by time.
   */
  const readUntilRefused = async (token: string) => {
    let status = await read(token);
    if (registry().engine === 'sqlite') return status;
    for (let i = 0; i < 200 && status !== 401; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      status = await read(token);
    }
    return status;
  };
  const viewerToken = async (): Promise<{ creds: Credentials; token: string }> => {
    const creds = await registry().principal('viewer');
    const token = await registry().token(creds);
    // Verified twice: the second answer comes from the cache.
    assert.equal(await read(token), 200);
    assert.equal(await read(token), 200);
    return { creds, token };
  };

  before(async () => {
    other = await openDatabase(registry().databaseUrl);
  });
  after(() => other?.close());

  it('refuses a principal deleted through this process on the very next request', async () => {
    const { creds, token } = await viewerToken();
    await registry().ok('DELETE', `/ingot/v1/principals/${creds.clientId}`);
    assert.equal(await read(token), 401);
  });

  it('refuses a principal deleted by another process', async () => {
    const { creds, token } = await viewerToken();
    await other.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        'SELECT id FROM principals WHERE client_id = $1',
        [creds.clientId],
      );
      await tx.query('DELETE FROM access_tokens WHERE principal_id = $1', [row.id]);
      await tx.query('DELETE FROM principal_roles WHERE principal_id = $1', [row.id]);
      await tx.query('DELETE FROM principals WHERE id = $1', [row.id]);
    });
    assert.equal(await readUntilRefused(token), 401);
  });

  it('refuses a token revoked by another process (its row deleted), the principal unharmed', async () => {
    const { creds, token } = await viewerToken();
    await other.transaction((tx) =>
      tx.query('DELETE FROM access_tokens WHERE token_hash = $1', [hashToken(token)]),
    );
    assert.equal(await readUntilRefused(token), 401);
    // The principal gets a new token and goes on.
    const fresh = await fetch(`${registry().url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: creds.clientId,
        client_secret: creds.clientSecret,
      }),
    });
    const { access_token } = (await fresh.json()) as { access_token: string };
    assert.equal(await read(access_token), 200);
  });

  it('drops a token on this process at once by its stored hash (what a credential change adds to its commit)', async () => {
    const { token } = await viewerToken();
    const auth = registry().running.registry.auth;
    assert.ok(auth.cachedPrincipal(token), 'cached after a verified read');
    // No commit at all: the entry goes by itself, not because the marker moved.
    auth.tokens.forgetWhere((_principal, hash) => hash === hashToken(token));
    assert.equal(auth.cachedPrincipal(token), undefined);
    assert.equal(await read(token), 200, 'still valid in the database: verified again');
    await registry().running.registry.db.transaction((tx) =>
      tx.query('DELETE FROM access_tokens WHERE token_hash = $1', [hashToken(token)]),
    );
    auth.tokens.forgetWhere((_principal, hash) => hash === hashToken(token));
    assert.equal(await read(token), 401);
  });

  it('refuses a cached token once it has expired, with no write in between', async () => {
    const { token } = await viewerToken();
    registry().clock.advance(3600 * 1000);
    assert.equal(await read(token), 401);
  });

  it('keeps authorization on every request: a cached viewer still may not write', async () => {
    const { token } = await viewerToken();
    const write = await fetch(`${registry().url}${registry().packer()}/buckets`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer-may-not' }),
    });
    assert.equal(write.status, 403);
  });
});
