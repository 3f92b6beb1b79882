import fs from 'node:fs';
import { Command, Option } from 'commander';
import { parseManifest, type PackerManifest } from '../client/packer-manifest';
import { assignOrCreate, publishVersion } from '../client/publish';
import type { Channel } from '../client/registry-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { label } from './flags';
import { emit, versionLabel } from './output';

interface PublishFlags extends RegistryFlags {
  bucket: string;
  manifest: string;
  fingerprint?: string;
  channel?: string;
  label?: Record<string, string>;
}

/**
 * The fingerprint the manifest's builds carry in `custom_data.fingerprint` (the
 * manifest post-processor's `custom_data`), of the same run `parseManifest` keeps.
 */
export function manifestFingerprint(text: string, source: string): string {
  const manifest = JSON.parse(text) as PackerManifest;
  const run = manifest.last_run_uuid;
  const builds = run ? manifest.builds.filter((b) => b.packer_run_uuid === run) : manifest.builds;
  const found = [
    ...new Set(
      builds
        .map((b) => b.custom_data?.fingerprint)
        .filter((f): f is string => typeof f === 'string' && f.trim() !== ''),
    ),
  ];
  if (found.length === 0) {
    throw new Error(
      `--fingerprint is missing and the builds in ${source} carry no custom_data.fingerprint; pass --fingerprint, or add custom_data { fingerprint = ... } to the manifest post-processor.`,
    );
  }
  if (found.length > 1) {
    throw new Error(
      `the builds in ${source} carry different fingerprints (${found.join(', ')}); pass --fingerprint to pick one.`,
    );
  }
  return found[0];
}

function readManifest(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--manifest ${file} cannot be read: ${(error as Error).message}.`);
  }
}

async function publish(flags: PublishFlags): Promise<void> {
  const text = readManifest(flags.manifest);
  const builds = parseManifest(text, flags.manifest);
  const fingerprint = flags.fingerprint ?? manifestFingerprint(text, flags.manifest);
  const client = connect(flags);
  const { version, published } = await publishVersion(client, {
    bucket: flags.bucket,
    fingerprint,
    builds,
    buildLabels: flags.label,
  });
  let channel: Channel | null = null;
  if (flags.channel)
    channel = await assignOrCreate(client, flags.bucket, flags.channel, fingerprint);
  emit(flags, { version, published, channel }, () => {
    const images = version.builds.flatMap((b) =>
      b.artifacts.map((a) => `${b.platform} ${a.region} ${a.external_identifier}`),
    );
    const lines = published
      ? [
          `Published ${versionLabel(version)} to bucket "${flags.bucket}": ${version.builds.length} build(s), ${images.length} image(s).`,
          ...images.map((image) => `  ${image}`),
        ]
      : [
          `${versionLabel(version)} of bucket "${flags.bucket}" was already published; nothing changed.`,
        ];
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
      .requiredOption('--bucket <bucket>', 'bucket to publish to (created when missing)')
      .requiredOption('--manifest <file>', "the Packer manifest post-processor's output")
      .option(
        '--fingerprint <fingerprint>',
        "version fingerprint (default: the builds' custom_data.fingerprint)",
      )
      .option('--channel <channel>', 'point this channel at the version (created when missing)')
      .addOption(
        new Option('--label <key=value>', 'label every build (repeatable)').argParser(label),
      )
      .description(
        'Publish the builds of a Packer manifest as one complete version (idempotent on the fingerprint).',
      ),
  ).action(async (flags: PublishFlags) => publish(flags));
}
