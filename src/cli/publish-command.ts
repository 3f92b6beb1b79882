import fs from 'node:fs';
import { Command, Option } from 'commander';
import { isNotFound } from '../client/errors';
import {
  parseManifest,
  type ManifestBuildInput,
  type PackerManifest,
} from '../client/packer-manifest';
import { assignOrCreate, publishVersion } from '../client/publish';
import type { Channel, RegistryClient, Version } from '../client/registry-client';
import { findVersion } from '../client/version-ref';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { label } from './flags';
import { emit, versionLabel } from './output';
import { closest } from './suggest';

interface PublishFlags extends RegistryFlags {
  bucket?: string;
  manifest: string;
  fingerprint?: string;
  channel?: string;
  label?: Record<string, string>;
  parentVersion?: string;
  parentChannel?: string;
  gcpProject?: string;
  createBucket?: boolean;
}

/** The builds of the manifest run `parseManifest` keeps (the last one). */
function lastRun(manifest: PackerManifest) {
  const run = manifest.last_run_uuid;
  return run ? manifest.builds.filter((b) => b.packer_run_uuid === run) : manifest.builds;
}

/** The one value the builds carry in `custom_data[key]`, null when none does. */
function customData(text: string, source: string, key: string): string | null {
  const found = [
    ...new Set(
      lastRun(JSON.parse(text) as PackerManifest)
        .map((b) => b.custom_data?.[key])
        .filter((f): f is string => typeof f === 'string' && f.trim() !== ''),
    ),
  ];
  if (found.length > 1) {
    throw new Error(
      `the builds in ${source} carry different custom_data.${key} values (${found.join(', ')}); pass --${key} to pick one.`,
    );
  }
  return found[0] ?? null;
}

/**
 * The fingerprint the manifest's builds carry in `custom_data.fingerprint` (the
 * manifest post-processor's `custom_data`), of the same run `parseManifest` keeps.
 */
export function manifestFingerprint(text: string, source: string): string {
  const found = customData(text, source, 'fingerprint');
  if (!found) {
    throw new Error(
      `--fingerprint is missing and the builds in ${source} carry no custom_data.fingerprint; pass --fingerprint, or add custom_data { fingerprint = ... } to the manifest post-processor.`,
    );
  }
  return found;
}

function readManifest(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--manifest ${file} cannot be read: ${(error as Error).message}.`);
  }
}

/** The bucket to publish to: --bucket, checked against the template's own `custom_data.bucket`. */
function targetBucket(flags: PublishFlags, named: string | null): string {
  if (flags.bucket && named && flags.bucket !== named) {
    throw new Error(
      `--bucket is "${flags.bucket}" but the builds in ${flags.manifest} were made for bucket "${named}" (custom_data.bucket); pass --bucket ${named}, or publish the manifest of a "${flags.bucket}" build. Nothing was published.`,
    );
  }
  const bucket = flags.bucket ?? named;
  if (!bucket) {
    throw new Error(
      `--bucket is missing and the builds in ${flags.manifest} carry no custom_data.bucket; pass --bucket, or add custom_data { bucket = ... } to the manifest post-processor.`,
    );
  }
  return bucket;
}

/** A bucket that does not exist yet is created only when the manifest or --create-bucket says so. */
async function checkBucket(
  client: RegistryClient,
  bucket: string,
  flags: PublishFlags,
  named: string | null,
): Promise<boolean> {
  if (await client.findBucket(bucket)) return true;
  if (named === bucket || flags.createBucket) return false;
  const { organizationId, projectId } = client.connection;
  const existing = (await client.listBuckets()).map((b) => b.name);
  const guess = closest(bucket, existing);
  throw new Error(
    `bucket "${bucket}" does not exist in organization "${organizationId}", project "${projectId}"${guess ? `; did you mean "${guess}"?` : existing.length ? ` (it has ${existing.join(', ')})` : ' (it has no buckets yet)'} Pass --create-bucket to create it. Nothing was published.`,
  );
}

const imageKey = (platform: string, componentType: string, region: string, id: string) =>
  `${platform} ${region} ${id} (${componentType})`;

/** Refuses to call a complete version's fingerprint "already published" when its images differ. */
function checkRepublish(
  existing: Version,
  builds: ManifestBuildInput[],
  bucket: string,
  fingerprint: string,
): void {
  const registry = existing.builds
    .flatMap((b) =>
      b.artifacts.map((a) =>
        imageKey(b.platform, b.component_type, a.region, a.external_identifier),
      ),
    )
    .sort();
  const manifest = builds
    .flatMap((b) =>
      b.artifacts.map((a) =>
        imageKey(b.platform, b.componentType, a.region, a.external_identifier),
      ),
    )
    .sort();
  if (registry.join('\n') === manifest.join('\n')) return;
  const onlyRegistry = registry.filter((i) => !manifest.includes(i));
  const onlyManifest = manifest.filter((i) => !registry.includes(i));
  throw new Error(
    [
      `fingerprint "${fingerprint}" is already published as ${existing.name || 'a complete version'} of bucket "${bucket}", with other images:`,
      ...onlyRegistry.map((i) => `  registry: ${i}`),
      ...onlyManifest.map((i) => `  manifest: ${i}`),
      'A fingerprint names one build run and its images never change; publish this manifest under a new --fingerprint. Nothing was published.',
    ].join('\n'),
  );
}

/** `bucket/ref` of --parent-version and --parent-channel. */
function splitParent(flag: string, value: string, what: string): [string, string] {
  const at = value.indexOf('/');
  if (at <= 0 || at === value.length - 1) {
    throw new Error(
      `${flag} "${value}" must be <bucket>/<${what}>, e.g. ${flag} runner-base/${what === 'channel' ? 'prod' : 'v3'}.`,
    );
  }
  return [value.slice(0, at), value.slice(at + 1)];
}

interface Parent {
  bucket: string;
  version: Version;
  channel: Channel | null;
}

/** The version (and channel) the image was built from, as the registry records ancestry. */
async function findParent(client: RegistryClient, flags: PublishFlags): Promise<Parent | null> {
  if (!flags.parentVersion && !flags.parentChannel) return null;
  const byVersion = flags.parentVersion
    ? splitParent('--parent-version', flags.parentVersion, 'version')
    : null;
  const byChannel = flags.parentChannel
    ? splitParent('--parent-channel', flags.parentChannel, 'channel')
    : null;
  if (byVersion && byChannel && byVersion[0] !== byChannel[0]) {
    throw new Error(
      `--parent-version names bucket "${byVersion[0]}" and --parent-channel bucket "${byChannel[0]}"; the parent is one version of one bucket.`,
    );
  }
  const bucket = (byVersion ?? byChannel)?.[0] as string;
  const channel = byChannel ? await client.getChannel(bucket, byChannel[1]) : null;
  let version: Version;
  if (byVersion) version = await findVersion(client, bucket, byVersion[1]);
  else if (channel?.version) version = channel.version;
  else {
    throw new Error(
      `--parent-channel ${flags.parentChannel} serves no version; pass --parent-version ${bucket}/<version> too.`,
    );
  }
  return { bucket, version, channel };
}

async function publish(flags: PublishFlags): Promise<void> {
  const text = readManifest(flags.manifest);
  const builds = parseManifest(text, flags.manifest, undefined, {
    gcpProject: flags.gcpProject,
    gcpProjectSetting: '--gcp-project',
  });
  const named = customData(text, flags.manifest, 'bucket');
  const bucket = targetBucket(flags, named);
  const fingerprint = flags.fingerprint ?? manifestFingerprint(text, flags.manifest);
  const client = connect(flags);
  // Every check reads; nothing is written until all of them pass.
  const parent = await findParent(client, flags);
  if (await checkBucket(client, bucket, flags, named)) {
    let existing: Version | null = null;
    try {
      existing = await client.getVersion(bucket, fingerprint);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (existing?.name && existing.name !== 'v0')
      checkRepublish(existing, builds, bucket, fingerprint);
  }
  const { version, published } = await publishVersion(client, {
    bucket,
    fingerprint,
    builds,
    buildLabels: flags.label,
    parentVersionId: parent?.version.id,
    parentChannelId: parent?.channel?.id,
  });
  let channel: Channel | null = null;
  if (flags.channel) channel = await assignOrCreate(client, bucket, flags.channel, fingerprint);
  const parentJson = parent && {
    bucket: parent.bucket,
    version: {
      id: parent.version.id,
      fingerprint: parent.version.fingerprint,
      name: parent.version.name,
    },
    channel: parent.channel?.name ?? null,
  };
  emit(flags, { version, published, channel, parent: parentJson }, () => {
    const images = version.builds.flatMap((b) =>
      b.artifacts.map((a) => `${b.platform} ${a.region} ${a.external_identifier}`),
    );
    const lines = published
      ? [
          `Published ${versionLabel(version)} to bucket "${bucket}": ${version.builds.length} build(s), ${images.length} image(s).`,
          ...images.map((image) => `  ${image}`),
        ]
      : [`${versionLabel(version)} of bucket "${bucket}" was already published; nothing changed.`];
    if (parent && published) {
      lines.push(
        `Built from ${parent.bucket} ${versionLabel(parent.version)}${parent.channel ? ` (channel "${parent.channel.name}")` : ''}: revoking it reaches this version.`,
      );
    }
    if (channel?.version) {
      lines.push(`Channel "${channel.name}" now serves ${versionLabel(channel.version)}.`);
    }
    return lines.join('\n');
  });
}

/** `ingot publish`: a Packer manifest becomes a complete version. */
export function publishCommand(): Command {
  return withConnection(
    new Command('publish')
      .requiredOption('--manifest <file>', "the Packer manifest post-processor's output")
      .option(
        '--bucket <bucket>',
        "bucket to publish to (default: the builds' custom_data.bucket, which it must match)",
      )
      .option(
        '--fingerprint <fingerprint>',
        "version fingerprint (default: the builds' custom_data.fingerprint)",
      )
      .option('--channel <channel>', 'point this channel at the version (created when missing)')
      .addOption(
        new Option('--label <key=value>', 'label every build (repeatable)').argParser(label),
      )
      .option(
        '--parent-version <bucket/version>',
        'the version (name or fingerprint) the image was built from, e.g. runner-base/v3',
      )
      .option(
        '--parent-channel <bucket/channel>',
        'the channel the parent came from, e.g. runner-base/prod (alone: the version it serves now)',
      )
      .option(
        '--gcp-project <project>',
        'GCP project of googlecompute images when the manifest has no custom_data.gcp_project_id',
      )
      .option(
        '--create-bucket',
        'create the bucket when it does not exist and the manifest does not name it',
      )
      .description(
        'Publish the builds of a Packer manifest as one complete version (idempotent on the fingerprint).',
      ),
  ).action(async (flags: PublishFlags) => publish(flags));
}
