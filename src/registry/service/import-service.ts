import type { Assignment, Bucket, Channel, Scope } from '../domain/model';
import { ConflictError } from '../errors';
import type { Executor } from '../storage/database';
import { ImportRepository } from '../storage/import-repository';
import { LATEST, type BucketService, type BucketView } from './bucket-service';
import type { Actor, RegistryContext } from './context';
import {
  storedTime,
  type ImportedBucket,
  type ImportedChannel,
  type ImportedVersion,
  type ImportOutcome,
} from './import-input';
import { chooseIds, importVersion } from './import-version';
import { channelView, versionView, type ChannelView, type VersionView } from './views';

const HISTORY_PAGE = 1000;

/**
 * Restores what another registry of this API holds (`ingot import hcp`): buckets,
 * versions with builds, artifacts, parents and revocations, channels with their whole
 * history, keeping ids, names, times and authors. Every call is idempotent: what is
 * already here and equal is left alone, what moved on there is brought up to date, and
 * what changed here is never overwritten (IMPORT_CONFLICT says what differs).
 */
export class ImportService {
  private readonly imports = new ImportRepository();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly buckets: BucketService,
  ) {}

  async importBucket(
    scope: Scope,
    actor: Actor,
    name: string,
    input: ImportedBucket,
  ): Promise<{ outcome: ImportOutcome; bucket: BucketView }> {
    const { ctx } = this;
    const outcome = await ctx.db.transaction(async (tx) => {
      const existing = await ctx.buckets.findBucket(tx, scope, name);
      if (existing) {
        if (
          existing.description === input.description &&
          JSON.stringify(existing.labels) === JSON.stringify(input.labels)
        )
          return 'unchanged';
        await ctx.buckets.updateBucket(tx, {
          ...existing,
          description: input.description,
          labels: input.labels,
          updatedAt: storedTime(input.updatedAt, ctx.nowIso()),
        });
        await ctx.audit(tx, scope, actor, 'bucket.import', name, { outcome: 'updated' });
        return 'updated';
      }
      const now = ctx.nowIso();
      const [id] = await chooseIds(this.imports, tx, 'buckets', [input.id]);
      const bucket: Bucket = {
        ...scope,
        id,
        name,
        description: input.description,
        labels: input.labels,
        versionSeq: 0,
        createdAt: storedTime(input.createdAt, now),
        updatedAt: storedTime(input.updatedAt, now),
      };
      if (!(await ctx.buckets.insertBucketIfAbsent(tx, bucket))) {
        throw new ConflictError(
          'IMPORT_CONFLICT',
          `bucket "${name}" was created meanwhile; run the import again.`,
        );
      }
      await this.imports.setTimes(tx, 'buckets', id, bucket.createdAt, bucket.updatedAt);
      const [latestId] = await chooseIds(this.imports, tx, 'channels', [input.latest?.id]);
      const latestCreated = storedTime(input.latest?.createdAt, bucket.createdAt);
      await ctx.channels.insertChannel(tx, {
        id: latestId,
        bucketId: id,
        name: LATEST,
        restricted: false,
        managed: true,
        versionId: null,
        authorId: input.latest?.authorId || actor.principalId,
        historySeq: 0,
        createdAt: latestCreated,
        updatedAt: storedTime(input.latest?.updatedAt, latestCreated),
      });
      await ctx.audit(tx, scope, actor, 'bucket.import', name, { outcome: 'created' });
      return 'created';
    });
    return { outcome, bucket: await this.buckets.get(scope, name) };
  }

  async importVersion(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    input: ImportedVersion,
  ): Promise<{ outcome: ImportOutcome; version: VersionView }> {
    const { ctx } = this;
    const { bucket, outcome, version } = await ctx.db.transaction(async (tx) => {
      // The bucket lock serialises this with completions, which also hand out names.
      const bucket = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, bucketName)).id);
      const done = await importVersion(
        ctx,
        this.imports,
        tx,
        scope,
        actor,
        bucket,
        fingerprint,
        input,
      );
      return { bucket, ...done };
    });
    return {
      outcome,
      version: await versionView(ctx, ctx.db.reader, bucket, version, ctx.clock.now()),
    };
  }

  /**
   * A channel with its whole history. The history here must be the start of the one
   * being imported (or empty): new assignments there are appended; an assignment made
   * here since is an IMPORT_CONFLICT, never overwritten.
   */
  async importChannel(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    channelName: string,
    input: ImportedChannel,
  ): Promise<{ outcome: ImportOutcome; channel: ChannelView }> {
    const { ctx } = this;
    const { bucket, channel, outcome } = await ctx.db.transaction(async (tx) => {
      const bucket = await ctx.buckets.lockBucket(tx, (await ctx.bucket(tx, scope, bucketName)).id);
      const managed = channelName === LATEST;
      const ids = await this.versionIds(tx, bucket, [
        ...input.history.map((h) => h.versionFingerprint),
        managed ? null : input.versionFingerprint,
      ]);
      const history = input.history.map((h, i) => ({
        versionId: ids[i],
        authorId: h.authorId,
        assignedAt: storedTime(h.assignedAt, ctx.nowIso()),
      }));
      const versionId = ids[ids.length - 1];
      let channel = await ctx.channels.findChannel(tx, bucket.id, channelName);
      let outcome: ImportOutcome = 'unchanged';
      if (!channel) {
        const [id] = await chooseIds(this.imports, tx, 'channels', [input.id]);
        const createdAt = storedTime(input.createdAt, ctx.nowIso());
        channel = {
          id,
          bucketId: bucket.id,
          name: channelName,
          restricted: input.restricted,
          managed,
          versionId,
          authorId: input.authorId,
          historySeq: 0,
          createdAt,
          updatedAt: storedTime(input.updatedAt, createdAt),
        };
        await ctx.channels.insertChannel(tx, channel);
        outcome = 'created';
      }
      const existing = await this.history(tx, channel);
      const diverged = existing.findIndex(
        (a, i) =>
          !history[i] ||
          a.versionId !== history[i].versionId ||
          a.authorId !== history[i].authorId ||
          a.assignedAt !== history[i].assignedAt,
      );
      if (diverged >= 0) {
        throw new ConflictError(
          'IMPORT_CONFLICT',
          `channel "${channelName}" of bucket "${bucketName}" was assigned here since it was imported (assignment ${diverged + 1} of ${existing.length}, at ${existing[diverged].assignedAt}, differs from the history being imported); the import does not overwrite it.`,
          { bucket: bucketName, channel: channelName },
        );
      }
      for (const [i, h] of history.entries()) {
        if (i < existing.length) continue;
        await ctx.channels.appendHistory(tx, { channelId: channel.id, seq: i + 1, ...h });
      }
      const wanted: Channel = {
        ...channel,
        restricted: input.restricted,
        versionId,
        authorId: input.authorId,
        historySeq: Math.max(channel.historySeq, history.length),
        updatedAt: storedTime(input.updatedAt, channel.updatedAt),
      };
      const changed =
        history.length > existing.length ||
        wanted.restricted !== channel.restricted ||
        wanted.versionId !== channel.versionId ||
        wanted.authorId !== channel.authorId;
      if (changed || outcome === 'created') {
        await ctx.channels.updateChannel(tx, wanted);
        // A channel made bare for a parent link gets its own times with its first history.
        if (existing.length === 0 && input.createdAt)
          await this.imports.setTimes(
            tx,
            'channels',
            channel.id,
            storedTime(input.createdAt, channel.createdAt),
            wanted.updatedAt,
          );
        if (outcome !== 'created') outcome = 'updated';
        await ctx.audit(tx, scope, actor, 'channel.import', `${bucketName}/${channelName}`, {
          outcome,
          assignments: history.length - existing.length,
        });
      }
      return { bucket, channel: wanted, outcome };
    });
    const stored = (await ctx.channels.findChannel(
      ctx.db.reader,
      bucket.id,
      channel.name,
    )) as Channel;
    return {
      outcome,
      channel: await channelView(ctx, ctx.db.reader, bucket, stored, ctx.clock.now()),
    };
  }

  /** Ids of the bucket's versions by fingerprint (null stays null); each must be here. */
  private async versionIds(
    tx: Executor,
    bucket: Bucket,
    fingerprints: (string | null)[],
  ): Promise<(string | null)[]> {
    const ids: (string | null)[] = [];
    const known = new Map<string, string>();
    for (const fingerprint of fingerprints) {
      if (!fingerprint) {
        ids.push(null);
        continue;
      }
      let id = known.get(fingerprint);
      if (!id) {
        const version = await this.ctx.versions.findVersion(tx, bucket.id, fingerprint);
        if (!version) {
          throw new ConflictError(
            'IMPORT_REFERENCE_MISSING',
            `version "${fingerprint}" of bucket "${bucket.name}" is not here yet; import the versions before the channels that name them.`,
            { bucket: bucket.name, fingerprint },
          );
        }
        id = version.id;
        known.set(fingerprint, id);
      }
      ids.push(id);
    }
    return ids;
  }

  /** The channel's whole history, oldest first. */
  private async history(tx: Executor, channel: Channel): Promise<Assignment[]> {
    const all: Assignment[] = [];
    for (let offset = 0; ; offset += HISTORY_PAGE) {
      const page = await this.ctx.channels.listHistory(tx, channel.id, {
        offset,
        limit: HISTORY_PAGE,
      });
      all.push(...page);
      if (page.length < HISTORY_PAGE) break;
    }
    return all.reverse();
  }
}
