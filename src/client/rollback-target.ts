/**
 * Where a channel goes when the version it serves is revoked, as the registry decides
 * it (src/registry/service/channel-resolution.ts `rollbackTarget`): its newest earlier
 * assignment whose version is still valid then, or nothing. Pure and import-free, so the
 * CLI and the web console (ui/) predict it from the same code.
 */

/** The fields of a version (HCP's JSON) the decision needs. */
export interface RollbackCandidate {
  fingerprint: string;
  name: string;
  status: string;
  revoke_at?: string;
}

/** Whether the version may be served at `at` (ms): complete, and not revoked by then. */
export function validAt(version: RollbackCandidate, at: number): boolean {
  // Incomplete versions have no name (or HCP's "v0").
  if (!version.name || version.name === 'v0') return false;
  if (version.status === 'VERSION_REVOKED') return false;
  if (version.status !== 'VERSION_ACTIVE' && version.status !== 'VERSION_REVOCATION_SCHEDULED')
    return false;
  const revokeAt = version.revoke_at ? Date.parse(version.revoke_at) : NaN;
  return !(revokeAt <= at);
}

/**
 * The version a channel rolls back to. `history` is the channel's assignment history,
 * newest first (as the API lists it); `revoked` the fingerprints this revocation reaches
 * in the channel's bucket; `at` when it takes effect (ms).
 */
export function rollbackTarget<V extends RollbackCandidate>(
  history: readonly { version?: V | null }[],
  revoked: ReadonlySet<string>,
  at: number,
): V | null {
  for (const entry of history) {
    const version = entry.version;
    if (version && !revoked.has(version.fingerprint) && validAt(version, at)) return version;
  }
  return null;
}
