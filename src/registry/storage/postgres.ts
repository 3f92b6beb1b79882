import os from 'node:os';
import pg from 'pg';
import type { Database, Executor, SqlParam } from './database';
import { asUnavailable, isTransient } from './transient-errors';

// COUNT(*) and BIGINT columns come back as strings by default; every number we store
// fits in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** PostgreSQL error codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;
const STATEMENT_TIMEOUT = '57014';
/** Committed writes are announced on this channel to every registry process. */
const CHANGES_CHANNEL = 'ingot_changes';
const LISTEN_RETRY_MS = 1000;
/**
 * Deadlines, so a database that stops answering fails requests (503) instead of holding
 * them: connecting, a statement on the server, a query as seen by the client (covers a
 * dead network), and a transaction left idle.
 */
export const POSTGRES_TIMEOUTS = {
  connectionTimeoutMillis: 5_000,
  statement_timeout: 15_000,
  query_timeout: 20_000,
  idle_in_transaction_session_timeout: 30_000,
  lock_timeout: 10_000,
} as const;
/** Pauses between attempts of a transaction that lost its connection before committing. */
const RECONNECT_DELAYS_MS = [50, 250, 1000];

/**
 * Connections of the pool, sized to the machine: PostgreSQL's rule of thumb is about
 * twice the cores (https://wiki.postgresql.org/wiki/Number_Of_Database_Connections);
 * more only queue inside the server. At least 4, so a small machine still overlaps a
 * transaction with reads.
 */
export function postgresPoolSize(cores = os.availableParallelism()): number {
  return Math.max(4, 2 * cores);
}

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
      query: async <T>(sql: string, params: readonly SqlParam[] = []) => {
        try {
          return (await pool.query(sql, toPostgres(params))).rows as T[];
        } catch (error) {
          throw asUnavailable(error);
        }
      },
    };
  }

  static async open(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: url,
      max: postgresPoolSize(),
      keepAlive: true,
      ...POSTGRES_TIMEOUTS,
    });
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => undefined);
    // Nor a client between checkout and its first query: when the server ends a fresh
    // connection, the error can arrive in the same read as "ready", before the caller
    // holding the pool's promise could attach a listener. Failing queries still report it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end();
      throw error;
    }
    const db = new PostgresDatabase(pool, url);
    await db.listen();
    return db;
  }

  /**
   * Listens for other processes' commits. While the listening connection is down the
   * marker changes on every call, so nothing cached is trusted until it is back.
   */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectionTimeoutMillis,
    });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      this.relisten();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.changes++);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
    this.changes++;
  }

  /** Tries to listen again after a pause, until it works or the database is closed. */
  private relisten(): void {
    if (this.closed) return;
    setTimeout(() => {
      if (!this.closed && !this.listener) this.listen().catch(() => this.relisten());
    }, LISTEN_RETRY_MS).unref();
  }

  /**
   * Runs `work` in a transaction on a pool client. Serialization failures and deadlocks
   * are retried; so is a connection lost before COMMIT was sent (nothing was committed).
   * A connection lost during COMMIT leaves the outcome unknown: the request fails (503)
   * and the caller decides. A broken client is destroyed, not returned to the pool.
   */
  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    let reconnects = 0;
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        if (isTransient(error) && reconnects < RECONNECT_DELAYS_MS.length) {
          await sleep(RECONNECT_DELAYS_MS[reconnects++]);
          continue;
        }
        throw asUnavailable(error);
      }
      // A checked-out client has no listener of the pool's: without one, the server
      // ending the connection (pg_terminate_backend, restart) is an unhandled 'error'
      // event that exits the process. The failing query reports the error itself.
      let broken: Error | undefined;
      const onError = (error: Error) => (broken = error);
      client.on('error', onError);
      const tx: Executor = {
        query: async <R>(sql: string, params: readonly SqlParam[] = []) =>
          (await client.query(sql, toPostgres(params))).rows as R[],
      };
      let committing = false;
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        // Delivered to the listeners only if the transaction commits.
        await client.query(`NOTIFY ${CHANGES_CHANNEL}`);
        committing = true;
        await client.query('COMMIT');
        this.changes++;
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // A statement timeout leaves the connection usable; other transient errors do not.
        if (isTransient(error) && code !== STATEMENT_TIMEOUT) broken ??= error as Error;
        if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        if (broken && !committing && reconnects < RECONNECT_DELAYS_MS.length) {
          await sleep(RECONNECT_DELAYS_MS[reconnects++]);
          continue;
        }
        throw asUnavailable(error);
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    }
  }

  async ping(): Promise<void> {
    // A real table: the read waits on table locks as requests would.
    await this.reader.query('SELECT version FROM schema_migrations LIMIT 1');
  }

  async changeMarker(): Promise<string> {
    return this.changeMarkerSync();
  }

  readonly changeCheck = 'LISTEN/NOTIFY';

  changeMarkerSync(): string {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
