import assert from 'node:assert/strict';
import { describeEachEngine } from '../../helpers/registry-harness';

/**
 * HCP's list and delete options as hcp-sdk-go sends them
 * (clients/cloud-packer-service/stable/2023-01-01/client/packer_service/*_parameters.go):
 * `sorting.order_by` (collectionFormat "multi": repeated), `pagination.previous_page_token`,
 * ListBucketAncestry's `channel_name` / `version_fingerprint`, DeleteVersion's
 * `rollback_channels`.
 */
describeEachEngine('HCP list and delete options', (registry) => {
  const base = () => registry().packer('org-1', 'proj-opts');
  const MINUTE = 60_000;

  before(async function () {
    this.timeout(60_000);
    const r = registry();
    for (const name of ['bravo', 'alpha', 'charlie']) {
      await r.publish(name, `${name}-1`, undefined, 'org-1', 'proj-opts');
      r.clock.advance(MINUTE);
    }
    for (const fp of ['alpha-2', 'alpha-3']) {
      await r.publish('alpha', fp, undefined, 'org-1', 'proj-opts');
      r.clock.advance(MINUTE);
    }
  });

  it('sorts buckets and versions by sorting.order_by, repeated or comma-separated', async () => {
    const r = registry();
    const names = async (q: string) =>
      ((await r.ok('GET', `${base()}/buckets?${q}`)).buckets as any[]).map((b) => b.name);
    assert.deepEqual(await names(''), ['alpha', 'bravo', 'charlie']);
    assert.deepEqual(await names('sorting.order_by=name%20desc'), ['charlie', 'bravo', 'alpha']);
    assert.deepEqual(await names('sorting.order_by=created_at'), ['bravo', 'alpha', 'charlie']);
    const fps = async (q: string) =>
      ((await r.ok('GET', `${base()}/buckets/alpha/versions?${q}`)).versions as any[]).map(
        (v) => v.fingerprint,
      );
    assert.deepEqual(await fps(''), ['alpha-3', 'alpha-2', 'alpha-1'], 'newest first by default');
    assert.deepEqual(await fps('sorting.order_by=name'), ['alpha-1', 'alpha-2', 'alpha-3']);
    assert.deepEqual(await fps('sorting.order_by=name%20desc&sorting.order_by=created_at'), [
      'alpha-3',
      'alpha-2',
      'alpha-1',
    ]);
    assert.deepEqual(await fps('sorting.order_by=fingerprint%20asc,created_at%20desc'), [
      'alpha-1',
      'alpha-2',
      'alpha-3',
    ]);
    const bad = await r.api('GET', `${base()}/buckets/alpha/versions?sorting.order_by=size`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].metadata.field, 'sorting.order_by');
    assert.match(bad.body.message, /created_at/);
  });

  it('returns a previous_page_token that goes one page back', async () => {
    const r = registry();
    const url = `${base()}/buckets/alpha/versions?pagination.page_size=1`;
    const first = await r.ok('GET', url);
    assert.equal(first.pagination.previous_page_token, undefined, 'the first page has none');
    const second = await r.ok(
      'GET',
      `${url}&pagination.next_page_token=${first.pagination.next_page_token}`,
    );
    assert.equal(second.versions[0].fingerprint, 'alpha-2');
    const back = await r.ok(
      'GET',
      `${url}&pagination.previous_page_token=${second.pagination.previous_page_token}`,
    );
    assert.deepEqual(back.versions, first.versions);
    const both = await r.api(
      'GET',
      `${url}&pagination.next_page_token=${first.pagination.next_page_token}&pagination.previous_page_token=${second.pagination.previous_page_token}`,
    );
    assert.equal(both.status, 400);
    assert.match(both.body.message, /not both/);
  });

  it('filters ancestry by the child version and by the parent channel', async () => {
    const r = registry();
    await r.ok('POST', `${base()}/buckets/alpha/channels`, {
      name: 'stable',
      version_fingerprint: 'alpha-3',
    });
    const stable = (await r.ok('GET', `${base()}/buckets/alpha/channels/stable`)).channel;
    const alpha2 = (await r.ok('GET', `${base()}/buckets/alpha/versions/alpha-2`)).version;
    await r.publish(
      'child',
      'child-1',
      [{ platform: 'aws', regions: ['us-east-1'], parent_channel_id: stable.id }],
      'org-1',
      'proj-opts',
    );
    await r.publish(
      'child',
      'child-2',
      [{ platform: 'aws', regions: ['us-east-1'], parent_version_id: alpha2.id }],
      'org-1',
      'proj-opts',
    );
    const children = async (q: string) =>
      (
        (await r.ok('GET', `${base()}/buckets/alpha/ancestry?type=ANCESTRY_TYPE_CHILDREN${q}`))
          .relations as any[]
      ).map((x) => x.child.version_fingerprint);
    assert.deepEqual((await children('')).sort(), ['child-1', 'child-2']);
    assert.deepEqual(await children('&channel_name=stable'), ['child-1']);
    const parents = async (q: string) =>
      (
        (await r.ok('GET', `${base()}/buckets/child/ancestry?type=ANCESTRY_TYPE_PARENTS${q}`))
          .relations as any[]
      ).map((x) => x.parent.version_fingerprint);
    assert.deepEqual(await parents('&version_fingerprint=child-2'), ['alpha-2']);
    assert.deepEqual(await parents('&version_fingerprint=child-1'), ['alpha-3']);
    // hcp-sdk-go: "If not specified, the endpoint returns the parents of the artifact bucket's
    // latest version" (packer_service_list_bucket_ancestry_parameters.go).
    assert.deepEqual(await parents(''), ['alpha-2'], 'child-2 is the latest');
    const unknown = await r.api('GET', `${base()}/buckets/alpha/ancestry?channel_name=nope`);
    assert.equal(unknown.status, 404);
  });

  it('DeleteVersion refuses a served version unless rollback_channels=true, which rolls back', async () => {
    const r = registry();
    const ch = `${base()}/buckets/alpha/channels/prod`;
    await r.ok('POST', `${base()}/buckets/alpha/channels`, {
      name: 'prod',
      version_fingerprint: 'alpha-2',
    });
    await r.ok('PATCH', ch, { version_fingerprint: 'alpha-3' });
    const refused = await r.api('DELETE', `${base()}/buckets/alpha/versions/alpha-3`);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 9);
    assert.match(refused.body.message, /rollback_channels=true/);
    await r.ok('DELETE', `${base()}/buckets/alpha/versions/alpha-3?rollback_channels=true`);
    assert.equal((await r.ok('GET', ch)).channel.version.fingerprint, 'alpha-2');
    const gone = await r.api('GET', `${base()}/buckets/alpha/versions/alpha-3`);
    assert.equal(gone.body.code, 10);
  });
});
