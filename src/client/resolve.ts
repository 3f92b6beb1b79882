import { RegistryClientError, RevokedVersionError } from './errors';
import type { Build, RegistryClient, Version } from './registry-client';

export interface ImageQuery {
  platform: string;
  region: string;
  /** Only builds of this component type (e.g. `amazon-ebs.runner-x64`). */
  componentType?: string;
  /** Only builds carrying all these labels. */
  labels?: Record<string, string>;
}

export interface ResolvedImage {
  externalIdentifier: string;
  region: string;
  build: Build;
}

/** The version a channel (or a fingerprint) designates, with how it was reached. */
export interface ResolvedVersion {
  bucket: string;
  channel: string | null;
  version: Version;
}

/** Looks up the version behind a channel or a fingerprint (one registry call). */
export async function resolveVersion(
  client: RegistryClient,
  bucket: string,
  selector: { channel?: string; fingerprint?: string },
): Promise<ResolvedVersion> {
  if (selector.fingerprint) {
    return {
      bucket,
      channel: null,
      version: await client.getVersion(bucket, selector.fingerprint),
    };
  }
  const channel = selector.channel ?? 'latest';
  const found = await client.getChannel(bucket, channel);
  if (!found.version) {
    throw new RegistryClientError(
      `channel "${channel}" of bucket "${bucket}" points at no version; assign one with \`ingot channels set ${bucket} ${channel} --version <fingerprint>\`.`,
      404,
      'CHANNEL_EMPTY',
    );
  }
  return { bucket, channel, version: found.version };
}

/** Every image of the version that answers the query: exact region first, then global ones. */
export function matchingImages(resolved: ResolvedVersion, query: ImageQuery): ResolvedImage[] {
  const builds = resolved.version.builds.filter(
    (b) =>
      b.platform === query.platform &&
      b.status === 'BUILD_DONE' &&
      (!query.componentType || b.component_type === query.componentType) &&
      Object.entries(query.labels ?? {}).every(([k, v]) => b.labels?.[k] === v),
  );
  const exact = builds.flatMap((build) =>
    build.artifacts
      .filter((a) => a.region === query.region)
      .map((a) => ({ externalIdentifier: a.external_identifier, region: a.region, build })),
  );
  if (exact.length) return exact;
  // GCP images are global: one artifact serves every region.
  return builds.flatMap((build) =>
    build.artifacts
      .filter((a) => a.region === 'global')
      .map((a) => ({ externalIdentifier: a.external_identifier, region: a.region, build })),
  );
}

function describeQuery(query: ImageQuery): string {
  return [
    query.componentType && `component type ${query.componentType}`,
    query.labels && Object.keys(query.labels).length && `labels ${JSON.stringify(query.labels)}`,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** Picks the artifact for a platform/region out of a version (no registry call). */
export function pickImage(resolved: ResolvedVersion, query: ImageQuery): ResolvedImage {
  const found = matchingImages(resolved, query);
  if (found.length) return found[0];
  const { version } = resolved;
  const offered = version.builds
    .flatMap((b) =>
      b.artifacts.map(
        (a) => `${b.platform}/${a.region}${b.component_type ? ` (${b.component_type})` : ''}`,
      ),
    )
    .join(', ');
  const filters = describeQuery(query);
  throw new RegistryClientError(
    `version ${version.name || version.fingerprint} of bucket "${resolved.bucket}"${resolved.channel ? ` (channel "${resolved.channel}")` : ''} has no ${query.platform} image in ${query.region}${filters ? ` with ${filters}` : ''}; it has: ${offered || 'no artifacts'}. Build the image for that region or pick another.`,
    404,
    'IMAGE_NOT_FOUND',
  );
}

/**
 * The one image the query designates; refuses a query that several different images
 * answer (x64 and arm64 builds of one version, say), listing what tells them apart.
 */
export function pickOnlyImage(resolved: ResolvedVersion, query: ImageQuery): ResolvedImage {
  const found = matchingImages(resolved, query);
  const distinct = [...new Map(found.map((f) => [f.externalIdentifier, f])).values()];
  if (distinct.length <= 1) return pickImage(resolved, query);
  const { version } = resolved;
  const choices = distinct
    .map((f) => {
      const labels = Object.entries(f.build.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return `${f.externalIdentifier} (${f.build.component_type}${labels ? `; ${labels}` : ''})`;
    })
    .join(', ');
  const filters = describeQuery(query);
  throw new RegistryClientError(
    `version ${version.name || version.fingerprint} of bucket "${resolved.bucket}" has ${distinct.length} ${query.platform} images in ${query.region}${filters ? ` with ${filters}` : ''}: ${choices}. Pick one with --arch, --label key=value or --component-type.`,
    0,
    'IMAGE_AMBIGUOUS',
  );
}

/** Whether the version's revocation has taken effect (by its status). */
export function isRevoked(version: Version): boolean {
  return version.status === 'VERSION_REVOKED';
}

/** A sentence naming bucket, version, channel and the revocation message. */
export function revocationMessage(resolved: ResolvedVersion): string {
  const { version } = resolved;
  const via = resolved.channel ? ` (channel "${resolved.channel}")` : '';
  const message = version.revocation_message ? `: ${version.revocation_message}` : '';
  const inherited = version.revocation_inherited_from
    ? `, inherited from ${version.revocation_inherited_from.bucket_name} ${version.revocation_inherited_from.version_name || version.revocation_inherited_from.version_fingerprint}`
    : '';
  return `version ${version.name || version.fingerprint} (fingerprint ${version.fingerprint}) of bucket "${resolved.bucket}"${via} was revoked at ${version.revoke_at}${inherited}${message}`;
}

/** Throws when the version is revoked. */
export function assertNotRevoked(resolved: ResolvedVersion): void {
  if (isRevoked(resolved.version)) {
    throw new RevokedVersionError(
      `refusing a revoked image: ${revocationMessage(resolved)}. Assign a valid version to the channel or restore this one.`,
    );
  }
}
