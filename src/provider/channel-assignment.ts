import * as pulumi from '@pulumi/pulumi';
import { parseDuration } from '../registry/duration';
import { asRegistryError } from '../client/errors';
import { assignOrCreate } from '../client/publish';
import {
  hasUnknown,
  registryClient,
  settingsFromConfig,
  type ProviderSettings,
  type RegistryConnectionArgs,
  type RegistryConnectionInputs,
} from './registry-connection';

/** Arguments of {@link ChannelAssignment}: point a channel at a version. */
export interface ChannelAssignmentArgs {
  bucket: pulumi.Input<string>;
  channel: pulumi.Input<string>;
  /** The version to assign. Exactly one of `versionFingerprint` and `promoteFrom`. */
  versionFingerprint?: pulumi.Input<string>;
  /** Assign what another channel has held for at least `minimumSoak` (e.g. `24h`). */
  promoteFrom?: pulumi.Input<{ channel: pulumi.Input<string>; minimumSoak?: pulumi.Input<string> }>;
  /** Unassign the channel when this resource is deleted. @default false */
  unassignOnDelete?: pulumi.Input<boolean>;
  registry?: RegistryConnectionArgs;
}

export interface ChannelAssignmentInputs {
  bucket: string;
  channel: string;
  versionFingerprint?: string;
  promoteFrom?: { channel: string; minimumSoak?: string };
  unassignOnDelete?: boolean;
  registry?: RegistryConnectionInputs;
  /** What the assignment resolves to: the given fingerprint or the soaked version. */
  targetFingerprint?: string;
}

export interface ChannelAssignmentOutputs extends ChannelAssignmentInputs {
  /** The version the channel points at in the registry. */
  assignedFingerprint: string;
  assignedVersionName: string;
  channelId: string;
}

interface ProviderState {
  settings?: ProviderSettings;
}

/**
 * Which fingerprint the channel should get: the given one, or what `promoteFrom` has
 * held for the soak time. When nothing has soaked long enough the channel keeps its
 * version (a promotion that is not due is not an error), unless it has none.
 */
async function target(
  inputs: ChannelAssignmentInputs,
  settings: ProviderSettings | undefined,
): Promise<string> {
  if (inputs.versionFingerprint) return inputs.versionFingerprint;
  const client = registryClient(inputs.registry, settings);
  const from = inputs.promoteFrom as { channel: string; minimumSoak?: string };
  if (!from.minimumSoak || parseDuration('promoteFrom.minimumSoak', from.minimumSoak) === 0) {
    const source = await client.getChannel(inputs.bucket, from.channel);
    if (!source.version)
      throw new Error(
        `channel "${from.channel}" of bucket "${inputs.bucket}" points at no version; nothing to promote.`,
      );
    return source.version.fingerprint;
  }
  try {
    return (await client.soakedVersion(inputs.bucket, from.channel, from.minimumSoak)).version
      .fingerprint;
  } catch (caught) {
    const error = asRegistryError(caught);
    if (!error || error.status !== 404 || error.reason === 'BUCKET_NOT_FOUND') throw caught;
    const current = await client.getChannel(inputs.bucket, inputs.channel).catch(() => null);
    if (current?.version) return current.version.fingerprint;
    throw new Error(
      `nothing to promote to "${inputs.channel}" yet: ${error.message} The channel has no version to keep meanwhile.`,
    );
  }
}

async function assign(
  inputs: ChannelAssignmentInputs,
  settings: ProviderSettings | undefined,
): Promise<ChannelAssignmentOutputs> {
  // What `check` resolved (and the preview showed), not a second resolution.
  const fingerprint =
    inputs.targetFingerprint && !hasUnknown(inputs.targetFingerprint)
      ? inputs.targetFingerprint
      : await target(inputs, settings);
  const channel = await assignOrCreate(
    registryClient(inputs.registry, settings),
    inputs.bucket,
    inputs.channel,
    fingerprint,
  );
  return {
    ...inputs,
    targetFingerprint: fingerprint,
    assignedFingerprint: channel.version?.fingerprint ?? '',
    assignedVersionName: channel.version?.name ?? '',
    channelId: channel.id,
  };
}

/** Keeps a channel on a version, or promotes into it after a soak time. */
export const channelAssignmentProvider: pulumi.dynamic.ResourceProvider & ProviderState = {
  async configure(this: ProviderState, req: pulumi.dynamic.ConfigureRequest) {
    this.settings = settingsFromConfig(req.config);
  },

  async check(this: ProviderState, _olds: ChannelAssignmentInputs, news: ChannelAssignmentInputs) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!news.bucket) failures.push({ property: 'bucket', reason: 'bucket is required.' });
    if (!news.channel)
      failures.push({ property: 'channel', reason: 'channel is required, e.g. "prod".' });
    if (news.channel === 'latest')
      failures.push({
        property: 'channel',
        reason: '"latest" is managed by the registry and cannot be assigned.',
      });
    if (!news.versionFingerprint === !news.promoteFrom) {
      failures.push({
        property: 'versionFingerprint',
        reason: 'set exactly one of versionFingerprint and promoteFrom.',
      });
    }
    if (news.promoteFrom?.minimumSoak && !hasUnknown(news.promoteFrom.minimumSoak)) {
      try {
        parseDuration('promoteFrom.minimumSoak', news.promoteFrom.minimumSoak);
      } catch (error) {
        failures.push({ property: 'promoteFrom', reason: (error as Error).message });
      }
    }
    if (failures.length > 0 || hasUnknown(news)) return { inputs: news, failures };
    // Resolved here so that a due promotion shows in `pulumi preview`.
    try {
      return { inputs: { ...news, targetFingerprint: await target(news, this.settings) } };
    } catch (error) {
      return {
        inputs: news,
        failures: [
          {
            property: news.promoteFrom ? 'promoteFrom' : 'versionFingerprint',
            reason: (error as Error).message,
          },
        ],
      };
    }
  },

  async diff(_id: string, olds: ChannelAssignmentOutputs, news: ChannelAssignmentInputs) {
    const replaces = (['bucket', 'channel'] as const).filter((k) => olds[k] !== news[k]);
    const changes =
      replaces.length > 0 ||
      news.targetFingerprint === undefined ||
      news.targetFingerprint !== olds.assignedFingerprint ||
      olds.unassignOnDelete !== news.unassignOnDelete;
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(this: ProviderState, inputs: ChannelAssignmentInputs) {
    const outs = await assign(inputs, this.settings);
    return { id: `${inputs.bucket}/${inputs.channel}`, outs };
  },

  async update(
    this: ProviderState,
    _id: string,
    _olds: ChannelAssignmentOutputs,
    news: ChannelAssignmentInputs,
  ) {
    return { outs: await assign(news, this.settings) };
  },

  /** Reflects the registry, so `pulumi refresh` sees a channel moved by hand. */
  async read(this: ProviderState, id: string, props: ChannelAssignmentOutputs) {
    const channel = await registryClient(props.registry, this.settings).getChannel(
      props.bucket,
      props.channel,
    );
    return {
      id,
      props: {
        ...props,
        assignedFingerprint: channel.version?.fingerprint ?? '',
        assignedVersionName: channel.version?.name ?? '',
        channelId: channel.id,
      },
    };
  },

  async delete(this: ProviderState, _id: string, props: ChannelAssignmentOutputs) {
    if (props.unassignOnDelete)
      await registryClient(props.registry, this.settings).setChannel(
        props.bucket,
        props.channel,
        '',
      );
  },
};

/** A channel pointed at a version (or promoted into after a soak time) by Pulumi. */
export class ChannelAssignment extends pulumi.dynamic.Resource {
  declare readonly assignedFingerprint: pulumi.Output<string>;
  declare readonly assignedVersionName: pulumi.Output<string>;
  declare readonly channelId: pulumi.Output<string>;

  constructor(name: string, args: ChannelAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      channelAssignmentProvider,
      name,
      {
        ...args,
        unassignOnDelete: args.unassignOnDelete ?? false,
        targetFingerprint: undefined,
        assignedFingerprint: undefined,
        assignedVersionName: undefined,
        channelId: undefined,
      },
      opts,
      'ingot',
      'ChannelAssignment',
    );
  }
}
