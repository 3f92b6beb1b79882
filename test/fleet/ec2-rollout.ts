import type * as pulumi from '@pulumi/pulumi';
import { MAC_ROOT_VOLUME_TYPE } from '../../src/fleet/aws/mac-root-volume';
import { loadSerializedProvider } from '../helpers/pulumi-mocks';
import type { Ec2Double } from './ec2-double';
import type { CloudModel, RegistrationOptions } from './fleet-engine';

const HOST = 'aws:ec2/dedicatedHost:DedicatedHost';
const INSTANCE = 'aws:ec2/instance:Instance';

/**
 * Instance properties whose change replaces an `aws.ec2.Instance` (ForceNew in
 * terraform-provider-aws, which pulumi-aws wraps), and those it applies by stopping and
 * starting the instance: user data (unless `userDataReplaceOnChange`,
 * hashicorp/terraform-provider-aws#23604) and the instance type.
 */
const REPLACES = [
  'ami',
  'availabilityZone',
  'subnetId',
  'tenancy',
  'hostId',
  'associatePublicIpAddress',
];
const STOP_START = ['userData', 'userDataBase64', 'instanceType'];

interface Previous {
  id: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `pulumi up` over the Mac resources against the local EC2, run after run: each
 * registration is diffed against the previous run's state with the options the program
 * gave it (ignoreChanges, deleteBeforeReplace), and applied as the engine and the AWS
 * provider would — create, update in place, stop/start, or replace (delete first when
 * deleteBeforeReplace, else create first, which is how the engine orders replacements).
 * `MacRootVolume` runs its serialized provider (check, diff, create/update) against the
 * same EC2 through the AWS SDK. A refused call fails the registration, as it fails
 * `pulumi up`.
 */
export class Ec2Rollout implements CloudModel {
  private previous = new Map<string, Previous>();
  private current = new Map<string, Previous>();

  constructor(
    readonly ec2: Ec2Double,
    private readonly config: Record<string, string> = {},
  ) {}

  /** Starts the next `pulumi up`: this run's resources become the previous state. */
  nextRun(): void {
    this.previous = new Map([...this.previous, ...this.current]);
    this.current = new Map();
  }

  async register(
    args: pulumi.runtime.MockResourceArgs,
    options: RegistrationOptions,
  ): Promise<{ id: string; state: Record<string, any> } | undefined> {
    const key = `${args.type}::${args.name}`;
    const before = this.previous.get(key);
    let result: Previous | undefined;
    if (args.type === HOST) result = this.host(args, before);
    else if (args.type === INSTANCE) result = this.instance(args, options, before);
    else if (args.type === MAC_ROOT_VOLUME_TYPE) result = await this.rootVolume(args, before);
    if (result) this.current.set(key, result);
    return result && { id: result.id, state: result.state };
  }

  private host(args: pulumi.runtime.MockResourceArgs, before?: Previous): Previous {
    if (before) return before;
    const host = this.ec2.allocateHost(args.inputs.instanceType, args.inputs.availabilityZone);
    return { id: host.id, inputs: args.inputs, state: { ...args.inputs } };
  }

  private instance(
    args: pulumi.runtime.MockResourceArgs,
    options: RegistrationOptions,
    before?: Previous,
  ): Previous {
    // The engine keeps the old value of an ignored property, in the diff and the state.
    const inputs = { ...args.inputs };
    if (before)
      for (const property of options.ignoreChanges)
        if (property in before.inputs) inputs[property] = before.inputs[property];
    const launch = () => {
      const instance = this.ec2.runInstance({
        hostId: inputs.hostId,
        imageId: inputs.ami,
        instanceType: inputs.instanceType,
        userData: inputs.userDataBase64 ?? '',
      });
      return { id: instance.id, inputs, state: { ...inputs } };
    };
    if (!before) return launch();
    const changed = Object.keys({ ...before.inputs, ...inputs }).filter(
      (k) => !same(before.inputs[k], inputs[k]),
    );
    if (changed.some((k) => REPLACES.includes(k))) {
      if (options.deleteBeforeReplace) {
        this.ec2.terminateInstance(before.id);
        return launch();
      }
      const replacement = launch();
      this.ec2.terminateInstance(before.id);
      return replacement;
    }
    if (changed.some((k) => STOP_START.includes(k))) {
      this.ec2.stopInstance(before.id);
      this.ec2.startInstance(before.id);
    }
    return { id: before.id, inputs, state: { ...inputs } };
  }

  private async rootVolume(
    args: pulumi.runtime.MockResourceArgs,
    before?: Previous,
  ): Promise<Previous> {
    const { __provider: text, ...news } = args.inputs;
    const provider = loadSerializedProvider(
      text as string,
    ) as Required<pulumi.dynamic.ResourceProvider>;
    const config = this.config;
    await provider.configure({
      config: { get: (k: string) => config[k], require: (k: string) => config[k] },
    } as unknown as pulumi.dynamic.ConfigureRequest);
    const checked = await provider.check(before?.state ?? {}, news);
    if (checked.failures?.length) throw new Error(checked.failures.map((f) => f.reason).join('; '));
    const inputs = checked.inputs;
    if (before) {
      const diff = await provider.diff(before.id, before.state, inputs);
      if (!diff.changes) return before;
      if (!diff.replaces?.length) {
        const { outs } = await provider.update(before.id, before.state, inputs);
        return { id: before.id, inputs, state: outs };
      }
    }
    const { id, outs } = await provider.create(inputs);
    return { id, inputs, state: outs };
  }
}
