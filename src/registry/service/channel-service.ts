import type { Assignment, Bucket, Scope, Version } from '../domain/model';
import { isAssignable } from '../domain/version-status';
import {
  AlreadyExistsError,
  ConflictError,
  PermissionDeniedError,
  ValidationError,
} from '../errors';
import type { Executor } from '../storage/database';
import type { Page } from '../storage/listing';
import { LATEST } from './bucket-service';
import { assignChannel, effectiveVersion } from './channel-resolution';
import type { Actor, RegistryContext } from './context';
import { assertNotHeld } from './hold-service';
import { channelView, versionView, type ChannelView, type VersionView } from './views';

/** An actor with what its role allows on channels. */
export interface ChannelActor extends Actor {
  /** Admins may assign restricted channels and change `restricted`. */
  isAdmin: boolean;
}

export interface ChannelUpdate {
  /** Present when the assignment changes; '' unassigns. */
  versionFingerprint?: string;
  restricted?: boolean;
}

export interface AssignmentView {
  assignment: Assignment;
  version: VersionView | null;
}

export class ChannelService {
  constructor(private readonly ctx: RegistryContext) {}

  async create(
    scope: Scope,
    actor: ChannelActor,
    bucketName: string,
    input: { name: string; restricted: boolean; versionFingerprint?: string },
  ): Promise<ChannelView> {
    const { ctx } = this;
    if (input.name === LATEST) {
      throw new ConflictError(
        'CHANNEL_MANAGED',
        `"${LATEST}" is managed by the registry and exists in every bucket.`,
      );
    }
    if (input.restricted) this.requireAdmin(actor, 'create a restricted channel');
    const { bucket, channel } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, bucketName)).id);
      if (await ctx.channels.findChannel(tx, bucket.id, input.name)) {
        throw new AlreadyExistsError(
          'channel',
          input.name,
          'update it with PATCH .../channels/{channel} instead.',
        );
      }
      let channel = await ctx.createChannel(tx, bucket.id, input.name, actor, {
        restricted: input.restricted,
      });
      if (input.versionFingerprint) {
        const version = await this.assignable(tx, bucket, input.versionFingerprint);
        channel = await assignChannel(ctx, tx, channel, version, actor);
      }
      await ctx.audit(tx, scope, actor, 'channel.create', `${bucketName}/${input.name}`, {
        version: input.versionFingerprint ?? null,
        restricted: input.restricted,
      });
      return { bucket, channel };
    });
    return channelView(ctx, ctx.db.reader, bucket, channel, ctx.clock.now());
  }

  /** The hot read path: the channel with the version it serves now and its builds. */
  async get(scope: Scope, bucketName: string, channelName: string): Promise<ChannelView> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    return channelView(
      ctx,
      ex,
      bucket,
      await ctx.channel(ex, bucket, channelName),
      ctx.clock.now(),
    );
  }

  async list(scope: Scope, bucketName: string): Promise<ChannelView[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const now = ctx.clock.now();
    const channels = await ctx.channels.listChannels(ex, bucket.id);
    return Promise.all(channels.map((c) => channelView(ctx, ex, bucket, c, now)));
  }

  async update(
    scope: Scope,
    actor: ChannelActor,
    bucketName: string,
    channelName: string,
    update: ChannelUpdate,
  ): Promise<ChannelView> {
    const { ctx } = this;
    if (update.versionFingerprint === undefined && update.restricted === undefined) {
      throw new ValidationError(
        'update_mask',
        'nothing to update: set version_fingerprint and/or restricted (and name them in update_mask).',
      );
    }
    const { bucket, channel } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      // The row lock makes concurrent moves of one channel take turns, so none is lost
      // and the history sequence stays gap-free.
      let channel = await ctx.channels.lockChannel(
        tx,
        (await ctx.channel(tx, bucket, channelName)).id,
      );
      if (channel.managed) {
        throw new ConflictError(
          'CHANNEL_MANAGED',
          `"${channelName}" is managed by the registry (always the newest valid version) and cannot be changed by hand.`,
        );
      }
      if (update.restricted !== undefined && update.restricted !== channel.restricted) {
        this.requireAdmin(actor, 'change whether a channel is restricted');
        channel = { ...channel, restricted: update.restricted, updatedAt: ctx.nowIso() };
        await ctx.channels.updateChannel(tx, channel);
      }
      if (update.versionFingerprint !== undefined) {
        await assertNotHeld(ctx, tx, channel, bucketName);
        if (channel.restricted)
          this.requireAdmin(actor, `assign the restricted channel "${channelName}"`);
        const version = update.versionFingerprint
          ? await this.assignable(tx, bucket, update.versionFingerprint)
          : null;
        if ((version?.id ?? null) !== channel.versionId) {
          channel = await assignChannel(ctx, tx, channel, version, actor);
        }
      }
      await ctx.audit(tx, scope, actor, 'channel.update', `${bucketName}/${channelName}`, {
        version: update.versionFingerprint ?? null,
        restricted: update.restricted ?? null,
      });
      return { bucket, channel };
    });
    return channelView(ctx, ctx.db.reader, bucket, channel, ctx.clock.now());
  }

  /** Gives `target` the version `source` serves now; creates `target` if missing. */
  async assign(
    scope: Scope,
    actor: ChannelActor,
    bucketName: string,
    sourceName: string,
    targetName: string,
  ): Promise<{ source: ChannelView; target: ChannelView; version: VersionView }> {
    const { ctx } = this;
    if (targetName === LATEST) {
      throw new ConflictError(
        'CHANNEL_MANAGED',
        `"${LATEST}" is managed by the registry and cannot be a target.`,
      );
    }
    if (sourceName === targetName) {
      throw new ValidationError('target_channel', 'source_channel and target_channel must differ.');
    }
    const { bucket } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, bucketName)).id);
      const source = await ctx.channel(tx, bucket, sourceName);
      const version = await effectiveVersion(ctx, tx, source, ctx.clock.now());
      if (!version) {
        throw new ConflictError(
          'CHANNEL_EMPTY',
          `source channel "${sourceName}" points at no version; assign it first.`,
        );
      }
      let target = await ctx.channels.findChannel(tx, bucket.id, targetName);
      target ??= await ctx.createChannel(tx, bucket.id, targetName, actor);
      target = await ctx.channels.lockChannel(tx, target.id);
      await assertNotHeld(ctx, tx, target, bucketName);
      if (target.restricted)
        this.requireAdmin(actor, `assign the restricted channel "${targetName}"`);
      if (target.versionId !== version.id) await assignChannel(ctx, tx, target, version, actor);
      await ctx.audit(tx, scope, actor, 'channel.assign', `${bucketName}/${targetName}`, {
        source: sourceName,
        version: version.fingerprint,
      });
      return { bucket };
    });
    const ex = ctx.db.reader;
    const now = ctx.clock.now();
    const source = await channelView(
      ctx,
      ex,
      bucket,
      await ctx.channel(ex, bucket, sourceName),
      now,
    );
    const target = await channelView(
      ctx,
      ex,
      bucket,
      await ctx.channel(ex, bucket, targetName),
      now,
    );
    return { source, target, version: target.version as VersionView };
  }

  async delete(scope: Scope, actor: Actor, bucketName: string, channelName: string): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const channel = await ctx.channels.lockChannel(
        tx,
        (await ctx.channel(tx, bucket, channelName)).id,
      );
      if (channel.managed) {
        throw new ConflictError(
          'CHANNEL_MANAGED',
          `"${channelName}" is managed by the registry and cannot be deleted.`,
        );
      }
      await ctx.channels.deleteChannel(tx, channel.id);
      await ctx.audit(tx, scope, actor, 'channel.delete', `${bucketName}/${channelName}`);
    });
  }

  /** Assignment history, newest first. */
  async history(
    scope: Scope,
    bucketName: string,
    channelName: string,
    page: Page,
  ): Promise<{ total: number; entries: AssignmentView[] }> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const channel = await ctx.channel(ex, bucket, channelName);
    const entries = await ctx.channels.listHistory(ex, channel.id, page);
    const versions = await ctx.versions.findVersionsByIds(
      ex,
      entries.map((e) => e.versionId).filter((id): id is string => id !== null),
    );
    const now = ctx.clock.now();
    const views: AssignmentView[] = [];
    for (const assignment of entries) {
      const version = assignment.versionId ? versions.get(assignment.versionId) : undefined;
      views.push({
        assignment,
        version: version ? await versionView(ctx, ex, bucket, version, now) : null,
      });
    }
    return { total: await ctx.channels.countHistory(ex, channel.id), entries: views };
  }

  /** The version, when it may be assigned (complete, not revoked); refused otherwise. */
  async assignable(ex: Executor, bucket: Bucket, fingerprint: string): Promise<Version> {
    const version = await this.ctx.version(ex, bucket, fingerprint);
    if (!isAssignable(version, this.ctx.clock.now())) {
      const why = version.complete
        ? `revoked (${version.revocationMessage || 'no message'})`
        : 'not complete';
      throw new ConflictError(
        'VERSION_NOT_ASSIGNABLE',
        `version "${fingerprint}" of bucket "${bucket.name}" is ${why}; only complete, unrevoked versions can be assigned to a channel.`,
      );
    }
    return version;
  }

  private requireAdmin(actor: ChannelActor, what: string): void {
    if (!actor.isAdmin) throw new PermissionDeniedError(`only an admin may ${what}.`);
  }
}
