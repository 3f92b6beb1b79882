import type { FeatureTier, ProjectRegistry } from '../domain/governance';
import type { Scope } from '../domain/model';
import { AlreadyExistsError, ValidationError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import { ProjectRegistryRepository } from '../storage/project-registry-repository';
import type { Actor, RegistryContext } from './context';

/** What a project's registry is created with when nobody chose: every feature on. */
export const DEFAULT_TIER: FeatureTier = 'PLUS';

export interface RegistryUpdate {
  activated?: boolean;
  featureTier?: FeatureTier;
  /** HCP's field mask: when given, only the fields it names are applied. */
  updateMask?: string;
}

/**
 * HCP's Get/Create/Update/DeleteRegistry. On HCP a project's registry is created once
 * (and billed); here every project's registry exists and is active, created the first
 * time it is read. The feature tier is recorded for HCP clients; every feature is on.
 */
export class ProjectRegistryService {
  readonly repo = new ProjectRegistryRepository();

  constructor(private readonly ctx: RegistryContext) {}

  async get(scope: Scope): Promise<ProjectRegistry> {
    const found = await this.repo.find(this.ctx.db.reader, scope);
    if (found) return found;
    return this.ctx.db.transaction((tx) => this.ensure(tx, scope, DEFAULT_TIER));
  }

  async create(
    scope: Scope,
    actor: Actor,
    tier: FeatureTier | undefined,
  ): Promise<ProjectRegistry> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const registry = this.record(scope, tier ?? DEFAULT_TIER);
      if (!(await this.repo.insertIfAbsent(tx, registry))) {
        throw new AlreadyExistsError(
          'registry',
          `${scope.organizationId}/${scope.projectId}`,
          'a project has one registry (Ingot creates it on first use); change it with PATCH .../registry.',
        );
      }
      await ctx.audit(tx, scope, actor, 'registry.create', 'registry', {
        feature_tier: registry.featureTier,
      });
      return registry;
    });
  }

  async update(scope: Scope, actor: Actor, input: RegistryUpdate): Promise<ProjectRegistry> {
    const mask = input.updateMask
      ? new Set(input.updateMask.split(',').map((f) => f.trim()))
      : null;
    const applies = (field: string, given: boolean) => (mask ? mask.has(field) : given);
    if (applies('activated', input.activated !== undefined) && input.activated !== true) {
      throw new ValidationError(
        'activated',
        'activated: an Ingot registry cannot be deactivated (there is no billing to stop); leave activated out, or delete the registry with DELETE .../registry.',
      );
    }
    if (applies('feature_tier', input.featureTier !== undefined) && !input.featureTier) {
      throw new ValidationError('feature_tier', 'feature_tier must be STANDARD or PLUS.');
    }
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const current = await this.ensure(tx, scope, DEFAULT_TIER);
      const featureTier =
        input.featureTier && applies('feature_tier', true)
          ? input.featureTier
          : current.featureTier;
      const updated: ProjectRegistry = { ...current, featureTier, updatedAt: ctx.nowIso() };
      await this.repo.update(tx, updated);
      await ctx.audit(tx, scope, actor, 'registry.update', 'registry', {
        feature_tier: featureTier,
      });
      return updated;
    });
  }

  /** Deletes the registry and everything in it, as HCP does: buckets, enforced blocks. */
  async delete(scope: Scope, actor: Actor): Promise<ProjectRegistry> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const current = await this.ensure(tx, scope, DEFAULT_TIER);
      const buckets = await this.repo.bucketIds(tx, scope);
      for (const id of buckets) await ctx.buckets.deleteBucket(tx, id);
      await this.repo.deleteEnforcedBlocks(tx, scope);
      await this.repo.delete(tx, scope);
      await ctx.audit(tx, scope, actor, 'registry.delete', 'registry', {
        buckets_deleted: buckets.length,
      });
      return current;
    });
  }

  private async ensure(tx: Executor, scope: Scope, tier: FeatureTier): Promise<ProjectRegistry> {
    const found = await this.repo.find(tx, scope);
    if (found) return found;
    const registry = this.record(scope, tier);
    // A concurrent first use may have created it since the read above.
    if (await this.repo.insertIfAbsent(tx, registry)) return registry;
    return (await this.repo.find(tx, scope)) as ProjectRegistry;
  }

  private record(scope: Scope, featureTier: FeatureTier): ProjectRegistry {
    const now = this.ctx.nowIso();
    return { ...scope, id: newId(), featureTier, createdAt: now, updatedAt: now };
  }
}
