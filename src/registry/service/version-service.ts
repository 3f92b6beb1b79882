import type { Bucket, Scope, TemplateType, Version } from '../domain/model';
import { isRevoked } from '../domain/version-status';
import { ConflictError, ValidationError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import type { Page } from '../storage/repository';
import type { Actor, RegistryContext } from './context';
import { RevocationService, type RevokeInput } from './revocation-service';
import { versionView, versionViews, type VersionView } from './views';

/** One of the three things a version update can do, as HCP's UpdateVersion body says. */
export type VersionUpdate =
  { kind: 'complete' } | ({ kind: 'revoke' } & RevokeInput) | { kind: 'restore' };

export class VersionService {
  private readonly revocations: RevocationService;

  constructor(private readonly ctx: RegistryContext) {
    this.revocations = new RevocationService(ctx);
  }

  /** Idempotent on the fingerprint: the same fingerprint returns the existing version. */
  async create(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    input: { fingerprint: string; templateType: TemplateType },
  ): Promise<VersionView> {
    const { ctx } = this;
    const { bucket, version } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const now = ctx.nowIso();
      const candidate: Version = {
        id: newId(),
        bucketId: bucket.id,
        fingerprint: input.fingerprint,
        nameSeq: null,
        templateType: input.templateType,
        authorId: actor.principalId,
        complete: false,
        createdAt: now,
        updatedAt: now,
        revokeAt: null,
        revocationMessage: null,
        revocationAuthor: null,
        revocationType: null,
        revocationInheritedFrom: null,
        revocationRollback: true,
        revocationDescendants: true,
      };
      if (await ctx.repo.insertVersionIfAbsent(tx, candidate)) {
        await ctx.audit(tx, scope, actor, 'version.create', `${bucketName}/${input.fingerprint}`);
      }
      return { bucket, version: await ctx.version(tx, bucket, input.fingerprint) };
    });
    return versionView(ctx, ctx.db.reader, bucket, version, ctx.clock.now());
  }

  async get(scope: Scope, bucketName: string, fingerprint: string): Promise<VersionView> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    return versionView(
      ctx,
      ex,
      bucket,
      await ctx.version(ex, bucket, fingerprint),
      ctx.clock.now(),
    );
  }

  /** Newest first. */
  async list(scope: Scope, bucketName: string, page: Page): Promise<VersionView[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const versions = await ctx.repo.listVersions(ex, bucket.id, page);
    return versionViews(ctx, ex, bucket, versions, ctx.clock.now());
  }

  async update(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    update: VersionUpdate,
  ): Promise<VersionView> {
    const { ctx } = this;
    const { bucket, version } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const found = await ctx.version(tx, bucket, fingerprint);
      switch (update.kind) {
        case 'complete':
          return { bucket, version: await this.complete(tx, bucket, found, actor) };
        case 'revoke':
          return {
            bucket,
            version: await this.revocations.revoke(tx, bucket, found, actor, update),
          };
        case 'restore':
          return { bucket, version: await this.revocations.restore(tx, bucket, found, actor) };
      }
    });
    return versionView(ctx, ctx.db.reader, bucket, version, ctx.clock.now());
  }

  async delete(scope: Scope, actor: Actor, bucketName: string, fingerprint: string): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const version = await ctx.repo.lockVersion(
        tx,
        (await ctx.version(tx, bucket, fingerprint)).id,
      );
      const channels = await ctx.repo.channelsPointingAt(tx, [version.id]);
      if (channels.length > 0) {
        throw new ConflictError(
          'VERSION_IN_USE',
          `version "${fingerprint}" is assigned to channel(s) ${channels.map((c) => c.name).join(', ')}; assign them elsewhere first.`,
          { channels: channels.map((c) => c.name).join(',') },
        );
      }
      await ctx.repo.deleteVersion(tx, version.id);
      await ctx.audit(tx, scope, actor, 'version.delete', `${bucketName}/${fingerprint}`);
    });
  }

  /** Names the version `vN` in completion order; needs every build done. */
  private async complete(
    tx: Executor,
    bucket: Bucket,
    found: Version,
    actor: Actor,
  ): Promise<Version> {
    const { ctx } = this;
    // The bucket lock serialises completions, so names are gap-free and ordered.
    const locked = await ctx.repo.lockBucket(tx, bucket.id);
    const version = await ctx.repo.lockVersion(tx, found.id);
    if (version.complete) return version;
    // A scheduled (e.g. inherited) revocation does not stop completion; one in effect does.
    if (isRevoked(version, ctx.clock.now())) {
      throw new ConflictError(
        'VERSION_REVOKED',
        `version "${version.fingerprint}" is revoked; it cannot be completed.`,
      );
    }
    const builds = (await ctx.repo.buildsOf(tx, [version.id])).get(version.id) ?? [];
    if (builds.length === 0) {
      throw new ValidationError(
        'complete',
        `version "${version.fingerprint}" has no builds; add at least one build with status BUILD_DONE before completing it.`,
      );
    }
    const unfinished = builds.filter((b) => b.status !== 'BUILD_DONE');
    if (unfinished.length > 0) {
      throw new ConflictError(
        'BUILDS_NOT_DONE',
        `version "${version.fingerprint}" cannot be completed: build(s) ${unfinished
          .map((b) => `${b.id} (${b.platform}/${b.componentType}: ${b.status})`)
          .join(', ')} are not BUILD_DONE; finish or delete them first.`,
      );
    }
    const now = ctx.nowIso();
    const nameSeq = locked.versionSeq + 1;
    await ctx.repo.updateBucket(tx, { ...locked, versionSeq: nameSeq, updatedAt: now });
    const completed: Version = { ...version, complete: true, nameSeq, updatedAt: now };
    await ctx.repo.updateVersion(tx, completed);
    await ctx.audit(
      tx,
      bucket,
      actor,
      'version.complete',
      `${bucket.name}/${version.fingerprint}`,
      {
        name: `v${nameSeq}`,
      },
    );
    return completed;
  }
}
