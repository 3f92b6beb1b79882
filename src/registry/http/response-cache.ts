import type { Clock } from '../clock';
import { SingleFlight } from '../single-flight';
import type { Database } from '../storage/database';
import { entityTag } from './conditional';

/** How long a cached response may be served without any write (bounds time-only changes). */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** A response as it goes on the wire: its bytes and their strong entity tag. */
export interface CachedResponse {
  body: Buffer;
  etag: string;
}

interface Entry extends CachedResponse {
  marker: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * Serialized responses of hot reads (a channel with its version and builds), reused
 * until anything is committed by any registry process (the database's change marker),
 * the served version's scheduled revocation takes effect, or a short TTL passes (for
 * what only time changes elsewhere, such as a parent's revocation). Authorization still
 * runs on every request; only the lookup and serialization are skipped. A hit is
 * answered synchronously with bytes made once, tagged once.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new SingleFlight<CachedResponse>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The cached response for `key` if it is still current, else undefined. */
  peek(key: string): CachedResponse | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    const now = this.clock.now().getTime();
    if (hit.marker === this.db.changeMarkerSync() && now >= hit.createdAt && now < hit.expiresAt)
      return hit;
    return undefined;
  }

  /**
   * The response `produce` makes now, cached with its expiry; requests missing the same
   * key under the same marker meanwhile share it. The marker is read before the data, so
   * a write racing the read leaves an entry that the next request already sees as stale.
   */
  fill(
    key: string,
    produce: () => Promise<{ body: string; revokeAt?: string }>,
  ): Promise<CachedResponse> {
    const marker = this.db.changeMarkerSync();
    return this.flights.run(key, marker, async () => {
      const now = this.clock.now().getTime();
      const made = await produce();
      const body = Buffer.from(made.body);
      const revokeMs = made.revokeAt ? Date.parse(made.revokeAt) : NaN;
      const expiresAt = Math.min(now + TTL_MS, revokeMs > now ? revokeMs : Infinity);
      if (this.entries.size >= MAX_ENTRIES && !this.entries.has(key))
        this.entries.delete(this.entries.keys().next().value as string);
      const entry: Entry = { body, etag: entityTag(body), marker, createdAt: now, expiresAt };
      this.entries.set(key, entry);
      return entry;
    });
  }
}
