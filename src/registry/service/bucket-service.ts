import type { AncestryStatus, Bucket, Labels, Scope } from '../domain/model';
import { AlreadyExistsError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import type { Page, SortKey } from '../storage/repository';
import { effectiveVersion } from './channel-resolution';
import type { Actor, RegistryContext } from './context';
import { linkStatus, versionView, worstStatus, type VersionView } from './views';

/** The managed channel every bucket has. */
export const LATEST = 'latest';

export interface BucketView {
  bucket: Bucket;
  latest: VersionView | null;
  versionCount: number;
  parentsStatus: AncestryStatus | null;
  childrenStatus: AncestryStatus | null;
}

export class BucketService {
  constructor(private readonly ctx: RegistryContext) {}

  async create(
    scope: Scope,
    actor: Actor,
    input: { name: string; description: string; labels: Labels },
  ): Promise<BucketView> {
    const { ctx } = this;
    const bucket = await ctx.db.transaction(async (tx) => {
      if (await ctx.repo.findBucket(tx, scope, input.name)) {
        throw new AlreadyExistsError(
          'bucket',
          input.name,
          'choose another name or update the existing bucket.',
        );
      }
      const now = ctx.nowIso();
      const created: Bucket = {
        ...scope,
        id: newId(),
        ...input,
        versionSeq: 0,
        createdAt: now,
        updatedAt: now,
      };
      // A concurrent create of the same name may commit after the check above.
      if (!(await ctx.repo.insertBucketIfAbsent(tx, created))) {
        throw new AlreadyExistsError(
          'bucket',
          input.name,
          'choose another name or update the existing bucket.',
        );
      }
      await ctx.createChannel(tx, created.id, LATEST, actor, { managed: true });
      await ctx.audit(tx, scope, actor, 'bucket.create', input.name, {
        description: input.description,
      });
      return created;
    });
    return this.view(ctx.db.reader, bucket);
  }

  async get(scope: Scope, name: string): Promise<BucketView> {
    const ex = this.ctx.db.reader;
    return this.view(ex, await this.ctx.bucket(ex, scope, name));
  }

  async list(scope: Scope, page: Page, sort: readonly SortKey[] = []): Promise<BucketView[]> {
    const ex = this.ctx.db.reader;
    const buckets = await this.ctx.repo.listBuckets(ex, scope, page, sort);
    return Promise.all(buckets.map((b) => this.view(ex, b)));
  }

  async update(
    scope: Scope,
    actor: Actor,
    name: string,
    input: { description?: string; labels?: Labels },
  ): Promise<BucketView> {
    const { ctx } = this;
    const bucket = await ctx.db.transaction(async (tx) => {
      const current = await ctx.repo.lockBucket(tx, (await ctx.bucket(tx, scope, name)).id);
      const updated: Bucket = {
        ...current,
        description: input.description ?? current.description,
        labels: input.labels ?? current.labels,
        updatedAt: ctx.nowIso(),
      };
      await ctx.repo.updateBucket(tx, updated);
      await ctx.audit(tx, scope, actor, 'bucket.update', name, input);
      return updated;
    });
    return this.view(ctx.db.reader, bucket);
  }

  /**
   * HCP's DeleteBucket: the bucket goes with its versions, builds, artifacts and
   * channels, assigned or not. The audit event keeps what the channels pointed at.
   */
  async delete(scope: Scope, actor: Actor, name: string): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.repo.lockBucket(tx, (await ctx.bucket(tx, scope, name)).id);
      const assigned = (await ctx.repo.listChannels(tx, bucket.id)).filter(
        (c) => !c.managed && c.versionId,
      );
      await ctx.repo.deleteBucket(tx, bucket.id);
      await ctx.audit(tx, scope, actor, 'bucket.delete', name, {
        channels: assigned.map((c) => c.name),
      });
    });
  }

  private async view(ex: Executor, bucket: Bucket): Promise<BucketView> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const latestChannel = await ctx.repo.findChannel(ex, bucket.id, LATEST);
    const latest = latestChannel ? await effectiveVersion(ctx, ex, latestChannel, now) : null;
    const latestView = latest ? await versionView(ctx, ex, bucket, latest, now) : null;
    return {
      bucket,
      latest: latestView,
      versionCount: await ctx.repo.countVersions(ex, bucket.id),
      parentsStatus: latestView?.parentsStatus ?? null,
      childrenStatus: await this.childrenStatus(ex, bucket, now),
    };
  }

  /**
   * Whether the children built from this bucket are on its channels' current versions;
   * only each child bucket's newest version built from it counts.
   */
  private async childrenStatus(
    ex: Executor,
    bucket: Bucket,
    now: Date,
  ): Promise<AncestryStatus | null> {
    const links = await this.ctx.repo.childLinksOfBucket(ex, bucket.id);
    const newest = new Map<string, string>();
    for (const { build, childBucketId } of links) newest.set(childBucketId, build.versionId);
    const current = new Set(newest.values());
    const statuses: AncestryStatus[] = [];
    const cache = new Map<string, Promise<string | null>>();
    for (const { build } of links) {
      if (current.has(build.versionId))
        statuses.push(await linkStatus(this.ctx, ex, build, now, cache));
    }
    return worstStatus(statuses);
  }
}
