import type { ManifestBuildInput } from './packer-manifest';
import { ManifestError } from './packer-manifest';
import { isNotFound } from './errors';
import type { RegistryClient, Version } from './registry-client';
import { isCompleteName } from './version-name';

export interface PublishInput {
  bucket: string;
  fingerprint: string;
  builds: ManifestBuildInput[];
  bucketDescription?: string;
  bucketLabels?: Record<string, string>;
  /** Labels added to every build (runner version, OS version, git commit...). */
  buildLabels?: Record<string, string>;
  parentVersionId?: string;
  parentChannelId?: string;
  /** Component types that must all be present, or nothing is completed. */
  expectBuilds?: string[];
  /** Channel to point at the version once complete (created if missing). */
  channel?: string;
}

export interface PublishResult {
  version: Version;
  /** False when the fingerprint was already complete (nothing changed). */
  published: boolean;
}

/**
 * Publishes builds as one complete version, idempotently on the fingerprint: a complete
 * version is returned as is; an incomplete one (an earlier run failed half-way) has its
 * builds updated in place, then is completed.
 */
export async function publishVersion(
  client: RegistryClient,
  input: PublishInput,
): Promise<PublishResult> {
  const missing = (input.expectBuilds ?? []).filter(
    (c) => !input.builds.some((b) => b.componentType === c),
  );
  if (missing.length > 0) {
    throw new ManifestError(
      `the manifest lacks build(s) ${missing.join(', ')} of fingerprint "${input.fingerprint}"; they failed or did not run, so no complete version is published.`,
    );
  }
  const bucket = await client.findBucket(input.bucket);
  if (!bucket) {
    await client.createBucket(
      input.bucket,
      input.bucketDescription ?? '',
      input.bucketLabels ?? {},
    );
  } else if (input.bucketDescription !== undefined || input.bucketLabels !== undefined) {
    await client.updateBucket(input.bucket, {
      description: input.bucketDescription,
      labels: input.bucketLabels,
    });
  }
  let version = await client.createVersion(input.bucket, input.fingerprint);
  const published = !isCompleteName(version.name);
  if (published) {
    // New builds first: a version completes by itself once all its builds are done, so
    // finishing the existing ones first could complete it before the new ones exist.
    const exists = (build: (typeof input.builds)[number]) =>
      version.builds.find(
        (b) =>
          b.component_type === build.componentType &&
          (b.platform === build.platform || !b.platform),
      );
    const ordered = [
      ...input.builds.filter((b) => !exists(b)),
      ...input.builds.filter((b) => exists(b)),
    ];
    for (const build of ordered) {
      const body = {
        platform: build.platform,
        component_type: build.componentType,
        status: 'BUILD_DONE' as const,
        packer_run_uuid: build.packerRunUuid || undefined,
        labels: { ...build.labels, ...input.buildLabels },
        artifacts: build.artifacts,
        parent_version_id: input.parentVersionId,
        parent_channel_id: input.parentChannelId,
      };
      const existing = exists(build);
      if (existing) await client.updateBuild(input.bucket, input.fingerprint, existing.id, body);
      else await client.createBuild(input.bucket, input.fingerprint, body);
    }
    version = await client.completeVersion(input.bucket, input.fingerprint);
  }
  if (input.channel) await assignOrCreate(client, input.bucket, input.channel, input.fingerprint);
  return { version, published };
}

/** Points `channel` at `fingerprint`, creating the channel when it does not exist. */
export async function assignOrCreate(
  client: RegistryClient,
  bucket: string,
  channel: string,
  fingerprint: string,
) {
  try {
    return await client.setChannel(bucket, channel, fingerprint);
  } catch (error) {
    if (isNotFound(error)) {
      return client.createChannel(bucket, channel, { versionFingerprint: fingerprint });
    }
    throw error;
  }
}
