import { Command } from 'commander';
import type { Bucket, Channel, RegistryClient } from '../client/registry-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { details, emit, labels, status, table, time, versionLabel } from './output';
import { closest } from './suggest';

/** The channels table `buckets show` and `channels ls` print. */
export function channelsTable(channels: Channel[]): string {
  return table(
    ['channel', 'version', 'fingerprint', 'status', 'restricted', 'managed', 'updated'],
    channels.map((c) => [
      c.name,
      c.version?.name,
      c.version?.fingerprint,
      status(c.version?.status),
      c.restricted ? 'yes' : 'no',
      c.managed ? 'yes' : 'no',
      time(c.updated_at),
    ]),
  );
}

function bucketsTable(buckets: Bucket[]): string {
  return table(
    ['name', 'latest', 'versions', 'platforms', 'updated', 'description'],
    buckets.map((b) => [
      b.name,
      b.latest_version ? versionLabel(b.latest_version) : '',
      b.version_count,
      b.platforms.join(','),
      time(b.updated_at),
      b.description,
    ]),
  );
}

function bucketDetails(bucket: Bucket, channels: Channel[]): string {
  const text = details([
    ['Bucket', bucket.name],
    ['Description', bucket.description],
    ['Labels', labels(bucket.labels)],
    ['Platforms', bucket.platforms.join(', ')],
    ['Versions', bucket.version_count],
    ['Latest', bucket.latest_version ? versionLabel(bucket.latest_version) : 'none yet'],
    ['Created', time(bucket.created_at)],
    ['Updated', time(bucket.updated_at)],
  ]);
  return `${text}\n\n${channels.length ? channelsTable(channels) : 'No channels.'}`;
}

/**
 * An empty answer is what any organization/project id gets, a typo included: on Ingot,
 * one the registry has never heard of (no buckets, no principal granted on it) while it
 * knows others is refused, naming those. HCP refuses unknown projects itself.
 */
async function assertKnownProject(client: RegistryClient): Promise<void> {
  if (!(await client.isIngot())) return;
  const { organizationId, projectId, registryUrl } = client.connection;
  const known = await client.knownProjects();
  if (
    !known.length ||
    known.some((p) => p.organization_id === organizationId && p.project_id === projectId)
  )
    return;
  const names = known.map(
    (p) => `${p.organization_id}/${p.project_id} (${p.bucket_count} bucket(s))`,
  );
  const guess = closest(
    `${organizationId}/${projectId}`,
    known.map((p) => `${p.organization_id}/${p.project_id}`),
  );
  throw new Error(
    `organization "${organizationId}", project "${projectId}" holds nothing in ${registryUrl} and no principal is granted on it${guess ? `; did you mean ${guess}?` : '.'} Projects here: ${names.join(', ')}. Check --organization and --project (HCP_ORGANIZATION_ID, HCP_PROJECT_ID); a new project starts with \`ingot publish --create-bucket\`.`,
  );
}

/** `ingot buckets ls|show`. */
export function bucketsCommand(): Command {
  const buckets = new Command('buckets').description('List and inspect buckets.');

  withConnection(buckets.command('ls').description('List the buckets of the project.')).action(
    async (flags: RegistryFlags) => {
      const client = connect(flags);
      const found = await client.listBuckets();
      if (!found.length) await assertKnownProject(client);
      const { organizationId, projectId } = client.connection;
      emit(flags, { buckets: found }, () =>
        found.length
          ? bucketsTable(found)
          : `No buckets yet in organization "${organizationId}", project "${projectId}"; publish one with \`ingot publish --create-bucket\`.`,
      );
    },
  );

  withConnection(
    buckets
      .command('show')
      .argument('<bucket>', 'bucket name')
      .description('Show a bucket, its latest version and its channels.'),
  ).action(async (name: string, flags: RegistryFlags) => {
    const client = connect(flags);
    const bucket = await client.getBucket(name);
    const channels = await client.listChannels(name);
    emit(flags, { bucket, channels }, () => bucketDetails(bucket, channels));
  });

  return buckets;
}
