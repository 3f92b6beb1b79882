import crypto from 'node:crypto';
import { imageId, type TestRegistry } from '../helpers/registry-harness';

/** The registry scope the stack files name (`ingot:organizationId`, `ingot:projectId`). */
export const SCOPE = { org: 'acme', project: 'runner-images' };

/** A deterministic image id per platform, version, architecture and region. */
export function runnerImageId(
  platform: string,
  fingerprint: string,
  arch: string,
  region: string,
): string {
  return imageId(platform, `${fingerprint}-${arch}`, region);
}

export interface RunnerBuild {
  platform: 'aws' | 'gcp';
  arch: 'x64' | 'arm64';
  /** AWS regions; GCP builds publish one global image. */
  regions?: string[];
}

/**
 * Publishes a complete version of a runner bucket with one build per platform and
 * architecture, labelled `arch` as the image pipeline does (Packer `custom_data`).
 */
export async function publishRunnerImages(
  r: TestRegistry,
  bucket: string,
  fingerprint: string,
  builds: RunnerBuild[],
): Promise<void> {
  const base = r.packer(SCOPE.org, SCOPE.project);
  const existing = await r.api('GET', `${base}/buckets/${bucket}`);
  if (existing.status === 404) await r.ok('PUT', `${base}/buckets`, { name: bucket });
  await r.ok('POST', `${base}/buckets/${bucket}/versions`, { fingerprint });
  for (const build of builds) {
    const regions = build.platform === 'gcp' ? ['global'] : (build.regions ?? []);
    await r.ok('POST', `${base}/buckets/${bucket}/versions/${fingerprint}/builds`, {
      platform: build.platform,
      component_type: `${build.platform === 'aws' ? 'amazon-ebs' : 'googlecompute'}.runner-${build.arch}`,
      status: 'BUILD_DONE',
      labels: { arch: build.arch },
      artifacts: regions.map((region) => ({
        external_identifier: runnerImageId(build.platform, fingerprint, build.arch, region),
        region,
      })),
    });
  }
  await r.ok('PATCH', `${base}/buckets/${bucket}/versions/${fingerprint}`, { complete: true });
}

/** Points a channel at a version (creating the channel if needed). */
export async function pointChannel(
  r: TestRegistry,
  bucket: string,
  channel: string,
  fingerprint: string,
): Promise<void> {
  const base = r.packer(SCOPE.org, SCOPE.project);
  const found = await r.api('GET', `${base}/buckets/${bucket}/channels/${channel}`);
  if (found.status === 404)
    await r.ok('POST', `${base}/buckets/${bucket}/channels`, {
      name: channel,
      version_fingerprint: fingerprint,
    });
  else
    await r.ok('PATCH', `${base}/buckets/${bucket}/channels/${channel}`, {
      version_fingerprint: fingerprint,
    });
}

/** The builds each runner bucket holds, for a set of AWS regions. */
export function runnerBuilds(bucket: string, awsRegions: string[]): RunnerBuild[] {
  switch (bucket) {
    case 'runner-ubuntu':
      return [
        { platform: 'aws', arch: 'x64', regions: awsRegions },
        { platform: 'aws', arch: 'arm64', regions: awsRegions },
        { platform: 'gcp', arch: 'x64' },
        { platform: 'gcp', arch: 'arm64' },
      ];
    case 'runner-windows':
      return [
        { platform: 'aws', arch: 'x64', regions: awsRegions },
        { platform: 'gcp', arch: 'x64' },
      ];
    case 'runner-macos':
      return [{ platform: 'aws', arch: 'arm64', regions: awsRegions }];
    default:
      throw new Error(`no builds defined for ${bucket}`);
  }
}

export const RUNNER_BUCKETS = ['runner-ubuntu', 'runner-windows', 'runner-macos'];

/** Network-stack outputs: a VPC with subnets in zones a–c per AWS region, a subnetwork per GCP region. */
export function networkStackOutputs(
  stack: string,
  awsRegions: string[],
  gcpRegions: string[],
): Record<string, unknown> {
  const hex = (text: string, n: number) =>
    crypto.createHash('sha256').update(`${stack}/${text}`).digest('hex').slice(0, n);
  return {
    runnerSubnets: Object.fromEntries(
      awsRegions.map((region) => [
        region,
        {
          vpcId: `vpc-${hex(region, 17)}`,
          subnets: ['a', 'b', 'c'].map((letter) => ({
            id: `subnet-${hex(`${region}${letter}`, 17)}`,
            zone: `${region}${letter}`,
          })),
        },
      ]),
    ),
    runnerSubnetworks: Object.fromEntries(
      gcpRegions.map((region) => [
        region,
        {
          network: `projects/acme-net-${stack}/global/networks/runners`,
          subnetwork: `projects/acme-net-${stack}/regions/${region}/subnetworks/runners-${region}`,
        },
      ]),
    ),
  };
}
