import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Executor, SqlParam } from './database';
import { asUnavailable, isTransient } from './transient-errors';
import { WalIndexWatch, type WalIndexRead } from './wal-index';

/**
 * How long one statement waits for another process's lock. better-sqlite3 is
 * synchronous, so this wait blocks the event loop: keep it short, and wait for a busy
 * write lock asynchronously instead (`WRITE_LOCK_WAIT_MS`), then answer 503.
 */
const BUSY_TIMEOUT_MS = 20;
const WRITE_LOCK_WAIT_MS = 2_000;
const WRITE_LOCK_POLL_MS = 25;

interface Compiled {
  statement: BetterSqlite3.Statement;
  /** For each named parameter `pN`, its index in the caller's params. */
  names: string[];
}

/**
 * SQLite through better-sqlite3. The driver is synchronous, so the only way two
 * requests could interleave inside a transaction is across an `await` in repository
 * code; a promise queue (`lock`) makes transactions exclusive and makes reads wait for
 * a transaction in flight, so nobody reads uncommitted rows.
 */
export class SqliteDatabase implements Database {
  readonly engine = 'sqlite' as const;
  readonly reader: Executor;
  private readonly cache = new Map<string, Compiled>();
  private lock: Promise<void> | null = null;
  /** Commits of this connection; `PRAGMA data_version` counts everyone else's. */
  private commits = 0;
  /** Prepared once: `db.pragma()` compiles its statement on every call. */
  private readonly dataVersion: BetterSqlite3.Statement;
  /** Everyone's commits from the WAL index, cheaper than data_version; null in memory. */
  private readonly walIndex: WalIndexWatch | null;
  /** The marker read in the current tick, or null (see changeMarkerSync). */
  private marker: string | null = null;
  /** The last marker made, and the counts it was made of. */
  private markerText = '';
  private markerVersion = -1;
  private markerCommits = -1;
  private readonly forgetMarker = () => (this.marker = null);

  private constructor(
    private readonly db: BetterSqlite3.Database,
    walIndex: WalIndexRead | undefined,
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    // A new database switched to WAL makes its WAL index on its first read: make it now.
    this.dataVersion.get();
    this.walIndex = db.memory ? null : WalIndexWatch.open(db.name, walIndex);
    this.reader = {
      query: async <T>(sql: string, params: readonly SqlParam[] = []) => {
        while (this.lock) await this.lock;
        try {
          return this.run<T>(sql, params);
        } catch (error) {
          throw asUnavailable(error);
        }
      },
    };
  }

  /**
   * Opens (creating it owner-only) the database `file` in WAL mode. `walIndex` is how
   * other processes' commits are noticed; @default 'mapped' where native/ is built, else
   * 'pread'.
   */
  static open(file: string, walIndex?: WalIndexRead): SqliteDatabase {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // Created owner-only: it holds secret hashes. SQLite gives its -wal and -shm files
      // the database file's mode.
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return new SqliteDatabase(db, walIndex);
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    const release = await this.begin();
    const tx: Executor = {
      query: async <R>(sql: string, p: readonly SqlParam[] = []) => this.run<R>(sql, p),
    };
    try {
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        this.commits++;
        this.marker = null;
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw asUnavailable(error);
      }
    } finally {
      this.lock = null;
      release();
    }
  }

  /**
   * Takes this connection's queue and the database's write lock. While another process
   * holds the write lock, polls without blocking the event loop (and without holding the
   * queue, so reads go on), then gives up with a retryable 503.
   */
  private async begin(): Promise<() => void> {
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (;;) {
      while (this.lock) await this.lock;
      let release!: () => void;
      this.lock = new Promise<void>((resolve) => (release = resolve));
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return release;
      } catch (error) {
        this.lock = null;
        release();
        if (!isTransient(error) || Date.now() >= deadline) throw asUnavailable(error);
      }
      await new Promise((resolve) => setTimeout(resolve, WRITE_LOCK_POLL_MS));
    }
  }

  /** WAL readers never wait, so health is whether a write could go through. */
  async ping(): Promise<void> {
    const release = await this.begin();
    try {
      this.db.exec('ROLLBACK');
    } finally {
      this.lock = null;
      release();
    }
  }

  async changeMarker(): Promise<string> {
    while (this.lock) await this.lock;
    return this.changeMarkerSync();
  }

  /**
   * Read on every call where the WAL index is mapped (reading it is reading memory).
   * Where a read costs a system call, at most once per tick (a request's token check and
   * its cache lookup share one read): everything that runs in this tick started after
   * the I/O that triggered it, so a commit another process finished before a request was
   * sent is already counted. This connection's own commits reset it at once.
   */
  changeMarkerSync(): string {
    if (this.walIndex?.how === 'mapped') return this.markerOf(this.walIndex.version());
    if (this.marker === null) {
      this.marker = this.markerOf(
        this.walIndex ? this.walIndex.version() : (this.dataVersion.get() as number),
      );
      process.nextTick(this.forgetMarker);
    }
    return this.marker;
  }

  /** How the change marker learns of other processes' commits (docs/registry.md). */
  get changeCheck(): string {
    if (!this.walIndex) return 'data_version';
    return this.walIndex.how === 'mapped' ? 'mapped WAL index' : 'pread of the WAL index';
  }

  /** The marker string, made again only when a count moved (no string per request). */
  private markerOf(version: number): string {
    if (version !== this.markerVersion || this.commits !== this.markerCommits) {
      this.markerVersion = version;
      this.markerCommits = this.commits;
      this.markerText = `${version}:${this.commits}`;
    }
    return this.markerText;
  }

  async close(): Promise<void> {
    while (this.lock) await this.lock;
    this.walIndex?.close();
    this.db.close();
  }

  private run<T>(sql: string, params: readonly SqlParam[]): T[] {
    const { statement, names } = this.compile(sql);
    const bound: Record<string, unknown> = {};
    for (const name of names) bound[name] = toSqlite(params[Number(name.slice(1)) - 1]);
    if (statement.reader) return statement.all(bound) as T[];
    statement.run(bound);
    return [];
  }

  private compile(sql: string): Compiled {
    let compiled = this.cache.get(sql);
    if (!compiled) {
      const names = new Set<string>();
      const text = sql.replace(/\s+FOR UPDATE\b/gi, '').replace(/\$(\d+)/g, (_, n: string) => {
        names.add(`p${n}`);
        return `@p${n}`;
      });
      compiled = { statement: this.db.prepare(text), names: [...names] };
      this.cache.set(sql, compiled);
    }
    return compiled;
  }
}

function toSqlite(value: SqlParam): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
