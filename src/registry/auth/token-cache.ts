import type { Clock } from '../clock';
import type { Database } from '../storage/database';
import type { Principal } from './principal-store';

/**
 * How long a verified token is trusted without asking the database again, as long as no
 * process has committed anything since (the database's change marker: PostgreSQL
 * NOTIFY, SQLite's data_version).
 */
const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** The stored form of the token (its SHA-256), so a revocation by hash finds it. */
  tokenHash: string;
  /** The change marker when the token was verified. */
  marker: string;
  until: number;
}

/**
 * Bearer tokens already verified against the database, checked synchronously on the hot
 * path. An entry is only used while the database's change marker is the one it was
 * verified under: any commit by any registry process (a deleted principal, a revoked
 * token, changed roles) makes every entry stale, and the next request looks its token
 * up again. A credential change on this process is that commit plus `forgetWhere`, so the
 * entry is gone even before the marker is read.
 *
 * Entries are keyed by the token itself (hashing it on every request was a visible
 * cost); the table lives only in this process's memory, as the request's own
 * Authorization header does.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The principal of a token verified under the current change marker, or undefined. */
  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.marker !== this.db.changeMarkerSync() || entry.until <= this.clock.now().getTime()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * Remembers a token just verified. `marker` must have been read before the lookup, so a
   * commit racing it leaves an entry the next request already sees as stale.
   */
  set(
    token: string,
    tokenHash: string,
    principal: Principal,
    marker: string,
    expiresAtMs: number,
  ): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // Never trusted past the token's own expiry.
    const until = Math.min(this.clock.now().getTime() + TTL_MS, expiresAtMs);
    this.entries.set(token, { principal, tokenHash, marker, until });
  }

  forget(token: string): void {
    this.entries.delete(token);
  }

  /** Drops the entries `match` names: what a credential change on this process revoked. */
  forgetWhere(match: (principal: Principal, tokenHash: string) => boolean): void {
    for (const [token, entry] of this.entries)
      if (match(entry.principal, entry.tokenHash)) this.entries.delete(token);
  }
}
