import crypto from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { RegistryClient } from '../../src/client/registry-client';
import { CHANNEL_IMAGES_TYPE } from '../../src/provider/channel-images';
import { loadSerializedProvider } from '../helpers/pulumi-mocks';
import type { TestRegistry } from '../helpers/registry-harness';

/** A stable EC2-shaped instance id for a resource name. */
function ec2InstanceId(name: string): string {
  return `i-${crypto.createHash('sha256').update(name).digest('hex').slice(0, 17)}`;
}

/**
 * A stand-in for the Pulumi engine, for evaluating the fleet program under
 * `pulumi.runtime.setMocks`: it records every resource (type, name, inputs, provider),
 * answers StackReferences and invokes, and resolves `ChannelImages` for real — it loads
 * the dynamic provider from its serialized `__provider` text, `configure`s it with the
 * stack config and runs `check` then `create` against the registry, as `pulumi up` of a
 * new stack does. Only the cloud providers are mocked.
 */
export interface EngineOptions {
  project: string;
  stack: string;
  /** Stack config by full key; structured values as JSON text. */
  config: Record<string, string>;
  secretKeys?: string[];
  /** Outputs of other stacks, by fully qualified stack name. */
  stacks?: Record<string, Record<string, unknown>>;
  /** The AWS account the invokes report. @default "123456789012" */
  accountId?: string;
  /**
   * Plays a cloud for some custom resources (see `Ec2Rollout`): answers with the id and
   * state, or `undefined` to let the engine echo the inputs.
   */
  cloud?: CloudModel;
}

/** The resource options the program gave a registration, as the engine receives them. */
export interface RegistrationOptions {
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
}

export interface CloudModel {
  register(
    args: pulumi.runtime.MockResourceArgs,
    options: RegistrationOptions,
  ): Promise<{ id: string; state: Record<string, any> } | undefined>;
}

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The provider reference (`<urn>::<id>`), empty for the default provider or components. */
  provider: string;
  custom: boolean;
  id: string;
  state: Record<string, any>;
}

export class FleetEngine {
  readonly resources: Recorded[] = [];
  readonly invokes: { token: string; provider: string; inputs: any }[] = [];
  readonly stackReferences: string[] = [];
  /** ChannelImages lookups that failed, with the provider's message (the engine would stop). */
  readonly failures: string[] = [];
  private readonly providers = new Map<string, Record<string, any>>();
  /** Options of each registration by type and name (`setMocks` does not pass them on). */
  private readonly registrations = new Map<string, RegistrationOptions>();

  constructor(readonly options: EngineOptions) {}

  /** Installs the mocks and the stack config; run the program after this. */
  install(): void {
    const { project, stack, config } = this.options;
    pulumi.runtime.setMocks(
      {
        newResource: (args) => this.newResource(args),
        call: (args) => this.call(args),
      },
      project,
      stack,
      false,
    );
    this.captureOptions();
    pulumi.runtime.setAllConfig(config, this.options.secretKeys ?? []);
  }

  /** Reads ignoreChanges / deleteBeforeReplace off each RegisterResource request. */
  private captureOptions(): void {
    const runtime = pulumi.runtime as unknown as { getMonitor(): Record<string, any> };
    const monitor = runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
      this.registrations.set(`${req.getType()}::${req.getName()}`, {
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
      });
      return register(req, callback);
    };
  }

  /** The region of the provider a resource was created with ('' for none). */
  regionOf(resource: Recorded): string {
    const id = resource.provider.slice(resource.provider.lastIndexOf('::') + 2);
    return this.providers.get(id)?.region ?? '';
  }

  /** The provider resource a reference points at. */
  providerOf(resource: Recorded): Recorded | undefined {
    const id = resource.provider.slice(resource.provider.lastIndexOf('::') + 2);
    return this.resources.find((r) => r.id === id && r.type.startsWith('pulumi:providers:'));
  }

  ofType(type: string): Recorded[] {
    return this.resources.filter((r) => r.type === type);
  }

  private async newResource(args: pulumi.runtime.MockResourceArgs) {
    // EC2 instance ids have their real shape (the scaler's configuration checks it).
    let id =
      args.type === 'aws:ec2/instance:Instance' ? ec2InstanceId(args.name) : `${args.name}-id`;
    let state: Record<string, any> = { ...args.inputs, ...this.outputsFor(args) };
    const options = this.registrations.get(`${args.type}::${args.name}`) ?? {
      ignoreChanges: [],
      deleteBeforeReplace: false,
    };
    const played = args.custom ? await this.options.cloud?.register(args, options) : undefined;
    if (played) ({ id, state } = played);
    if (args.type === CHANNEL_IMAGES_TYPE) state = await this.resolveImages(args);
    if (args.type === 'pulumi:pulumi:StackReference') {
      this.stackReferences.push(args.inputs.name);
      const outputs = this.options.stacks?.[args.inputs.name];
      if (!outputs)
        throw new Error(`stack ${args.inputs.name} does not exist or is not accessible`);
      state = { name: args.inputs.name, outputs, secretOutputNames: [] };
    }
    if (args.type.startsWith('pulumi:providers:')) this.providers.set(id, args.inputs);
    this.resources.push({
      type: args.type,
      name: args.name,
      inputs: args.inputs,
      provider: args.provider ?? '',
      custom: args.custom ?? false,
      id,
      state,
    });
    return { id, state };
  }

  /** What the cloud would add to a resource's state (names, ARNs, self links). */
  private outputsFor(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const account = this.options.accountId ?? '123456789012';
    const name = args.inputs.name ?? args.name;
    switch (args.type) {
      case 'aws:ec2/launchTemplate:LaunchTemplate':
        return { latestVersion: 1, arn: `arn:aws:ec2:::launch-template/${args.name}` };
      case 'aws:iam/role:Role':
      case 'aws:iam/instanceProfile:InstanceProfile':
        return {
          name,
          arn: `arn:aws:iam::${account}:${args.type.includes('role') ? 'role' : 'instance-profile'}/${name}`,
        };
      case 'aws:ec2/instance:Instance':
        return {
          arn: `arn:aws:ec2:us-west-2:${account}:instance/${ec2InstanceId(args.name)}`,
        };
      case 'aws:autoscaling/group:Group':
        return { name, arn: `arn:aws:autoscaling:::autoScalingGroup/${name}` };
      case 'aws:ssm/parameter:Parameter':
        return { arn: `arn:aws:ssm:us-west-2:${account}:parameter${name}`, version: 1 };
      case 'aws:secretsmanager/secret:Secret':
        return { arn: `arn:aws:secretsmanager:us-west-2:${account}:secret:${name}-AbCdEf` };
      case 'aws:cloudwatch/logGroup:LogGroup':
        return { arn: `arn:aws:logs:us-west-2:${account}:log-group:${name}` };
      case 'aws:cloudwatch/eventRule:EventRule':
        return { name: args.name, arn: `arn:aws:events:us-west-2:${account}:rule/${args.name}` };
      case 'aws:lambda/function:Function':
        return { arn: `arn:aws:lambda:us-west-2:${account}:function:${name}` };
      case 'aws:lambda/functionUrl:FunctionUrl':
        return { functionUrl: `https://${args.inputs.functionName}.lambda-url.us-west-2.on.aws/` };
      case 'gcp:cloudrunv2/service:Service':
        return { uri: `https://${name}-abcdefghij-uw.a.run.app` };
      case 'gcp:projects/iAMCustomRole:IAMCustomRole':
        return { name: `projects/${args.inputs.project}/roles/${args.inputs.roleId}` };
      case 'gcp:serviceaccount/account:Account':
        return { email: `${args.inputs.accountId}@${args.inputs.project}.iam.gserviceaccount.com` };
      case 'gcp:compute/instanceTemplate:InstanceTemplate': {
        const link = `https://www.googleapis.com/compute/v1/projects/${args.inputs.project}/global/instanceTemplates/${args.inputs.namePrefix}x`;
        return { selfLink: link, selfLinkUnique: `${link}?uniqueId=1` };
      }
      case 'gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager':
        return {
          selfLink: `https://www.googleapis.com/compute/v1/projects/${args.inputs.project}/regions/${args.inputs.region}/instanceGroupManagers/${name}`,
        };
      default:
        return {};
    }
  }

  private async resolveImages(args: pulumi.runtime.MockResourceArgs): Promise<Record<string, any>> {
    const { __provider: text, ...inputs } = args.inputs;
    const provider = loadSerializedProvider(
      text as string,
    ) as Required<pulumi.dynamic.ResourceProvider>;
    const config = this.options.config;
    await provider.configure({
      config: { get: (key: string) => config[key], require: (key: string) => config[key] },
    } as unknown as pulumi.dynamic.ConfigureRequest);
    const checked = await provider.check({}, inputs);
    if (checked.failures && checked.failures.length > 0) {
      const message = checked.failures.map((f) => f.reason).join('; ');
      this.failures.push(message);
      throw new Error(message);
    }
    const { outs } = await provider.create(checked.inputs);
    return outs;
  }

  private call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.invokes.push({ token: args.token, provider: args.provider ?? '', inputs: args.inputs });
    const account = this.options.accountId ?? '123456789012';
    switch (args.token) {
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return {
          accountId: account,
          arn: `arn:aws:iam::${account}:user/ci`,
          id: account,
          userId: 'AIDA',
        };
      case 'aws:index/getPartition:getPartition':
        return {
          partition: 'aws',
          dnsSuffix: 'amazonaws.com',
          id: 'aws',
          reverseDnsPrefix: 'com.amazonaws',
        };
      default:
        throw new Error(`unexpected invoke ${args.token}`);
    }
  }
}

/** Waits until the program's registrations and invokes have all been answered. */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  await runtime.waitForRPCs?.();
}

/** The value of an output (rejects when a resource it depends on failed). */
export function resolved<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return (pulumi.output(output) as unknown as { promise(): Promise<pulumi.Unwrap<T>> }).promise();
}

/** Registry HTTP requests (token requests included) of every client the providers made. */
export function registryRequests(): number {
  const clients = (globalThis as { __ingotRegistryClients?: Map<string, RegistryClient> })
    .__ingotRegistryClients;
  return [...(clients?.values() ?? [])].reduce((sum, c) => sum + c.transport.requests, 0);
}

/**
 * Starts a run as a new `pulumi up` process would: no registry client, so it pays for its
 * own token, and no connection to the registry. An evaluation under mocks holds the event
 * loop for as long as it runs (minutes for a large fleet on a loaded machine), so neither
 * side's keep-alive timer fires: a connection an earlier run left idle past the server's
 * keep-alive timeout (72 s) would carry this run's first request, the server would then
 * close it unread (ECONNRESET), and the transport's retry would count one request more.
 */
export async function resetRegistryClients(registry: TestRegistry): Promise<void> {
  (globalThis as { __ingotRegistryClients?: Map<string, unknown> }).__ingotRegistryClients?.clear();
  await registry.closeIdleConnections();
}
