import type { Assignment, Channel, Version } from '../domain/model';
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
 * `effectiveVersion` of several channels, by channel id, in a fixed number of queries
 * (two more per page of history while a revocation's rollback is not written down yet).
 */
export async function effectiveVersions(
  ctx: RegistryContext,
  ex: Executor,
  channels: readonly Channel[],
  now: Date,
): Promise<Map<string, Version | null>> {
  const assignedIds = channels.flatMap((c) => (!c.managed && c.versionId ? [c.versionId] : []));
  const [latest, assigned] = await Promise.all([
    ctx.versions.latestAssignableVersions(
      ex,
      channels.filter((c) => c.managed).map((c) => c.bucketId),
      now.toISOString(),
    ),
    ctx.versions.findVersionsByIds(ex, assignedIds),
  ]);
  const served = new Map<string, Version | null>();
  const pending: { channel: Channel; revokedId: string }[] = [];
  for (const channel of channels) {
    const current = channel.managed
      ? (latest.get(channel.bucketId) ?? null)
      : channel.versionId
        ? (assigned.get(channel.versionId) ?? null)
        : null;
    if (!channel.managed && current && isRevoked(current, now) && current.revocationRollback)
      pending.push({ channel, revokedId: current.id });
    else served.set(channel.id, current);
  }
  for (const [id, target] of await rollbackTargets(ctx, ex, pending, now)) served.set(id, target);
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
  return (await rollbackTargets(ctx, ex, [{ channel, revokedId }], now)).get(channel.id) ?? null;
}

/** `rollbackTarget` of several channels, by channel id, two queries per page of history. */
async function rollbackTargets(
  ctx: RegistryContext,
  ex: Executor,
  pending: readonly { channel: Channel; revokedId: string }[],
  now: Date,
): Promise<Map<string, Version | null>> {
  const targets = new Map<string, Version | null>();
  let left = pending;
  for (let offset = 0; left.length > 0; offset += HISTORY_PAGE) {
    const pages = await ctx.channels.listHistories(
      ex,
      left.map((p) => p.channel.id),
      { offset, limit: HISTORY_PAGE },
    );
    const pageOf = (p: { channel: Channel }) => pages.get(p.channel.id) ?? [];
    const versions = await ctx.versions.findVersionsByIds(
      ex,
      left.flatMap((p) => candidates(pageOf(p), p.revokedId)),
    );
    left = left.filter((p) => {
      const target = firstValid(pageOf(p), p.revokedId, versions, now);
      if (!target && pageOf(p).length === HISTORY_PAGE) return true;
      targets.set(p.channel.id, target);
      return false;
    });
  }
  return targets;
}

/** The versions a page of history (newest first) could roll back to, in order. */
function candidates(page: readonly Assignment[], revokedId: string): string[] {
  return page.map((a) => a.versionId).filter((id): id is string => id !== null && id !== revokedId);
}

/** The first of `page`'s candidates that is valid at `now`, or null. */
function firstValid(
  page: readonly Assignment[],
  revokedId: string,
  versions: ReadonlyMap<string, Version>,
  now: Date,
): Version | null {
  for (const id of candidates(page, revokedId)) {
    const version = versions.get(id);
    if (version && isAssignable(version, now)) return version;
  }
  return null;
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
  await ctx.channels.updateChannel(tx, moved);
  await ctx.channels.appendHistory(tx, {
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
  for (const stale of await ctx.channels.channelsPointingAt(tx, revokedIds)) {
    const channel = await ctx.channels.lockChannel(tx, stale.id);
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
  const due = await ctx.channels.channelsOnDueRevocations(ctx.db.reader, now.toISOString());
  let count = 0;
  for (const stale of due) {
    await ctx.db.transaction(async (tx) => {
      const channel = await ctx.channels.lockChannel(tx, stale.id);
      if (!channel.versionId) return;
      const version = (await ctx.versions.findVersionsByIds(tx, [channel.versionId])).get(
        channel.versionId,
      );
      if (!version || !isRevoked(version, now) || !version.revocationRollback) return;
      const target = await rollbackTarget(ctx, tx, channel, version.id, now);
      await assignChannel(ctx, tx, channel, target, REGISTRY_ACTOR);
      const bucket = await ctx.buckets.findBucketById(tx, channel.bucketId);
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
