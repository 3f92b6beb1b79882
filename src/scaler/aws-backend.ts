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
 * parameter `<ssmPrefix>/<instance id>`, tagged `InstanceId=<instance id>` (the runners'
 * role may read and delete only the parameter whose tag matches its own instance,
 * through `ec2:SourceInstanceARN`, as terraform-aws-github-runner's
 * modules/runners/policies/instance-ssm-parameters-policy.json does), and completed the
 * lifecycle action. If the scaler never does, the hook times out and abandons the
 * instance. The group only grows by `SetDesiredCapacity`; it shrinks by
 * `TerminateInstanceInAutoScalingGroup` with `ShouldDecrementDesiredCapacity` on an
 * instance the scaler chose.
 */
export class AwsBackend implements CloudBackend {
  readonly cloud = 'aws' as const;
  private readonly autoscaling = new Map<string, AutoScalingClient>();
  private readonly ssm = new Map<string, SSMClient>();

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
    try {
      await ssm.send(
        new PutParameterCommand({
          Name,
          Value: config,
          Type: 'SecureString',
          Tier,
          Tags: [{ Key: 'InstanceId', Value: instanceId }],
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
