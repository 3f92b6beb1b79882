import type { Build, Version, VersionStatus } from './model';

/** True when the version's revocation has taken effect at `now`. */
export function isRevoked(version: Version, now: Date): boolean {
  return version.revokeAt !== null && Date.parse(version.revokeAt) <= now.getTime();
}

/** A version a channel may point at: complete and not revoked. */
export function isAssignable(version: Version, now: Date): boolean {
  return version.complete && !isRevoked(version, now);
}

/**
 * The version's status, computed against the clock so that a scheduled revocation
 * takes effect exactly at `revoke_at` without any job having to run.
 */
export function versionStatus(
  version: Version,
  builds: readonly Build[],
  now: Date,
): VersionStatus {
  if (version.revokeAt !== null) {
    return isRevoked(version, now) ? 'VERSION_REVOKED' : 'VERSION_REVOCATION_SCHEDULED';
  }
  if (version.complete) return 'VERSION_ACTIVE';
  if (
    builds.length === 0 ||
    builds.some((b) => b.status === 'BUILD_RUNNING' || b.status === 'BUILD_UNSET')
  ) {
    return 'VERSION_RUNNING';
  }
  if (builds.every((b) => b.status === 'BUILD_FAILED')) return 'VERSION_FAILED';
  if (builds.every((b) => b.status === 'BUILD_CANCELLED')) return 'VERSION_CANCELLED';
  return 'VERSION_INCOMPLETE';
}
