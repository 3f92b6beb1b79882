import * as pulumi from '@pulumi/pulumi';

/**
 * Rolls a new image onto an EC2 Mac instance in place, with EC2 root volume replacement
 * (`CreateReplaceRootVolumeTask` with an `ImageId`): the instance keeps its dedicated
 * host, IP addresses and instance profile, and nothing is terminated or stopped — both
 * would start a host scrub (up to hours on Apple silicon, no launch meanwhile):
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/mac-instance-stop.html.
 * Root volume replacement works for bare metal EC2 Mac instances
 * (https://aws.amazon.com/blogs/compute/quick-restoration-through-replacing-the-root-volumes-of-amazon-ec2/),
 * needs a running instance and an AMI with the instance's key attributes (architecture…)
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/replace-root.html).
 *
 * The provider is serialized into the state and run by the engine: it captures nothing
 * but plain values and `require`s the AWS SDK inside its methods. Credentials come from
 * the environment of `pulumi` (the default AWS credential chain), like the fleet's
 * regional `aws.Provider`s, which set only a region.
 */
export interface MacRootVolumeArgs {
  region: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
  /** The AMI the instance was launched with (its `ami`, which never changes afterwards). */
  launchedImageId: pulumi.Input<string>;
  /** The AMI the instance's root volume must hold: the registry's image for the region. */
  imageId: pulumi.Input<string>;
}

export interface MacRootVolumeInputs {
  region: string;
  instanceId: string;
  launchedImageId: string;
  imageId: string;
}

export interface MacRootVolumeOutputs extends MacRootVolumeInputs {
  /** Root volume replacements done on this instance; part of each task's idempotency token. */
  replacements: number;
  /** The last replacement task (`replacevol-…`), empty while the launch image is current. */
  taskId: string;
}

/** Stack config: the longest wait for one replacement task, in milliseconds. */
export const MAC_ROOT_VOLUME_WAIT_KEY = 'ingot:macRootVolumeWaitMs';
/** AWS gives no duration for the task; a bound keeps `pulumi up` from waiting forever. */
const DEFAULT_WAIT_MS = 2 * 60 * 60 * 1000;

interface WaitSettings {
  waitMs: number;
  pollMs: number;
}

interface ProviderState {
  settings?: WaitSettings;
}

/** The wait bound from the stack config, and a poll interval of 1/40 of it (0.25–15 s). */
export function waitSettings(raw: string | undefined): WaitSettings {
  let waitMs = DEFAULT_WAIT_MS;
  if (raw !== undefined && raw !== '') {
    waitMs = Number(raw);
    if (!Number.isInteger(waitMs) || waitMs <= 0)
      throw new Error(
        `stack config ${MAC_ROOT_VOLUME_WAIT_KEY} is "${raw}": give a whole number of milliseconds, e.g. \`pulumi config set ${MAC_ROOT_VOLUME_WAIT_KEY} 7200000\` (2 hours).`,
      );
  }
  return { waitMs, pollMs: Math.min(15_000, Math.max(250, Math.floor(waitMs / 40))) };
}

/** An AWS SDK error as a sentence naming the call, the instance and what to do. */
function awsFailure(call: string, where: string, error: unknown): Error {
  const e = error as { name?: string; message?: string };
  const denied = /Unauthorized|AccessDenied/.test(e.name ?? '');
  return new Error(
    `${call} for ${where} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}. ` +
      (denied
        ? 'The credentials of `pulumi up` need ec2:DescribeInstances, ec2:CreateReplaceRootVolumeTask and ec2:DescribeReplaceRootVolumeTasks.'
        : 'Check the AWS credentials and region of `pulumi up`, then run it again.'),
  );
}

/**
 * Replaces the instance's root volume with a volume of `imageId` and waits until the task
 * succeeds, fails or the bound passes. The task's client token is derived from the
 * instance, the image and the replacement count, so a `pulumi up` run again after a
 * timeout resumes the same task instead of starting a second one.
 */
async function replaceRootVolume(
  inputs: MacRootVolumeInputs,
  generation: number,
  settings: WaitSettings,
): Promise<string> {
  // Required here, not imported: the provider is serialized and loaded in another process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  const where = `Mac instance ${inputs.instanceId} in ${inputs.region}`;
  const ec2 = new sdk.EC2Client({ region: inputs.region });
  try {
    const described = await ec2
      .send(new sdk.DescribeInstancesCommand({ InstanceIds: [inputs.instanceId] }))
      .catch((error: unknown) => {
        throw awsFailure('DescribeInstances', where, error);
      });
    const instance = described.Reservations?.[0]?.Instances?.[0];
    const state = instance?.State?.Name ?? 'gone';
    if (state !== 'running')
      throw new Error(
        `${where} is ${state}: EC2 replaces the root volume of a running instance only. ` +
          (state === 'gone' || state === 'terminated'
            ? 'Run `pulumi refresh` so Pulumi launches a new instance on the host once the host is available again.'
            : 'Start it once its host is available again (`aws ec2 start-instances`), then run `pulumi up` again.'),
      );
    const token = `ingot-${inputs.instanceId}-${inputs.imageId}-${generation}`;
    const create = (clientToken: string) =>
      ec2
        .send(
          new sdk.CreateReplaceRootVolumeTaskCommand({
            InstanceId: inputs.instanceId,
            ImageId: inputs.imageId,
            DeleteReplacedRootVolume: true,
            ClientToken: clientToken,
          }),
        )
        .catch((error: unknown) => {
          throw awsFailure(`CreateReplaceRootVolumeTask (image ${inputs.imageId})`, where, error);
        });
    let task = (await create(token)).ReplaceRootVolumeTask;
    // The token named a task that failed in an earlier run: the original volume is still
    // attached, so a new task may try again.
    if (task?.TaskState === 'failed')
      task = (await create(`${token}-${Date.now()}`)).ReplaceRootVolumeTask;
    const taskId = task?.ReplaceRootVolumeTaskId ?? '';
    const deadline = Date.now() + settings.waitMs;
    for (;;) {
      const taskState = task?.TaskState ?? 'unknown';
      if (taskState === 'succeeded') return taskId;
      if (taskState === 'failed' || taskState === 'failed-detached')
        throw new Error(
          `root volume replacement ${taskId} of ${where} with image ${inputs.imageId} ended ${taskState}: ` +
            (taskState === 'failed'
              ? 'the original root volume is still attached and the instance runs its previous image. Check that the image is a macOS AMI for this instance type (same architecture) and shared with this account, then run `pulumi up` again.'
              : 'the instance has no root volume attached. Replace it again by hand (`aws ec2 create-replace-root-volume-task --instance-id ' +
                inputs.instanceId +
                ' --image-id ' +
                inputs.imageId +
                ' --delete-replaced-root-volume`) or terminate the instance and run `pulumi up` once its host is available.'),
        );
      if (Date.now() + settings.pollMs > deadline)
        throw new Error(
          `root volume replacement ${taskId} of ${where} with image ${inputs.imageId} is still ${taskState} after ${Math.round(settings.waitMs / 1000)} s: ` +
            `the task goes on in AWS. Run \`pulumi up\` again to wait for it (it resumes the same task), or raise ${MAC_ROOT_VOLUME_WAIT_KEY}.`,
        );
      await new Promise((resolve) => setTimeout(resolve, settings.pollMs));
      const tasks = await ec2
        .send(new sdk.DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] }))
        .catch((error: unknown) => {
          throw awsFailure('DescribeReplaceRootVolumeTasks', where, error);
        });
      task = tasks.ReplaceRootVolumeTasks?.[0];
    }
  } finally {
    ec2.destroy();
  }
}

export const macRootVolumeProvider: pulumi.dynamic.ResourceProvider & ProviderState = {
  async configure(this: ProviderState, req: pulumi.dynamic.ConfigureRequest) {
    this.settings = waitSettings(req.config.get(MAC_ROOT_VOLUME_WAIT_KEY));
  },

  async check(_olds: MacRootVolumeOutputs, news: MacRootVolumeInputs) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const property of ['region', 'instanceId', 'imageId'] as const)
      if (!news[property])
        failures.push({ property, reason: `${property} is required (set by AwsMacRunners).` });
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: MacRootVolumeOutputs, news: MacRootVolumeInputs) {
    const moved = olds.instanceId !== news.instanceId || olds.region !== news.region;
    return {
      changes: moved || olds.imageId !== news.imageId,
      // A new instance is launched from the image it gets; nothing to delete first.
      replaces: moved ? ['instanceId'] : [],
      deleteBeforeReplace: false,
    };
  },

  async create(this: ProviderState, inputs: MacRootVolumeInputs) {
    const current = inputs.imageId === inputs.launchedImageId;
    const taskId = current
      ? ''
      : await replaceRootVolume(inputs, 1, this.settings ?? waitSettings(undefined));
    const outs: MacRootVolumeOutputs = { ...inputs, replacements: current ? 0 : 1, taskId };
    return { id: `${inputs.instanceId}/root`, outs };
  },

  async update(
    this: ProviderState,
    _id: string,
    olds: MacRootVolumeOutputs,
    news: MacRootVolumeInputs,
  ) {
    if (olds.imageId === news.imageId)
      return { outs: { ...news, replacements: olds.replacements, taskId: olds.taskId } };
    const replacements = (olds.replacements ?? 0) + 1;
    const taskId = await replaceRootVolume(
      news,
      replacements,
      this.settings ?? waitSettings(undefined),
    );
    return { outs: { ...news, replacements, taskId } };
  },

  async delete() {
    // The root volume belongs to the instance (deleted on termination).
  },
};

export const MAC_ROOT_VOLUME_TYPE = 'pulumi-nodejs:dynamic/ingot:MacRootVolume';

/** The image on a Mac instance's root volume, rolled in place (see the module comment). */
export class MacRootVolume extends pulumi.dynamic.Resource {
  declare readonly imageId: pulumi.Output<string>;
  declare readonly taskId: pulumi.Output<string>;

  constructor(name: string, args: MacRootVolumeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      macRootVolumeProvider,
      name,
      { ...args, replacements: undefined, taskId: undefined },
      opts,
      'ingot',
      'MacRootVolume',
    );
  }
}
