import assert from 'node:assert/strict';
import { Registry } from '../../../src/registry/registry';
import { openDatabase, type Database } from '../../../src/registry/storage/database';
import { describeEachEngine } from '../../helpers/registry-harness';

/**
 * Conditional channel reads (RFC 9110 §8.8.3 ETag, §13.1.2 If-None-Match): the cached
 * bytes carry a strong tag; a poller sending it back gets 304 while the channel serves
 * the same thing, and the full answer as soon as anything — a write here, a write on
 * another process, a scheduled revocation coming due — changes it.
 */
describeEachEngine('conditional channel reads', (registry) => {
  const channel = () => `${registry().packer()}/buckets/runner-etag/channels/prod`;
  let other: Database;

  /** GET of the channel with `ifNoneMatch` (none when undefined). */
  const read = async (ifNoneMatch?: string) => {
    const res = await fetch(`${registry().url}${channel()}`, {
      headers: {
        authorization: `Bearer ${await registry().token()}`,
        ...(ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }),
      },
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), text };
  };
  const served = (text: string) =>
    (JSON.parse(text) as { channel: { version?: { fingerprint: string } } }).channel.version
      ?.fingerprint;
  /**
   * Reads until the answer serves `fingerprint`: at once on SQLite (data_version), once
   * NOTIFY has arrived on PostgreSQL. Bounded by attempts, not by time.
   */
  const readUntilServed = async (fingerprint: string, ifNoneMatch?: string) => {
    let res = await read(ifNoneMatch);
    for (let i = 0; i < 200 && !(res.status === 200 && served(res.text) === fingerprint); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      res = await read(ifNoneMatch);
    }
    return res;
  };

  before(async () => {
    await registry().publish('runner-etag', 'e-1');
    await registry().publish('runner-etag', 'e-2');
    await registry().ok('POST', `${registry().packer()}/buckets/runner-etag/channels`, {
      name: 'prod',
      version_fingerprint: 'e-1',
    });
    other = await openDatabase(registry().databaseUrl);
  });
  after(() => other?.close());

  it('tags the answer with a strong ETag that stays while the bytes do', async () => {
    const first = await read();
    assert.equal(first.status, 200);
    assert.match(first.etag ?? '', /^"[\x21\x23-\x7e]+"$/, 'a strong entity tag');
    const again = await read();
    assert.equal(again.etag, first.etag);
    assert.equal(again.text, first.text);
  });

  it('answers 304 without a body only for a matching tag (or *)', async () => {
    const { etag, text } = await read();
    const tag = etag as string;
    for (const header of [tag, `W/${tag}`, `"other", ${tag}`, `${tag} , "x"`, '*']) {
      const res = await read(header);
      assert.equal(res.status, 304, `If-None-Match: ${header}`);
      assert.equal(res.text, '');
      assert.equal(res.etag, tag, 'a 304 carries the tag');
    }
    for (const header of ['"other"', 'W/"other"', '"other", W/"another"']) {
      const res = await read(header);
      assert.equal(res.status, 200, `If-None-Match: ${header}`);
      assert.equal(res.text, text);
    }
  });

  it('answers a malformed If-None-Match normally, with 200 and the body', async () => {
    const { etag, text } = await read();
    const bare = (etag as string).slice(1, -1);
    for (const header of [bare, `"${bare}`, `${etag} junk`, `${etag};"x"`, 'W/', '""x']) {
      const res = await read(header);
      assert.equal(res.status, 200, `If-None-Match: ${header}`);
      assert.equal(res.text, text);
    }
  });

  it('changes the tag when the body changes (a write through the API)', async () => {
    const before = await read();
    await registry().ok('PATCH', channel(), { version_fingerprint: 'e-2' });
    const after = await read(before.etag as string);
    assert.equal(after.status, 200, 'the old tag no longer matches');
    assert.equal(served(after.text), 'e-2');
    assert.notEqual(after.etag, before.etag);
    assert.equal((await read(after.etag as string)).status, 304);
  });

  it('answers the old tag with the new body after a commit by another process', async () => {
    const before = await read();
    assert.equal(served(before.text), 'e-2');
    const elsewhere = new Registry(other, registry().clock);
    await elsewhere.channels.update(
      { organizationId: 'org-1', projectId: 'proj-1' },
      { principalId: 'other-process', isAdmin: true },
      'runner-etag',
      'prod',
      { versionFingerprint: 'e-1' },
    );
    const after = await readUntilServed('e-1', before.etag as string);
    assert.equal(after.status, 200);
    assert.equal(served(after.text), 'e-1');
    assert.notEqual(after.etag, before.etag);
  });

  it('answers the old tag with the rolled-back body once a scheduled revocation is due', async () => {
    await registry().ok('PATCH', channel(), { version_fingerprint: 'e-2' });
    const revokeAt = new Date(registry().clock.now().getTime() + 60_000).toISOString();
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-etag/versions/e-2`, {
      revoke_at: revokeAt,
    });
    const scheduled = await read();
    assert.equal(served(scheduled.text), 'e-2');
    registry().clock.set(new Date(Date.parse(revokeAt) - 1));
    assert.equal((await read(scheduled.etag as string)).status, 304, 'not yet due');
    registry().clock.set(revokeAt);
    const due = await read(scheduled.etag as string);
    assert.equal(due.status, 200, 'due: the tag no longer matches');
    assert.equal(served(due.text), 'e-1');
  });
});
