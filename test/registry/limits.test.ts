import assert from 'node:assert/strict';
import { LIMITS } from '../../src/registry/service/limits';
import { describeEachEngine } from '../helpers/registry-harness';

/** Limits against project bloat (issue 16, fault 6), answered with 400s naming the limit. */
describeEachEngine('size limits', (registry) => {
  const bucket = 'limits';
  const versions = () => `${registry().packer()}/buckets/${bucket}/versions`;
  const build = (i: number, extra: Record<string, unknown> = {}) => ({
    platform: 'aws',
    component_type: `amazon-ebs.part-${i}`,
    status: 'BUILD_RUNNING',
    ...extra,
  });

  before(async () => {
    await registry().ok('PUT', `${registry().packer()}/buckets`, { name: bucket });
    await registry().ok('POST', versions(), { fingerprint: 'full' });
  });

  it('refuses build metadata over the size limit, naming it', async () => {
    const created = await registry().ok('POST', `${versions()}/full/builds`, build(0));
    const metadata = { blob: 'x'.repeat(LIMITS.metadataBytes) };
    const res = await registry().api('PATCH', `${versions()}/full/builds/${created.build.id}`, {
      metadata,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].metadata.field, 'metadata');
    assert.match(res.body.message, /the limit is 65536/);
    await registry().ok('PATCH', `${versions()}/full/builds/${created.build.id}`, {
      metadata: { small: 'yes' },
    });
  });

  it('refuses more artifacts per build than the limit', async () => {
    const artifacts = Array.from({ length: LIMITS.artifactsPerBuild + 1 }, (_, i) => ({
      external_identifier: `ami-${i}`,
      region: 'us-east-1',
    }));
    const res = await registry().api('POST', `${versions()}/full/builds`, build(0, { artifacts }));
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].metadata.field, 'artifacts');
  });

  it('refuses more builds per version than the limit', async () => {
    // One build exists already (the metadata test's).
    for (let i = 1; i < LIMITS.buildsPerVersion; i++)
      await registry().ok('POST', `${versions()}/full/builds`, build(i));
    const res = await registry().api('POST', `${versions()}/full/builds`, build(-1));
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].metadata.field, 'builds');
    assert.match(res.body.message, /at most 100 builds/);
  });

  it('lists buckets and versions without build metadata; the version read has it', async () => {
    const read = await registry().ok('GET', `${versions()}/full`);
    assert.ok(
      read.version.builds.some(
        (b: { metadata?: object }) => JSON.stringify(b.metadata) === '{"small":"yes"}',
      ),
    );
    const buckets = await registry().ok('GET', `${registry().packer()}/buckets`);
    for (const b of buckets.buckets)
      for (const x of b.latest_version?.builds ?? []) assert.equal(x.metadata, undefined);
    const listed = await registry().ok('GET', versions());
    assert.equal(listed.versions[0].builds.length, LIMITS.buildsPerVersion);
    for (const b of listed.versions[0].builds) assert.equal(b.metadata, undefined);
  });
});
