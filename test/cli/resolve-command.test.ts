import assert from 'node:assert/strict';
import { cliEnv, ingot, ingotJson } from '../helpers/cli';
import { imageId, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

describe('ingot resolve (against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;
  const builds = [
    { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
    { platform: 'gcp', regions: ['global'] },
  ];

  before(async function () {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    await registry.publish('runner-ubuntu', 'fp-1', builds);
    await registry.publish('runner-ubuntu', 'fp-2', builds);
    const base = `${registry.packer()}/buckets/runner-ubuntu`;
    await registry.ok('POST', `${base}/channels`, { name: 'prod', version_fingerprint: 'fp-1' });
    await registry.ok('POST', `${base}/channels`, { name: 'staging', version_fingerprint: 'fp-2' });
    // fp-1 is revoked later (in an hour); fp-2 now, leaving the channels where they are.
    await registry.ok('PATCH', `${base}/versions/fp-1`, {
      revoke_in: '1h',
      revocation_message: 'kernel 6.8 end of life',
    });
    await registry.ok('PATCH', `${base}/versions/fp-2`, {
      revoke_in: '0s',
      revocation_message: 'CVE-2026-0001 in openssl',
      disable_rollback_channels: true,
    });
  });
  after(async () => registry?.close());

  it('prints the image id of a channel for a platform and region, or all of it with --json', async () => {
    const [plain, json] = await Promise.all([
      ingot(
        [
          'resolve',
          'runner-ubuntu',
          '--channel',
          'prod',
          '--platform',
          'aws',
          '--region',
          'eu-west-1',
        ],
        env,
      ),
      ingotJson(
        [
          'resolve',
          'runner-ubuntu',
          '--channel',
          'prod',
          '--platform',
          'gcp',
          '--region',
          'europe-west4',
        ],
        env,
      ),
    ]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout, `${imageId('aws', 'fp-1', 'eu-west-1')}\n`);
    // A scheduled revocation still resolves, with a warning on stderr only.
    assert.match(
      plain.stderr,
      /^ingot: warning: v1 \(fp-1\) of bucket "runner-ubuntu" will be revoked at 2026-03-01T13:00:00Z: kernel 6\.8 end of life$/m,
    );

    assert.equal(json.external_identifier, imageId('gcp', 'fp-1', 'global'));
    assert.equal(json.region, 'global', 'GCP images are global');
    assert.equal(json.platform, 'gcp');
    assert.equal(json.channel, 'prod');
    assert.deepEqual(json.version, {
      fingerprint: 'fp-1',
      name: 'v1',
      status: 'VERSION_REVOCATION_SCHEDULED',
      revoke_at: '2026-03-01T13:00:00.000Z',
    });
  });

  it('exits non-zero with the revocation message for a revoked version, by channel or fingerprint', async () => {
    const [byChannel, byFingerprint] = await Promise.all([
      ingot(
        [
          'resolve',
          'runner-ubuntu',
          '--channel',
          'staging',
          '--platform',
          'aws',
          '--region',
          'us-east-1',
        ],
        env,
      ),
      ingot(
        [
          'resolve',
          'runner-ubuntu',
          '--version',
          'fp-2',
          '--platform',
          'aws',
          '--region',
          'us-east-1',
          '--json',
        ],
        env,
      ),
    ]);
    for (const result of [byChannel, byFingerprint]) {
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '', 'no image id for a revoked version');
      assert.match(
        result.stderr,
        /^ingot: refusing a revoked image: version v2 \(fingerprint fp-2\)/,
      );
      assert.match(result.stderr, /CVE-2026-0001 in openssl/);
    }
    assert.match(byChannel.stderr, /\(channel "staging"\)/);
  });

  it('names what is missing: a region without an image, an unknown bucket', async () => {
    const [region, bucket] = await Promise.all([
      ingot(
        [
          'resolve',
          'runner-ubuntu',
          '--channel',
          'prod',
          '--platform',
          'aws',
          '--region',
          'ap-south-1',
        ],
        env,
      ),
      ingot(
        [
          'resolve',
          'no-such-bucket',
          '--channel',
          'prod',
          '--platform',
          'aws',
          '--region',
          'us-east-1',
        ],
        env,
      ),
    ]);
    for (const result of [region, bucket]) {
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^ingot: /);
    }
    assert.match(region.stderr, /has no aws image in ap-south-1; it has: aws\/us-east-1/);
    assert.match(bucket.stderr, /bucket "no-such-bucket" does not exist/);
  });
});
