import { Command, Option } from 'commander';
import { assertNotRevoked, pickImage, resolveVersion } from '../client/resolve';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { emit, time, versionLabel } from './output';

interface ResolveFlags extends RegistryFlags {
  channel?: string;
  version?: string;
  platform: string;
  region: string;
  componentType?: string;
}

async function resolve(bucket: string, flags: ResolveFlags): Promise<void> {
  const client = connect(flags);
  const resolved = await resolveVersion(client, bucket, {
    channel: flags.channel,
    fingerprint: flags.version,
  });
  assertNotRevoked(resolved);
  const image = pickImage(resolved, {
    platform: flags.platform,
    region: flags.region,
    componentType: flags.componentType,
  });
  const { version } = resolved;
  if (version.status === 'VERSION_REVOCATION_SCHEDULED') {
    const why = version.revocation_message ? `: ${version.revocation_message}` : '';
    process.stderr.write(
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
        new Option('--version <fingerprint>', 'a version fingerprint instead of a channel'),
      )
      .requiredOption('--platform <platform>', 'aws, gcp, …')
      .requiredOption('--region <region>', 'e.g. us-east-1 (GCP images are global)')
      .option('--component-type <type>', 'only builds of this type, e.g. amazon-ebs.runner')
      .description(
        'Print the image id a channel serves for a platform and region; fails when the version is revoked.',
      ),
  ).action(async (bucket: string, flags: ResolveFlags) => resolve(bucket, flags));
}
