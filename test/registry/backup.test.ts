import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from '../../src/registry/serve';
import { backupSqlite } from '../../src/registry/storage/backup';
import { startTestRegistry, TestRegistry, type Credentials } from '../helpers/registry-harness';

/**
 * `ingot registry backup` on SQLite (PostgreSQL is backed up with pg_dump, see
 * docs/registry.md): a copy taken under write load opens as a registry that serves and
 * takes new versions.
 */
describe('registry backup [sqlite]', function () {
  this.timeout(60_000);

  it('copies a database under write load into a working registry', async () => {
    const source = await startTestRegistry('sqlite');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-backup-'));
    const copy = path.join(dir, 'copy.db');
    let restored: TestRegistry | null = null;
    try {
      const base = source.packer();
      await source.publish('before-backup', 'fp-1');
      let running = true;
      let n = 0;
      const load = (async () => {
        while (running) await source.ok('PUT', `${base}/buckets`, { name: `load-${n++}` });
      })();
      await backupSqlite(source.databaseUrl, copy);
      running = false;
      await load;
      assert.equal(fs.statSync(copy).mode & 0o777, 0o600);

      const started = await startRegistry(
        {
          host: '127.0.0.1',
          port: 0,
          databaseUrl: copy,
          credentialsFile: path.join(dir, 'admin.json'),
          logLevel: 'silent',
        },
        { clock: source.clock, logger: false },
      );
      const admin: Credentials = source.admin;
      restored = new TestRegistry('sqlite', started, source.clock, admin, copy, async () => {
        fs.rmSync(dir, { recursive: true, force: true });
      });
      const version = await restored.ok('GET', `${base}/buckets/before-backup/versions/fp-1`);
      assert.equal(version.version.status, 'VERSION_ACTIVE');
      await restored.publish('before-backup', 'fp-2');
      const latest = await restored.ok('GET', `${base}/buckets/before-backup/channels/latest`);
      assert.equal(latest.channel.version.fingerprint, 'fp-2');
      await restored.ok('PATCH', `${base}/buckets/before-backup/versions/fp-2`, {
        revoke_in: '0s',
      });
      const rolledBack = await restored.ok('GET', `${base}/buckets/before-backup/channels/latest`);
      assert.equal(rolledBack.channel.version.fingerprint, 'fp-1');
    } finally {
      await restored?.close();
      await source.close();
    }
  });

  it('refuses a PostgreSQL URL, pointing at pg_dump', async () => {
    await assert.rejects(
      backupSqlite('postgres://127.0.0.1/test', '/tmp/x.db'),
      /back up PostgreSQL with pg_dump/,
    );
  });
});
