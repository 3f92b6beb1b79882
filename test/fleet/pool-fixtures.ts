import crypto from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ImageQuery } from '../../src/client/resolve';
import type {
  AwsRegionNetwork,
  GcpRegionNetwork,
  GithubSettings,
  PoolConfig,
} from '../../src/config/fleet-config';
import type { PoolImageSource } from '../../src/fleet/pool-contract';
import { DISK_SIZE_GB, instanceTypes, type Cloud } from '../../src/fleet/sizes';
import { FleetEngine } from './fleet-engine';

export const GITHUB: GithubSettings = {
  organization: 'acme',
  runnerGroup: 'ingot-test',
  labels: ['ingot'],
  url: 'https://github.com',
  apiUrl: 'https://api.github.com',
  registrationSecret: { aws: 'ingot/test/github-app', gcp: 'ingot-test-github-app' },
};

/** A validated pool as the config would produce it. */
export function poolConfig(
  fields: Partial<PoolConfig> & Pick<PoolConfig, 'cloud' | 'os'>,
): PoolConfig {
  const arch = fields.arch ?? (fields.os === 'macos' ? 'arm64' : 'x64');
  const size = fields.size ?? 'small';
  return {
    name: `${fields.cloud}-${fields.os}`,
    size,
    arch,
    regions: fields.cloud === 'aws' ? ['us-west-2', 'eu-west-1'] : ['us-west2', 'europe-west4'],
    min: fields.os === 'macos' ? 2 : 1,
    max: fields.os === 'macos' ? 2 : 5,
    desired: 2,
    spot: false,
    bucket: `runner-${fields.os}`,
    imageLabels: { arch },
    diskSizeGb: DISK_SIZE_GB[fields.os][size],
    instanceTypes: instanceTypes(fields.cloud, fields.os, arch, size),
    externalIp: false,
    minHealthyPercent: 90,
    ...fields,
  };
}

/** The image a fake registry holds for a query. */
export function fakeImageId(q: ImageQuery): string {
  return q.platform === 'gcp'
    ? `projects/ingot-images/global/images/runner-${q.labels?.arch}-v7`
    : `ami-${q.region}-${q.labels?.arch}-v7`;
}

/** An image source answering without a registry (component tests). */
export function fakeImages(): PoolImageSource & { queries: ImageQuery[] } {
  const queries: ImageQuery[] = [];
  return {
    queries,
    versionName: pulumi.output('v7'),
    versionFingerprint: pulumi.output('fp-7'),
    image: (query) =>
      pulumi.output(query).apply((q) => {
        queries.push(q as ImageQuery);
        return fakeImageId(q as ImageQuery);
      }),
  };
}

export function awsNetwork(region: string): AwsRegionNetwork {
  const hex = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 17);
  return {
    vpcId: `vpc-${hex(region)}`,
    subnets: ['a', 'b', 'c'].map((z) => ({
      id: `subnet-${hex(region + z)}`,
      zone: `${region}${z}`,
    })),
  };
}

export function gcpNetwork(region: string): GcpRegionNetwork {
  return {
    network: 'projects/acme-net-test/global/networks/runners',
    subnetwork: `projects/acme-net-test/regions/${region}/subnetworks/runners`,
  };
}

/** Installs a fresh engine (mocks, no stack config) for a component test. */
export function componentEngine(stack = 'test'): FleetEngine {
  const engine = new FleetEngine({ project: 'ingot-fleet', stack, config: {} });
  engine.install();
  return engine;
}

/** One explicit provider per region, as the fleet creates them. */
export function providersFor(
  cloud: Cloud,
  regions: string[],
): Record<string, pulumi.ProviderResource> {
  return Object.fromEntries(
    regions.map((region) => [
      region,
      cloud === 'aws'
        ? new aws.Provider(`aws-${region}`, { region })
        : new gcp.Provider(`gcp-${region}`, { project: 'acme-runners-test', region }),
    ]),
  );
}

/** The user data / startup script text of a runner resource. */
export function bootScriptOf(type: string, inputs: Record<string, any>): string {
  if (type === 'aws:ec2/launchTemplate:LaunchTemplate')
    return Buffer.from(inputs.userData, 'base64').toString('utf8');
  if (type === 'aws:ec2/instance:Instance')
    return Buffer.from(inputs.userDataBase64, 'base64').toString('utf8');
  return inputs.metadata['startup-script'] ?? inputs.metadata['windows-startup-script-ps1'];
}
