import type { Bucket, Scope } from '../domain/model';
import type { Executor } from './database';
import { orderBy, type Page, type SortKey } from './listing';
import { placeholders, toBucket } from './rows';

/** API field → SQL expression; only these reach SQL. */
const BUCKET_ORDER: Record<string, string> = {
  name: 'name',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

export const BUCKET_SORT_FIELDS = Object.keys(BUCKET_ORDER);

/**
 * Storage of buckets; deleting one deletes everything in it. Every method takes the
 * executor it runs on, so the service decides which calls share a transaction; `lock*`
 * methods must be given a transaction.
 */
export class BucketRepository {
  /** Inserts unless the name is taken in the project; returns whether a row was inserted. */
  async insertBucketIfAbsent(tx: Executor, b: Bucket): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO buckets (id, organization_id, project_id, name, description, labels, version_seq, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)
       ON CONFLICT (organization_id, project_id, name) DO NOTHING RETURNING id`,
      [
        b.id,
        b.organizationId,
        b.projectId,
        b.name,
        b.description,
        JSON.stringify(b.labels),
        b.createdAt,
      ],
    );
    return rows.length > 0;
  }

  async findBucket(ex: Executor, scope: Scope, name: string): Promise<Bucket | null> {
    const rows = await ex.query(
      'SELECT * FROM buckets WHERE organization_id = $1 AND project_id = $2 AND name = $3',
      [scope.organizationId, scope.projectId, name],
    );
    return rows.length ? toBucket(rows[0]) : null;
  }

  async findBucketById(ex: Executor, id: string): Promise<Bucket | null> {
    const rows = await ex.query('SELECT * FROM buckets WHERE id = $1', [id]);
    return rows.length ? toBucket(rows[0]) : null;
  }

  async findBucketsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, Bucket>> {
    if (ids.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM buckets WHERE id IN ${placeholders(ids.length)}`,
      ids,
    );
    return new Map(rows.map((r) => [String(r.id), toBucket(r)]));
  }

  async lockBucket(tx: Executor, id: string): Promise<Bucket> {
    const rows = await tx.query('SELECT * FROM buckets WHERE id = $1 FOR UPDATE', [id]);
    return toBucket(rows[0]);
  }

  /** By name unless `sort` says otherwise. */
  async listBuckets(
    ex: Executor,
    scope: Scope,
    page: Page,
    sort: readonly SortKey[] = [],
  ): Promise<Bucket[]> {
    const rows = await ex.query(
      `SELECT * FROM buckets WHERE organization_id = $1 AND project_id = $2
       ${orderBy(sort, BUCKET_ORDER, 'name')} LIMIT $3 OFFSET $4`,
      [scope.organizationId, scope.projectId, page.limit, page.offset],
    );
    return rows.map(toBucket);
  }

  /** How many buckets each organization/project holds (those holding any). */
  async bucketCountsByScope(
    ex: Executor,
  ): Promise<{ organizationId: string; projectId: string; buckets: number }[]> {
    const rows = await ex.query(
      `SELECT organization_id, project_id, COUNT(*) AS n FROM buckets
       GROUP BY organization_id, project_id ORDER BY organization_id, project_id`,
    );
    return rows.map((r) => ({
      organizationId: String(r.organization_id),
      projectId: String(r.project_id),
      buckets: Number(r.n),
    }));
  }

  async updateBucket(tx: Executor, b: Bucket): Promise<void> {
    await tx.query(
      'UPDATE buckets SET description = $2, labels = $3, version_seq = $4, updated_at = $5 WHERE id = $1',
      [b.id, b.description, JSON.stringify(b.labels), b.versionSeq, b.updatedAt],
    );
  }

  async deleteBucket(tx: Executor, id: string): Promise<void> {
    // Children first: SQLite enforces the foreign keys row by row as PostgreSQL does,
    // but deleting in order keeps the cascade cheap and explicit.
    await tx.query(
      'DELETE FROM channel_history WHERE channel_id IN (SELECT id FROM channels WHERE bucket_id = $1)',
      [id],
    );
    await tx.query('DELETE FROM channels WHERE bucket_id = $1', [id]);
    await tx.query(
      `DELETE FROM artifacts WHERE build_id IN
       (SELECT b.id FROM builds b JOIN versions v ON v.id = b.version_id WHERE v.bucket_id = $1)`,
      [id],
    );
    await tx.query(
      'DELETE FROM builds WHERE version_id IN (SELECT id FROM versions WHERE bucket_id = $1)',
      [id],
    );
    await tx.query(
      'DELETE FROM consumers WHERE version_id IN (SELECT id FROM versions WHERE bucket_id = $1)',
      [id],
    );
    await tx.query('DELETE FROM versions WHERE bucket_id = $1', [id]);
    await tx.query('DELETE FROM buckets WHERE id = $1', [id]);
  }
}
