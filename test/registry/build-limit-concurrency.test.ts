import assert from 'node:assert/strict';
import { LIMITS } from '../../src/registry/service/limits';
import { describeEachEngine } from '../helpers/registry-harness';

/**
 * The builds-per-version limit holds under concurrent CreateBuild calls: CreateBuild
 * locks the version row (`SELECT … FOR UPDATE`) before counting its builds, in the
 * transaction that inserts, so on PostgreSQL two creates cannot both count 99 and both
 * insert (on SQLite, transactions hold the write lock). Issue 16, fault 6.
 */
describeEachEngine('builds-per-version limit under concurrent creates', (registry) => {
  const bucket = 'race-limit';
  const versions = () => `${registry().packer()}/buckets/${bucket}/versions`;
  const build = (name: string) => ({
    platform: 'aws',
    component_type: `amazon-ebs.${name}`,
    status: 'BUILD_RUNNING',
  });

  before(async function () {
    this.timeout(120_000);
    await registry().ok('PUT', `${registry().packer()}/buckets`, { name: bucket });
    await registry().ok('POST', versions(), { fingerprint: 'crowded' });
    for (let i = 0; i < LIMITS.buildsPerVersion - 1; i++)
      await registry().ok('POST', `${versions()}/crowded/builds`, build(`part-${i}`));
  });

  it('of 8 concurrent creates for the last free place, exactly one succeeds', async function () {
    this.timeout(60_000);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        registry().api('POST', `${versions()}/crowded/builds`, build(`racer-${i}`)),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400], JSON.stringify(statuses));
    for (const refused of results.filter((r) => r.status === 400))
      assert.equal(refused.body.details[0].metadata.field, 'builds');
    const listed = await registry().ok('GET', `${versions()}/crowded/builds`);
    assert.equal(listed.builds.length, LIMITS.buildsPerVersion);
  });
});
