import { Command, Option } from 'commander';
import type { Channel, RegistryClient } from '../client/registry-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { duration, rfc3339 } from './flags';
import { emit, time, versionLabel } from './output';

interface RevokeFlags extends RegistryFlags {
  at?: string;
  in?: string;
  message?: string;
  skipDescendants?: boolean;
  rollback: boolean;
}

/** A channel that served the version when the revocation was asked for. */
interface AffectedChannel {
  name: string;
  /** What it serves after the revocation (null: nothing). */
  now: { fingerprint: string; name: string } | null;
}

async function channelsServing(
  client: RegistryClient,
  bucket: string,
  fingerprint: string,
): Promise<Channel[]> {
  const channels = await client.listChannels(bucket);
  return channels.filter((c) => !c.managed && c.version?.fingerprint === fingerprint);
}

function channelLines(affected: AffectedChannel[], fingerprint: string, inEffect: boolean) {
  return affected.map(({ name, now }) => {
    if (now?.fingerprint === fingerprint) {
      return inEffect
        ? `Channel "${name}" still serves it (rollback disabled).`
        : `Channel "${name}" serves it until then.`;
    }
    return now
      ? `Channel "${name}" rolled back to ${versionLabel(now)}.`
      : `Channel "${name}" rolled back to no version (it had no earlier valid one).`;
  });
}

async function revoke(bucket: string, fingerprint: string, flags: RevokeFlags): Promise<void> {
  const client = connect(flags);
  const serving = await channelsServing(client, bucket, fingerprint);
  const version = await client.revokeVersion(bucket, fingerprint, {
    revokeAt: flags.at,
    revokeIn: flags.at ? undefined : (flags.in ?? '0s'),
    message: flags.message,
    skipDescendants: flags.skipDescendants,
    disableRollback: !flags.rollback,
  });
  const after = serving.length ? await client.listChannels(bucket) : [];
  const affected: AffectedChannel[] = serving.map((c) => {
    const current = after.find((a) => a.name === c.name)?.version;
    return {
      name: c.name,
      now: current ? { fingerprint: current.fingerprint, name: current.name } : null,
    };
  });
  const inEffect = version.status === 'VERSION_REVOKED';
  emit(flags, { version, channels: affected }, () => {
    const message = version.revocation_message ? `: ${version.revocation_message}` : '.';
    const lines = [
      inEffect
        ? `Revoked ${versionLabel(version)} of bucket "${bucket}"${message}`
        : `Scheduled the revocation of ${versionLabel(version)} of bucket "${bucket}" at ${time(version.revoke_at)}${message}`,
      ...channelLines(affected, fingerprint, inEffect),
    ];
    if (!inEffect && affected.length && flags.rollback) {
      lines.push('Channels serving it roll back to their previous valid version at that time.');
    }
    if (version.has_descendants) {
      lines.push(
        flags.skipDescendants
          ? 'Versions built from it keep their status (--skip-descendants).'
          : 'Versions built from it inherit the revocation.',
      );
    }
    return lines.join('\n');
  });
}

/** `ingot revoke` and `ingot restore`. */
export function revokeCommands(): Command[] {
  const revokeCommand = withConnection(
    new Command('revoke')
      .argument('<bucket>', 'bucket name')
      .argument('<fingerprint>', 'version fingerprint')
      .addOption(
        new Option('--at <time>', 'revoke at this RFC 3339 time (default: now)')
          .argParser(rfc3339)
          .conflicts('in'),
      )
      .addOption(
        new Option('--in <duration>', 'revoke after this long, e.g. 12h (default: now)')
          .argParser(duration)
          .conflicts('at'),
      )
      .option('--message <text>', 'why: shown to everyone who resolves the version')
      .option('--skip-descendants', 'do not revoke versions built from this one')
      .option('--no-rollback', 'leave channels pointing at it instead of rolling them back')
      .description('Revoke a version now or at a later time.'),
  ).action(async (bucket: string, fingerprint: string, flags: RevokeFlags) =>
    revoke(bucket, fingerprint, flags),
  );

  const restoreCommand = withConnection(
    new Command('restore')
      .argument('<bucket>', 'bucket name')
      .argument('<fingerprint>', 'version fingerprint')
      .description('Undo a revocation (scheduled or in effect), with what descendants inherited.'),
  ).action(async (bucket: string, fingerprint: string, flags: RegistryFlags) => {
    const version = await connect(flags).restoreVersion(bucket, fingerprint);
    emit(flags, { version }, () =>
      [
        `Restored ${versionLabel(version)} of bucket "${bucket}".`,
        'Channels that rolled back stay where they are; point them at it again with `ingot channels set`.',
      ].join('\n'),
    );
  });

  return [revokeCommand, restoreCommand];
}
