import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { WalIndexWatch, type WalIndexRead } from '../../../src/registry/storage/wal-index';
import { SqliteDatabase } from '../../../src/registry/storage/sqlite';

/** What another connection (another registry process, an import, a CLI) may do. */
type Step =
  | { kind: 'insert' | 'update' | 'delete' | 'read' | 'rollback' | 'nothing'; by: 0 | 1 }
  | { kind: 'checkpoint'; mode: 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE'; by: 0 | 1 };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('insert', 'update', 'delete', 'read', 'rollback', 'nothing' as const),
    by: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.record({
    kind: fc.constant('checkpoint' as const),
    mode: fc.constantFrom('PASSIVE', 'FULL', 'RESTART', 'TRUNCATE' as const),
    by: fc.constantFrom(0 as const, 1 as const),
  }),
);

function run(db: BetterSqlite3.Database, s: Step): void {
  switch (s.kind) {
    case 'insert':
      db.prepare('INSERT INTO t (v) VALUES (?)').run(Math.random());
      return;
    case 'update':
      db.exec('UPDATE t SET v = v + 1');
      return;
    case 'delete':
      db.exec('DELETE FROM t WHERE id = (SELECT min(id) FROM t)');
      return;
    case 'read':
      db.prepare('SELECT count(*) FROM t').get();
      return;
    case 'rollback':
      db.exec('BEGIN IMMEDIATE; INSERT INTO t (v) VALUES (0); ROLLBACK');
      return;
    case 'checkpoint':
      db.pragma(`wal_checkpoint(${s.mode})`);
      return;
    case 'nothing':
      return;
  }
}

const sleepTick = () => new Promise((resolve) => setImmediate(resolve));

// One contract for both ways of reading the header: the shared mapping (native/, built by
// `npm install` and by the test command) and the pread fallback of machines without it.
for (const how of ['mapped', 'pread'] as const satisfies readonly WalIndexRead[]) {
  describe(`WAL-index watch, ${how} (SQLite walformat.html, checked against PRAGMA data_version)`, () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-wal-index-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("sees every commit that SQLite's own data_version sees, whatever the other connections do", () => {
      let round = 0;
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
          const file = path.join(dir, `db-${round++}.sqlite`);
          const watched = new BetterSqlite3(file);
          watched.pragma('journal_mode = WAL');
          watched.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v REAL)');
          const others = [new BetterSqlite3(file), new BetterSqlite3(file)];
          const watch = WalIndexWatch.open(file, how);
          try {
            assert.ok(watch, 'a database in WAL mode has a WAL index');
            assert.equal(watch.how, how);
            const dataVersion = watched.prepare('PRAGMA data_version').pluck();
            let data = dataVersion.get();
            let seen = watch.version();
            for (const s of steps) {
              run(others[s.by], s);
              const nowData = dataVersion.get();
              const nowSeen = watch.version();
              if (nowData !== data)
                assert.notEqual(nowSeen, seen, `a commit went unseen after ${JSON.stringify(s)}`);
              // Reads and rolled-back writes change nothing, so they must not empty caches.
              if (['read', 'rollback', 'nothing'].includes(s.kind))
                assert.equal(nowSeen, seen, `${s.kind} was taken for a change`);
              data = nowData;
              seen = nowSeen;
            }
          } finally {
            watch?.close();
            for (const db of [watched, ...others]) db.close();
          }
        }),
        { numRuns: 60 },
      );
    });

    it('answers null where there is no WAL index, and SqliteDatabase then asks data_version', async () => {
      assert.equal(WalIndexWatch.open(path.join(dir, 'missing.sqlite'), how), null);
      fs.writeFileSync(path.join(dir, 'short.sqlite-shm'), Buffer.alloc(20));
      assert.equal(WalIndexWatch.open(path.join(dir, 'short.sqlite'), how), null);
      const memory = SqliteDatabase.open(':memory:', how);
      try {
        assert.equal(memory.changeCheck, 'data_version');
        const before = memory.changeMarkerSync();
        await memory.transaction((tx) => tx.query('CREATE TABLE t (v INTEGER)'));
        assert.notEqual(memory.changeMarkerSync(), before);
      } finally {
        await memory.close();
      }
    });

    it("changes SqliteDatabase's marker on another process's commit", async () => {
      const file = path.join(dir, 'registry.sqlite');
      const db = SqliteDatabase.open(file, how);
      const other = new BetterSqlite3(file);
      try {
        assert.equal(
          db.changeCheck,
          how === 'mapped' ? 'mapped WAL index' : 'pread of the WAL index',
        );
        other.exec('CREATE TABLE t (v INTEGER)');
        await sleepTick();
        const before = db.changeMarkerSync();
        other.exec('INSERT INTO t VALUES (1)');
        if (how === 'mapped') {
          // Reading memory costs nothing: every call reads it, even within one tick.
          assert.notEqual(db.changeMarkerSync(), before, 'a mapped header is read on every call');
        } else {
          assert.equal(db.changeMarkerSync(), before, 'one pread per tick');
          await sleepTick();
        }
        const afterOther = db.changeMarkerSync();
        assert.notEqual(afterOther, before);
        assert.equal(db.changeMarkerSync(), afterOther, 'no commit, no change');
        // A real other process: its commit lands in the same WAL index, mapped by both.
        execFileSync(process.execPath, [
          '-e',
          `new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)}).exec('INSERT INTO t VALUES (2)')`,
        ]);
        await sleepTick();
        const afterProcess = db.changeMarkerSync();
        assert.notEqual(afterProcess, afterOther);
        // This connection's own commit changes it in the same tick, whichever the reader.
        await db.transaction((tx) => tx.query('INSERT INTO t VALUES (3)'));
        assert.notEqual(db.changeMarkerSync(), afterProcess);
      } finally {
        other.close();
        await db.close();
      }
    });

    it('refuses to be read once closed', () => {
      const file = path.join(dir, 'closed.sqlite');
      const db = new BetterSqlite3(file);
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (v INTEGER)');
      const watch = WalIndexWatch.open(file, how);
      try {
        assert.ok(watch);
        watch.close();
        assert.throws(() => watch.version(), /closed/);
      } finally {
        db.close();
      }
    });
  });
}

describe('SqliteDatabase on this machine', () => {
  it('falls back to the pread where the -shm file cannot be mapped, unless the mapping was asked for', () => {
    // A sysfs file: 4,096 bytes by stat, readable, and refused by mmap (ENODEV).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-wal-unmappable-'));
    try {
      const file = path.join(dir, 'db.sqlite');
      fs.symlinkSync('/sys/devices/system/cpu/online', `${file}-shm`);
      const watch = WalIndexWatch.open(file);
      assert.equal(watch?.how, 'pread');
      watch?.close();
      assert.throws(() => WalIndexWatch.open(file, 'mapped'), { code: 'EMMAP' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the WAL index by default: native/ is built by npm install (native/build.js)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-wal-default-'));
    const db = SqliteDatabase.open(path.join(dir, 'registry.sqlite'));
    try {
      assert.equal(db.changeCheck, 'mapped WAL index');
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
