import type { Scope, TemplateType, Version } from '../domain/model';
import { AbortedError, ConflictError } from '../errors';
import { newId } from '../ids';
import type { Page, SortKey } from '../storage/listing';
import type { Actor, RegistryContext } from './context';
import { rollBackChannels } from './channel-resolution';
import { RevocationService, type RevokeInput } from './revocation-service';
import { completeVersion } from './version-completion';
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
      if (await ctx.versions.insertVersionIfAbsent(tx, candidate)) {
        await ctx.audit(tx, scope, actor, 'version.create', `${bucketName}/${input.fingerprint}`);
      }
      return { bucket, version: await ctx.version(tx, bucket, input.fingerprint) };
    });
    return versionView(ctx, ctx.db.reader, bucket, version, ctx.clock.now());
  }

  /**
   * An unknown fingerprint is Aborted (code 10), as HCP answers: Packer's
   * initializeVersion (internal/hcp/registry/types.bucket.go) creates the version on
   * that code only and stops on any other.
   */
  async get(scope: Scope, bucketName: string, fingerprint: string): Promise<VersionView> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const version = await ctx.versions.findVersion(ex, bucket.id, fingerprint);
    if (!version) {
      throw new AbortedError(
        'VERSION_NOT_FOUND',
        `version "${fingerprint}" does not exist in bucket "${bucketName}"; create it with POST .../buckets/${bucketName}/versions.`,
        { kind: 'version', name: fingerprint },
      );
    }
    return versionView(ctx, ex, bucket, version, ctx.clock.now());
  }

  /** Newest first unless `sort` says otherwise. */
  async list(
    scope: Scope,
    bucketName: string,
    page: Page,
    sort: readonly SortKey[] = [],
  ): Promise<VersionView[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const versions = await ctx.versions.listVersions(ex, bucket.id, page, sort);
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
          return { bucket, version: await completeVersion(ctx, tx, bucket, found, actor, true) };
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

  /**
   * HCP's DeleteVersion: with `rollbackChannels`, channels on the version go back to
   * their newest earlier valid assignment (as a revocation's rollback does); without it,
   * a version a channel serves is refused.
   */
  async delete(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    rollbackChannels = false,
  ): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const version = await ctx.versions.lockVersion(
        tx,
        (await ctx.version(tx, bucket, fingerprint)).id,
      );
      const channels = await ctx.channels.channelsPointingAt(tx, [version.id]);
      if (channels.length > 0 && !rollbackChannels) {
        throw new ConflictError(
          'VERSION_IN_USE',
          `version "${fingerprint}" is assigned to channel(s) ${channels.map((c) => c.name).join(', ')}; assign them elsewhere first or delete with rollback_channels=true.`,
          { channels: channels.map((c) => c.name).join(',') },
        );
      }
      const moved = await rollBackChannels(ctx, tx, [version.id], ctx.clock.now());
      await ctx.versions.deleteVersion(tx, version.id);
      await ctx.audit(tx, scope, actor, 'version.delete', `${bucketName}/${fingerprint}`, {
        rolled_back: moved.map((c) => c.name),
      });
    });
  }
}
