import type * as pulumi from '@pulumi/pulumi';
import type { ImageQuery } from '../client/resolve';
import type { GithubSettings, PoolConfig } from '../config/fleet-config';
import { LABEL_PATTERN } from './labels';
import type { PoolScalerArgs } from './scaler/pool-scaler-args';

/**
 * The images of one bucket on the stack's channel. `ChannelImages` implements it (one
 * registry lookup for every region and architecture of the bucket).
 */
export interface PoolImageSource {
  readonly versionName: pulumi.Output<string>;
  readonly versionFingerprint: pulumi.Output<string>;
  image(query: pulumi.Input<ImageQuery>): pulumi.Output<string>;
}

/**
 * What every runner pool takes, whatever its cloud. `Network` is the cloud's region
 * network (`AwsRegionNetwork`, `GcpRegionNetwork`).
 */
export interface RunnerPoolArgs<Network> {
  /** The validated pool from the stack config (OS, size, arch, regions, counts, types). */
  pool: PoolConfig;
  /** `dev`, `staging`, `prod`: a runner label, part of names and tags. */
  environment: string;
  /** The pool's bucket on the stack's channel. */
  images: PoolImageSource;
  /** Organization, runner group, extra labels, registration secret names. */
  github: GithubSettings;
  /** One provider per region of the pool; every regional resource uses its region's. */
  providers: Record<string, pulumi.ProviderResource>;
  /** The network of each region of the pool. */
  networks: Record<string, pulumi.Input<Network>>;
  /**
   * Present when the scaler drives the pool: runners get JIT configurations and no
   * access to the GitHub App key (macOS hosts never take it).
   */
  scaler?: PoolScalerArgs;
}

/** One region's share of a pool, as other teams see it. */
export interface RunnerGroup {
  region: string;
  /** `aws-autoscaling-group`, `aws-mac-hosts` or `gcp-managed-instance-group`. */
  kind: 'aws-autoscaling-group' | 'aws-mac-hosts' | 'gcp-managed-instance-group';
  /** Auto Scaling group / managed instance group names, or the Mac instance ids. */
  names: pulumi.Output<string[]>;
  /** The labels runners of this region register with (the region label included). */
  labels: string[];
  /** The image id the region runs. */
  image: pulumi.Output<string>;
  instanceTypes: string[];
}

/** What every runner pool exposes, whatever its cloud. */
export interface RunnerPool {
  readonly poolName: string;
  readonly cloud: 'aws' | 'gcp';
  readonly regions: string[];
  /** The labels every runner of the pool carries (add a region label to pick a region). */
  readonly labels: string[];
  readonly groups: RunnerGroup[];
  /** The registry version the pool runs (`v3`) and its fingerprint. */
  readonly imageVersion: pulumi.Output<string>;
  readonly imageFingerprint: pulumi.Output<string>;
}

/**
 * Validates a pool component's arguments before any child is created; every problem
 * is reported at once, naming the argument and the fix.
 */
export function validatePoolArgs<N>(
  component: string,
  name: string,
  cloud: 'aws' | 'gcp',
  args: RunnerPoolArgs<N>,
  extra: string[] = [],
): void {
  const problems = [...extra];
  const { pool } = args;
  if (pool.cloud !== cloud)
    problems.push(
      `args.pool.cloud is "${pool.cloud}": ${component} builds ${cloud} pools; use the ${pool.cloud} pool component.`,
    );
  if (pool.regions.length === 0)
    problems.push('args.pool.regions is empty: name at least one region.');
  if (pool.instanceTypes.length === 0)
    problems.push(
      'args.pool.instanceTypes is empty: take them from the sizes table (`instanceTypes()`).',
    );
  if (!(pool.min <= pool.desired && pool.desired <= pool.max))
    problems.push(
      `args.pool has min ${pool.min}, desired ${pool.desired}, max ${pool.max}: make min ≤ desired ≤ max.`,
    );
  if (!LABEL_PATTERN.test(args.environment))
    problems.push(`args.environment "${args.environment}" is not a runner label: use e.g. "prod".`);
  if (args.scaler && pool.os === 'macos' && !args.scaler.host)
    problems.push(
      'args.scaler is set for a macOS pool without args.scaler.host: Mac hosts are fixed; pass the scaler URL parameter (host) or omit it.',
    );
  if (args.scaler?.host && pool.os !== 'macos')
    problems.push('args.scaler.host is for macOS hosts only: omit it for this pool.');
  if (args.scaler && cloud === 'gcp' && !args.scaler.gcp)
    problems.push("args.scaler.gcp is missing: pass the GCP scaler's URL and audience.");
  if (!args.scaler && !args.github.registrationSecret[cloud])
    problems.push(
      `args.github.registrationSecret.${cloud} is missing: name the secret holding the GitHub App credentials.`,
    );
  for (const region of pool.regions) {
    if (!args.providers[region])
      problems.push(
        `args.providers has no provider for ${region}: pass one ${cloud} provider per region.`,
      );
    if (args.networks[region] === undefined)
      problems.push(`args.networks has no network for ${region}: pass one per region.`);
  }
  if (problems.length > 0)
    throw new Error(
      `${component} "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
}
