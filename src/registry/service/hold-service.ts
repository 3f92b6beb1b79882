import type { Channel, Scope } from '../domain/model';
import { ConflictError, PermissionDeniedError, ValidationError } from '../errors';
import type { Executor } from '../storage/database';
import { deleteHold, findHold, holdsOfBucket, putHold } from '../storage/hold-repository';
import { assignChannel } from './channel-resolution';
import type { ChannelActor, ChannelService } from './channel-service';
import type { RegistryContext } from './context';

/**
 * Channel holds, an Ingot extension: a held channel refuses every assignment — a
 * promotion (scheduled or manual), `channels set`, HCP's PATCH — naming who holds it and
 * why, until it is released or its expiry passes (by the registry's clock). A rollback
 * puts the hold and the version in one transaction, so the next scheduled promotion
 * cannot undo it. Revocation rollbacks still move a held channel: safety first.
 */
export interface ChannelHold {
  channelId: string;
  reason: string;
  /** Who asked for it, as they gave it (a person, a workflow run). */
  heldBy: string;
  /** The principal that put it. */
  authorId: string;
  createdAt: string;
  /** When it lifts by itself; null: until released. */
  expiresAt: string | null;
}

export interface HoldInput {
  reason: string;
  heldBy?: string;
  expiresAt?: string;
  /** Or: how long from now, by the registry's clock. */
  expiresInMs?: number;
  /** Assign this version in the same transaction (a rollback). */
  versionFingerprint?: string;
}

/** The stable reason a held channel's assignment is refused with. */
export const CHANNEL_HELD = 'CHANNEL_HELD';

function isActive(hold: ChannelHold | null, now: Date): hold is ChannelHold {
  return hold !== null && (hold.expiresAt === null || Date.parse(hold.expiresAt) > now.getTime());
}

/** Refuses to move `channel` while it has an active hold. */
export async function assertNotHeld(
  ctx: RegistryContext,
  ex: Executor,
  channel: Channel,
  bucketName: string,
): Promise<void> {
  const hold = await findHold(ex, channel.id);
  if (!isActive(hold, ctx.clock.now())) return;
  const until = hold.expiresAt ? ` until ${hold.expiresAt}` : '';
  throw new ConflictError(
    CHANNEL_HELD,
    `channel "${channel.name}" of bucket "${bucketName}" is held by ${hold.heldBy} since ${hold.createdAt}${until}: ${hold.reason}; nothing moved. Release it with \`ingot channels release ${bucketName} ${channel.name}\` once that is resolved.`,
    { held_by: hold.heldBy, reason: hold.reason },
  );
}

export class HoldService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly channels: ChannelService,
  ) {}

  async hold(
    scope: Scope,
    actor: ChannelActor,
    bucketName: string,
    channelName: string,
    input: HoldInput,
  ): Promise<ChannelHold> {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (input.expiresAt && input.expiresInMs !== undefined)
      throw new ValidationError('expires_in', 'give expires_at or expires_in, not both.');
    const expiresAt =
      input.expiresInMs !== undefined
        ? new Date(now.getTime() + input.expiresInMs).toISOString()
        : input.expiresAt;
    if (expiresAt && Date.parse(expiresAt) <= now.getTime())
      throw new ValidationError(
        'expires_at',
        `expires_at ${expiresAt} is not in the future (the registry's clock says ${now.toISOString()}); give a later time or none.`,
      );
    return ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      let channel = await ctx.channels.lockChannel(
        tx,
        (await ctx.channel(tx, bucket, channelName)).id,
      );
      if (channel.managed)
        throw new ConflictError(
          'CHANNEL_MANAGED',
          `"${channelName}" is managed by the registry (always the newest valid version) and cannot be held.`,
        );
      if (channel.restricted && !actor.isAdmin)
        throw new PermissionDeniedError(
          `only an admin may hold the restricted channel "${channelName}".`,
        );
      if (input.versionFingerprint) {
        const version = await this.channels.assignable(tx, bucket, input.versionFingerprint);
        if (version.id !== channel.versionId)
          channel = await assignChannel(ctx, tx, channel, version, actor);
      }
      const hold: ChannelHold = {
        channelId: channel.id,
        reason: input.reason,
        heldBy: input.heldBy || actor.principalId,
        authorId: actor.principalId,
        createdAt: ctx.nowIso(),
        expiresAt: expiresAt ?? null,
      };
      await putHold(tx, hold);
      await ctx.audit(tx, scope, actor, 'channel.hold', `${bucketName}/${channelName}`, {
        reason: hold.reason,
        held_by: hold.heldBy,
        expires_at: hold.expiresAt,
        version: input.versionFingerprint ?? null,
      });
      return hold;
    });
  }

  async release(
    scope: Scope,
    actor: ChannelActor,
    bucketName: string,
    channelName: string,
  ): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const channel = await ctx.channels.lockChannel(
        tx,
        (await ctx.channel(tx, bucket, channelName)).id,
      );
      if (channel.restricted && !actor.isAdmin)
        throw new PermissionDeniedError(
          `only an admin may release the restricted channel "${channelName}".`,
        );
      if (!(await deleteHold(tx, channel.id)))
        throw new ConflictError(
          'CHANNEL_NOT_HELD',
          `channel "${channelName}" of bucket "${bucketName}" is not held; nothing to release.`,
        );
      await ctx.audit(tx, scope, actor, 'channel.release', `${bucketName}/${channelName}`);
    });
  }

  /** The channel's active hold, or null. */
  async get(scope: Scope, bucketName: string, channelName: string): Promise<ChannelHold | null> {
    const ex = this.ctx.db.reader;
    const bucket = await this.ctx.bucket(ex, scope, bucketName);
    const channel = await this.ctx.channel(ex, bucket, channelName);
    const hold = await findHold(ex, channel.id);
    return isActive(hold, this.ctx.clock.now()) ? hold : null;
  }

  /** Active holds of a bucket's channels. */
  async ofBucket(
    scope: Scope,
    bucketName: string,
  ): Promise<{ channel: string; hold: ChannelHold }[]> {
    const ex = this.ctx.db.reader;
    const bucket = await this.ctx.bucket(ex, scope, bucketName);
    const now = this.ctx.clock.now();
    return (await holdsOfBucket(ex, bucket.id)).filter((h) => isActive(h.hold, now));
  }
}
