import { Command } from 'commander';
import type { Build, Version } from '../client/registry-client';
import { findVersion } from '../client/version-ref';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { details, emit, labels, status, table, time } from './output';
import { nameOr } from '../client/version-name';

function versionsTable(versions: Version[]): string {
  return table(
    ['name', 'fingerprint', 'status', 'platforms', 'created', 'revoke at'],
    versions.map((v) => [
      v.name,
      v.fingerprint,
      status(v.status),
      [...new Set(v.builds.map((b) => b.platform))].join(','),
      time(v.created_at),
      time(v.revoke_at),
    ]),
  );
}

/** One row per image (artifact); a build without images gets one row of its own. */
export function buildsTable(builds: Build[]): string {
  return table(
    ['build', 'platform', 'component type', 'status', 'region', 'image', 'labels'],
    builds.flatMap((b) => {
      const row = (region: string, image: string) => [
        b.id,
        b.platform,
        b.component_type,
        status(b.status),
        region,
        image,
        labels(b.labels),
      ];
      return b.artifacts.length
        ? b.artifacts.map((a) => row(a.region, a.external_identifier))
        : [row('', '')];
    }),
  );
}

function revocation(version: Version): string {
  const from = version.revocation_inherited_from;
  if (!from) return '';
  return `inherited from ${from.bucket_name} ${from.version_name || from.version_fingerprint}`;
}

function versionDetails(version: Version): string {
  const text = details([
    ['Bucket', version.bucket_name],
    ['Version', nameOr(version.name, '(not complete)')],
    ['Fingerprint', version.fingerprint],
    ['Status', status(version.status)],
    ['Author', version.author_id],
    ['Created', time(version.created_at)],
    ['Updated', time(version.updated_at)],
    ['Revoke at', time(version.revoke_at)],
    ['Revocation', version.revocation_message],
    ['Revoked by', version.revocation_author],
    ['Inheritance', revocation(version)],
    ['Descendants', version.has_descendants ? 'yes' : ''],
  ]);
  return `${text}\n\n${version.builds.length ? buildsTable(version.builds) : 'No builds.'}`;
}

/** `ingot versions ls|show`. */
export function versionsCommand(): Command {
  const versions = new Command('versions').description('List and inspect versions.');

  withConnection(
    versions
      .command('ls')
      .argument('<bucket>', 'bucket name')
      .description('List the versions of a bucket, newest first.'),
  ).action(async (bucket: string, flags: RegistryFlags) => {
    const found = await connect(flags).listVersions(bucket);
    emit(flags, { versions: found }, () =>
      found.length ? versionsTable(found) : `Bucket "${bucket}" has no versions yet.`,
    );
  });

  withConnection(
    versions
      .command('show')
      .argument('<bucket>', 'bucket name')
      .argument('<version>', 'version name (v3) or fingerprint')
      .description('Show a version with its builds and images.'),
  ).action(async (bucket: string, ref: string, flags: RegistryFlags) => {
    const version = await findVersion(connect(flags), bucket, ref);
    emit(flags, { version }, () => versionDetails(version));
  });

  return versions;
}

/** `ingot builds ls`. */
export function buildsCommand(): Command {
  const builds = new Command('builds').description('List the builds of a version.');

  withConnection(
    builds
      .command('ls')
      .argument('<bucket>', 'bucket name')
      .argument('<version>', 'version name (v3) or fingerprint')
      .description('List the builds of a version, one row per image.'),
  ).action(async (bucket: string, ref: string, flags: RegistryFlags) => {
    const client = connect(flags);
    const { fingerprint } = await findVersion(client, bucket, ref);
    const found = await client.listBuilds(bucket, fingerprint);
    emit(flags, { builds: found }, () =>
      found.length ? buildsTable(found) : `Version "${ref}" has no builds yet.`,
    );
  });

  return builds;
}
