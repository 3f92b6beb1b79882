import type { Consumer, Scope } from '../domain/model';
import type { Executor } from './database';
import { placeholders, toConsumer } from './rows';

/**
 * Storage of recorded consumers of versions. Every method takes the executor it runs on, so
 * the service decides which calls share a transaction.
 */
export class ConsumerRepository {
  async upsertConsumer(tx: Executor, c: Consumer): Promise<void> {
    await tx.query(
      `INSERT INTO consumers (id, version_id, pulumi_project, stack, urn, channel, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (version_id, pulumi_project, stack, urn)
       DO UPDATE SET last_seen_at = excluded.last_seen_at, channel = excluded.channel`,
      [c.id, c.versionId, c.pulumiProject, c.stack, c.urn, c.channel, c.lastSeenAt],
    );
  }

  async listConsumers(ex: Executor, versionIds: readonly string[]): Promise<Consumer[]> {
    if (versionIds.length === 0) return [];
    const rows = await ex.query(
      `SELECT * FROM consumers WHERE version_id IN ${placeholders(versionIds.length)}
       ORDER BY pulumi_project, stack, urn`,
      versionIds,
    );
    return rows.map(toConsumer);
  }

  async consumersOfBucket(ex: Executor, bucketId: string): Promise<Consumer[]> {
    const rows = await ex.query(
      `SELECT c.* FROM consumers c JOIN versions v ON v.id = c.version_id WHERE v.bucket_id = $1
       ORDER BY c.pulumi_project, c.stack, c.urn`,
      [bucketId],
    );
    return rows.map(toConsumer);
  }

  /** Every `project/stack` that recorded a consumer of any version in the scope. */
  async consumerStacks(ex: Executor, scope: Scope): Promise<string[]> {
    const rows = await ex.query(
      `SELECT DISTINCT c.pulumi_project AS project, c.stack AS stack FROM consumers c
       JOIN versions v ON v.id = c.version_id JOIN buckets b ON b.id = v.bucket_id
       WHERE b.organization_id = $1 AND b.project_id = $2 ORDER BY project, stack`,
      [scope.organizationId, scope.projectId],
    );
    return rows.map((r) => `${String(r.project)}/${String(r.stack)}`);
  }
}
