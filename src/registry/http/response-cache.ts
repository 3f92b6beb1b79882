import type { Clock } from '../clock';
import type { Database } from '../storage/database';

/** How long a cached response may be served without any write (bounds time-only changes). */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  marker: string;
  body: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * Serialized responses of hot reads (a channel with its version and builds), reused
 * until anything is committed by any registry process (the database's change marker),
 * the served version's scheduled revocation takes effect, or a short TTL passes (for
 * what only time changes elsewhere, such as a parent's revocation). Authorization still
 * runs on every request; only the lookup and serialization are skipped.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * The cached body for `key`, or the body `produce` makes (cached with its expiry).
   * The marker is read before the data, so a write racing the read leaves an entry
   * that the next request already sees as stale.
   */
  async get(
    key: string,
    produce: () => Promise<{ body: string; revokeAt?: string }>,
  ): Promise<string> {
    const marker = await this.db.changeMarker();
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.marker === marker && now >= hit.createdAt && now < hit.expiresAt)
      return hit.body;
    const { body, revokeAt } = await produce();
    const revokeMs = revokeAt ? Date.parse(revokeAt) : NaN;
    const expiresAt = Math.min(now + TTL_MS, revokeMs > now ? revokeMs : Infinity);
    if (this.entries.size >= MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { marker, body, createdAt: now, expiresAt });
    return body;
  }
}
