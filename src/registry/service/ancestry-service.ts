import type { AncestryStatus, Bucket, Build, Channel, Scope, Version } from '../domain/model';
import { ValidationError } from '../errors';
import type { Executor } from '../storage/database';
import type { Page } from '../storage/listing';
import type { RegistryContext } from './context';
import { LATEST } from './bucket-service';
import { effectiveVersion } from './channel-resolution';
import { linkStatus } from './views';

export type AncestryType =
  'ANCESTRY_TYPE_UNSET' | 'ANCESTRY_TYPE_PARENTS' | 'ANCESTRY_TYPE_CHILDREN';

/** One parent → child link between versions of two buckets. */
export interface Relation {
  parent: {
    bucket: Bucket;
    version: Version;
    channel: Channel | null;
    channelVersion: Version | null;
  };
  child: { bucket: Bucket; version: Version };
  status: AncestryStatus;
}

/** ListBucketAncestry's filters, as the HCP SDK documents them. */
export interface AncestryFilter {
  /**
   * Only the parents of this version of the bucket (relations where it is the child). Unset:
   * the parents of the bucket's latest version, as hcp-sdk-go documents `version_fingerprint`
   * (packer_service_list_bucket_ancestry_parameters.go).
   */
  versionFingerprint?: string;
  /** Only children built from this channel of the bucket. */
  channelName?: string;
}

export class AncestryService {
  constructor(private readonly ctx: RegistryContext) {}

  /** The bucket's relations (as child, as parent, or both), newest child version first. */
  async list(
    scope: Scope,
    bucketName: string,
    type: AncestryType,
    page: Page,
    filter: AncestryFilter = {},
  ): Promise<{ total: number; relations: Relation[] }> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const now = ctx.clock.now();
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const version = filter.versionFingerprint
      ? await ctx.version(ex, bucket, filter.versionFingerprint)
      : await this.latest(ex, bucket, now);
    const channel = filter.channelName ? await ctx.channel(ex, bucket, filter.channelName) : null;
    const links: Build[] = [];
    if (type !== 'ANCESTRY_TYPE_CHILDREN') {
      const parents = await ctx.builds.parentLinksOfBucket(ex, bucket.id);
      links.push(...parents.filter((l) => l.versionId === version?.id));
    }
    if (type !== 'ANCESTRY_TYPE_PARENTS') {
      const children = (await ctx.builds.childLinksOfBucket(ex, bucket.id)).map((l) => l.build);
      links.push(...children.filter((l) => !channel || l.parentChannelId === channel.id));
    }
    // One relation per (child version, parent version, parent channel), whatever the builds.
    const unique = new Map<string, Build>();
    for (const link of links)
      unique.set(`${link.versionId}|${link.parentVersionId}|${link.parentChannelId}`, link);
    const versionIds = [...unique.values()].flatMap((l) => [
      l.versionId,
      l.parentVersionId as string,
    ]);
    const versions = await ctx.versions.findVersionsByIds(ex, versionIds);
    const channels = await ctx.channels.findChannelsByIds(
      ex,
      [...unique.values()].map((l) => l.parentChannelId).filter((id): id is string => !!id),
    );
    const buckets = await ctx.buckets.findBucketsByIds(
      ex,
      [...versions.values()].map((v) => v.bucketId),
    );
    const cache = new Map<string, Promise<string | null>>();
    const relations: Relation[] = [];
    for (const link of unique.values()) {
      const child = versions.get(link.versionId);
      const parent = versions.get(link.parentVersionId as string);
      if (!child || !parent) continue;
      const channel = link.parentChannelId ? (channels.get(link.parentChannelId) ?? null) : null;
      const status = await linkStatus(ctx, ex, link, now, cache);
      const currentId = link.parentChannelId ? await cache.get(link.parentChannelId) : null;
      const channelVersion = currentId
        ? ((await ctx.versions.findVersionsByIds(ex, [currentId])).get(currentId) ?? null)
        : null;
      relations.push({
        parent: {
          bucket: buckets.get(parent.bucketId) as Bucket,
          version: parent,
          channel,
          channelVersion,
        },
        child: { bucket: buckets.get(child.bucketId) as Bucket, version: child },
        status,
      });
    }
    relations.sort((a, b) => b.child.version.createdAt.localeCompare(a.child.version.createdAt));
    return {
      total: relations.length,
      relations: relations.slice(page.offset, page.offset + page.limit),
    };
  }

  /** What the bucket's `latest` channel serves now: null before its first complete version. */
  private async latest(ex: Executor, bucket: Bucket, now: Date): Promise<Version | null> {
    const channel = await this.ctx.channels.findChannel(ex, bucket.id, LATEST);
    return channel ? effectiveVersion(this.ctx, ex, channel, now) : null;
  }
}

export function parseAncestryType(value: string | undefined): AncestryType {
  if (value === undefined || value === '') return 'ANCESTRY_TYPE_UNSET';
  if (
    value === 'ANCESTRY_TYPE_UNSET' ||
    value === 'ANCESTRY_TYPE_PARENTS' ||
    value === 'ANCESTRY_TYPE_CHILDREN'
  ) {
    return value;
  }
  throw new ValidationError(
    'type',
    `type "${value}" is not one of ANCESTRY_TYPE_PARENTS, ANCESTRY_TYPE_CHILDREN.`,
  );
}
