import { Command, Option } from 'commander';
import { assertNotRevoked, pickOnlyImage, resolveVersion } from '../client/resolve';
import { findVersion } from '../client/version-ref';
import { label } from './flags';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { io } from './io';
import { emit, time, versionLabel } from './output';

interface ResolveFlags extends RegistryFlags {
  channel?: string;
  version?: string;
  platform: string;
  region: string;
  componentType?: string;
  label?: Record<string, string>;
  arch?: string;
}

async function resolve(bucket: string, flags: ResolveFlags): Promise<void> {
  if (flags.arch && flags.label?.arch !== undefined && flags.label.arch !== flags.arch) {
    throw new Error(
      `--arch ${flags.arch} and --label arch=${flags.label.arch} disagree; give one of them.`,
    );
  }
  const client = connect(flags);
  const resolved = flags.version
    ? { bucket, channel: null, version: await findVersion(client, bucket, flags.version) }
    : await resolveVersion(client, bucket, { channel: flags.channel });
  assertNotRevoked(resolved);
  const labels = { ...flags.label, ...(flags.arch ? { arch: flags.arch } : {}) };
  const image = pickOnlyImage(resolved, {
    platform: flags.platform,
    region: flags.region,
    componentType: flags.componentType,
    labels,
  });
  const { version } = resolved;
  if (version.status === 'VERSION_REVOCATION_SCHEDULED') {
    const why = version.revocation_message ? `: ${version.revocation_message}` : '';
    io().stderr.write(
      `ingot: warning: ${versionLabel(version)} of bucket "${bucket}" will be revoked at ${time(version.revoke_at)}${why}\n`,
    );
  }
  emit(
    flags,
    {
      external_identifier: image.externalIdentifier,
      region: image.region,
      platform: image.build.platform,
      component_type: image.build.component_type,
      build_id: image.build.id,
      bucket,
      channel: resolved.channel,
      version: {
        fingerprint: version.fingerprint,
        name: version.name,
        status: version.status,
        revoke_at: version.revoke_at ?? null,
      },
    },
    // Only the id, so `$(ingot resolve …)` can be used as is.
    () => image.externalIdentifier,
  );
}

/** `ingot resolve`: the image id a channel (or version) serves for a platform and region. */
export function resolveCommand(): Command {
  return withConnection(
    new Command('resolve')
      .argument('<bucket>', 'bucket name')
      .addOption(
        new Option('--channel <channel>', 'channel to resolve (default: latest)').conflicts(
          'version',
        ),
      )
      .addOption(
        new Option(
          '--version <version>',
          'a version (name v3 or fingerprint) instead of a channel',
        ),
      )
      .requiredOption('--platform <platform>', 'aws, gcp, …')
      .requiredOption('--region <region>', 'e.g. us-east-1 (GCP images are global)')
      .option('--component-type <type>', 'only builds of this type, e.g. amazon-ebs.runner')
      .option('--arch <arch>', 'only builds labelled arch=<arch>, e.g. x64 or arm64')
      .addOption(
        new Option('--label <key=value>', 'only builds with this label (repeatable)').argParser(
          label,
        ),
      )
      .description(
        'Print the image id a channel serves for a platform and region; fails when the version is revoked, or when several images match (narrow with --arch, --label or --component-type).',
      ),
  ).action(async (bucket: string, flags: ResolveFlags) => resolve(bucket, flags));
}
