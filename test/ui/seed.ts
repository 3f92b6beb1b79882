import { imageId, type TestRegistry } from '../helpers/registry-harness';

export const ORG = 'acme';
export const PROJECT = 'images';
const HOUR = 3_600_000;

/**
 * What the browser tests look at, in acme/images:
 * - runner-base: v1 (base-1), v2 (base-2); channel stable moved from v1 to v2.
 * - runner-ubuntu (labels os, team), built from runner-base's stable when it held v1, so
 *   OUT_OF_DATE: v1 (ubuntu-1) and v2 (ubuntu-2), each an aws build in two regions and a
 *   gcp build; channels dev (v1, then v2), staging (v1), restricted prod (v1); consumers
 *   fleet/dev of v2 through dev and fleet/prod of v1 through prod.
 * - runner-windows: v1 (win-1) with a revocation scheduled for 2026-06-01.
 */
export async function seed(r: TestRegistry): Promise<void> {
  const packer = r.packer(ORG, PROJECT);
  const ingot = r.ingot(ORG, PROJECT);
  const base1 = await r.publish('runner-base', 'base-1', undefined, ORG, PROJECT);
  const { channel: stable } = await r.ok('POST', `${packer}/buckets/runner-base/channels`, {
    name: 'stable',
    version_fingerprint: 'base-1',
  });

  await r.ok('PUT', `${packer}/buckets`, {
    name: 'runner-ubuntu',
    description: 'GitHub Actions runner, Ubuntu 24.04',
    labels: { os: 'ubuntu', team: 'platform' },
  });
  for (const fingerprint of ['ubuntu-1', 'ubuntu-2']) {
    r.clock.advance(HOUR);
    const version = `${packer}/buckets/runner-ubuntu/versions/${fingerprint}`;
    await r.ok('POST', `${packer}/buckets/runner-ubuntu/versions`, { fingerprint });
    for (const [platform, componentType, regions] of [
      ['aws', 'amazon-ebs.runner', ['us-east-1', 'eu-west-1']],
      ['gcp', 'googlecompute.runner', ['global']],
    ] as const) {
      await r.ok('POST', `${version}/builds`, {
        platform,
        component_type: componentType,
        status: 'BUILD_DONE',
        labels: { arch: 'x86_64', git_sha: `${fingerprint}-sha` },
        parent_version_id: base1.id,
        parent_channel_id: stable.id,
        artifacts: regions.map((region) => ({
          external_identifier: imageId(platform, fingerprint, region),
          region,
        })),
      });
    }
    await r.ok('PATCH', version, { complete: true });
  }

  const channels = `${packer}/buckets/runner-ubuntu/channels`;
  await r.ok('POST', channels, { name: 'dev', version_fingerprint: 'ubuntu-1' });
  await r.ok('POST', channels, { name: 'staging', version_fingerprint: 'ubuntu-1' });
  await r.ok('POST', channels, { name: 'prod', restricted: true, version_fingerprint: 'ubuntu-1' });
  r.clock.advance(HOUR);
  await r.ok('PATCH', `${channels}/dev`, { version_fingerprint: 'ubuntu-2' });
  for (const [fingerprint, stack] of [
    ['ubuntu-2', 'dev'],
    ['ubuntu-1', 'prod'],
  ]) {
    await r.ok('POST', `${ingot}/buckets/runner-ubuntu/versions/${fingerprint}/consumers`, {
      pulumi_project: 'fleet',
      stack,
      urn: `urn:pulumi:${stack}::fleet::aws:ec2/launchTemplate:LaunchTemplate::runners`,
      channel: stack,
    });
  }

  r.clock.advance(HOUR);
  await r.publish('runner-base', 'base-2', undefined, ORG, PROJECT);
  await r.ok('PATCH', `${packer}/buckets/runner-base/channels/stable`, {
    version_fingerprint: 'base-2',
  });

  await r.publish('runner-windows', 'win-1', undefined, ORG, PROJECT);
  await r.ok('PATCH', `${packer}/buckets/runner-windows/versions/win-1`, {
    revoke_at: '2026-06-01T00:00:00Z',
    revocation_message: 'Windows Server 2022 leaves support',
  });
}
