import type {
  AncestryStatus,
  Bucket,
  Build,
  Channel,
  Version,
  VersionStatus,
} from '../domain/model';
import { versionStatus } from '../domain/version-status';
import type { Executor } from '../storage/database';
import { effectiveVersion } from './channel-resolution';
import type { RegistryContext } from './context';

/** A version with everything its HCP representation needs. */
export interface VersionView {
  version: Version;
  bucket: Bucket;
  builds: Build[];
  status: VersionStatus;
  hasDescendants: boolean;
  /** Worst ancestry status over the version's parent links; null without parents. */
  parentsStatus: AncestryStatus | null;
  /** The manually revoked ancestor an inherited revocation comes from. */
  revokedAncestor: { bucket: Bucket; version: Version } | null;
}

/** Ancestry status of one parent link: is the parent channel still on that version? */
export async function linkStatus(
  ctx: RegistryContext,
  ex: Executor,
  link: Pick<Build, 'parentVersionId' | 'parentChannelId'>,
  now: Date,
  channelCache = new Map<string, Promise<string | null>>(),
): Promise<AncestryStatus> {
  if (!link.parentChannelId) return 'UNDETERMINED';
  let current = channelCache.get(link.parentChannelId);
  if (!current) {
    current = (async () => {
      const channel = (await ctx.repo.findChannelsByIds(ex, [link.parentChannelId as string])).get(
        link.parentChannelId as string,
      );
      return channel ? ((await effectiveVersion(ctx, ex, channel, now))?.id ?? null) : null;
    })();
    channelCache.set(link.parentChannelId, current);
  }
  return (await current) === link.parentVersionId ? 'UP_TO_DATE' : 'OUT_OF_DATE';
}

/** Combines statuses: any out-of-date link makes the whole out of date. */
export function worstStatus(statuses: readonly AncestryStatus[]): AncestryStatus | null {
  if (statuses.length === 0) return null;
  if (statuses.includes('OUT_OF_DATE')) return 'OUT_OF_DATE';
  if (statuses.includes('UP_TO_DATE')) return 'UP_TO_DATE';
  return 'UNDETERMINED';
}

/** Builds views for a page of versions of one bucket with a fixed number of queries. */
export async function versionViews(
  ctx: RegistryContext,
  ex: Executor,
  bucket: Bucket,
  versions: readonly Version[],
  now: Date,
): Promise<VersionView[]> {
  if (versions.length === 0) return [];
  const ids = versions.map((v) => v.id);
  const [builds, withChildren] = await Promise.all([
    ctx.repo.buildsOf(ex, ids),
    ctx.repo.versionsWithChildren(ex, ids),
  ]);
  const ancestorIds = versions
    .map((v) => v.revocationInheritedFrom)
    .filter((id): id is string => !!id);
  const ancestors = await ctx.repo.findVersionsByIds(ex, ancestorIds);
  const ancestorBuckets = await ctx.repo.findBucketsByIds(
    ex,
    [...ancestors.values()].map((v) => v.bucketId),
  );
  const channelCache = new Map<string, Promise<string | null>>();
  const views: VersionView[] = [];
  for (const version of versions) {
    const own = builds.get(version.id) ?? [];
    const links = own.filter((b) => b.parentVersionId);
    const statuses: AncestryStatus[] = [];
    for (const link of links) statuses.push(await linkStatus(ctx, ex, link, now, channelCache));
    const ancestor = version.revocationInheritedFrom
      ? ancestors.get(version.revocationInheritedFrom)
      : undefined;
    const ancestorBucket = ancestor ? ancestorBuckets.get(ancestor.bucketId) : undefined;
    views.push({
      version,
      bucket,
      builds: own,
      status: versionStatus(version, own, now),
      hasDescendants: withChildren.has(version.id),
      parentsStatus: worstStatus(statuses),
      revokedAncestor:
        ancestor && ancestorBucket ? { bucket: ancestorBucket, version: ancestor } : null,
    });
  }
  return views;
}

export async function versionView(
  ctx: RegistryContext,
  ex: Executor,
  bucket: Bucket,
  version: Version,
  now: Date,
): Promise<VersionView> {
  return (await versionViews(ctx, ex, bucket, [version], now))[0];
}

/** A channel with the version it serves now. */
export interface ChannelView {
  channel: Channel;
  bucket: Bucket;
  version: VersionView | null;
}

export async function channelView(
  ctx: RegistryContext,
  ex: Executor,
  bucket: Bucket,
  channel: Channel,
  now: Date,
): Promise<ChannelView> {
  const version = await effectiveVersion(ctx, ex, channel, now);
  return {
    channel,
    bucket,
    version: version ? await versionView(ctx, ex, bucket, version, now) : null,
  };
}
