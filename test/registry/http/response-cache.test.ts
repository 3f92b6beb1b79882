import assert from 'node:assert/strict';
import { Registry } from '../../../src/registry/registry';
import { openDatabase, type Database } from '../../../src/registry/storage/database';
import { describeEachEngine } from '../../helpers/registry-harness';

/**
 * The channel read is served from a cache; these tests make sure it never serves what
 * another process, a write or the clock has made stale.
 */
describeEachEngine('cached channel reads', (registry) => {
  const channel = () => `${registry().packer()}/buckets/runner-cache/channels/prod`;
  const serves = async () => (await registry().ok('GET', channel())).channel.version?.fingerprint;
  let other: Database;

  before(async () => {
    await registry().publish('runner-cache', 'c-1');
    await registry().publish('runner-cache', 'c-2');
    await registry().ok('POST', `${registry().packer()}/buckets/runner-cache/channels`, {
      name: 'prod',
      version_fingerprint: 'c-1',
    });
    other = await openDatabase(registry().databaseUrl);
  });
  after(() => other?.close());

  it('serves the same bytes again, and sees a write through the API at once', async () => {
    const first = await fetch(`${registry().url}${channel()}`, {
      headers: { authorization: `Bearer ${await registry().token()}` },
    });
    assert.equal(first.headers.get('content-type'), 'application/json; charset=utf-8');
    const text = await first.text();
    const again = await registry().api('GET', channel());
    assert.deepEqual(again.body, JSON.parse(text));
    await registry().ok('PATCH', channel(), { version_fingerprint: 'c-2' });
    assert.equal(await serves(), 'c-2');
  });

  it('sees a commit by another process (another connection to the same database)', async () => {
    assert.equal(await serves(), 'c-2');
    // Another registry process: its own connection, its own services.
    const elsewhere = new Registry(other, registry().clock);
    await elsewhere.channels.update(
      { organizationId: 'org-1', projectId: 'proj-1' },
      { principalId: 'other-process', isAdmin: true },
      'runner-cache',
      'prod',
      { versionFingerprint: 'c-1' },
    );
    // SQLite sees it on the very next read (its mapped WAL index); PostgreSQL once NOTIFY
    // arrives.
    if (registry().engine === 'sqlite') {
      assert.equal(registry().running.registry.db.changeCheck, 'mapped WAL index');
      assert.equal(await serves(), 'c-1');
      return;
    }
    let seen = await serves();
    for (let i = 0; i < 100 && seen !== 'c-1'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = await serves();
    }
    assert.equal(seen, 'c-1');
  });

  it('rolls back exactly when a scheduled revocation takes effect, with no write in between', async () => {
    const revokeAt = new Date(registry().clock.now().getTime() + 60_000).toISOString();
    await registry().ok('PATCH', channel(), { version_fingerprint: 'c-2' });
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-cache/versions/c-2`, {
      revoke_at: revokeAt,
    });
    assert.equal(await serves(), 'c-2');
    registry().clock.set(new Date(Date.parse(revokeAt) - 1));
    assert.equal(await serves(), 'c-2');
    registry().clock.set(revokeAt);
    assert.equal(await serves(), 'c-1');
  });

  it('keeps scopes apart: the same bucket and channel names in another project', async () => {
    await registry().publish('runner-cache', 'p2-1', undefined, 'org-1', 'proj-2');
    await registry().ok(
      'POST',
      `${registry().packer('org-1', 'proj-2')}/buckets/runner-cache/channels`,
      {
        name: 'prod',
        version_fingerprint: 'p2-1',
      },
    );
    const otherProject = await registry().ok(
      'GET',
      `${registry().packer('org-1', 'proj-2')}/buckets/runner-cache/channels/prod`,
    );
    assert.equal(otherProject.channel.version.fingerprint, 'p2-1');
    assert.equal(await serves(), 'c-1');
  });
});
