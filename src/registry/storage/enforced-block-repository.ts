import type { EnforcedBlock, EnforcedBlockLink, EnforcedBlockVersion } from '../domain/governance';
import type { Scope, TemplateType } from '../domain/model';
import type { Executor, Row } from './database';
import type { Page } from './listing';

const toBlock = (r: Row): EnforcedBlock => ({
  id: String(r.id),
  organizationId: String(r.organization_id),
  projectId: String(r.project_id),
  name: String(r.name),
  labels: JSON.parse(String(r.labels)) as Record<string, string>,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

const toVersion = (r: Row): EnforcedBlockVersion => ({
  id: String(r.id),
  blockId: String(r.block_id),
  version: String(r.version),
  blockContent: String(r.block_content),
  additionalDescription: String(r.additional_description),
  templateType: String(r.template_type) as TemplateType,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

const toLink = (r: Row): EnforcedBlockLink => ({
  id: String(r.id),
  blockId: String(r.block_id),
  blockVersionId: String(r.block_version_id),
  bucketId: String(r.bucket_id),
  createdAt: String(r.created_at),
});

/** Storage of enforced blocks, their versions and their links to buckets. */
export class EnforcedBlockRepository {
  /** Inserts unless the name is taken in the project; returns whether a row was inserted. */
  async insertBlockIfAbsent(tx: Executor, b: EnforcedBlock): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO enforced_blocks (id, organization_id, project_id, name, labels, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (organization_id, project_id, name) DO NOTHING RETURNING id`,
      [b.id, b.organizationId, b.projectId, b.name, JSON.stringify(b.labels), b.createdAt],
    );
    return rows.length > 0;
  }

  async findBlock(ex: Executor, scope: Scope, id: string): Promise<EnforcedBlock | null> {
    const rows = await ex.query(
      'SELECT * FROM enforced_blocks WHERE organization_id = $1 AND project_id = $2 AND id = $3',
      [scope.organizationId, scope.projectId, id],
    );
    return rows.length ? toBlock(rows[0]) : null;
  }

  async findBlockByName(ex: Executor, scope: Scope, name: string): Promise<EnforcedBlock | null> {
    const rows = await ex.query(
      'SELECT * FROM enforced_blocks WHERE organization_id = $1 AND project_id = $2 AND name = $3',
      [scope.organizationId, scope.projectId, name],
    );
    return rows.length ? toBlock(rows[0]) : null;
  }

  async lockBlock(tx: Executor, id: string): Promise<EnforcedBlock> {
    const rows = await tx.query('SELECT * FROM enforced_blocks WHERE id = $1 FOR UPDATE', [id]);
    return toBlock(rows[0]);
  }

  async listBlocks(ex: Executor, scope: Scope, page: Page): Promise<EnforcedBlock[]> {
    const rows = await ex.query(
      `SELECT * FROM enforced_blocks WHERE organization_id = $1 AND project_id = $2
       ORDER BY name LIMIT $3 OFFSET $4`,
      [scope.organizationId, scope.projectId, page.limit, page.offset],
    );
    return rows.map(toBlock);
  }

  async updateBlock(tx: Executor, b: EnforcedBlock): Promise<void> {
    await tx.query(
      'UPDATE enforced_blocks SET name = $2, labels = $3, updated_at = $4 WHERE id = $1',
      [b.id, b.name, JSON.stringify(b.labels), b.updatedAt],
    );
  }

  async deleteBlock(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM enforced_blocks WHERE id = $1', [id]);
  }

  /** Inserts unless the block has that version; returns whether a row was inserted. */
  async insertVersionIfAbsent(tx: Executor, v: EnforcedBlockVersion): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO enforced_block_versions
         (id, block_id, version, block_content, additional_description, template_type, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (block_id, version) DO NOTHING RETURNING id`,
      [
        v.id,
        v.blockId,
        v.version,
        v.blockContent,
        v.additionalDescription,
        v.templateType,
        v.createdAt,
      ],
    );
    return rows.length > 0;
  }

  /** A block's versions, newest first. */
  async versionsOf(ex: Executor, blockIds: readonly string[]): Promise<EnforcedBlockVersion[]> {
    if (blockIds.length === 0) return [];
    const marks = blockIds.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await ex.query(
      `SELECT * FROM enforced_block_versions WHERE block_id IN (${marks})
       ORDER BY created_at DESC, id DESC`,
      blockIds,
    );
    return rows.map(toVersion);
  }

  async updateVersion(tx: Executor, v: EnforcedBlockVersion): Promise<void> {
    await tx.query(
      'UPDATE enforced_block_versions SET additional_description = $2, updated_at = $3 WHERE id = $1',
      [v.id, v.additionalDescription, v.updatedAt],
    );
  }

  async deleteVersion(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM enforced_block_versions WHERE id = $1', [id]);
  }

  async linksOfVersion(ex: Executor, versionId: string): Promise<EnforcedBlockLink[]> {
    const rows = await ex.query(
      'SELECT * FROM enforced_block_buckets WHERE block_version_id = $1 ORDER BY created_at, id',
      [versionId],
    );
    return rows.map(toLink);
  }

  async linksOfBucket(ex: Executor, bucketId: string): Promise<EnforcedBlockLink[]> {
    const rows = await ex.query(
      'SELECT * FROM enforced_block_buckets WHERE bucket_id = $1 ORDER BY created_at, id',
      [bucketId],
    );
    return rows.map(toLink);
  }

  async unlinkVersion(tx: Executor, versionId: string): Promise<void> {
    await tx.query('DELETE FROM enforced_block_buckets WHERE block_version_id = $1', [versionId]);
  }

  /** Links `bucketId` to `versionId`, moving it off any other version of the same block. */
  async link(tx: Executor, l: EnforcedBlockLink): Promise<void> {
    await tx.query('DELETE FROM enforced_block_buckets WHERE block_id = $1 AND bucket_id = $2', [
      l.blockId,
      l.bucketId,
    ]);
    await tx.query(
      `INSERT INTO enforced_block_buckets (id, block_id, block_version_id, bucket_id, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [l.id, l.blockId, l.blockVersionId, l.bucketId, l.createdAt],
    );
  }
}
