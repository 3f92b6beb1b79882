import { CONFIG_KEYS, type ProviderSettings } from './registry-connection';

/**
 * `ingot:allowStaleImages`: when the registry cannot be reached, an image lookup may keep
 * what it resolved last time instead of failing the whole preview/update. Off by default;
 * never for a version known to be revoked; a warning on each resource that does it.
 */

/** The registry did not answer, or kept failing (by name: serialized providers carry copies of the classes). */
export function isUnavailable(error: unknown): boolean {
  return (error as Error | null)?.name === 'RegistryUnavailableError';
}

/** A revocation time that has passed: the version is revoked. */
export function knownRevoked(revokeAt: string | undefined, now = Date.now()): boolean {
  return !!revokeAt && Date.parse(revokeAt) <= now;
}

/** What a lookup failure says: with the opt-out when the registry was unreachable. */
export function lookupFailure(error: unknown, settings: ProviderSettings | undefined): string {
  const message = (error as Error).message;
  if (!isUnavailable(error) || settings?.allowStaleImages) return message;
  return `${message} To let updates proceed on the images resolved last time while the registry is down, run \`pulumi config set ${CONFIG_KEYS.allowStaleImages} true\` (revoked versions are still refused).`;
}

/**
 * Whether the last resolution may stand in: the setting is on, the registry was
 * unreachable, there is a last resolution, it answered the same question, and its
 * version is not known to be revoked.
 */
export function mayUseStale(
  error: unknown,
  settings: ProviderSettings | undefined,
  last: { revokeAt?: string } | undefined,
  sameQuestion: boolean,
): boolean {
  return (
    !!settings?.allowStaleImages &&
    isUnavailable(error) &&
    !!last &&
    sameQuestion &&
    !knownRevoked(last.revokeAt)
  );
}

/** The warning a resource shows while it runs on its last resolution. */
export function staleWarning(what: string, version: string, error: unknown): string {
  return `the registry could not be reached, so ${what} keeps version ${version} resolved last time (${CONFIG_KEYS.allowStaleImages} is true): ${(error as Error).message} Unset ${CONFIG_KEYS.allowStaleImages} once the registry is back.`;
}
