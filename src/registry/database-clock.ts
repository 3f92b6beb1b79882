import { systemClock, type Clock } from './clock';
import type { Database } from './storage/database';

/** How often the offset to the database's clock is measured again. */
const SYNC_INTERVAL_MS = 10_000;

/** The database server's current time in milliseconds since the epoch. */
const NOW_SQL = {
  postgres: 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms',
  sqlite: "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS ms",
} as const;

/**
 * The registry's one clock: the database server's. Every process sharing a database
 * judges revocations, token expiry and token cleanup by the same time, however wrong
 * its own clock is. `now()` must stay synchronous (it is read deep in request code), so
 * the clock measures its offset to the database at start and every 10 s, and adds it to
 * the local clock in between.
 */
export class DatabaseClock implements Clock {
  private offsetMs = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly db: Database,
    private readonly local: Clock,
  ) {}

  /** A clock in step with `db`, kept in step until `stop()`. */
  static async start(db: Database, local: Clock = systemClock): Promise<DatabaseClock> {
    const clock = new DatabaseClock(db, local);
    await clock.sync();
    clock.timer = setInterval(() => void clock.sync().catch(() => undefined), SYNC_INTERVAL_MS);
    clock.timer.unref();
    return clock;
  }

  now(): Date {
    return new Date(this.local.now().getTime() + this.offsetMs);
  }

  /** Measures the offset, taking the local time halfway through the round trip. */
  async sync(): Promise<void> {
    const before = this.local.now().getTime();
    const [row] = await this.db.reader.query<{ ms: number | string }>(NOW_SQL[this.db.engine]);
    const after = this.local.now().getTime();
    this.offsetMs = Number(row.ms) - (before + after) / 2;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
