import pg from 'pg';
import type { Database, Executor, SqlParam } from './database';

// COUNT(*) and BIGINT columns come back as strings by default; every number we store
// fits in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** PostgreSQL error codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** Booleans are stored as 0/1 in both engines (one schema); `undefined` means NULL. */
function toPostgres(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : (p ?? null)));
}

/** PostgreSQL through a `pg` pool; several registry processes may share one database. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly reader: Executor;

  private constructor(private readonly pool: pg.Pool) {
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
    return new PostgresDatabase(pool);
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
        await client.query('COMMIT');
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

  async close(): Promise<void> {
    await this.pool.end();
  }
}
