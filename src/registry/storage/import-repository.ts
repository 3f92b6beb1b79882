import type { Executor } from './database';
import { placeholders } from './rows';

/** Tables whose ids an import may keep. */
export type IdTable = 'buckets' | 'versions' | 'builds' | 'artifacts' | 'channels';

/**
 * The few writes an import needs beyond the registry's own: it restores records as they
 * were elsewhere (ids, times, whole histories), which no API operation does.
 */
export class ImportRepository {
  /** Which of `ids` are already used in `table`. */
  async takenIds(ex: Executor, table: IdTable, ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const rows = await ex.query(
      `SELECT id FROM ${table} WHERE id IN ${placeholders(unique.length)}`,
      unique,
    );
    return new Set(rows.map((r) => String(r.id)));
  }

  /** The version of a bucket named `v<seq>`, if any. */
  async versionByNameSeq(
    ex: Executor,
    bucketId: string,
    seq: number,
  ): Promise<{ fingerprint: string } | null> {
    const rows = await ex.query(
      'SELECT fingerprint FROM versions WHERE bucket_id = $1 AND name_seq = $2',
      [bucketId, seq],
    );
    return rows.length ? { fingerprint: String(rows[0].fingerprint) } : null;
  }

  async deleteBuildsOf(tx: Executor, versionId: string): Promise<void> {
    await tx.query(
      'DELETE FROM artifacts WHERE build_id IN (SELECT id FROM builds WHERE version_id = $1)',
      [versionId],
    );
    await tx.query('DELETE FROM builds WHERE version_id = $1', [versionId]);
  }

  /** Sets times the registry otherwise sets itself (an imported record keeps its own). */
  async setTimes(
    tx: Executor,
    table: 'buckets' | 'channels' | 'builds',
    id: string,
    createdAt: string,
    updatedAt: string,
  ): Promise<void> {
    await tx.query(`UPDATE ${table} SET created_at = $2, updated_at = $3 WHERE id = $1`, [
      id,
      createdAt,
      updatedAt,
    ]);
  }
}
