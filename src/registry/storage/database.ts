/**
 * The storage contract both engines implement. SQL is written once, with PostgreSQL's
 * `$1` placeholders; the SQLite engine rewrites them. Every repository method takes the
 * executor to run on explicitly, so a caller decides what shares a transaction.
 */
export type Row = Record<string, unknown>;
export type SqlParam = string | number | boolean | null | undefined;

export interface Executor {
  query<T = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  readonly engine: Engine;
  /** Autocommit executor for single reads. */
  readonly reader: Executor;
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back when it throws.
   * Row locks are taken with `SELECT ... FOR UPDATE` (a no-op on SQLite, whose
   * transactions already hold the database's write lock).
   */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * A value that changes whenever any process may have committed a change; read it
   * before reading data that is cached, and compare it before using the cache.
   */
  changeMarker(): Promise<string>;
  /**
   * The change marker, read synchronously (for hot-path caches that must not yield to
   * the event loop). Reading it while this process has a transaction in flight is fine:
   * that transaction's commit changes the marker in the same tick as it commits.
   */
  changeMarkerSync(): string;
  /** How the change marker learns of other processes' commits (logged at start-up). */
  readonly changeCheck: string;
  /**
   * Fails (or hangs, for the caller to time out) unless the database can serve the
   * registry: PostgreSQL answers a read of a table; SQLite's write lock can be taken.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a database URL points: a `postgres://` URL, else a SQLite file path. */
export function engineOf(url: string): Engine {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** Hides the password of a database URL, for logs and error messages. */
export function maskDatabaseUrl(url: string): string {
  if (engineOf(url) === 'sqlite') return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export async function openDatabase(url: string): Promise<Database> {
  if (engineOf(url) === 'postgres') {
    const { PostgresDatabase } = await import('./postgres');
    return PostgresDatabase.open(url);
  }
  const { SqliteDatabase } = await import('./sqlite');
  return SqliteDatabase.open(url);
}
