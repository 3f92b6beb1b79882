import assert from 'node:assert/strict';
import type { ImageArtifact } from '../../../src/images/prune/image-store';
import { imagesCommand } from '../../../src/cli/images-command';
import { ExitError } from '../../../src/cli/exit-codes';
import { useRegistryEnv } from '../../helpers/provider-env';
import { startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';
import { awsWorld, gcpWorld } from './cloud-worlds';

/**
 * `ingot images prune` against a live registry and the two clouds' stores (AWS through
 * aws-sdk-client-mock, GCP through a fake compute client): what it picks (revoked or
 * old, on no channel, used by no stack), the dry-run table, deleting with --yes, and a
 * region that denies access: the rest proceed, the failure is reported, exit 1.
 */
const DAY = 86_400_000;

describe('ingot images prune (live registry, mocked clouds)', function () {
  this.timeout(60_000);
  let registry: TestRegistry;
  before(async () => (registry = await startTestRegistry('sqlite')));
  after(() => registry?.close());
  useRegistryEnv(() => registry);

  const base = () => registry.packer();
  async function publish(bucket: string, fingerprint: string, artifacts: ImageArtifact[]) {
    if ((await registry.api('GET', `${base()}/buckets/${bucket}`)).status === 404)
      await registry.ok('PUT', `${base()}/buckets`, { name: bucket });
    await registry.ok('POST', `${base()}/buckets/${bucket}/versions`, { fingerprint });
    for (const platform of ['aws', 'gcp']) {
      const mine = artifacts.filter((a) => a.platform === platform);
      if (mine.length)
        await registry.ok('POST', `${base()}/buckets/${bucket}/versions/${fingerprint}/builds`, {
          platform,
          component_type: platform === 'aws' ? 'amazon-ebs.runner-x64' : 'googlecompute.runner',
          status: 'BUILD_DONE',
          artifacts: mine.map((a) => ({
            external_identifier: a.externalIdentifier,
            region: a.region,
          })),
        });
    }
    await registry.ok('PATCH', `${base()}/buckets/${bucket}/versions/${fingerprint}`, {
      complete: true,
    });
  }

  /** Runs the command in process (so the mocked stores are its clouds); stdout and exit. */
  async function prune(args: string[], stores: ReturnType<typeof worlds>, days: number) {
    const now = new Date(registry.clock.now().getTime() + days * DAY);
    const command = imagesCommand(
      () => [stores.aws.store, stores.gcp.store],
      () => now,
    );
    let stdout = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (
      (stdout += chunk),
      true
    )) as typeof process.stdout.write;
    try {
      await command.parseAsync(['prune', ...args], { from: 'user' });
      return { stdout, error: undefined as ExitError | undefined };
    } catch (error) {
      return { stdout, error: error as ExitError };
    } finally {
      process.stdout.write = write;
    }
  }

  const worlds = () => ({ aws: awsWorld(), gcp: gcpWorld() });
  let clouds: ReturnType<typeof worlds>;
  const seeded: Record<string, ImageArtifact[]> = {};

  before(async () => {
    clouds = worlds();
    const images = (name: string) => [
      clouds.aws.seed('us-east-1', name).artifact,
      clouds.aws.seed('eu-west-1', name).artifact,
      clouds.gcp.seed('acme-images', name).artifact,
    ];
    // v1 old, unused: goes. v2 revoked: goes. v3 used by the prod stack: stays.
    // v4 on the dev channel: stays. v5 the newest (latest): stays.
    for (const fp of ['fp-1', 'fp-2', 'fp-3', 'fp-4', 'fp-5']) {
      seeded[fp] = images(fp);
      await publish('runner-ubuntu', fp, seeded[fp]);
      registry.clock.advance(DAY);
    }
    await registry.ok('PATCH', `${base()}/buckets/runner-ubuntu/versions/fp-2`, {
      revoke_in: '0s',
      revocation_message: 'CVE-2026-1',
    });
    await registry.ok('POST', `${registry.ingot()}/buckets/runner-ubuntu/versions/fp-3/consumers`, {
      pulumi_project: 'fleet',
      stack: 'prod',
      urn: 'urn:pulumi:prod::fleet::aws:ec2/launchTemplate:LaunchTemplate::ubuntu',
    });
    await registry.ok('POST', `${base()}/buckets/runner-ubuntu/channels`, {
      name: 'dev',
      version_fingerprint: 'fp-4',
    });
  });

  it('dry run: a table of what would go and why, and nothing deleted', async () => {
    const { stdout, error } = await prune(['--older-than', '90d'], clouds, 100);
    assert.equal(error, undefined);
    assert.match(stdout, /^BUCKET\s+VERSION\s+WHY\s+IMAGES/m);
    assert.match(
      stdout,
      /runner-ubuntu\s+v1 fp-1\s+1\d\d days old, on no channel, used by no stack/,
    );
    assert.match(stdout, /runner-ubuntu\s+v2 fp-2\s+revoked, on no channel, used by no stack/);
    assert.doesNotMatch(stdout, /fp-[345]/);
    assert.match(stdout, /Dry run: nothing was deleted\. Run again with --yes/);
    for (const a of [...seeded['fp-1'], ...seeded['fp-2']])
      assert.ok((a.platform === 'aws' ? clouds.aws : clouds.gcp).exists(a));
    const young = await prune(['--older-than', '90d', '--json'], clouds, 10);
    assert.deepEqual(
      JSON.parse(young.stdout).candidates.map((c: { fingerprint: string }) => c.fingerprint),
      ['fp-2'],
      'only the revoked version is due before 90 days',
    );
  });

  it('--yes deletes; a denied region is reported, the rest proceed, exit 1', async () => {
    clouds.aws.deny('eu-west-1');
    const { stdout, error } = await prune(['--older-than', '90d', '--yes'], clouds, 100);
    assert.ok(error instanceof ExitError);
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /2 of 6 image\(s\) could not be deleted/);
    assert.match(
      stdout,
      /eu-west-1:ami-\w+\s+FAILED: UnauthorizedOperation: You are not authorized/,
    );
    assert.match(
      stdout,
      /us-east-1:ami-\w+\s+deleted ami-\w+ \(us-east-1\), snap-\w+ \(us-east-1\)/,
    );
    for (const fp of ['fp-1', 'fp-2'])
      for (const a of seeded[fp]) {
        const world = a.platform === 'aws' ? clouds.aws : clouds.gcp;
        assert.equal(world.exists(a), a.region === 'eu-west-1', `${fp} ${a.platform} ${a.region}`);
      }
    for (const fp of ['fp-3', 'fp-4', 'fp-5'])
      for (const a of seeded[fp])
        assert.ok((a.platform === 'aws' ? clouds.aws : clouds.gcp).exists(a));
  });

  it('a rerun after the access is fixed removes what is left, and says what was already gone', async () => {
    clouds.aws.allow('eu-west-1');
    const { error, stdout } = await prune(['--older-than', '90d', '--yes', '--json'], clouds, 100);
    assert.equal(error, undefined, error?.message);
    const outcomes = JSON.parse(stdout).outcomes as {
      region: string;
      missing: boolean;
      error?: string;
    }[];
    assert.ok(outcomes.every((o) => !o.error));
    assert.deepEqual(
      outcomes.filter((o) => !o.missing).map((o) => o.region),
      ['eu-west-1', 'eu-west-1'],
      'only what the denial kept is deleted now; the rest is reported as already gone',
    );
    for (const a of [...seeded['fp-1'], ...seeded['fp-2']])
      assert.equal((a.platform === 'aws' ? clouds.aws : clouds.gcp).exists(a), false);
  });
});
