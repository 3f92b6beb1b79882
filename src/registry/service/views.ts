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
import { effectiveVersion, effectiveVersions } from './channel-resolution';
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
  const channelId = link.parentChannelId;
  if (!channelId) return 'UNDETERMINED';
  let current = channelCache.get(channelId);
  if (!current) {
    current = servedVersionIds(ctx, ex, [channelId], now).then((s) => s.get(channelId) ?? null);
    channelCache.set(channelId, current);
  }
  return statusOf(link, new Map([[channelId, await current]]));
}

/**
 * The id of the version each channel serves at `now`, by channel id: null when it serves
 * none or does not exist. A fixed number of queries whatever the number of channels.
 */
export async function servedVersionIds(
  ctx: RegistryContext,
  ex: Executor,
  channelIds: readonly string[],
  now: Date,
): Promise<Map<string, string | null>> {
  const channels = await ctx.channels.findChannelsByIds(ex, channelIds);
  const served = await effectiveVersions(ctx, ex, [...channels.values()], now);
  return new Map(channelIds.map((id) => [id, served.get(id)?.id ?? null]));
}

/** Ancestry status of one parent link, given `servedVersionIds` of its parent channel. */
export function statusOf(
  link: Pick<Build, 'parentVersionId' | 'parentChannelId'>,
  served: ReadonlyMap<string, string | null>,
): AncestryStatus {
  if (!link.parentChannelId) return 'UNDETERMINED';
  return (served.get(link.parentChannelId) ?? null) === link.parentVersionId
    ? 'UP_TO_DATE'
    : 'OUT_OF_DATE';
}

/** The distinct parent channels `links` name. */
export function parentChannelIds(links: readonly Pick<Build, 'parentChannelId'>[]): string[] {
  return [...new Set(links.flatMap((l) => (l.parentChannelId ? [l.parentChannelId] : [])))];
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
  return versionViewsAcross(
    ctx,
    ex,
    versions.map((version) => ({ bucket, version })),
    now,
  );
}

/** Views of versions of any buckets (each with its bucket) with a fixed number of queries. */
export async function versionViewsAcross(
  ctx: RegistryContext,
  ex: Executor,
  items: readonly { bucket: Bucket; version: Version }[],
  now: Date,
): Promise<VersionView[]> {
  if (items.length === 0) return [];
  const versions = items.map((i) => i.version);
  const ids = versions.map((v) => v.id);
  const [builds, withChildren] = await Promise.all([
    ctx.builds.buildsOf(ex, ids),
    ctx.builds.versionsWithChildren(ex, ids),
  ]);
  const links = [...builds.values()].flat().filter((b) => b.parentVersionId);
  const ancestorIds = versions
    .map((v) => v.revocationInheritedFrom)
    .filter((id): id is string => !!id);
  const [served, ancestors] = await Promise.all([
    servedVersionIds(ctx, ex, parentChannelIds(links), now),
    ctx.versions.findVersionsByIds(ex, ancestorIds),
  ]);
  const ancestorBuckets = await ctx.buckets.findBucketsByIds(
    ex,
    [...ancestors.values()].map((v) => v.bucketId),
  );
  return items.map(({ bucket, version }) => {
    const own = builds.get(version.id) ?? [];
    const statuses = own.filter((b) => b.parentVersionId).map((link) => statusOf(link, served));
    const ancestor = version.revocationInheritedFrom
      ? ancestors.get(version.revocationInheritedFrom)
      : undefined;
    const ancestorBucket = ancestor ? ancestorBuckets.get(ancestor.bucketId) : undefined;
    return {
      version,
      bucket,
      builds: own,
      status: versionStatus(version, own, now),
      hasDescendants: withChildren.has(version.id),
      parentsStatus: worstStatus(statuses),
      revokedAncestor:
        ancestor && ancestorBucket ? { bucket: ancestorBucket, version: ancestor } : null,
    };
  });
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
