import { Command } from 'commander';
import type { Bucket, Channel } from '../client/registry-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { details, emit, labels, status, table, time, versionLabel } from './output';

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

/** `ingot buckets ls|show`. */
export function bucketsCommand(): Command {
  const buckets = new Command('buckets').description('List and inspect buckets.');

  withConnection(buckets.command('ls').description('List the buckets of the project.')).action(
    async (flags: RegistryFlags) => {
      const found = await connect(flags).listBuckets();
      emit(flags, { buckets: found }, () =>
        found.length ? bucketsTable(found) : 'No buckets yet; publish one with `ingot publish`.',
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
