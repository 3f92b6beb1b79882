import * as pulumi from '@pulumi/pulumi';
import {
  assertNotRevoked,
  pickImage,
  resolveVersion,
  type ImageQuery,
  type ResolvedVersion,
} from '../client/resolve';
import type { Build, Version } from '../client/registry-client';
import {
  hasUnknown,
  recordConsumer,
  registryClient,
  settingsFromConfig,
  type ProviderSettings,
  type RegistryConnectionArgs,
  type RegistryConnectionInputs,
} from './registry-connection';
import { consumerUrn } from './consumer-urn';
import { lookupFailure, mayUseStale, staleWarning } from './stale-images';

/** Arguments of {@link ChannelImages}: every image of the version a channel serves. */
export interface ChannelImagesArgs {
  /** Bucket name, e.g. `runner-ubuntu`. */
  bucket: pulumi.Input<string>;
  /** Channel to follow, e.g. `prod`. */
  channel: pulumi.Input<string>;
  /** Registry location. @default from the environment / stack config */
  registry?: RegistryConnectionArgs;
}

/** A build as kept in the state: what `image()` needs to pick an artifact. */
export interface ChannelBuild {
  id: string;
  platform: string;
  component_type: string;
  status: string;
  labels: Record<string, string>;
  artifacts: { external_identifier: string; region: string }[];
}

export interface ChannelImagesInputs {
  bucket: string;
  channel: string;
  registry?: RegistryConnectionInputs;
  consumer?: { project: string; stack: string; urn: string };
}

export interface ChannelImagesOutputs extends ChannelImagesInputs {
  versionFingerprint: string;
  versionName: string;
  versionId: string;
  revokeAt: string;
  builds: ChannelBuild[];
  /** Why this resolution should be looked at (stale), else empty. */
  warning?: string;
  /** Kept from the last resolution because the registry was unreachable (`ingot:allowStaleImages`). */
  stale?: boolean;
}

interface ProviderState {
  settings?: ProviderSettings;
}

function slim(builds: Build[]): ChannelBuild[] {
  return builds.map((b) => ({
    id: b.id,
    platform: b.platform,
    component_type: b.component_type,
    status: b.status,
    labels: b.labels,
    artifacts: b.artifacts.map((a) => ({
      external_identifier: a.external_identifier,
      region: a.region,
    })),
  }));
}

/** One registry call: the channel with its version and every build's artifacts. */
async function resolveChannel(
  inputs: ChannelImagesInputs,
  settings: ProviderSettings | undefined,
): Promise<ChannelImagesOutputs> {
  const resolved = await resolveVersion(registryClient(inputs.registry, settings), inputs.bucket, {
    channel: inputs.channel,
  });
  assertNotRevoked(resolved);
  const { version } = resolved;
  return {
    ...inputs,
    versionFingerprint: version.fingerprint,
    versionName: version.name,
    versionId: version.id,
    revokeAt: version.revoke_at ?? '',
    builds: slim(version.builds),
    warning: '',
    stale: false,
  };
}

/** What `check` resolved, applied as is (the channel may have moved since the preview). */
async function checked(
  inputs: ChannelImagesInputs,
  settings: ProviderSettings | undefined,
): Promise<ChannelImagesOutputs> {
  const outs = inputs as Partial<ChannelImagesOutputs>;
  if (outs.versionId && Array.isArray(outs.builds) && !hasUnknown(outs.versionId, outs.builds))
    return inputs as ChannelImagesOutputs;
  return resolveChannel(inputs, settings);
}

/** The last resolution, kept with a warning, while the registry is unreachable. */
function staleResolution(
  olds: ChannelImagesOutputs,
  news: ChannelImagesInputs,
  error: unknown,
): ChannelImagesOutputs {
  return {
    ...news,
    versionFingerprint: olds.versionFingerprint,
    versionName: olds.versionName,
    versionId: olds.versionId,
    revokeAt: olds.revokeAt,
    builds: olds.builds,
    stale: true,
    warning: staleWarning(
      `channel "${olds.channel}" of bucket "${olds.bucket}"`,
      olds.versionName,
      error,
    ),
  };
}

function sameChannel(olds: Partial<ChannelImagesOutputs>, news: ChannelImagesInputs): boolean {
  return (
    olds.bucket === news.bucket &&
    olds.channel === news.channel &&
    JSON.stringify(olds.registry ?? {}) === JSON.stringify(news.registry ?? {})
  );
}

/**
 * The batched form of `RegistryImage`: a fleet over many regions and sizes costs one
 * registry call per bucket and channel, not one per pool. Like `RegistryImage`, it
 * resolves in `check` so previews show moved channels.
 */
export const channelImagesProvider: pulumi.dynamic.ResourceProvider & ProviderState = {
  async configure(this: ProviderState, req: pulumi.dynamic.ConfigureRequest) {
    this.settings = settingsFromConfig(req.config);
  },

  async check(this: ProviderState, olds: Partial<ChannelImagesOutputs>, news: ChannelImagesInputs) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!news.bucket)
      failures.push({ property: 'bucket', reason: 'bucket is required, e.g. "runner-ubuntu".' });
    if (!news.channel)
      failures.push({ property: 'channel', reason: 'channel is required, e.g. "prod".' });
    if (failures.length > 0 || hasUnknown(news.bucket, news.channel, news.registry))
      return { inputs: news, failures };
    try {
      return { inputs: await resolveChannel(news, this.settings) };
    } catch (error) {
      if (olds.versionId && mayUseStale(error, this.settings, olds, sameChannel(olds, news)))
        return { inputs: staleResolution(olds as ChannelImagesOutputs, news, error) };
      return {
        inputs: news,
        failures: [{ property: 'channel', reason: lookupFailure(error, this.settings) }],
      };
    }
  },

  async diff(_id: string, olds: ChannelImagesOutputs, news: ChannelImagesOutputs) {
    return {
      changes:
        olds.bucket !== news.bucket ||
        olds.channel !== news.channel ||
        news.versionId === undefined ||
        olds.versionId !== news.versionId ||
        olds.revokeAt !== news.revokeAt ||
        // Shows (and later clears) the stale warning on the resource.
        (news.warning !== undefined && (olds.warning ?? '') !== news.warning),
    };
  },

  async create(this: ProviderState, inputs: ChannelImagesInputs) {
    const outs = await checked(inputs, this.settings);
    if (!outs.stale) await recordConsumer(outs, this.settings);
    return { id: `${outs.bucket}/${outs.channel}`, outs };
  },

  async update(
    this: ProviderState,
    _id: string,
    _olds: ChannelImagesOutputs,
    news: ChannelImagesInputs,
  ) {
    const outs = await checked(news, this.settings);
    if (!outs.stale) await recordConsumer(outs, this.settings);
    return { outs };
  },

  /** Refresh: what the channel serves now, recorded like an update so `ingot drift` sees it. */
  async read(this: ProviderState, id: string, props: ChannelImagesOutputs) {
    let outs: ChannelImagesOutputs;
    try {
      outs = await resolveChannel(props, this.settings);
    } catch (error) {
      if (mayUseStale(error, this.settings, props, true))
        return { id, props: staleResolution(props, props, error) };
      throw error;
    }
    await recordConsumer(outs, this.settings);
    return { id, props: outs };
  },

  async delete() {
    // A data source: nothing to delete in the registry.
  },
};

export const CHANNEL_IMAGES_TYPE = 'pulumi-nodejs:dynamic/ingot:ChannelImages';

/** Picks one image out of a channel's builds, with the same rules as `RegistryImage`. */
export function imageFromBuilds(
  outs: Pick<
    ChannelImagesOutputs,
    'bucket' | 'channel' | 'versionFingerprint' | 'versionName' | 'builds'
  >,
  query: ImageQuery,
): string {
  const version = {
    fingerprint: outs.versionFingerprint,
    name: outs.versionName,
    builds: outs.builds,
  } as unknown as Version;
  const resolved: ResolvedVersion = { bucket: outs.bucket, channel: outs.channel, version };
  return pickImage(resolved, query).externalIdentifier;
}

/** Every image of the version a channel serves, from one registry call. */
export class ChannelImages extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  declare readonly channel: pulumi.Output<string>;
  declare readonly versionFingerprint: pulumi.Output<string>;
  declare readonly versionName: pulumi.Output<string>;
  declare readonly versionId: pulumi.Output<string>;
  declare readonly revokeAt: pulumi.Output<string>;
  declare readonly builds: pulumi.Output<ChannelBuild[]>;
  declare readonly warning: pulumi.Output<string | undefined>;

  constructor(name: string, args: ChannelImagesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      channelImagesProvider,
      name,
      {
        ...args,
        consumer: {
          project: pulumi.getProject(),
          stack: pulumi.getStack(),
          urn: consumerUrn(name, CHANNEL_IMAGES_TYPE, opts?.parent),
        },
        versionFingerprint: undefined,
        versionName: undefined,
        versionId: undefined,
        revokeAt: undefined,
        builds: undefined,
        warning: undefined,
      },
      opts,
      'ingot',
      'ChannelImages',
    );
    this.warning.apply((warning) => {
      if (warning) void pulumi.log.warn(warning, this);
    });
  }

  /** The image for a platform and region (and optionally component type / labels). */
  image(query: pulumi.Input<ImageQuery>): pulumi.Output<string> {
    return pulumi
      .all([
        this.bucket,
        this.channel,
        this.versionFingerprint,
        this.versionName,
        this.builds,
        query,
      ])
      .apply(([bucket, channel, versionFingerprint, versionName, builds, q]) =>
        imageFromBuilds(
          { bucket, channel, versionFingerprint, versionName, builds },
          q as ImageQuery,
        ),
      );
  }
}
