import crypto from 'node:crypto';
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { ComputeClient, ManagedInstance } from '../../src/scaler/gcp-compute';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

interface AsgInstance {
  id: string;
  lifecycle: string;
}

/**
 * Auto Scaling groups and SSM Parameter Store as AWS behaves, behind the SDK v3 clients
 * (aws-sdk-client-mock): `SetDesiredCapacity` within min/max launches instances that wait
 * in `Pending:Wait` (the launch lifecycle hook) until `CompleteLifecycleAction`; instances
 * are protected from scale-in, so lowering the size never removes one;
 * `TerminateInstanceInAutoScalingGroup` removes one (decrementing when asked); SSM refuses
 * `Tags` with `Overwrite`. `readParameterAs` applies the runners' IAM condition
 * (src/fleet/aws/runner-identity.ts `jitParameterPolicy`: the parameter's `InstanceArn`
 * tag must equal the caller's `ec2:SourceInstanceARN`).
 */
export class SimulatedAws {
  readonly groups = new Map<
    string,
    { min: number; max: number; desired: number; instances: AsgInstance[] }
  >();
  readonly parameters = new Map<
    string,
    { value: string; type: string; tags: Record<string, string> }
  >();
  readonly calls: { command: string; input: any }[] = [];
  private seq = 0;
  readonly autoscaling = mockClient(AutoScalingClient);
  readonly ssm = mockClient(SSMClient);

  constructor() {
    this.autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
      this.calls.push({ command: 'DescribeAutoScalingGroups', input });
      const found = (input.AutoScalingGroupNames as string[]).filter((n) => this.groups.has(n));
      return {
        AutoScalingGroups: found.map((name) => {
          const g = this.groups.get(name)!;
          return {
            AutoScalingGroupName: name,
            AutoScalingGroupARN: `arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:6d5af669-eb3b-4530-894b-e314a667f2e7:autoScalingGroupName/${name}`,
            MinSize: g.min,
            MaxSize: g.max,
            DesiredCapacity: g.desired,
            NewInstancesProtectedFromScaleIn: true,
            Instances: g.instances.map((i) => ({
              InstanceId: i.id,
              LifecycleState: i.lifecycle,
              ProtectedFromScaleIn: true,
              HealthStatus: 'Healthy',
            })),
          };
        }),
      };
    });
    this.autoscaling.on(SetDesiredCapacityCommand).callsFake((input) => {
      this.calls.push({ command: 'SetDesiredCapacity', input });
      const g = this.group(input.AutoScalingGroupName);
      if (input.DesiredCapacity > g.max)
        throw awsError(
          'ValidationError',
          `New SetDesiredCapacity value ${input.DesiredCapacity} is above max value ${g.max} for the AutoScalingGroup.`,
        );
      if (input.DesiredCapacity < g.min)
        throw awsError(
          'ValidationError',
          `New SetDesiredCapacity value ${input.DesiredCapacity} is below min value ${g.min} for the AutoScalingGroup.`,
        );
      g.desired = input.DesiredCapacity;
      while (g.instances.length < g.desired)
        g.instances.push({
          id: `i-${(++this.seq).toString(16).padStart(17, '0')}`,
          lifecycle: 'Pending:Wait',
        });
      return {};
    });
    this.autoscaling.on(TerminateInstanceInAutoScalingGroupCommand).callsFake((input) => {
      this.calls.push({ command: 'TerminateInstanceInAutoScalingGroup', input });
      for (const g of this.groups.values()) {
        const i = g.instances.findIndex((x) => x.id === input.InstanceId);
        if (i < 0) continue;
        g.instances.splice(i, 1);
        if (input.ShouldDecrementDesiredCapacity) g.desired--;
        // Without decrementing, the group launches a replacement.
        else
          g.instances.push({
            id: `i-${(++this.seq).toString(16).padStart(17, '0')}`,
            lifecycle: 'Pending:Wait',
          });
        return { Activity: { StatusCode: 'InProgress' } };
      }
      throw awsError(
        'ValidationError',
        `Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`,
      );
    });
    this.autoscaling.on(CompleteLifecycleActionCommand).callsFake((input) => {
      this.calls.push({ command: 'CompleteLifecycleAction', input });
      const g = this.group(input.AutoScalingGroupName);
      const instance = g.instances.find((i) => i.id === input.InstanceId);
      if (
        !instance ||
        instance.lifecycle !== 'Pending:Wait' ||
        input.LifecycleHookName !== 'ingot-runner-launch'
      )
        throw awsError(
          'ValidationError',
          `No active Lifecycle Action found with instance ID ${input.InstanceId}`,
        );
      instance.lifecycle = input.LifecycleActionResult === 'CONTINUE' ? 'InService' : 'Terminating';
      return {};
    });
    this.ssm.on(PutParameterCommand).callsFake((input) => {
      this.calls.push({ command: 'PutParameter', input: { ...input, Value: '(secret)' } });
      if (input.Tags && input.Overwrite)
        throw awsError(
          'ValidationException',
          "Invalid request: tags and overwrite can't be used together.",
        );
      const existing = this.parameters.get(input.Name);
      if (existing && !input.Overwrite)
        throw awsError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      const tags =
        existing?.tags ?? Object.fromEntries((input.Tags ?? []).map((t: any) => [t.Key, t.Value]));
      this.parameters.set(input.Name, { value: input.Value, type: input.Type, tags });
      return { Version: 1, Tier: input.Tier ?? 'Standard' };
    });
  }

  group(name: string) {
    const g = this.groups.get(name);
    if (!g) throw awsError('ValidationError', `AutoScalingGroup name not found - ${name}`);
    return g;
  }

  addGroup(name: string, min: number, max: number): void {
    this.groups.set(name, { min, max, desired: 0, instances: [] });
  }

  /** What the boot script does with the runner role: get (with decryption), then delete. */
  readParameterAs(instanceId: string, name: string): string {
    const parameter = this.parameters.get(name);
    if (!parameter) throw awsError('ParameterNotFound', `Parameter ${name} not found.`);
    if (parameter.tags.InstanceArn !== `arn:aws:ec2:us-west-2:123456789012:instance/${instanceId}`)
      throw awsError(
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/runner/${instanceId} is not authorized to perform: ssm:GetParameter on resource: ${name}`,
      );
    this.parameters.delete(name);
    return parameter.value;
  }

  restore(): void {
    this.autoscaling.restore();
    this.ssm.restore();
  }
}

interface Vm {
  id: string;
  name: string;
  zone: string;
  currentAction: string;
}

/**
 * Regional managed instance groups with the REST API's behaviour: `resize` creates VMs
 * (CREATING until `boot`), `deleteInstances` deletes the named VMs and lowers the target
 * size by as many (skipping unknown ones, as `skipInstancesOnValidationError` asks).
 */
export class FakeCompute implements ComputeClient {
  readonly groups = new Map<string, { targetSize: number; vms: Vm[] }>();
  readonly calls: string[] = [];
  private seq = 4_000_000_000_000;

  addGroup(project: string, region: string, group: string): void {
    this.groups.set(`${project}/${region}/${group}`, { targetSize: 0, vms: [] });
  }

  private get(project: string, region: string, group: string) {
    const g = this.groups.get(`${project}/${region}/${group}`);
    if (!g)
      throw Object.assign(
        new Error(
          `The resource 'projects/${project}/regions/${region}/instanceGroupManagers/${group}' was not found`,
        ),
        { code: 404 },
      );
    return g;
  }

  url(project: string, vm: Vm): string {
    return `https://www.googleapis.com/compute/v1/projects/${project}/zones/${vm.zone}/instances/${vm.name}`;
  }

  async getTargetSize(project: string, region: string, group: string) {
    this.calls.push('get');
    return this.get(project, region, group).targetSize;
  }

  async listManagedInstances(
    project: string,
    region: string,
    group: string,
  ): Promise<ManagedInstance[]> {
    this.calls.push('listManagedInstances');
    return this.get(project, region, group).vms.map((vm) => ({
      instance: this.url(project, vm),
      id: vm.id,
      instanceStatus: vm.currentAction === 'NONE' ? 'RUNNING' : 'PROVISIONING',
      currentAction: vm.currentAction,
    }));
  }

  async resize(project: string, region: string, group: string, size: number) {
    this.calls.push(`resize ${size}`);
    const g = this.get(project, region, group);
    g.targetSize = size;
    const zones = ['a', 'b', 'c'].map((z) => `${region}-${z}`);
    while (g.vms.length < size) {
      const id = String(++this.seq);
      g.vms.push({
        id,
        name: `${group}-${id.slice(-4)}`,
        zone: zones[g.vms.length % 3],
        currentAction: 'CREATING',
      });
    }
  }

  async deleteInstances(project: string, region: string, group: string, instances: string[]) {
    this.calls.push(`deleteInstances ${instances.length}`);
    const g = this.get(project, region, group);
    for (const url of instances) {
      const i = g.vms.findIndex((vm) => this.url(project, vm) === url);
      if (i < 0) continue;
      g.vms.splice(i, 1);
      g.targetSize--;
    }
  }

  boot(project: string, region: string, group: string, id: string): Vm {
    const vm = this.get(project, region, group).vms.find((v) => v.id === id)!;
    vm.currentAction = 'NONE';
    return vm;
  }
}

/**
 * Google-signed instance identity tokens, as the metadata server returns them for
 * `identity?audience=…&format=full` (GCP docs, "Verify the identity of instances"):
 * RS256 with a key id, issuer https://accounts.google.com, and the
 * `google.compute_engine` claims.
 */
let googleKeys: crypto.KeyPairKeyObjectResult[] = [];
function googleKey(i: number): crypto.KeyPairKeyObjectResult {
  while (googleKeys.length <= i)
    googleKeys = [...googleKeys, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })];
  return googleKeys[i];
}

export class FakeGoogleIdentity {
  private readonly key = googleKey(0);
  readonly kid = crypto.randomBytes(20).toString('hex');

  certs = async (): Promise<Record<string, string>> => ({
    [this.kid]: this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });

  token(
    claims: {
      audience: string;
      email: string;
      project: string;
      zone: string;
      instanceId: string;
      instanceName: string;
    },
    key = this.key.privateKey,
  ): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const payload = {
      aud: claims.audience,
      azp: '110000000000000000000',
      email: claims.email,
      email_verified: true,
      exp: now + 3600,
      iat: now,
      iss: 'https://accounts.google.com',
      sub: '110000000000000000000',
      google: {
        compute_engine: {
          instance_creation_timestamp: now - 30,
          instance_id: claims.instanceId,
          instance_name: claims.instanceName,
          project_id: claims.project,
          project_number: 123456789012,
          zone: claims.zone,
        },
      },
    };
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signed = `${part(header)}.${part(payload)}`;
    const signature = crypto.sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url');
    return `${signed}.${signature}`;
  }

  otherKey(): crypto.KeyObject {
    return googleKey(1).privateKey;
  }
}
