import type { Bucket, Version } from '../domain/model';
import { isRevoked } from '../domain/version-status';
import { ConflictError, ValidationError } from '../errors';
import type { Executor } from '../storage/database';
import { rollBackChannels } from './channel-resolution';
import type { Actor, RegistryContext } from './context';

/** The latest instant stored times can hold: they are RFC 3339 text with a 4-digit year. */
const LATEST_REVOKE_AT = Date.parse('9999-12-31T23:59:59.999Z');

export interface RevokeInput {
  /** When the revocation takes effect (now or later). */
  revokeAt: Date;
  message: string;
  skipDescendants: boolean;
  disableRollback: boolean;
}

/**
 * Revocation and restoration. A revocation is stored as its `revoke_at` time, so status
 * flips by itself when the time comes; descendants (versions built from this one,
 * transitively, across buckets) inherit it; channels roll back when it takes effect.
 */
export class RevocationService {
  constructor(private readonly ctx: RegistryContext) {}

  async revoke(
    tx: Executor,
    bucket: Bucket,
    found: Version,
    actor: Actor,
    input: RevokeInput,
  ): Promise<Version> {
    const { ctx } = this;
    const now = ctx.clock.now();
    // A huge revoke_in overflows the Date range (NaN) or gives a 5+ digit year, whose
    // text no longer sorts with the others in SQL comparisons.
    if (!(input.revokeAt.getTime() <= LATEST_REVOKE_AT)) {
      throw new ValidationError(
        'revoke_at',
        'revoke_at (or now + revoke_in) must be no later than 9999-12-31T23:59:59Z; use a nearer time.',
      );
    }
    const version = await ctx.versions.lockVersion(tx, found.id);
    if (!version.complete) {
      throw new ConflictError(
        'VERSION_INCOMPLETE',
        `version "${version.fingerprint}" is not complete; only complete versions can be revoked. Delete an incomplete version instead.`,
      );
    }
    if (isRevoked(version, now)) {
      throw new ConflictError(
        'VERSION_ALREADY_REVOKED',
        `version "${version.fingerprint}" is already revoked (since ${version.revokeAt}); restore it first to change the revocation.`,
      );
    }
    // A time in the past means "now": the revocation cannot pre-date the request.
    const revokeAt = new Date(Math.max(input.revokeAt.getTime(), now.getTime())).toISOString();
    const revoked: Version = {
      ...version,
      revokeAt,
      revocationMessage: input.message,
      revocationAuthor: actor.principalId,
      revocationType: 'MANUAL',
      revocationInheritedFrom: null,
      revocationRollback: !input.disableRollback,
      revocationDescendants: !input.skipDescendants,
      updatedAt: now.toISOString(),
    };
    await ctx.versions.updateVersion(tx, revoked);
    const affected = [revoked.id];
    if (!input.skipDescendants) {
      for (const child of await this.descendants(tx, version.id)) {
        // A descendant already revoked at or before this time keeps its own revocation.
        if (child.revokeAt && child.revokeAt <= revokeAt) continue;
        await ctx.versions.updateVersion(tx, {
          ...child,
          revokeAt,
          revocationMessage: input.message,
          revocationAuthor: actor.principalId,
          revocationType: 'INHERITED',
          revocationInheritedFrom: version.id,
          revocationRollback: !input.disableRollback,
          revocationDescendants: true,
          updatedAt: now.toISOString(),
        });
        affected.push(child.id);
      }
    }
    const moved =
      !input.disableRollback && Date.parse(revokeAt) <= now.getTime()
        ? await rollBackChannels(ctx, tx, affected, now)
        : [];
    await ctx.audit(tx, bucket, actor, 'version.revoke', `${bucket.name}/${version.fingerprint}`, {
      revoke_at: revokeAt,
      message: input.message,
      inherited_by: affected.length - 1,
      channels_rolled_back: moved.map((c) => c.name),
    });
    return revoked;
  }

  async restore(tx: Executor, bucket: Bucket, found: Version, actor: Actor): Promise<Version> {
    const { ctx } = this;
    const version = await ctx.versions.lockVersion(tx, found.id);
    if (!version.revokeAt) {
      throw new ConflictError(
        'VERSION_NOT_REVOKED',
        `version "${version.fingerprint}" is neither revoked nor scheduled for revocation; there is nothing to restore.`,
      );
    }
    let revokedAncestor = await this.revokedAncestor(tx, version);
    if (revokedAncestor?.revocationInheritedFrom) {
      // Name the version to restore: the nearest revoked ancestor may only inherit.
      const { revocationInheritedFrom: sourceId } = revokedAncestor;
      revokedAncestor =
        (await ctx.versions.findVersionsByIds(tx, [sourceId])).get(sourceId) ?? revokedAncestor;
    }
    if (revokedAncestor) {
      const ancestorBucket = await ctx.buckets.findBucketById(tx, revokedAncestor.bucketId);
      throw new ConflictError(
        'ANCESTOR_REVOKED',
        `version "${version.fingerprint}" cannot be restored while its ancestor "${ancestorBucket?.name}/${revokedAncestor.fingerprint}" is revoked; restore the ancestor first.`,
      );
    }
    const now = ctx.nowIso();
    const cleared = (v: Version): Version => ({
      ...v,
      revokeAt: null,
      revocationMessage: null,
      revocationAuthor: null,
      revocationType: null,
      revocationInheritedFrom: null,
      revocationRollback: true,
      revocationDescendants: true,
      updatedAt: now,
    });
    await ctx.versions.updateVersion(tx, cleared(version));
    let restored = 0;
    for (const child of await this.descendants(tx, version.id)) {
      if (child.revocationInheritedFrom === version.id) {
        await ctx.versions.updateVersion(tx, cleared(child));
        restored++;
      }
    }
    await ctx.audit(tx, bucket, actor, 'version.restore', `${bucket.name}/${version.fingerprint}`, {
      descendants_restored: restored,
    });
    return cleared(version);
  }

  /** Every version built from `rootId`, transitively (breadth-first, cycle-safe). */
  private async descendants(tx: Executor, rootId: string): Promise<Version[]> {
    const seen = new Set([rootId]);
    const found: string[] = [];
    let frontier = [rootId];
    while (frontier.length > 0) {
      const next = (await this.ctx.builds.childVersionIds(tx, frontier)).filter(
        (id) => !seen.has(id),
      );
      next.forEach((id) => seen.add(id));
      found.push(...next);
      frontier = next;
    }
    const versions = await this.ctx.versions.findVersionsByIds(tx, found);
    return found.map((id) => versions.get(id)).filter((v): v is Version => v !== undefined);
  }

  /** The nearest ancestor with a revocation (scheduled or in effect), if any. */
  private async revokedAncestor(tx: Executor, version: Version): Promise<Version | null> {
    const seen = new Set([version.id]);
    let frontier = [version.id];
    while (frontier.length > 0) {
      const builds = await this.ctx.builds.buildsOf(tx, frontier);
      const parentIds = [...builds.values()]
        .flat()
        .map((b) => b.parentVersionId)
        .filter((id): id is string => !!id && !seen.has(id));
      parentIds.forEach((id) => seen.add(id));
      const parents = await this.ctx.versions.findVersionsByIds(tx, parentIds);
      for (const parent of parents.values()) if (parent.revokeAt) return parent;
      frontier = [...parents.keys()];
    }
    return null;
  }
}
