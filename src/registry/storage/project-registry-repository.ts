import type { FeatureTier, ProjectRegistry } from '../domain/governance';
import type { Scope } from '../domain/model';
import type { Executor, Row } from './database';

const toRegistry = (r: Row): ProjectRegistry => ({
  id: String(r.id),
  organizationId: String(r.organization_id),
  projectId: String(r.project_id),
  featureTier: String(r.feature_tier) as FeatureTier,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

/** Storage of each project's registry record (`registries`). */
export class ProjectRegistryRepository {
  async find(ex: Executor, scope: Scope): Promise<ProjectRegistry | null> {
    const rows = await ex.query(
      'SELECT * FROM registries WHERE organization_id = $1 AND project_id = $2',
      [scope.organizationId, scope.projectId],
    );
    return rows.length ? toRegistry(rows[0]) : null;
  }

  /** Inserts unless the project has one; returns whether a row was inserted. */
  async insertIfAbsent(tx: Executor, r: ProjectRegistry): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO registries (organization_id, project_id, id, feature_tier, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (organization_id, project_id) DO NOTHING RETURNING id`,
      [r.organizationId, r.projectId, r.id, r.featureTier, r.createdAt],
    );
    return rows.length > 0;
  }

  async update(tx: Executor, r: ProjectRegistry): Promise<void> {
    await tx.query(
      `UPDATE registries SET feature_tier = $3, updated_at = $4
       WHERE organization_id = $1 AND project_id = $2`,
      [r.organizationId, r.projectId, r.featureTier, r.updatedAt],
    );
  }

  async delete(tx: Executor, scope: Scope): Promise<void> {
    await tx.query('DELETE FROM registries WHERE organization_id = $1 AND project_id = $2', [
      scope.organizationId,
      scope.projectId,
    ]);
  }

  /** Ids of every bucket of the project, for a registry deletion. */
  async bucketIds(ex: Executor, scope: Scope): Promise<string[]> {
    const rows = await ex.query(
      'SELECT id FROM buckets WHERE organization_id = $1 AND project_id = $2',
      [scope.organizationId, scope.projectId],
    );
    return rows.map((r) => String(r.id));
  }

  async deleteEnforcedBlocks(tx: Executor, scope: Scope): Promise<void> {
    await tx.query('DELETE FROM enforced_blocks WHERE organization_id = $1 AND project_id = $2', [
      scope.organizationId,
      scope.projectId,
    ]);
  }
}
