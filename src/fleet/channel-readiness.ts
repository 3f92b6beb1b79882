import { asRegistryError } from '../client/errors';
import type { RegistryClient } from '../client/registry-client';
import type { FleetConfig } from '../config/fleet-config';

/**
 * Bootstrap from nothing: before the fleet creates anything, every bucket its pools use
 * must have a version on the stack's channel. On an empty registry (or a new bucket, or a
 * channel never promoted) the first `pulumi up` would otherwise create networks and
 * providers and fail half-way at the first image lookup; this lists every gap at once,
 * each with the command that closes it.
 */

/** One bucket whose channel the fleet cannot use yet. */
export interface ChannelGap {
  bucket: string;
  channel: string;
  /** What is missing, e.g. `bucket "runner-macos" does not exist`. */
  problem: string;
  /** The command that fixes it. */
  fix: string;
}

/** Where the fleet's channels come from: the image factory and the promotion order. */
export interface ChannelSources {
  /** The image factory's stack, e.g. `acme/ingot-images/dev`. */
  factoryStack: string;
  /** The channel the image factory assigns. @default "dev" */
  factoryChannel?: string;
  /** Buckets the image factory builds (its `buckets` output), when known. */
  factoryBuckets?: string[];
}

/** The stable code of {@link FleetChannelsNotReadyError}. */
export const CHANNELS_NOT_READY = 'FLEET_CHANNELS_NOT_READY';

export class FleetChannelsNotReadyError extends Error {
  readonly code = CHANNELS_NOT_READY;

  constructor(
    readonly stack: string,
    readonly gaps: ChannelGap[],
  ) {
    super(
      `the fleet ${stack} cannot start: ${gaps.length} image channel(s) have no version, so nothing was created:\n` +
        gaps.map((g) => `  - ${g.problem}; fix: ${g.fix}`).join('\n'),
    );
    this.name = 'FleetChannelsNotReadyError';
  }
}

/** The channel a promotion to `channel` takes its version from, and the soak it waits for. */
const PROMOTED_FROM: Record<string, { from: string; soak?: string }> = {
  staging: { from: 'dev' },
  prod: { from: 'staging', soak: '24h' },
};

function fixFor(bucket: string, channel: string, sources: ChannelSources): string {
  const factoryChannel = sources.factoryChannel ?? 'dev';
  if (channel === factoryChannel) {
    const build =
      sources.factoryBuckets && !sources.factoryBuckets.includes(bucket)
        ? `add ${bucket} to images.templates of the image factory (images/Pulumi.<stack>.yaml), then `
        : '';
    return `${build}pulumi up -C images -s ${sources.factoryStack}`;
  }
  const step = PROMOTED_FROM[channel];
  if (step)
    return `ingot channels promote ${bucket} --from ${step.from} --to ${channel}${step.soak ? ` --soak ${step.soak}` : ''}`;
  return `ingot channels set ${bucket} ${channel} --version <name or fingerprint>`;
}

/** What the registry says about one bucket's channel, or null when it serves a version. */
async function gapOf(
  client: RegistryClient,
  bucket: string,
  channel: string,
  sources: ChannelSources,
): Promise<ChannelGap | null> {
  const gap = (problem: string) => ({
    bucket,
    channel,
    problem,
    fix: fixFor(bucket, channel, sources),
  });
  try {
    const found = await client.getChannel(bucket, channel);
    return found.version
      ? null
      : gap(`channel "${channel}" of bucket "${bucket}" points at no version`);
  } catch (error) {
    const reason = asRegistryError(error)?.reason;
    if (reason === 'BUCKET_NOT_FOUND') return gap(`bucket "${bucket}" does not exist`);
    if (reason === 'CHANNEL_NOT_FOUND')
      return gap(`bucket "${bucket}" has no channel "${channel}"`);
    throw error;
  }
}

/** Every bucket of the fleet's pools whose channel serves no version, in pool order. */
export async function channelGaps(
  config: FleetConfig,
  client: RegistryClient,
  sources: ChannelSources,
): Promise<ChannelGap[]> {
  const buckets = [...new Set(config.pools.map((p) => p.bucket))];
  const found = await Promise.all(buckets.map((b) => gapOf(client, b, config.channel, sources)));
  return found.filter((g): g is ChannelGap => g !== null);
}

/** Throws {@link FleetChannelsNotReadyError} naming every gap; resolves when there is none. */
export async function assertChannelsReady(
  config: FleetConfig,
  client: RegistryClient,
  sources: ChannelSources,
): Promise<void> {
  const gaps = await channelGaps(config, client, sources);
  if (gaps.length > 0)
    throw new FleetChannelsNotReadyError(`${config.project}/${config.stack}`, gaps);
}
