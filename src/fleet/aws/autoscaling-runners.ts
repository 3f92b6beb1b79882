import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { LIFECYCLE_HOOK_TIMEOUT_SECONDS } from '../scaler/pool-scaler-args';
import { egressOnlySecurityGroup } from './security-group';
import { instanceTags, validateRegionArgs, type AwsRegionRunnersArgs } from './region-runners-args';

/** Arguments of {@link AwsAutoscalingRunners}: one region of an Ubuntu or Windows pool. */
export type AwsAutoscalingRunnersArgs = AwsRegionRunnersArgs;

/** Seconds a new runner gets to boot and register before it counts as healthy. */
export const RUNNER_WARMUP_SECONDS = 300;

/**
 * Instance refresh bounds. AWS's default maximum of 100 % makes a refresh terminate
 * before it launches; on a group that can be 1–2 instances, 90 % then means zero runners.
 * A maximum above 100 % launches replacements first. AWS allows at most 100 points
 * between minimum and maximum, so small groups (min ≤ 2) keep 100 % and may reach 200 %.
 */
export function refreshHealth(
  minSize: number,
  minHealthyPercent: number,
): { minHealthyPercentage: number; maxHealthyPercentage: number } {
  const min = minSize <= 2 ? Math.max(minHealthyPercent, 100) : minHealthyPercent;
  return { minHealthyPercentage: min, maxHealthyPercentage: Math.min(200, min + 100) };
}

/**
 * Ubuntu or Windows runners in one region: a launch template (the registry's image for
 * the region, IMDSv2 only, encrypted gp3 root volume, no public IP, egress-only
 * security group, the runners' instance profile, a boot script that registers one
 * ephemeral runner and powers off — which terminates the instance) and an Auto Scaling
 * group over the size's instance types, spot or on-demand. A new image makes a new
 * launch template version; the group's instance refresh then rolls it out gradually,
 * launching replacements before terminating (see {@link refreshHealth}). With the scaler
 * (`args.scaler`) the group starts at `min` and the scaler owns its size; new instances
 * are protected from the group's own scale-in (the scaler removes only instances it
 * chose, never a busy runner) and wait in a launch lifecycle hook until the scaler has
 * written their JIT configuration (abandoned if it never does).
 */
export class AwsAutoscalingRunners extends pulumi.ComponentResource {
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly group: aws.autoscaling.Group;

  constructor(
    name: string,
    args: AwsAutoscalingRunnersArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('ingot:fleet:AwsAutoscalingRunners', name, {}, opts);
    validateRegionArgs('AwsAutoscalingRunners', name, args);
    if (args.pool.os === 'macos')
      throw new Error(
        `AwsAutoscalingRunners "${name}": args.pool.os is macos; macOS runs on dedicated hosts, use AwsMacRunners.`,
      );
    const child = { parent: this, provider: args.provider };
    const { pool } = args;
    const network = pulumi.output(args.network);
    const tags = instanceTags(name, args);

    this.securityGroup = egressOnlySecurityGroup(`${name}-sg`, network.vpcId, args.tags, child);
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        description: `Ingot ${pool.os} ${pool.arch} ${pool.size} runners, ${args.environment}, ${args.region}`,
        imageId: args.image,
        updateDefaultVersion: true,
        instanceInitiatedShutdownBehavior: 'terminate',
        iamInstanceProfile: { arn: args.instanceProfile.arn },
        metadataOptions: {
          httpEndpoint: 'enabled',
          httpTokens: 'required',
          // Containers started by jobs cannot reach the instance's credentials.
          httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
          {
            // The root device of Ubuntu and Windows AMIs.
            deviceName: '/dev/sda1',
            ebs: {
              volumeSize: pool.diskSizeGb,
              volumeType: 'gp3',
              encrypted: 'true',
              deleteOnTermination: 'true',
            },
          },
        ],
        networkInterfaces: [
          {
            deviceIndex: 0,
            associatePublicIpAddress: 'false',
            deleteOnTermination: 'true',
            securityGroups: [this.securityGroup.id],
          },
        ],
        monitoring: { enabled: true },
        userData: Buffer.from(args.userData, 'utf8').toString('base64'),
        tagSpecifications: [
          { resourceType: 'instance', tags },
          { resourceType: 'volume', tags },
        ],
        tags: args.tags,
      },
      child,
    );

    this.group = new aws.autoscaling.Group(
      `${name}-asg`,
      {
        vpcZoneIdentifiers: network.subnets.apply((subnets) => subnets.map((s) => s.id)),
        minSize: pool.min,
        maxSize: pool.max,
        desiredCapacity: args.scaler ? pool.min : pool.desired,
        ...(args.scaler
          ? {
              protectFromScaleIn: true,
              initialLifecycleHooks: [
                {
                  name: args.scaler.lifecycleHook,
                  lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
                  defaultResult: 'ABANDON',
                  heartbeatTimeout: LIFECYCLE_HOOK_TIMEOUT_SECONDS,
                },
              ],
            }
          : {}),
        capacityRebalance: pool.spot,
        healthCheckType: 'EC2',
        healthCheckGracePeriod: RUNNER_WARMUP_SECONDS,
        defaultInstanceWarmup: RUNNER_WARMUP_SECONDS,
        // Runners register with GitHub, not a load balancer: `pulumi up` need not wait.
        waitForCapacityTimeout: '0',
        mixedInstancesPolicy: {
          launchTemplate: {
            launchTemplateSpecification: {
              launchTemplateId: this.launchTemplate.id,
              // A new image → a new version → a changed group → an instance refresh.
              version: this.launchTemplate.latestVersion.apply((v) => String(v)),
            },
            overrides: pool.instanceTypes.map((instanceType) => ({ instanceType })),
          },
          instancesDistribution: pool.spot
            ? {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: 0,
                spotAllocationStrategy: 'price-capacity-optimized',
              }
            : {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: 100,
                onDemandAllocationStrategy: 'prioritized',
              },
        },
        instanceRefresh: {
          strategy: 'Rolling',
          preferences: {
            ...refreshHealth(pool.min, pool.minHealthyPercent),
            instanceWarmup: String(RUNNER_WARMUP_SECONDS),
            skipMatching: true,
            scaleInProtectedInstances: 'Wait',
            standbyInstances: 'Wait',
          },
        },
        tags: Object.entries({ Name: name, ...args.tags }).map(([key, value]) => ({
          key,
          value,
          propagateAtLaunch: false,
        })),
      },
      // The scaler sets the size between min and max; `pulumi up` must not reset it.
      args.scaler ? { ...child, ignoreChanges: ['desiredCapacity'] } : child,
    );
    this.registerOutputs({ groupName: this.group.name, launchTemplateId: this.launchTemplate.id });
  }
}
