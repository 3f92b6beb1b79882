import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database, type Engine } from '../../../src/registry/storage/database';
import { MIGRATIONS, migrate, type Migration } from '../../../src/registry/storage/migrations';
import { createPostgresDatabase, ENGINES } from '../../helpers/registry-harness';

/** A fresh, empty database of `engine`, and how to get rid of it. */
async function freshDatabase(engine: Engine): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'postgres') return createPostgresDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-migrations-'));
  return {
    url: path.join(dir, 'registry.db'),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function recorded(db: Database): Promise<{ version: number; name: string }[]> {
  const rows = await db.reader.query<{ version: number | string; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  return rows.map((r) => ({ version: Number(r.version), name: r.name }));
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const sql =
    db.engine === 'postgres'
      ? 'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1'
      : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1";
  return (await db.reader.query(sql, [table])).length > 0;
}

const ALL = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));

/** Runs `work` with `extra` appended to the migration list, as a later release would. */
async function withMigration<T>(extra: Migration, work: () => Promise<T>): Promise<T> {
  MIGRATIONS.push(extra);
  try {
    return await work();
  } finally {
    MIGRATIONS.splice(MIGRATIONS.indexOf(extra), 1);
  }
}

describe('migration list', () => {
  it('is numbered 1, 2, 3... in order, each with a name and statements', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    for (const m of MIGRATIONS) {
      assert.ok(m.name.trim(), `migration ${m.version} has a name`);
      assert.ok(m.statements.length > 0, `migration ${m.version} has statements`);
    }
  });
});

for (const engine of ENGINES) {
  describe(`migrations [${engine}]`, function () {
    this.timeout(60_000);
    let url: string;
    let drop: () => Promise<void>;
    let db: Database;

    beforeEach(async () => {
      ({ url, drop } = await freshDatabase(engine));
      db = await openDatabase(url);
    });
    afterEach(async () => {
      await db?.close();
      await drop?.();
    });

    it('applies every migration once; a second run applies nothing', async () => {
      assert.deepEqual(
        await migrate(db),
        MIGRATIONS.map((m) => m.version),
      );
      assert.deepEqual(await recorded(db), ALL);
      for (const table of [
        'buckets',
        'versions',
        'builds',
        'artifacts',
        'channels',
        'channel_history',
        'consumers',
        'audit_events',
        'principals',
        'principal_roles',
        'access_tokens',
      ]) {
        assert.ok(await tableExists(db, table), `${table} exists`);
      }

      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await recorded(db), ALL, 'schema_migrations lists each migration once');
    });

    it('a reopened database is not migrated again', async () => {
      await migrate(db);
      const [{ applied_at: before }] = await db.reader.query<{ applied_at: string }>(
        'SELECT applied_at FROM schema_migrations WHERE version = 1',
      );
      await db.close();
      db = await openDatabase(url);
      assert.deepEqual(await migrate(db), []);
      const [{ applied_at: after }] = await db.reader.query<{ applied_at: string }>(
        'SELECT applied_at FROM schema_migrations WHERE version = 1',
      );
      assert.equal(after, before);
    });

    it('applies only migrations appended since the last run', async () => {
      await migrate(db);
      const next = MIGRATIONS.length + 1;
      const extra: Migration = {
        version: next,
        name: 'test: an appended migration',
        statements: ['CREATE TABLE zz_appended (id TEXT PRIMARY KEY)'],
      };
      await withMigration(extra, async () => {
        assert.deepEqual(await migrate(db), [next]);
        assert.deepEqual(await migrate(db), []);
        assert.deepEqual(await recorded(db), [...ALL, { version: next, name: extra.name }]);
      });
      assert.ok(await tableExists(db, 'zz_appended'));
    });

    it('a failing migration leaves nothing behind and is retried on the next run', async () => {
      await migrate(db);
      const next = MIGRATIONS.length + 1;
      const broken: Migration = {
        version: next,
        name: 'test: half-broken',
        statements: ['CREATE TABLE zz_half (id TEXT PRIMARY KEY)', 'THIS IS NOT SQL'],
      };
      await withMigration(broken, async () => {
        await assert.rejects(migrate(db));
      });
      assert.equal(await tableExists(db, 'zz_half'), false, 'the first statement rolled back');
      assert.deepEqual(await recorded(db), ALL);

      const fixed: Migration = { ...broken, statements: [broken.statements[0]] };
      await withMigration(fixed, async () => {
        assert.deepEqual(await migrate(db), [next]);
      });
      assert.ok(await tableExists(db, 'zz_half'));
    });

    if (engine === 'postgres') {
      it('two processes migrating one fresh database at once both succeed', async () => {
        // Two pools stand for two registry processes starting together.
        const other = await openDatabase(url);
        try {
          const [a, b] = await Promise.all([migrate(db), migrate(other)]);
          assert.deepEqual(
            [...a, ...b].sort((x, y) => x - y),
            MIGRATIONS.map((m) => m.version),
            'each migration is applied by exactly one of them',
          );
          assert.deepEqual(await recorded(db), ALL);
          assert.deepEqual(await recorded(other), ALL);
        } finally {
          await other.close();
        }
      });

      it('many concurrent migrate() calls, on one pool and on several, all succeed', async () => {
        const others = await Promise.all([openDatabase(url), openDatabase(url)]);
        try {
          const results = await Promise.all([
            migrate(db),
            migrate(db),
            ...others.flatMap((o) => [migrate(o), migrate(o)]),
          ]);
          assert.deepEqual(
            results.flat().sort((x, y) => x - y),
            MIGRATIONS.map((m) => m.version),
          );
          assert.deepEqual(await recorded(db), ALL);
        } finally {
          await Promise.all(others.map((o) => o.close()));
        }
      });
    }
  });
}
