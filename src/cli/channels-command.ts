import { Command, Option } from 'commander';
import { asRegistryError } from '../client/errors';
import { assignOrCreate } from '../client/publish';
import { findVersion } from '../client/version-ref';
import type {
  Channel,
  ChannelAssignment,
  RegistryClient,
  SoakedVersion,
  Version,
} from '../client/registry-client';
import { channelsTable } from './buckets-command';
import { EXIT, ExitError } from './exit-codes';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { duration } from './flags';
import { emit, status, table, time, versionLabel } from './output';

function historyTable(history: ChannelAssignment[]): string {
  return table(
    ['assigned at', 'version', 'fingerprint', 'status', 'author'],
    history.map((h) => [
      time(h.assigned_at),
      h.version ? h.version.name : '(none)',
      h.version?.fingerprint,
      status(h.version?.status),
      h.author_id,
    ]),
  );
}

const LATEST_IS_MANAGED = (what: string) =>
  `${what}: "latest" is managed by the registry (always the newest valid version); assign another channel.`;

/** The channel, or null when the bucket has no channel of that name. */
async function findChannel(
  client: RegistryClient,
  bucket: string,
  channel: string,
): Promise<Channel | null> {
  try {
    return await client.getChannel(bucket, channel);
  } catch (error) {
    if (asRegistryError(error)?.reason === 'CHANNEL_NOT_FOUND') return null;
    throw error;
  }
}

/** Whether the registry said no version has soaked long enough. */
function nothingSoaked(error: unknown): boolean {
  const known = asRegistryError(error);
  return known?.status === 404 && known.reason === 'SOAKED_VERSION_NOT_FOUND';
}

interface PromoteFlags extends RegistryFlags {
  from: string;
  to: string;
  soak?: string;
}

/** Picks what `--from` offers (soaked for `--soak`, else what it serves now) and assigns it. */
async function promote(bucket: string, flags: PromoteFlags): Promise<void> {
  const { from, to, soak } = flags;
  if (from === to) throw new Error('--from and --to name the same channel; promote between two.');
  if (to === 'latest') throw new Error(LATEST_IS_MANAGED('--to latest'));
  const client = connect(flags);
  let version: Version;
  let soaked: SoakedVersion | null = null;
  if (soak) {
    try {
      soaked = await client.soakedVersion(bucket, from, soak);
    } catch (error) {
      if (!nothingSoaked(error)) throw error;
      throw new ExitError(
        `nothing to promote: channel "${from}" of bucket "${bucket}" has held no valid version for at least ${soak} yet; "${to}" is unchanged. Wait, or promote with a shorter --soak.`,
        EXIT.notDue,
      );
    }
    version = soaked.version;
  } else {
    const source = await client.getChannel(bucket, from);
    if (!source.version) {
      throw new Error(
        `nothing to promote: channel "${from}" of bucket "${bucket}" points at no version; assign one with \`ingot channels set ${bucket} ${from} --version <name or fingerprint>\`.`,
      );
    }
    version = source.version;
  }
  const before = await findChannel(client, bucket, to);
  const changed = before?.version?.fingerprint !== version.fingerprint;
  const channel = changed
    ? await assignOrCreate(client, bucket, to, version.fingerprint)
    : (before as Channel);
  const held = soaked ? ` (held by "${from}" for ${soaked.held_for})` : '';
  emit(flags, { channel, version, changed, source_channel: from, soaked }, () =>
    changed
      ? `Promoted ${versionLabel(version)} from "${from}" to "${to}" in bucket "${bucket}"${held}.`
      : `"${to}" already serves ${versionLabel(version)}${held}; nothing changed.`,
  );
}

/** `ingot channels ls|set|history|promote`. */
export function channelsCommand(): Command {
  const channels = new Command('channels').description('List, assign and promote channels.');

  withConnection(
    channels
      .command('ls')
      .argument('<bucket>', 'bucket name')
      .description('List the channels of a bucket and the versions they serve.'),
  ).action(async (bucket: string, flags: RegistryFlags) => {
    const found = await connect(flags).listChannels(bucket);
    emit(flags, { channels: found }, () =>
      found.length ? channelsTable(found) : `Bucket "${bucket}" has no channels.`,
    );
  });

  withConnection(
    channels
      .command('set')
      .argument('<bucket>', 'bucket name')
      .argument('<channel>', 'channel name (created when missing)')
      .requiredOption('--version <version>', 'name (v3) or fingerprint of the version to serve')
      .description('Point a channel at a version.'),
  ).action(async (bucket: string, name: string, flags: RegistryFlags & { version: string }) => {
    if (name === 'latest') throw new Error(LATEST_IS_MANAGED('channels set'));
    const client = connect(flags);
    const version = await findVersion(client, bucket, flags.version);
    const channel = await assignOrCreate(client, bucket, name, version.fingerprint);
    emit(flags, { channel }, () =>
      channel.version
        ? `Channel "${name}" of bucket "${bucket}" now serves ${versionLabel(channel.version)}.`
        : `Channel "${name}" of bucket "${bucket}" serves no version.`,
    );
  });

  withConnection(
    channels
      .command('history')
      .argument('<bucket>', 'bucket name')
      .argument('<channel>', 'channel name')
      .description("A channel's assignments, newest first (rollbacks included)."),
  ).action(async (bucket: string, name: string, flags: RegistryFlags) => {
    const history = await connect(flags).channelHistory(bucket, name);
    emit(flags, { history }, () =>
      history.length ? historyTable(history) : `Channel "${name}" was never assigned.`,
    );
  });

  withConnection(
    channels
      .command('promote')
      .argument('<bucket>', 'bucket name')
      .requiredOption('--from <channel>', 'channel to take the version from')
      .requiredOption('--to <channel>', 'channel to assign it to (created when missing)')
      .addOption(
        new Option(
          '--soak <duration>',
          'take the newest valid version --from has held for at least this long (e.g. 24h)',
        ).argParser(duration),
      )
      .description(
        'Give --to the version --from serves now, or with --soak the one it has held long enough.',
      ),
  ).action(async (bucket: string, flags: PromoteFlags) => promote(bucket, flags));

  return channels;
}
