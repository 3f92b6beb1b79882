import { Command, Option } from 'commander';
import type { RegistryClient, Version } from '../client/registry-client';
import {
  revocationImpact,
  type ChannelImpact,
  type RevocationImpact,
  type VersionRef,
} from '../client/revocation-impact';
import { findVersion } from '../client/version-ref';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { EXIT, ExitError } from './exit-codes';
import { duration, rfc3339 } from './flags';
import { confirm, interactive, io } from './io';
import { emit, table, time, versionLabel } from './output';
import { parseDuration } from '../registry/duration';
import { isCompleteName } from '../client/version-name';

interface RevokeFlags extends RegistryFlags {
  at?: string;
  in?: string;
  now?: boolean;
  message?: string;
  skipDescendants?: boolean;
  rollback: boolean;
  dryRun?: boolean;
  yes?: boolean;
}

const label = (r: VersionRef) =>
  isCompleteName(r.name) ? `${r.name} (${r.fingerprint})` : r.fingerprint;

/** `"prod"`, or `"prod" of bucket "b"` for a descendant's bucket. */
const channelName = (c: ChannelImpact, bucket: string) =>
  c.bucket === bucket ? `"${c.channel}"` : `"${c.channel}" of bucket "${c.bucket}"`;

/** One line per channel: where it goes, said plainly when it goes nowhere. */
function channelLine(c: ChannelImpact, bucket: string, scheduled: boolean): string {
  const name = channelName(c, bucket);
  const when = scheduled ? ' at that time' : '';
  if (c.outcome === 'keeps')
    return `Channel ${name} keeps serving ${label(c.from)} (--no-rollback).`;
  if (c.outcome === 'left-empty') {
    return c.managed
      ? `Channel ${name} is left empty${when}: the bucket has no other valid version.`
      : `Channel ${name} is left empty${when}: it served no earlier version that is still valid.`;
  }
  return `Channel ${name} ${c.managed ? 'moves' : 'rolls back'} to ${label(c.to as VersionRef)}${when}.`;
}

/** The preview: what the revocation will reach. */
function impactText(impact: RevocationImpact, flags: RevokeFlags, scheduled: boolean): string {
  const { version } = impact;
  const lines = [
    `${flags.dryRun ? 'Would revoke' : 'Revoking'} ${label(version)} of bucket "${version.bucket}" ${scheduled ? `at ${time(impact.revokeAt)}` : 'now'}${flags.message ? `: ${flags.message}` : '.'}`,
  ];
  lines.push(
    ...(impact.channels.length
      ? impact.channels.map((c) => `  ${channelLine(c, version.bucket, scheduled)}`)
      : ['  No channel serves it.']),
  );
  if (impact.descendants.length) {
    lines.push(
      `  ${impact.descendants.length} version(s) built from it inherit the revocation (--skip-descendants keeps them valid):`,
      ...impact.descendants.map((d) => `    ${d.bucket} ${label(d)}`),
    );
  } else if (flags.skipDescendants) {
    lines.push('  Versions built from it keep their status (--skip-descendants).');
  }
  if (impact.consumers === null) {
    lines.push('  Stacks using it: unknown (this registry keeps no consumer records).');
  } else if (impact.consumers.length === 0) {
    lines.push('  No stack has recorded using it.');
  } else {
    lines.push(
      `  ${impact.consumers.length} stack resource(s) use it; \`pulumi up\` moves them once their channel has:`,
      ...table(
        ['bucket', 'version', 'project', 'stack', 'resource'],
        impact.consumers.map((c) => [
          c.bucket,
          c.version_name || c.version_fingerprint,
          c.pulumi_project,
          c.stack,
          c.urn.split('::').pop(),
        ]),
      )
        .split('\n')
        .map((line) => `    ${line}`),
    );
  }
  return lines.join('\n');
}

/**
 * When the revocation takes effect (ms), by the registry's clock (it decides); a past
 * --at is refused before anything is asked or written.
 */
async function effectiveAt(client: RegistryClient, flags: RevokeFlags): Promise<number> {
  const now = await client.registryTime();
  if (flags.at) {
    const at = Date.parse(flags.at);
    if (at <= now) {
      throw new ExitError(
        `--at ${time(flags.at)} is in the past (it is ${time(new Date(now).toISOString())} at the registry): the version would be revoked at once. Give a future time, or revoke now with --now. Nothing was revoked.`,
        EXIT.usage,
      );
    }
    return at;
  }
  return flags.in ? now + parseDuration('--in', flags.in) : now;
}

async function revoke(bucket: string, ref: string, flags: RevokeFlags): Promise<void> {
  const client = connect(flags);
  const at = await effectiveAt(client, flags);
  const scheduled = Boolean(flags.at || (flags.in && parseDuration('--in', flags.in) > 0));
  const target = await findVersion(client, bucket, ref);
  if (target.status === 'VERSION_REVOKED') {
    throw new Error(
      `${versionLabel(target)} of bucket "${bucket}" is already revoked; \`ingot restore ${bucket} ${ref}\` undoes it.`,
    );
  }
  const impact = await revocationImpact(client, bucket, target, {
    at,
    skipDescendants: Boolean(flags.skipDescendants),
    rollback: flags.rollback,
  });
  if (flags.dryRun) {
    emit(flags, { dry_run: true, impact }, () =>
      [impactText(impact, flags, scheduled), 'Nothing changed (--dry-run).'].join('\n'),
    );
    return;
  }
  if (interactive() && !flags.yes) {
    io().stderr.write(`${impactText(impact, flags, scheduled)}\n`);
    const question = `Revoke ${versionLabel(target)} of bucket "${bucket}"${scheduled ? ` at ${time(impact.revokeAt)}` : ' now'}?`;
    if (!(await confirm(question))) {
      throw new ExitError(
        'nothing was revoked (not confirmed; --yes skips the question).',
        EXIT.failure,
      );
    }
  }
  const version = await client.revokeVersion(bucket, target.fingerprint, {
    revokeAt: flags.at,
    revokeIn: flags.at ? undefined : (flags.in ?? '0s'),
    message: flags.message,
    skipDescendants: flags.skipDescendants,
    disableRollback: !flags.rollback,
  });
  const inEffect = version.status === 'VERSION_REVOKED';
  const channels = inEffect ? await actualChannels(client, impact) : impact.channels;
  emit(flags, { version, impact: { ...impact, channels } }, () =>
    doneText(version, bucket, { ...impact, channels }, flags, inEffect),
  );
}

/** After a revocation in effect: what each affected channel serves now (the registry decided). */
async function actualChannels(
  client: RegistryClient,
  impact: RevocationImpact,
): Promise<ChannelImpact[]> {
  const buckets = [...new Set(impact.channels.map((c) => c.bucket))];
  const now = new Map<string, Version | undefined>();
  for (const bucket of buckets) {
    for (const c of await client.listChannels(bucket)) now.set(`${bucket}/${c.name}`, c.version);
  }
  return impact.channels.map((c) => {
    const serves = now.get(`${c.bucket}/${c.channel}`);
    if (serves?.fingerprint === c.from.fingerprint) return { ...c, outcome: 'keeps', to: c.from };
    if (!serves) return { ...c, outcome: 'left-empty', to: null };
    return {
      ...c,
      outcome: 'rolls-back',
      to: { bucket: c.bucket, fingerprint: serves.fingerprint, name: serves.name },
    };
  });
}

function doneText(
  version: Version,
  bucket: string,
  impact: RevocationImpact,
  flags: RevokeFlags,
  inEffect: boolean,
): string {
  const message = version.revocation_message ? `: ${version.revocation_message}` : '.';
  const lines = [
    inEffect
      ? `Revoked ${versionLabel(version)} of bucket "${bucket}"${message}`
      : `Scheduled the revocation of ${versionLabel(version)} of bucket "${bucket}" at ${time(version.revoke_at)}${message}`,
  ];
  for (const c of impact.channels) {
    const name = channelName(c, bucket);
    if (inEffect) {
      lines.push(
        c.outcome === 'keeps'
          ? `Channel ${name} still serves it (rollback disabled).`
          : c.outcome === 'left-empty'
            ? `Channel ${name} now serves no version: it had no earlier valid one.`
            : `Channel ${name} ${c.managed ? 'moved' : 'rolled back'} to ${label(c.to as VersionRef)}.`,
      );
    } else {
      lines.push(`Until then, channel ${name} serves it. ${channelLine(c, bucket, true)}`);
    }
  }
  if (impact.descendants.length) {
    lines.push(
      `${impact.descendants.length} version(s) built from it ${inEffect ? 'inherited' : 'inherit'} the revocation.`,
    );
  } else if (version.has_descendants && flags.skipDescendants) {
    lines.push('Versions built from it keep their status (--skip-descendants).');
  }
  return lines.join('\n');
}

/** `ingot revoke` and `ingot restore`. */
export function revokeCommands(): Command[] {
  const revokeCommand = withConnection(
    new Command('revoke')
      .argument('<bucket>', 'bucket name')
      .argument('<version>', 'version name (v3) or fingerprint')
      .addOption(
        new Option('--at <time>', 'revoke at this future RFC 3339 time')
          .argParser(rfc3339)
          .conflicts(['in', 'now']),
      )
      .addOption(
        new Option('--in <duration>', 'revoke after this long, e.g. 12h')
          .argParser(duration)
          .conflicts(['at', 'now']),
      )
      .addOption(new Option('--now', 'revoke at once (the default)').conflicts(['at', 'in']))
      .option('--message <text>', 'why: shown to everyone who resolves the version')
      .option('--skip-descendants', 'do not revoke versions built from this one')
      .option('--no-rollback', 'leave channels pointing at it instead of rolling them back')
      .option('--dry-run', 'print what it would reach (channels, descendants, stacks) and stop')
      .option('--yes', 'do not ask for confirmation on a terminal')
      .description(
        'Revoke a version now or at a later time. On a terminal it shows what the revocation reaches and asks first.',
      ),
  ).action(async (bucket: string, ref: string, flags: RevokeFlags) => revoke(bucket, ref, flags));

  const restoreCommand = withConnection(
    new Command('restore')
      .argument('<bucket>', 'bucket name')
      .argument('<version>', 'version name (v3) or fingerprint')
      .description('Undo a revocation (scheduled or in effect), with what descendants inherited.'),
  ).action(async (bucket: string, ref: string, flags: RegistryFlags) => {
    const client = connect(flags);
    const { fingerprint } = await findVersion(client, bucket, ref);
    const version = await client.restoreVersion(bucket, fingerprint);
    emit(flags, { version }, () =>
      [
        `Restored ${versionLabel(version)} of bucket "${bucket}".`,
        'Channels that rolled back stay where they are; point them at it again with `ingot channels set`.',
      ].join('\n'),
    );
  });

  return [revokeCommand, restoreCommand];
}
