import type { AncestryStatus, Bucket, Build, Labels, Scope } from '../domain/model';
import { AlreadyExistsError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import type { ChildLink } from '../storage/build-repository';
import type { Page, SortKey } from '../storage/listing';
import { effectiveVersions } from './channel-resolution';
import type { Actor, RegistryContext } from './context';
import {
  parentChannelIds,
  servedVersionIds,
  statusOf,
  versionViewsAcross,
  worstStatus,
  type VersionView,
} from './views';

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
      if (await ctx.buckets.findBucket(tx, scope, input.name)) {
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
      if (!(await ctx.buckets.insertBucketIfAbsent(tx, created))) {
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
    const buckets = await this.ctx.buckets.listBuckets(ex, scope, page, sort);
    return this.views(ex, buckets);
  }

  async update(
    scope: Scope,
    actor: Actor,
    name: string,
    input: { description?: string; labels?: Labels },
  ): Promise<BucketView> {
    const { ctx } = this;
    const bucket = await ctx.db.transaction(async (tx) => {
      const current = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, name)).id);
      const updated: Bucket = {
        ...current,
        description: input.description ?? current.description,
        labels: input.labels ?? current.labels,
        updatedAt: ctx.nowIso(),
      };
      await ctx.buckets.updateBucket(tx, updated);
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
      const bucket = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, name)).id);
      const assigned = (await ctx.channels.listChannels(tx, bucket.id)).filter(
        (c) => !c.managed && c.versionId,
      );
      await ctx.buckets.deleteBucket(tx, bucket.id);
      await ctx.audit(tx, scope, actor, 'bucket.delete', name, {
        channels: assigned.map((c) => c.name),
      });
    });
  }

  private async view(ex: Executor, bucket: Bucket): Promise<BucketView> {
    return (await this.views(ex, [bucket]))[0];
  }

  /** Views of a page of buckets with a fixed number of queries, whatever its size. */
  private async views(ex: Executor, buckets: readonly Bucket[]): Promise<BucketView[]> {
    if (buckets.length === 0) return [];
    const { ctx } = this;
    const now = ctx.clock.now();
    const ids = buckets.map((b) => b.id);
    const [latestChannels, counts, children] = await Promise.all([
      ctx.channels.findChannelOfBuckets(ex, ids, LATEST),
      ctx.versions.countVersionsOfBuckets(ex, ids),
      this.childrenStatuses(ex, ids, now),
    ]);
    const served = await effectiveVersions(ctx, ex, [...latestChannels.values()], now);
    const withLatest = buckets.flatMap((bucket) => {
      const channel = latestChannels.get(bucket.id);
      const version = channel ? served.get(channel.id) : null;
      return version ? [{ bucket, version }] : [];
    });
    const latest = new Map(
      (await versionViewsAcross(ctx, ex, withLatest, now)).map((v) => [v.bucket.id, v]),
    );
    return buckets.map((bucket) => {
      const view = latest.get(bucket.id) ?? null;
      return {
        bucket,
        latest: view,
        versionCount: counts.get(bucket.id) ?? 0,
        parentsStatus: view?.parentsStatus ?? null,
        childrenStatus: children.get(bucket.id) ?? null,
      };
    });
  }

  /**
   * Per bucket id, whether the children built from the bucket are on its channels'
   * current versions; only each child bucket's newest version built from it counts.
   */
  private async childrenStatuses(
    ex: Executor,
    bucketIds: readonly string[],
    now: Date,
  ): Promise<Map<string, AncestryStatus | null>> {
    const links = await this.ctx.builds.childLinksOfBuckets(ex, bucketIds);
    const byParent = new Map<string, ChildLink[]>();
    for (const link of links) {
      const list = byParent.get(link.parentBucketId) ?? [];
      list.push(link);
      byParent.set(link.parentBucketId, list);
    }
    const counted = new Map<string, Build[]>();
    for (const [parentBucketId, own] of byParent) {
      // Links come oldest first, so the last one per child bucket is its newest.
      const newest = new Map<string, string>();
      for (const { build, childBucketId } of own) newest.set(childBucketId, build.versionId);
      const current = new Set(newest.values());
      counted.set(
        parentBucketId,
        own.map((l) => l.build).filter((b) => current.has(b.versionId)),
      );
    }
    const served = await servedVersionIds(
      this.ctx,
      ex,
      parentChannelIds([...counted.values()].flat()),
      now,
    );
    return new Map(
      bucketIds.map((id) => [
        id,
        worstStatus((counted.get(id) ?? []).map((link) => statusOf(link, served))),
      ]),
    );
  }
}
