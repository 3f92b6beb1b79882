import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudBackend, GroupInstance, GroupState } from './cloud-backend';
import { ScalerError } from './errors';
import type { ScalerTarget } from './scaler-config';

/** SSM stores values of 4 KB and more only in the Advanced tier (as terraform-aws-github-runner's putParameter does). */
const ADVANCED_TIER_BYTES = 4096;

/**
 * The ARN of an instance of a group: the partition and account of the group's ARN
 * (`arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:…`).
 */
export function instanceArn(groupArn: string, region: string, instanceId: string): string {
  const [, partition, , , account] = groupArn.split(':');
  if (!partition || !account)
    throw new ScalerError('CLOUD_UNAVAILABLE', `not a group ARN: ${groupArn}`);
  return `arn:${partition}:ec2:${region}:${account}:instance/${instanceId}`;
}

/** How an Auto Scaling lifecycle state reads for the scaler. */
export function instanceState(lifecycle: string | undefined): GroupInstance['state'] {
  if (lifecycle === 'Pending:Wait') return 'pending';
  if (!lifecycle || /^(Terminat|Detach|Standby|Warmed|EnteringStandby)/.test(lifecycle))
    return 'terminating';
  return 'running';
}

/**
 * AWS Auto Scaling groups. The fleet creates each group with
 * `NewInstancesProtectedFromScaleIn` and a launch lifecycle hook: a new instance waits in
 * `Pending:Wait` until the scaler has written its JIT configuration to the SecureString
 * parameter `<ssmPrefix>/<instance id>`, tagged `InstanceId=<instance id>` and
 * `InstanceArn=<instance ARN>` (the runners' role may read and delete only the parameter
 * whose `InstanceArn` tag equals the calling instance's `${ec2:SourceInstanceARN}`: see
 * `jitParameterPolicy` in src/fleet/aws/runner-identity.ts), and completed the
 * lifecycle action. If the scaler never does, the hook times out and abandons the
 * instance. The group only grows by `SetDesiredCapacity`; it shrinks by
 * `TerminateInstanceInAutoScalingGroup` with `ShouldDecrementDesiredCapacity` on an
 * instance the scaler chose.
 */
export class AwsBackend implements CloudBackend {
  readonly cloud = 'aws' as const;
  private readonly autoscaling = new Map<string, AutoScalingClient>();
  private readonly ssm = new Map<string, SSMClient>();
  /** Group ARNs by `<region>/<group>`, learnt by `describe` (for instance ARNs). */
  private readonly groupArns = new Map<string, string>();

  constructor(private readonly options: { ssmPrefix: string; lifecycleHook: string }) {}

  private clients(region: string) {
    if (!this.autoscaling.has(region)) {
      this.autoscaling.set(region, new AutoScalingClient({ region, maxAttempts: 5 }));
      this.ssm.set(region, new SSMClient({ region, maxAttempts: 5 }));
    }
    return {
      autoscaling: this.autoscaling.get(region) as AutoScalingClient,
      ssm: this.ssm.get(region) as SSMClient,
    };
  }

  async describe(target: ScalerTarget): Promise<GroupState> {
    const { autoscaling } = this.clients(target.region);
    const out = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [target.group] }),
    );
    const group = out.AutoScalingGroups?.[0];
    if (!group)
      throw new ScalerError(
        'CLOUD_UNAVAILABLE',
        `Auto Scaling group ${target.group} does not exist in ${target.region}; deploy the fleet stack.`,
      );
    if (group.AutoScalingGroupARN)
      this.groupArns.set(`${target.region}/${target.group}`, group.AutoScalingGroupARN);
    return {
      desired: group.DesiredCapacity ?? 0,
      instances: (group.Instances ?? []).map((i) => ({
        id: i.InstanceId as string,
        state: instanceState(i.LifecycleState),
      })),
    };
  }

  async setDesired(target: ScalerTarget, desired: number): Promise<void> {
    await this.clients(target.region).autoscaling.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: target.group,
        DesiredCapacity: desired,
        HonorCooldown: false,
      }),
    );
  }

  async terminate(target: ScalerTarget, instanceId: string): Promise<void> {
    try {
      await this.clients(target.region).autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: instanceId,
          ShouldDecrementDesiredCapacity: true,
        }),
      );
    } catch (error) {
      // Already gone from the group (terminated by AWS, or by another pass): nothing to do.
      if (
        (error as Error).name === 'ValidationError' &&
        /not found/i.test((error as Error).message)
      )
        return;
      throw error;
    }
  }

  async deliverConfig(target: ScalerTarget, instanceId: string, config: string): Promise<void> {
    const { ssm, autoscaling } = this.clients(target.region);
    const Name = `${this.options.ssmPrefix}/${instanceId}`;
    const Tier = Buffer.byteLength(config) >= ADVANCED_TIER_BYTES ? 'Advanced' : 'Standard';
    if (!this.groupArns.has(`${target.region}/${target.group}`)) await this.describe(target);
    const groupArn = this.groupArns.get(`${target.region}/${target.group}`);
    if (!groupArn)
      throw new ScalerError('CLOUD_UNAVAILABLE', `Auto Scaling group ${target.group} has no ARN.`);
    try {
      await ssm.send(
        new PutParameterCommand({
          Name,
          Value: config,
          Type: 'SecureString',
          Tier,
          Tags: [
            { Key: 'InstanceId', Value: instanceId },
            { Key: 'InstanceArn', Value: instanceArn(groupArn, target.region, instanceId) },
          ],
        }),
      );
    } catch (error) {
      // A retry after an interrupted delivery: the tagged parameter exists; replace its value
      // (SSM refuses tags together with Overwrite).
      if ((error as Error).name !== 'ParameterAlreadyExists') throw error;
      await ssm.send(
        new PutParameterCommand({
          Name,
          Value: config,
          Type: 'SecureString',
          Tier,
          Overwrite: true,
        }),
      );
    }
    await autoscaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: target.group,
        LifecycleHookName: this.options.lifecycleHook,
        InstanceId: instanceId,
        LifecycleActionResult: 'CONTINUE',
      }),
    );
  }
}
