import pg from 'pg';
import type { Database, Executor, SqlParam } from './database';

// COUNT(*) and BIGINT columns come back as strings by default; every number we store
// fits in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** PostgreSQL error codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;
/** Committed writes are announced on this channel to every registry process. */
const CHANGES_CHANNEL = 'ingot_changes';
const LISTEN_RETRY_MS = 1000;

/** Booleans are stored as 0/1 in both engines (one schema); `undefined` means NULL. */
function toPostgres(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : (p ?? null)));
}

/** PostgreSQL through a `pg` pool; several registry processes may share one database. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly reader: Executor;
  /** Own commits and other processes' (announced by NOTIFY). */
  private changes = 0;
  private listener: pg.Client | null = null;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {
    this.reader = {
      query: async <T>(sql: string, params: readonly SqlParam[] = []) =>
        (await pool.query(sql, toPostgres(params))).rows as T[],
    };
  }

  static async open(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    client.release();
    const db = new PostgresDatabase(pool, url);
    await db.listen();
    return db;
  }

  /**
   * Listens for other processes' commits. While the listening connection is down the
   * marker changes on every call, so nothing cached is trusted until it is back.
   */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      if (!this.closed)
        setTimeout(() => void this.listen().catch(() => undefined), LISTEN_RETRY_MS).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.changes++);
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    this.listener = client;
    this.changes++;
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const tx: Executor = {
        query: async <R>(sql: string, params: readonly SqlParam[] = []) =>
          (await client.query(sql, toPostgres(params))).rows as R[],
      };
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        // Delivered to the listeners only if the transaction commits.
        await client.query(`NOTIFY ${CHANGES_CHANNEL}`);
        await client.query('COMMIT');
        this.changes++;
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
      } finally {
        client.release();
      }
    }
  }

  async changeMarker(): Promise<string> {
    return this.listener ? String(this.changes) : `unlistened:${++this.changes}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
