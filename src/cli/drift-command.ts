import { Command, Option } from 'commander';
import type { Consumer, RegistryClient, Version } from '../client/registry-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { EXIT, ExitError } from './exit-codes';
import { emit, table, time } from './output';

type FailOn = 'revoked' | 'scheduled' | 'never';

interface DriftFlags extends RegistryFlags {
  bucket?: string[];
  failOn: FailOn;
}

/** A stack resource whose current version is revoked or scheduled for revocation. */
export interface DriftEntry {
  bucket: string;
  version_name: string;
  fingerprint: string;
  status: string;
  revoke_at: string;
  revocation_message: string;
  pulumi_project: string;
  stack: string;
  urn: string;
  last_seen_at: string;
}

/**
 * Each resource's current consumer record: a resource that moved to a newer version
 * keeps its old records, so only the one seen last counts.
 */
function current(consumers: Consumer[]): Consumer[] {
  const latest = new Map<string, Consumer>();
  for (const c of consumers) {
    const key = `${c.pulumi_project}\u0000${c.stack}\u0000${c.urn}`;
    const seen = latest.get(key);
    if (!seen || c.last_seen_at > seen.last_seen_at) latest.set(key, c);
  }
  return [...latest.values()];
}

async function driftOf(client: RegistryClient, bucket: string): Promise<DriftEntry[]> {
  const [consumers, versions] = await Promise.all([
    client.consumers(bucket),
    client.listVersions(bucket),
  ]);
  const byFingerprint = new Map<string, Version>(versions.map((v) => [v.fingerprint, v]));
  const entries: DriftEntry[] = [];
  for (const consumer of current(consumers)) {
    const version = byFingerprint.get(consumer.version_fingerprint ?? '');
    if (
      !version ||
      (version.status !== 'VERSION_REVOKED' && version.status !== 'VERSION_REVOCATION_SCHEDULED')
    )
      continue;
    entries.push({
      bucket,
      version_name: version.name,
      fingerprint: version.fingerprint,
      status: version.status,
      revoke_at: version.revoke_at ?? '',
      revocation_message: version.revocation_message ?? '',
      pulumi_project: consumer.pulumi_project,
      stack: consumer.stack,
      urn: consumer.urn,
      last_seen_at: consumer.last_seen_at,
    });
  }
  return entries;
}

/** `ingot drift`: which stacks still run a revoked or soon-revoked version. */
export function driftCommand(): Command {
  return withConnection(
    new Command('drift')
      .description(
        `Report stack resources still running a revoked or scheduled-for-revocation version (from the registry's consumers). Exits ${EXIT.driftFound} when one runs a revoked version (see --fail-on).`,
      )
      .option('--bucket <name...>', 'buckets to check (default: all)')
      .addOption(
        new Option(
          '--fail-on <level>',
          'exit non-zero when a consumer runs a version at this level or worse',
        )
          .choices(['revoked', 'scheduled', 'never'])
          .default('revoked'),
      ),
  ).action(async (flags: DriftFlags) => {
    const client = connect(flags);
    const buckets = flags.bucket?.length
      ? flags.bucket
      : (await client.listBuckets()).map((b) => b.name);
    const entries = (await Promise.all(buckets.map((b) => driftOf(client, b)))).flat();
    entries.sort(
      (a, b) =>
        a.bucket.localeCompare(b.bucket) ||
        a.stack.localeCompare(b.stack) ||
        a.urn.localeCompare(b.urn),
    );
    emit(flags, { buckets, entries }, () =>
      entries.length === 0
        ? `No stack runs a revoked or scheduled-for-revocation version (${buckets.length} bucket(s) checked).`
        : table(
            ['bucket', 'version', 'status', 'revoke at', 'project', 'stack', 'resource', 'message'],
            entries.map((e) => [
              e.bucket,
              e.version_name,
              e.status === 'VERSION_REVOKED' ? 'revoked' : 'scheduled',
              time(e.revoke_at),
              e.pulumi_project,
              e.stack,
              e.urn.split('::').pop(),
              e.revocation_message,
            ]),
          ),
    );
    const revoked = entries.some((e) => e.status === 'VERSION_REVOKED');
    if (
      (flags.failOn === 'revoked' && revoked) ||
      (flags.failOn === 'scheduled' && entries.length > 0)
    ) {
      throw new ExitError(
        `${entries.length} stack resource(s) run a ${revoked ? 'revoked' : 'scheduled-for-revocation'} version; run \`pulumi up\` on those stacks after their channels move on.`,
        EXIT.driftFound,
      );
    }
  });
}
