import assert from 'node:assert/strict';
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {
  ENGINES,
  startTestRegistry,
  type ApiResponse,
  type TestRegistry,
} from '../helpers/registry-harness';

/**
 * Database faults as production meets them, on the real engines: PostgreSQL backends
 * terminated by the server (`pg_terminate_backend`, what a failover or an admin does) and
 * a PostgreSQL table lock; SQLite held by another process's writer.
 */
interface Faults {
  /** Interrupts the registry's database work once (returns when the fault is over). */
  disrupt(): Promise<void>;
  /** Makes the database stop answering the registry's reads until `end()`. */
  stall(): Promise<{ end: () => Promise<void> }>;
  close(): Promise<void>;
}

async function postgresFaults(registry: TestRegistry): Promise<Faults> {
  const database = new URL(registry.databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: registry.databaseUrl });
  await admin.connect();
  return {
    disrupt: async () => {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
    },
    stall: async () => {
      const holder = new pg.Client({ connectionString: registry.databaseUrl });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE');
      return {
        end: async () => {
          await holder.query('ROLLBACK');
          await holder.end();
        },
      };
    },
    close: () => admin.end(),
  };
}

function sqliteFaults(registry: TestRegistry): Faults {
  const open = () => new BetterSqlite3(registry.databaseUrl);
  return {
    // Another process holds the write lock for longer than the registry waits for it.
    disrupt: async () => {
      const writer = open();
      writer.exec('BEGIN IMMEDIATE');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      writer.exec('COMMIT');
      writer.close();
    },
    stall: async () => {
      const writer = open();
      writer.exec('BEGIN IMMEDIATE');
      return {
        end: async () => {
          writer.exec('ROLLBACK');
          writer.close();
        },
      };
    },
    close: async () => undefined,
  };
}

const WORKERS = 4;

for (const engine of ENGINES) {
  describe(`database faults [${engine}]`, function () {
    this.timeout(60_000);
    let registry: TestRegistry;
    let faults: Faults;

    before(async () => {
      registry = await startTestRegistry(engine);
      faults = engine === 'postgres' ? await postgresFaults(registry) : sqliteFaults(registry);
    });
    after(async () => {
      await faults?.close();
      await registry?.close();
    });

    it('keeps running through database faults under write load, losing no acknowledged write', async () => {
      const base = registry.packer();
      const acknowledged: string[] = [];
      const refused: ApiResponse[] = [];
      const unexpected: ApiResponse[] = [];
      let running = true;
      let next = 0;
      await registry.token();
      const worker = async () => {
        while (running) {
          const name = `load-${next++}`;
          const res = await registry
            .api('PUT', `${base}/buckets`, { name })
            .catch((error: Error) => ({ status: 0, body: error.message, headers: new Headers() }));
          if (res.status === 200) acknowledged.push(name);
          else if (res.status === 503) refused.push(res);
          else unexpected.push(res);
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, worker));
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await faults.disrupt();
      }
      running = false;
      await load;

      assert.deepEqual(
        unexpected.map((r) => [r.status, r.body]),
        [],
        'only 200 or 503 during the faults',
      );
      assert.ok(acknowledged.length > 0, 'some writes were acknowledged');
      for (const res of refused) {
        assert.equal(res.body.details[0].reason, 'DATABASE_UNAVAILABLE');
        assert.equal(res.body.details[0].metadata.retryable, 'true');
        assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      }

      // Reads work again once the fault is over (bounded by this test's timeout guard).
      const deadline = Date.now() + 10_000;
      let listed: ApiResponse | undefined;
      while (Date.now() < deadline) {
        listed = await registry.api('GET', `${base}/buckets?pagination.page_size=1`);
        if (listed.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(listed?.status, 200, 'reads succeed again within 10 s');
      for (const name of acknowledged)
        assert.equal((await registry.api('GET', `${base}/buckets/${name}`)).status, 200, name);
    });

    it('answers /healthz with 503 and Retry-After, in time, while the database does not answer', async () => {
      const stalled = await faults.stall();
      try {
        // The 2 s bound is the request's own deadline: a later answer aborts the test.
        const res = await fetch(`${registry.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        assert.equal(res.status, 503);
        assert.equal(((await res.json()) as { status: string }).status, 'database unreachable');
        assert.equal(res.headers.get('retry-after'), '1');
      } finally {
        await stalled.end();
      }
      assert.equal((await registry.api('GET', '/healthz', undefined, null)).status, 200);
    });

    if (engine === 'sqlite')
      it('creates the database file readable by its owner only', () => {
        assert.equal(fs.statSync(registry.databaseUrl).mode & 0o777, 0o600);
      });
  });
}
