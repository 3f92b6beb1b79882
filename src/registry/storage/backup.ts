import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { engineOf } from './database';

/**
 * An online backup of a SQLite registry database: SQLite's backup API copies a
 * consistent snapshot page by page while the registry keeps serving (writes during the
 * copy restart it from the changed pages). The copy is written next to `to` and renamed
 * into place, mode 0600, so a failed backup leaves nothing half-written.
 * PostgreSQL databases are backed up with pg_dump (docs/registry.md, "Backups").
 */
export async function backupSqlite(databaseUrl: string, to: string): Promise<number> {
  if (engineOf(databaseUrl) === 'postgres')
    throw new Error(
      'ingot registry backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/registry.md, "Backups").',
    );
  if (!fs.existsSync(databaseUrl))
    throw new Error(`no SQLite database at ${databaseUrl}: check --database.`);
  const resolved = path.resolve(to);
  const partial = `${resolved}.partial`;
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  fs.rmSync(partial, { force: true });
  fs.closeSync(fs.openSync(partial, 'w', 0o600));
  const source = new BetterSqlite3(databaseUrl, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await source.backup(partial);
    fs.renameSync(partial, resolved);
    return totalPages;
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}
