import type { PoolConfig } from '../../src/config/fleet-config';
import type { Recorded } from './fleet-engine';
import { channelFingerprint, type Deployment } from './fleet-deploy';
import { runnerImageId } from './runner-images';

/** Resource types the fleet tests look at. */
export const T = {
  lt: 'aws:ec2/launchTemplate:LaunchTemplate',
  asg: 'aws:autoscaling/group:Group',
  sg: 'aws:ec2/securityGroup:SecurityGroup',
  host: 'aws:ec2/dedicatedHost:DedicatedHost',
  instance: 'aws:ec2/instance:Instance',
  template: 'gcp:compute/instanceTemplate:InstanceTemplate',
  mig: 'gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager',
  autoscaler: 'gcp:compute/regionAutoscaler:RegionAutoscaler',
};

/** The resources of a pool in a region, by the names the components derive. */
export function regional(
  d: Deployment,
  pool: PoolConfig,
  region: string,
  suffix: string,
): Recorded[] {
  const prefix = `${pool.name}-${region}-${suffix}`;
  return d.engine.resources.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`));
}

/** The image every carrier of a pool in a region must use: the channel's, for that region and arch. */
export function expectedImage(pool: PoolConfig, channel: string, region: string): string {
  return runnerImageId(
    pool.cloud,
    channelFingerprint(pool.bucket, channel),
    pool.arch,
    pool.cloud === 'gcp' ? 'global' : region,
  );
}
