import type * as pulumi from '@pulumi/pulumi';
import type { AwsRegionNetwork, PoolConfig } from '../../config/fleet-config';
import type { PoolScalerArgs } from '../scaler/pool-scaler-args';

/** What the per-region AWS runner components take (`AwsAutoscalingRunners`, `AwsMacRunners`). */
export interface AwsRegionRunnersArgs {
  /** The pool (OS, size, instance types, counts, disk). */
  pool: PoolConfig;
  /** The region; `provider` must be this region's. */
  region: string;
  provider: pulumi.ProviderResource;
  environment: string;
  /** The labels runners register with (region label included). */
  labels: string[];
  /** The registry image for this region on the stack's channel. */
  image: pulumi.Input<string>;
  network: pulumi.Input<AwsRegionNetwork>;
  /** The runners' instance profile. */
  instanceProfile: { arn: pulumi.Input<string>; name: pulumi.Input<string> };
  /** The boot script (plain text; encoded here). */
  userData: string;
  /** Tags for every resource. */
  tags: Record<string, string>;
  /** Present when the scaler drives the group (launch hook, scale-in protection, its size). */
  scaler?: PoolScalerArgs;
}

/** Validates the per-region arguments; messages name the argument and the fix. */
export function validateRegionArgs(
  component: string,
  name: string,
  args: AwsRegionRunnersArgs,
): void {
  const problems: string[] = [];
  if (!args.pool.regions.includes(args.region))
    problems.push(
      `args.region "${args.region}" is not one of the pool's regions (${args.pool.regions.join(', ')}).`,
    );
  if (!args.labels.includes(args.region))
    problems.push(
      'args.labels must include the region label: compute them with runnerLabels({ region }).',
    );
  if (!args.userData) problems.push('args.userData is empty: pass the bootstrap script.');
  if (args.pool.instanceTypes.length === 0) problems.push('args.pool.instanceTypes is empty.');
  if (problems.length > 0)
    throw new Error(
      `${component} "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
}

/** The EC2 launch-time tags: a Name, the pool's tags and the runner labels. */
export function instanceTags(name: string, args: AwsRegionRunnersArgs): Record<string, string> {
  return { Name: name, ...args.tags, 'ingot-runner-labels': args.labels.join(',') };
}
