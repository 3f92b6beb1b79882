import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Executor, SqlParam } from './database';

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

  private constructor(private readonly db: BetterSqlite3.Database) {
    this.reader = {
      query: async <T>(sql: string, params: readonly SqlParam[] = []) => {
        while (this.lock) await this.lock;
        return this.run<T>(sql, params);
      },
    };
  }

  static open(file: string): SqliteDatabase {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Several processes may open the same file (e.g. `ingot principals create` next to a
    // running server): wait for the write lock instead of failing at once.
    db.pragma('busy_timeout = 5000');
    return new SqliteDatabase(db);
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    while (this.lock) await this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => (release = resolve));
    const tx: Executor = {
      query: async <R>(sql: string, p: readonly SqlParam[] = []) => this.run<R>(sql, p),
    };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        this.commits++;
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.lock = null;
      release();
    }
  }

  async changeMarker(): Promise<string> {
    while (this.lock) await this.lock;
    return `${this.db.pragma('data_version', { simple: true })}:${this.commits}`;
  }

  async close(): Promise<void> {
    while (this.lock) await this.lock;
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
