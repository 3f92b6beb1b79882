import type {
  Artifact,
  Assignment,
  AuditEvent,
  Bucket,
  Build,
  Channel,
  Consumer,
  Scope,
  Version,
} from '../domain/model';
import type { Executor } from './database';
import { orderBy, type Page, type SortKey } from './listing';
import {
  placeholders,
  toArtifact,
  toAssignment,
  toAuditEvent,
  toBucket,
  toBuild,
  toChannel,
  toConsumer,
  toVersion,
} from './rows';

/** A build whose parent version is in `parentBucketId`, built into `childBucketId`. */
export interface ChildLink {
  build: Build;
  childBucketId: string;
  parentBucketId: string;
}

/** API field → SQL expression, per sortable table; only these reach SQL. */
const BUCKET_ORDER: Record<string, string> = {
  name: 'name',
  created_at: 'created_at',
  updated_at: 'updated_at',
};
const VERSION_ORDER: Record<string, string> = {
  name: 'COALESCE(name_seq, 0)',
  fingerprint: 'fingerprint',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

export const BUCKET_SORT_FIELDS = Object.keys(BUCKET_ORDER);
export const VERSION_SORT_FIELDS = Object.keys(VERSION_ORDER);

/**
 * Storage of the registry model. Every method takes the executor it runs on, so the
 * service decides which calls share a transaction; `lock*` methods must be given a
 * transaction.
 */
export class RegistryRepository {
  // Buckets

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

  // Versions

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

  // Builds and artifacts

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

  // Channels

  async insertChannel(tx: Executor, c: Channel): Promise<void> {
    await tx.query(
      `INSERT INTO channels (id, bucket_id, name, restricted, managed, version_id, author_id, history_seq, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        c.id,
        c.bucketId,
        c.name,
        c.restricted,
        c.managed,
        c.versionId,
        c.authorId,
        c.historySeq,
        c.createdAt,
        c.updatedAt,
      ],
    );
  }

  async findChannel(ex: Executor, bucketId: string, name: string): Promise<Channel | null> {
    const rows = await ex.query('SELECT * FROM channels WHERE bucket_id = $1 AND name = $2', [
      bucketId,
      name,
    ]);
    return rows.length ? toChannel(rows[0]) : null;
  }

  /** The channel called `name` in each of the buckets, by bucket id (absent: none). */
  async findChannelOfBuckets(
    ex: Executor,
    bucketIds: readonly string[],
    name: string,
  ): Promise<Map<string, Channel>> {
    if (bucketIds.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM channels WHERE name = $1 AND bucket_id IN ${placeholders(bucketIds.length, 2)}`,
      [name, ...bucketIds],
    );
    return new Map(rows.map((r) => [String(r.bucket_id), toChannel(r)]));
  }

  async findChannelsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, Channel>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM channels WHERE id IN ${placeholders(unique.length)}`,
      unique,
    );
    return new Map(rows.map((r) => [String(r.id), toChannel(r)]));
  }

  async lockChannel(tx: Executor, id: string): Promise<Channel> {
    const rows = await tx.query('SELECT * FROM channels WHERE id = $1 FOR UPDATE', [id]);
    return toChannel(rows[0]);
  }

  async listChannels(ex: Executor, bucketId: string): Promise<Channel[]> {
    const rows = await ex.query('SELECT * FROM channels WHERE bucket_id = $1 ORDER BY name', [
      bucketId,
    ]);
    return rows.map(toChannel);
  }

  /** Non-managed channels currently pointing at one of `versionIds`. */
  async channelsPointingAt(ex: Executor, versionIds: readonly string[]): Promise<Channel[]> {
    if (versionIds.length === 0) return [];
    const rows = await ex.query(
      `SELECT * FROM channels WHERE managed = 0 AND version_id IN ${placeholders(versionIds.length)} ORDER BY id`,
      versionIds,
    );
    return rows.map(toChannel);
  }

  /** Non-managed channels whose version's rollback-enabled revocation is due by `nowIso`. */
  async channelsOnDueRevocations(ex: Executor, nowIso: string): Promise<Channel[]> {
    const rows = await ex.query(
      `SELECT c.* FROM channels c JOIN versions v ON v.id = c.version_id
       WHERE c.managed = 0 AND v.revoke_at IS NOT NULL AND v.revoke_at <= $1 AND v.revocation_rollback = 1`,
      [nowIso],
    );
    return rows.map(toChannel);
  }

  async updateChannel(tx: Executor, c: Channel): Promise<void> {
    await tx.query(
      `UPDATE channels SET restricted = $2, version_id = $3, author_id = $4, history_seq = $5, updated_at = $6
       WHERE id = $1`,
      [c.id, c.restricted, c.versionId, c.authorId, c.historySeq, c.updatedAt],
    );
  }

  async deleteChannel(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM channel_history WHERE channel_id = $1', [id]);
    await tx.query('DELETE FROM channels WHERE id = $1', [id]);
  }

  async appendHistory(tx: Executor, a: Assignment): Promise<void> {
    await tx.query(
      'INSERT INTO channel_history (channel_id, seq, version_id, author_id, assigned_at) VALUES ($1, $2, $3, $4, $5)',
      [a.channelId, a.seq, a.versionId, a.authorId, a.assignedAt],
    );
  }

  /** Newest first. */
  async listHistory(ex: Executor, channelId: string, page: Page): Promise<Assignment[]> {
    const rows = await ex.query(
      'SELECT * FROM channel_history WHERE channel_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3',
      [channelId, page.limit, page.offset],
    );
    return rows.map(toAssignment);
  }

  /** `listHistory` of several channels at once (the same page of each), by channel id. */
  async listHistories(
    ex: Executor,
    channelIds: readonly string[],
    page: Page,
  ): Promise<Map<string, Assignment[]>> {
    const result = new Map<string, Assignment[]>(channelIds.map((id) => [id, []]));
    if (channelIds.length === 0) return result;
    const rows = await ex.query(
      `SELECT * FROM (
         SELECT h.*, ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY seq DESC) AS position
         FROM channel_history h WHERE channel_id IN ${placeholders(channelIds.length, 3)}) numbered
       WHERE position > $1 AND position <= $2 ORDER BY channel_id, seq DESC`,
      [page.offset, page.offset + page.limit, ...channelIds],
    );
    for (const row of rows) result.get(String(row.channel_id))?.push(toAssignment(row));
    return result;
  }

  async countHistory(ex: Executor, channelId: string): Promise<number> {
    const rows = await ex.query('SELECT COUNT(*) AS n FROM channel_history WHERE channel_id = $1', [
      channelId,
    ]);
    return Number(rows[0].n);
  }

  // Consumers

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

  // Audit log

  async insertAuditEvent(tx: Executor, e: AuditEvent): Promise<void> {
    await tx.query(
      `INSERT INTO audit_events (id, occurred_at, principal_id, organization_id, project_id, action, target, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.id,
        e.occurredAt,
        e.principalId,
        e.organizationId,
        e.projectId,
        e.action,
        e.target,
        JSON.stringify(e.details),
      ],
    );
  }

  /** Newest first. */
  async listAuditEvents(ex: Executor, scope: Scope, page: Page): Promise<AuditEvent[]> {
    const rows = await ex.query(
      `SELECT * FROM audit_events WHERE organization_id = $1 AND project_id = $2
       ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [scope.organizationId, scope.projectId, page.limit, page.offset],
    );
    return rows.map(toAuditEvent);
  }
}
