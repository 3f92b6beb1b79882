import type { Version } from '../domain/model';
import type { Executor } from './database';
import { orderBy, type Page, type SortKey } from './listing';
import { placeholders, toVersion } from './rows';

/** API field → SQL expression; only these reach SQL. */
const VERSION_ORDER: Record<string, string> = {
  name: 'COALESCE(name_seq, 0)',
  fingerprint: 'fingerprint',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

export const VERSION_SORT_FIELDS = Object.keys(VERSION_ORDER);

/**
 * Storage of versions. Every method takes the executor it runs on, so the service decides
 * which calls share a transaction; `lock*` methods must be given a transaction.
 */
export class VersionRepository {
  /** Inserts unless the fingerprint exists; returns whether a row was inserted. */
  async insertVersionIfAbsent(tx: Executor, v: Version): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO versions (id, bucket_id, fingerprint, template_type, author_id, complete, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $6)
       ON CONFLICT (bucket_id, fingerprint) DO NOTHING RETURNING id`,
      [v.id, v.bucketId, v.fingerprint, v.templateType, v.authorId, v.createdAt],
    );
    return rows.length > 0;
  }

  async findVersion(ex: Executor, bucketId: string, fingerprint: string): Promise<Version | null> {
    const rows = await ex.query(
      'SELECT * FROM versions WHERE bucket_id = $1 AND fingerprint = $2',
      [bucketId, fingerprint],
    );
    return rows.length ? toVersion(rows[0]) : null;
  }

  async lockVersion(tx: Executor, id: string): Promise<Version> {
    const rows = await tx.query('SELECT * FROM versions WHERE id = $1 FOR UPDATE', [id]);
    return toVersion(rows[0]);
  }

  async findVersionsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, Version>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM versions WHERE id IN ${placeholders(unique.length)}`,
      unique,
    );
    return new Map(rows.map((r) => [String(r.id), toVersion(r)]));
  }

  /** Newest first unless `sort` says otherwise. */
  async listVersions(
    ex: Executor,
    bucketId: string,
    page: Page,
    sort: readonly SortKey[] = [],
  ): Promise<Version[]> {
    const order = orderBy(sort, VERSION_ORDER, 'created_at DESC, id DESC');
    const rows = await ex.query(
      `SELECT * FROM versions WHERE bucket_id = $1 ${order} LIMIT $2 OFFSET $3`,
      [bucketId, page.limit, page.offset],
    );
    return rows.map(toVersion);
  }

  /** How many versions each bucket holds, by bucket id (absent: none). */
  async countVersionsOfBuckets(
    ex: Executor,
    bucketIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (bucketIds.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT bucket_id, COUNT(*) AS n FROM versions WHERE bucket_id IN ${placeholders(bucketIds.length)}
       GROUP BY bucket_id`,
      bucketIds,
    );
    return new Map(rows.map((r) => [String(r.bucket_id), Number(r.n)]));
  }

  /**
   * Per bucket id, the newest complete version not revoked at `nowIso`: what `latest`
   * points at (absent: none). One index lookup per bucket, however many versions it has.
   */
  async latestAssignableVersions(
    ex: Executor,
    bucketIds: readonly string[],
    nowIso: string,
  ): Promise<Map<string, Version>> {
    const unique = [...new Set(bucketIds)];
    if (unique.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT v.* FROM buckets b JOIN versions v ON v.id = (
         SELECT l.id FROM versions l WHERE l.bucket_id = b.id AND l.name_seq IS NOT NULL
         AND (l.revoke_at IS NULL OR l.revoke_at > $1) ORDER BY l.name_seq DESC LIMIT 1)
       WHERE b.id IN ${placeholders(unique.length, 2)}`,
      [nowIso, ...unique],
    );
    return new Map(rows.map((r) => [String(r.bucket_id), toVersion(r)]));
  }

  async updateVersion(tx: Executor, v: Version): Promise<void> {
    await tx.query(
      `UPDATE versions SET name_seq = $2, complete = $3, updated_at = $4, revoke_at = $5,
       revocation_message = $6, revocation_author = $7, revocation_type = $8,
       revocation_inherited_from = $9, revocation_rollback = $10, revocation_descendants = $11 WHERE id = $1`,
      [
        v.id,
        v.nameSeq,
        v.complete,
        v.updatedAt,
        v.revokeAt,
        v.revocationMessage,
        v.revocationAuthor,
        v.revocationType,
        v.revocationInheritedFrom,
        v.revocationRollback,
        v.revocationDescendants,
      ],
    );
  }

  async deleteVersion(tx: Executor, id: string): Promise<void> {
    await tx.query(
      'DELETE FROM artifacts WHERE build_id IN (SELECT id FROM builds WHERE version_id = $1)',
      [id],
    );
    await tx.query('DELETE FROM builds WHERE version_id = $1', [id]);
    await tx.query('DELETE FROM consumers WHERE version_id = $1', [id]);
    await tx.query('UPDATE channel_history SET version_id = NULL WHERE version_id = $1', [id]);
    await tx.query('DELETE FROM versions WHERE id = $1', [id]);
  }
}
