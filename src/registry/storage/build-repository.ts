import type { Artifact, Build } from '../domain/model';
import type { Executor } from './database';
import { placeholders, toArtifact, toBuild } from './rows';

/** A build whose parent version is in `parentBucketId`, built into `childBucketId`. */
export interface ChildLink {
  build: Build;
  childBucketId: string;
  parentBucketId: string;
}

/**
 * Storage of builds, their artifacts and the parent links between versions. Every method
 * takes the executor it runs on, so the service decides which calls share a transaction.
 */
export class BuildRepository {
  async insertBuild(tx: Executor, b: Build): Promise<void> {
    await tx.query(
      `INSERT INTO builds (id, version_id, platform, component_type, packer_run_uuid, source_external_identifier,
         parent_version_id, parent_channel_id, status, labels, metadata, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
      [
        b.id,
        b.versionId,
        b.platform,
        b.componentType,
        b.packerRunUuid,
        b.sourceExternalIdentifier,
        b.parentVersionId,
        b.parentChannelId,
        b.status,
        JSON.stringify(b.labels),
        JSON.stringify(b.metadata),
        b.createdAt,
      ],
    );
    await this.insertArtifacts(tx, b.artifacts);
  }

  async updateBuild(tx: Executor, b: Build): Promise<void> {
    await tx.query(
      `UPDATE builds SET platform = $2, component_type = $3, packer_run_uuid = $4, source_external_identifier = $5,
         parent_version_id = $6, parent_channel_id = $7, status = $8, labels = $9, metadata = $10, updated_at = $11
       WHERE id = $1`,
      [
        b.id,
        b.platform,
        b.componentType,
        b.packerRunUuid,
        b.sourceExternalIdentifier,
        b.parentVersionId,
        b.parentChannelId,
        b.status,
        JSON.stringify(b.labels),
        JSON.stringify(b.metadata),
        b.updatedAt,
      ],
    );
  }

  async replaceArtifacts(tx: Executor, buildId: string, artifacts: Artifact[]): Promise<void> {
    await tx.query('DELETE FROM artifacts WHERE build_id = $1', [buildId]);
    await this.insertArtifacts(tx, artifacts);
  }

  private async insertArtifacts(tx: Executor, artifacts: Artifact[]): Promise<void> {
    for (const a of artifacts) {
      await tx.query(
        'INSERT INTO artifacts (id, build_id, external_identifier, region, created_at) VALUES ($1, $2, $3, $4, $5)',
        [a.id, a.buildId, a.externalIdentifier, a.region, a.createdAt],
      );
    }
  }

  /** Builds (with artifacts) of the given versions, in creation order. */
  async buildsOf(ex: Executor, versionIds: readonly string[]): Promise<Map<string, Build[]>> {
    const result = new Map<string, Build[]>(versionIds.map((id) => [id, []]));
    if (versionIds.length === 0) return result;
    const list = placeholders(versionIds.length);
    const builds = await ex.query(
      `SELECT * FROM builds WHERE version_id IN ${list} ORDER BY created_at, id`,
      versionIds,
    );
    if (builds.length === 0) return result;
    const artifacts = await ex.query(
      `SELECT a.* FROM artifacts a JOIN builds b ON b.id = a.build_id
       WHERE b.version_id IN ${list} ORDER BY a.created_at, a.id`,
      versionIds,
    );
    const byBuild = new Map<string, Artifact[]>();
    for (const row of artifacts) {
      const artifact = toArtifact(row);
      const list = byBuild.get(artifact.buildId) ?? [];
      list.push(artifact);
      byBuild.set(artifact.buildId, list);
    }
    for (const row of builds) {
      const build = toBuild(row, byBuild.get(String(row.id)) ?? []);
      result.get(build.versionId)?.push(build);
    }
    return result;
  }

  async deleteBuild(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM artifacts WHERE build_id = $1', [id]);
    await tx.query('DELETE FROM builds WHERE id = $1', [id]);
  }

  /** Builds whose artifacts carry `externalIdentifier`, with their version ids. */
  async buildIdsByExternalIdentifier(ex: Executor, externalIdentifier: string): Promise<string[]> {
    const rows = await ex.query(
      'SELECT DISTINCT build_id FROM artifacts WHERE external_identifier = $1',
      [externalIdentifier],
    );
    return rows.map((r) => String(r.build_id));
  }

  async findBuildsByIds(ex: Executor, ids: readonly string[]): Promise<Build[]> {
    if (ids.length === 0) return [];
    const rows = await ex.query(
      `SELECT * FROM builds WHERE id IN ${placeholders(ids.length)}`,
      ids,
    );
    const versions = [...new Set(rows.map((r) => String(r.version_id)))];
    const all = await this.buildsOf(ex, versions);
    const wanted = new Set(ids);
    return [...all.values()].flat().filter((b) => wanted.has(b.id));
  }

  /** Builds of a bucket's versions that name a parent version (for ancestry). */
  async parentLinksOfBucket(ex: Executor, bucketId: string): Promise<Build[]> {
    const rows = await ex.query(
      `SELECT b.* FROM builds b JOIN versions v ON v.id = b.version_id
       WHERE v.bucket_id = $1 AND b.parent_version_id IS NOT NULL ORDER BY b.created_at, b.id`,
      [bucketId],
    );
    return rows.map((r) => toBuild(r));
  }

  /** Builds elsewhere whose parent version belongs to this bucket, with the child's bucket id. */
  async childLinksOfBucket(ex: Executor, bucketId: string): Promise<ChildLink[]> {
    return this.childLinksOfBuckets(ex, [bucketId]);
  }

  /** `childLinksOfBucket` for several buckets at once, in one creation order. */
  async childLinksOfBuckets(ex: Executor, bucketIds: readonly string[]): Promise<ChildLink[]> {
    if (bucketIds.length === 0) return [];
    const rows = await ex.query(
      `SELECT b.*, v.bucket_id AS child_bucket_id, p.bucket_id AS parent_bucket_id FROM builds b
       JOIN versions p ON p.id = b.parent_version_id
       JOIN versions v ON v.id = b.version_id
       WHERE p.bucket_id IN ${placeholders(bucketIds.length)} ORDER BY b.created_at, b.id`,
      bucketIds,
    );
    return rows.map((r) => ({
      build: toBuild(r),
      childBucketId: String(r.child_bucket_id),
      parentBucketId: String(r.parent_bucket_id),
    }));
  }

  /** Ids of versions with a build that names one of `parentIds` as its parent. */
  async childVersionIds(ex: Executor, parentIds: readonly string[]): Promise<string[]> {
    if (parentIds.length === 0) return [];
    const rows = await ex.query(
      `SELECT DISTINCT version_id FROM builds WHERE parent_version_id IN ${placeholders(parentIds.length)}`,
      parentIds,
    );
    return rows.map((r) => String(r.version_id));
  }

  /** Which of `ids` are the parent of at least one build. */
  async versionsWithChildren(ex: Executor, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await ex.query(
      `SELECT DISTINCT parent_version_id FROM builds WHERE parent_version_id IN ${placeholders(ids.length)}`,
      ids,
    );
    return new Set(rows.map((r) => String(r.parent_version_id)));
  }
}
