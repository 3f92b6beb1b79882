import assert from 'node:assert/strict';
import { RegistryClient } from '../../src/client/registry-client';
import type { StoredToken, TokenOwner, TokenStore } from '../../src/client/transport';
import { cliEnv } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

/**
 * A token store as the transport uses it, against a live registry. The store here keeps
 * tokens in a Map and, like a cache whose file can no longer be written, never forgets
 * one: the transport must not fall back on a token the registry refused.
 */
class StickyStore implements TokenStore {
  readonly tokens = new Map<string, StoredToken>();
  discarded: string[] = [];

  load(owner: TokenOwner): StoredToken | null {
    return this.tokens.get(owner.clientId) ?? null;
  }

  save(owner: TokenOwner, token: StoredToken): void {
    this.tokens.set(owner.clientId, token);
  }

  discard(_owner: TokenOwner, value: string): void {
    this.discarded.push(value);
  }
}

describe('Transport with a token store (against a live registry)', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  before(async () => {
    r = await startTestRegistry('sqlite');
  });
  after(() => r?.close());

  it('a second client takes the stored token instead of requesting one', async () => {
    const store = new StickyStore();
    const first = new RegistryClient({}, { tokenStore: store }, cliEnv(r));
    await first.listBuckets();
    const second = new RegistryClient({}, { tokenStore: store }, cliEnv(r));
    await second.listBuckets();

    assert.equal(first.transport.requests, 2, 'a token request and the call');
    assert.equal(second.transport.requests, 1, 'the call alone');
  });

  it('after a 401 takes a fresh token, even when the store still offers the refused one', async () => {
    const store = new StickyStore();
    const client = new RegistryClient({}, { tokenStore: store }, cliEnv(r));
    await client.listBuckets();
    const refused = store.load(client.connection)?.value ?? assert.fail('a stored token');
    await r.ok('POST', '/oauth2/revoke', { token: refused });

    // A new client (a new `ingot` command): the store's token is refused, so it renews.
    const next = new RegistryClient({}, { tokenStore: store }, cliEnv(r));
    await next.listBuckets();

    assert.deepEqual(store.discarded, [refused]);
    const fresh = store.load(client.connection)?.value;
    assert.ok(fresh && fresh !== refused, 'the fresh token is stored');
    // The refused call, a token request, the call again.
    assert.equal(next.transport.requests, 3);
  });
});
