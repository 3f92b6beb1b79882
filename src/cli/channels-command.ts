import { Command, Option } from 'commander';
import { asRegistryError } from '../client/errors';
import { assignOrCreate } from '../client/publish';
import { findVersion } from '../client/version-ref';
import type {
  Channel,
  ChannelHold,
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
  soakConsumer?: string;
  dryRun?: boolean;
}

interface HoldFlags extends RegistryFlags {
  reason: string;
  by?: string;
  expiresIn?: string;
  version?: string;
}

/** The hold that stops `to` from moving, as an exit-5 refusal; nothing when it is not held. */
async function refuseIfHeld(client: RegistryClient, bucket: string, to: string): Promise<void> {
  const hold = (await client.listHolds(bucket)).find((h) => h.channel === to);
  if (!hold) return;
  const until = hold.expires_at ? ` until ${hold.expires_at}` : '';
  throw new ExitError(
    `not promoted: channel "${to}" of bucket "${bucket}" is held by ${hold.held_by} since ${hold.created_at}${until}: ${hold.reason}; "${to}" is unchanged. Release it with \`ingot channels release ${bucket} ${to}\` once that is resolved.`,
    EXIT.held,
  );
}

function holdsTable(holds: ChannelHold[]): string {
  return table(
    ['held channel', 'by', 'since', 'until', 'reason'],
    holds.map((h) => [
      h.channel,
      h.held_by,
      time(h.created_at),
      h.expires_at ? time(h.expires_at) : 'released',
      h.reason,
    ]),
  );
}

/** Picks what `--from` offers (soaked for `--soak`, else what it serves now) and assigns it. */
async function promote(bucket: string, flags: PromoteFlags): Promise<void> {
  const { from, to, soak, soakConsumer } = flags;
  if (from === to) throw new Error('--from and --to name the same channel; promote between two.');
  if (to === 'latest') throw new Error(LATEST_IS_MANAGED('--to latest'));
  if (soakConsumer && !soak) throw new Error('--soak-consumer counts a --soak; give --soak too.');
  const client = connect(flags);
  await refuseIfHeld(client, bucket, to);
  let version: Version;
  let soaked: SoakedVersion | null = null;
  if (soak) {
    try {
      soaked = await client.soakedVersion(bucket, from, soak, soakConsumer);
    } catch (error) {
      if (!nothingSoaked(error)) throw error;
      const held = soakConsumer
        ? `stack ${soakConsumer} has run no valid version of channel "${from}"`
        : `channel "${from}" has held no valid version`;
      throw new ExitError(
        `nothing to promote: in bucket "${bucket}", ${held} for at least ${soak} yet; "${to}" is unchanged. Wait, or promote with a shorter --soak.`,
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
  if (flags.dryRun) {
    emit(flags, { version, changed, source_channel: from, soaked, dry_run: true }, () =>
      changed
        ? `Would promote ${versionLabel(version)} from "${from}" to "${to}" in bucket "${bucket}" (dry run: nothing changed).`
        : `"${to}" already serves ${versionLabel(version)}; nothing to do.`,
    );
    return;
  }
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

/** `ingot channels ls|set|history|promote|hold|release`. */
export function channelsCommand(): Command {
  const channels = new Command('channels').description('List, assign and promote channels.');

  withConnection(
    channels
      .command('ls')
      .argument('<bucket>', 'bucket name')
      .description('List the channels of a bucket and the versions they serve.'),
  ).action(async (bucket: string, flags: RegistryFlags) => {
    const client = connect(flags);
    const [found, holds] = await Promise.all([
      client.listChannels(bucket),
      client.listHolds(bucket),
    ]);
    emit(flags, { channels: found, holds }, () =>
      found.length
        ? `${channelsTable(found)}${holds.length ? `\n\n${holdsTable(holds)}` : ''}`
        : `Bucket "${bucket}" has no channels.`,
    );
  });

  withConnection(
    channels
      .command('hold')
      .argument('<bucket>', 'bucket name')
      .argument('<channel>', 'channel name')
      .requiredOption('--reason <text>', 'why the channel must not move (shown to whoever tries)')
      .option('--by <who>', 'who holds it (default: your principal), e.g. a GitHub user')
      .addOption(
        new Option(
          '--expires-in <duration>',
          'lift the hold by itself after this long, e.g. 72h',
        ).argParser(duration),
      )
      .option(
        '--version <version>',
        'first point the channel at this version (name or fingerprint): a rollback',
      )
      .description(
        'Hold a channel: every promotion and assignment is refused until it is released.',
      ),
  ).action(async (bucket: string, name: string, flags: HoldFlags) => {
    if (name === 'latest') throw new Error(LATEST_IS_MANAGED('channels hold'));
    const client = connect(flags);
    const version = flags.version ? await findVersion(client, bucket, flags.version) : undefined;
    const hold = await client.holdChannel(bucket, name, {
      reason: flags.reason,
      ...(flags.by ? { held_by: flags.by } : {}),
      ...(flags.expiresIn ? { expires_in: flags.expiresIn } : {}),
      ...(version ? { version_fingerprint: version.fingerprint } : {}),
    });
    emit(
      flags,
      { hold, version },
      () =>
        `Channel "${name}" of bucket "${bucket}" is held by ${hold.held_by}${version ? ` on ${versionLabel(version)}` : ''}${hold.expires_at ? ` until ${hold.expires_at}` : ''}: ${hold.reason}.`,
    );
  });

  withConnection(
    channels
      .command('release')
      .argument('<bucket>', 'bucket name')
      .argument('<channel>', 'channel name')
      .description('Lift the hold of a channel: promotions may move it again.'),
  ).action(async (bucket: string, name: string, flags: RegistryFlags) => {
    await connect(flags).releaseChannel(bucket, name);
    emit(flags, { released: true }, () => `Channel "${name}" of bucket "${bucket}" is released.`);
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
      .option(
        '--soak-consumer <project/stack>',
        'count the soak from when this stack first ran the version (its consumer record), e.g. ingot-fleet/staging',
      )
      .option(
        '--dry-run',
        'say what would be promoted, change nothing (exit 3 when nothing is due, 5 when held)',
      )
      .description(
        'Give --to the version --from serves now, or with --soak the one it has held long enough.',
      ),
  ).action(async (bucket: string, flags: PromoteFlags) => promote(bucket, flags));

  return channels;
}
