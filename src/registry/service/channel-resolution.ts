import type { Channel, Version } from '../domain/model';
import { isAssignable, isRevoked } from '../domain/version-status';
import type { Executor } from '../storage/database';
import type { Actor, RegistryContext } from './context';

/** Author recorded on assignments the registry makes itself (rollbacks). */
export const REGISTRY_ACTOR: Actor = { principalId: 'ingot:revocation-rollback' };

const HISTORY_PAGE = 100;

/**
 * The version a channel serves at `now`. `latest` is computed (newest complete,
 * unrevoked version). Any other channel serves its assignment, except when that
 * version's revocation has taken effect with rollback enabled: then it serves its
 * newest earlier assignment that is still valid, so a scheduled revocation rolls
 * channels back exactly on time even before the sweeper writes it down.
 */
export async function effectiveVersion(
  ctx: RegistryContext,
  ex: Executor,
  channel: Channel,
  now: Date,
): Promise<Version | null> {
  return (await effectiveVersions(ctx, ex, [channel], now)).get(channel.id) ?? null;
}

/**
 * `effectiveVersion` of several channels, by channel id, in at most two queries. Only a
 * channel whose version's revocation has taken effect but whose rollback the sweeper has
 * not written down yet costs reads of its own (its history).
 */
export async function effectiveVersions(
  ctx: RegistryContext,
  ex: Executor,
  channels: readonly Channel[],
  now: Date,
): Promise<Map<string, Version | null>> {
  const assignedIds = channels.flatMap((c) => (!c.managed && c.versionId ? [c.versionId] : []));
  const [latest, assigned] = await Promise.all([
    ctx.repo.latestAssignableVersions(
      ex,
      channels.filter((c) => c.managed).map((c) => c.bucketId),
      now.toISOString(),
    ),
    ctx.repo.findVersionsByIds(ex, assignedIds),
  ]);
  const served = new Map<string, Version | null>();
  for (const channel of channels) {
    if (channel.managed) {
      served.set(channel.id, latest.get(channel.bucketId) ?? null);
      continue;
    }
    const current = channel.versionId ? (assigned.get(channel.versionId) ?? null) : null;
    served.set(
      channel.id,
      current && isRevoked(current, now) && current.revocationRollback
        ? await rollbackTarget(ctx, ex, channel, current.id, now)
        : current,
    );
  }
  return served;
}

/** The newest earlier assignment of `channel` whose version is valid at `now`. */
export async function rollbackTarget(
  ctx: RegistryContext,
  ex: Executor,
  channel: Channel,
  revokedId: string,
  now: Date,
): Promise<Version | null> {
  for (let offset = 0; ; offset += HISTORY_PAGE) {
    const page = await ctx.repo.listHistory(ex, channel.id, { offset, limit: HISTORY_PAGE });
    const ids = page
      .map((a) => a.versionId)
      .filter((id): id is string => id !== null && id !== revokedId);
    const versions = await ctx.repo.findVersionsByIds(ex, ids);
    for (const id of ids) {
      const version = versions.get(id);
      if (version && isAssignable(version, now)) return version;
    }
    if (page.length < HISTORY_PAGE) return null;
  }
}

/** Points a locked channel at `version` (or nowhere) and records the assignment. */
export async function assignChannel(
  ctx: RegistryContext,
  tx: Executor,
  channel: Channel,
  version: Version | null,
  actor: Actor,
): Promise<Channel> {
  const now = ctx.nowIso();
  const moved: Channel = {
    ...channel,
    versionId: version?.id ?? null,
    authorId: actor.principalId,
    historySeq: channel.historySeq + 1,
    updatedAt: now,
  };
  await ctx.repo.updateChannel(tx, moved);
  await ctx.repo.appendHistory(tx, {
    channelId: channel.id,
    seq: moved.historySeq,
    versionId: moved.versionId,
    authorId: actor.principalId,
    assignedAt: now,
  });
  return moved;
}

/**
 * Rolls back every channel that points at one of `revokedIds` (already revoked in
 * this transaction) to its newest valid earlier assignment.
 */
export async function rollBackChannels(
  ctx: RegistryContext,
  tx: Executor,
  revokedIds: readonly string[],
  now: Date,
): Promise<Channel[]> {
  const moved: Channel[] = [];
  for (const stale of await ctx.repo.channelsPointingAt(tx, revokedIds)) {
    const channel = await ctx.repo.lockChannel(tx, stale.id);
    if (!channel.versionId || !revokedIds.includes(channel.versionId)) continue;
    const target = await rollbackTarget(ctx, tx, channel, channel.versionId, now);
    moved.push(await assignChannel(ctx, tx, channel, target, REGISTRY_ACTOR));
  }
  return moved;
}

/**
 * Writes down the rollbacks of scheduled revocations that have taken effect. Reads are
 * already right without it (see `effectiveVersion`); this keeps the history honest.
 */
export async function applyDueRollbacks(ctx: RegistryContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.repo.channelsOnDueRevocations(ctx.db.reader, now.toISOString());
  let count = 0;
  for (const stale of due) {
    await ctx.db.transaction(async (tx) => {
      const channel = await ctx.repo.lockChannel(tx, stale.id);
      if (!channel.versionId) return;
      const version = (await ctx.repo.findVersionsByIds(tx, [channel.versionId])).get(
        channel.versionId,
      );
      if (!version || !isRevoked(version, now) || !version.revocationRollback) return;
      const target = await rollbackTarget(ctx, tx, channel, version.id, now);
      await assignChannel(ctx, tx, channel, target, REGISTRY_ACTOR);
      const bucket = await ctx.repo.findBucketById(tx, channel.bucketId);
      if (bucket) {
        await ctx.audit(
          tx,
          bucket,
          REGISTRY_ACTOR,
          'channel.rollback',
          `${bucket.name}/${channel.name}`,
          {
            from: version.fingerprint,
            to: target?.fingerprint ?? null,
          },
        );
      }
      count++;
    });
  }
  return count;
}
