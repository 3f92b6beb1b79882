import assert from 'node:assert/strict';
import { LIMITS } from '../../src/registry/service/limits';
import { describeEachEngine } from '../helpers/registry-harness';

/**
 * `ingot import hcp` writes through PUT …/import/…: a version over a size limit is refused
 * there as the build routes refuse it, naming the version, the count and the limit, and
 * nothing of it is written.
 */
describeEachEngine('import: size limits', (registry) => {
  const bucket = 'imported';
  const importPath = (fp: string) =>
    `${registry().ingot()}/import/buckets/${bucket}/versions/${fp}`;
  const build = (i: number) => ({
    platform: 'aws',
    component_type: `amazon-ebs.part-${i}`,
    packer_run_uuid: `run-${i}`,
    source_external_identifier: '',
    status: 'BUILD_DONE',
    labels: {},
    metadata: { note: 'small' },
    artifacts: [{ external_identifier: `ami-${i}`, region: 'us-east-1' }],
  });
  /** The largest version the limits allow, in every respect at once. */
  const atTheLimits = () => ({
    name: 'v1',
    template_type: 'HCL2',
    author_id: 'importer',
    builds: Array.from({ length: LIMITS.buildsPerVersion }, (_, i) =>
      i === 0
        ? {
            ...build(i),
            metadata: { blob: 'x'.repeat(LIMITS.metadataBytes - '{"blob":""}'.length) },
            artifacts: Array.from({ length: LIMITS.artifactsPerBuild }, (__, j) => ({
              external_identifier: `ami-0-${j}`,
              region: 'us-east-1',
            })),
          }
        : build(i),
    ),
  });

  before(async () => {
    await registry().ok('PUT', `${registry().ingot()}/import/buckets/${bucket}`, {
      description: '',
      labels: {},
    });
  });

  /** Refused with a 400 naming `field`, and the version is still absent. */
  async function refused(fp: string, body: unknown, field: string): Promise<string> {
    const res = await registry().api('PUT', importPath(fp), body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.details[0].reason, 'INVALID_ARGUMENT');
    assert.equal(res.body.details[0].metadata.field, field);
    assert.match(res.body.message, new RegExp(`^version "${fp}" of bucket "${bucket}" is over`));
    assert.match(res.body.message, /Nothing of it was imported; fix it at the source/);
    const read = await registry().api(
      'GET',
      `${registry().packer()}/buckets/${bucket}/versions/${fp}`,
    );
    assert.equal(
      read.body.details?.[0].reason,
      'VERSION_NOT_FOUND',
      'nothing of the refused version was written',
    );
    return res.body.message;
  }

  it('imports a version at every limit', async () => {
    const res = await registry().ok('PUT', importPath('at-limits'), atTheLimits());
    assert.equal(res.outcome, 'created');
    const read = await registry().ok(
      'GET',
      `${registry().packer()}/buckets/${bucket}/versions/at-limits`,
    );
    assert.equal(read.version.builds.length, LIMITS.buildsPerVersion);
  });

  it('refuses a version with more builds than the limit', async () => {
    const body = atTheLimits();
    body.builds.push(build(LIMITS.buildsPerVersion));
    const message = await refused('too-many-builds', body, 'builds');
    assert.match(message, /it has 101 builds and the limit is 100 a version \(delete builds/);
  });

  it('refuses a build with more artifacts than the limit', async () => {
    const body = atTheLimits();
    body.builds[0].artifacts.push({ external_identifier: 'ami-extra', region: 'us-east-1' });
    const message = await refused('too-many-artifacts', body, 'builds.0.artifacts');
    assert.match(
      message,
      /build 1 \(aws amazon-ebs\.part-0\) has 501 artifacts and the limit is 500 a build \(split its images/,
    );
  });

  it('refuses build metadata over the size limit', async () => {
    const body = atTheLimits();
    body.builds[0].metadata = { blob: `${(body.builds[0].metadata as { blob: string }).blob}x` };
    const message = await refused('metadata-too-large', body, 'builds.0.metadata');
    assert.match(
      message,
      /build 1 \(aws amazon-ebs\.part-0\) has 65537 bytes of metadata as JSON and the limit is 65536/,
    );
  });

  it('leaves an incomplete version here as it was when its import is refused', async () => {
    const versions = `${registry().packer()}/buckets/${bucket}/versions`;
    await registry().ok('POST', versions, { fingerprint: 'half-way' });
    await registry().ok('POST', `${versions}/half-way/builds`, {
      platform: 'aws',
      component_type: 'amazon-ebs.here',
      status: 'BUILD_RUNNING',
    });
    const body = atTheLimits();
    body.builds.push(build(LIMITS.buildsPerVersion));
    const res = await registry().api('PUT', importPath('half-way'), body);
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].metadata.field, 'builds');
    const read = await registry().ok('GET', `${versions}/half-way`);
    assert.deepEqual(
      read.version.builds.map((b: { component_type: string }) => b.component_type),
      ['amazon-ebs.here'],
    );
  });
});
