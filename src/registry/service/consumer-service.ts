import type { AuditEvent, Consumer, Scope, Version } from '../domain/model';
import { isAssignable } from '../domain/version-status';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Page } from '../storage/listing';
import type { Actor, RegistryContext } from './context';
import { versionView, type VersionView } from './views';
import { formatDuration } from '../duration';

export interface ConsumerInput {
  pulumiProject: string;
  stack: string;
  urn: string;
  channel: string;
}

export interface SoakedVersion {
  version: VersionView;
  assignedAt: string;
  /** With a consumer stack: when that stack first recorded the version (the soak's start). */
  runningSince?: string;
  heldForMs: number;
}

/** A stack whose consumer record starts the soak: `{ project: ingot-fleet, stack: staging }`. */
export interface SoakConsumer {
  project: string;
  stack: string;
}

/** Ingot-only features: consumers, soak-time promotion queries and the audit log. */
export class ConsumerService {
  constructor(private readonly ctx: RegistryContext) {}

  async register(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    input: ConsumerInput,
  ): Promise<Consumer> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const version = await ctx.version(tx, bucket, fingerprint);
      const now = ctx.nowIso();
      const consumer: Consumer = {
        id: newId(),
        versionId: version.id,
        ...input,
        firstSeenAt: now,
        lastSeenAt: now,
      };
      await ctx.consumers.upsertConsumer(tx, consumer);
      await ctx.audit(tx, scope, actor, 'consumer.register', `${bucketName}/${fingerprint}`, {
        ...input,
      });
      const [stored] = (await ctx.consumers.listConsumers(tx, [version.id])).filter(
        (c) =>
          c.pulumiProject === input.pulumiProject && c.stack === input.stack && c.urn === input.urn,
      );
      return stored;
    });
  }

  async ofVersion(scope: Scope, bucketName: string, fingerprint: string): Promise<Consumer[]> {
    const ex = this.ctx.db.reader;
    const bucket = await this.ctx.bucket(ex, scope, bucketName);
    const version = await this.ctx.version(ex, bucket, fingerprint);
    return this.ctx.consumers.listConsumers(ex, [version.id]);
  }

  async ofBucket(
    scope: Scope,
    bucketName: string,
  ): Promise<{ consumer: Consumer; version: Version }[]> {
    const ex = this.ctx.db.reader;
    const bucket = await this.ctx.bucket(ex, scope, bucketName);
    const consumers = await this.ctx.consumers.consumersOfBucket(ex, bucket.id);
    const versions = await this.ctx.versions.findVersionsByIds(
      ex,
      consumers.map((c) => c.versionId),
    );
    return consumers.map((consumer) => ({
      consumer,
      version: versions.get(consumer.versionId) as Version,
    }));
  }

  /**
   * The newest version that `channelName` has held for at least `minimumSoakMs` and that
   * is still valid: what a soak-time promotion (e.g. staging → prod after 24 h) takes.
   * With `consumer`, the soak counts from when that stack (the staging fleet) first
   * recorded the version as its consumer, not from the assignment: a version no machine
   * ran has not soaked at all.
   */
  async soaked(
    scope: Scope,
    bucketName: string,
    channelName: string,
    minimumSoakMs: number,
    consumer?: SoakConsumer,
  ): Promise<SoakedVersion> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const now = ctx.clock.now();
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const channel = await ctx.channel(ex, bucket, channelName);
    if (channel.managed) {
      throw new ConflictError(
        'CHANNEL_MANAGED',
        `"${channelName}" is managed and keeps no assignment history; promote from a channel you assign.`,
      );
    }
    const history = await ctx.channels.listHistory(ex, channel.id, { offset: 0, limit: 1000 });
    const versions = await ctx.versions.findVersionsByIds(
      ex,
      history.map((a) => a.versionId).filter((id): id is string => id !== null),
    );
    if (consumer) await this.requireConsumerStack(ex, scope, consumer);
    const running = consumer ? await this.firstSeen(ex, [...versions.keys()], consumer) : null;
    let heldUntil = now.getTime();
    for (const assignment of history) {
      const assignedMs = Date.parse(assignment.assignedAt);
      const version = assignment.versionId ? versions.get(assignment.versionId) : undefined;
      const since = version && running ? running.get(version.id) : undefined;
      const startMs = running
        ? since
          ? Math.max(assignedMs, Date.parse(since))
          : null
        : assignedMs;
      const heldForMs = startMs === null ? -1 : heldUntil - startMs;
      heldUntil = assignedMs;
      if (version && heldForMs >= minimumSoakMs && isAssignable(version, now)) {
        return {
          version: await versionView(ctx, ex, bucket, version, now),
          assignedAt: assignment.assignedAt,
          ...(since ? { runningSince: since } : {}),
          heldForMs,
        };
      }
    }
    const where = consumer
      ? `run by stack ${consumer.project}/${consumer.stack} (its consumer record) from channel "${channelName}"`
      : `held by channel "${channelName}"`;
    throw new NotFoundError(
      'soaked version',
      `${bucketName}/${channelName}`,
      `no valid version has been ${where} for at least ${formatDuration(minimumSoakMs)} yet; wait, or promote with a shorter soak.`,
    );
  }

  /**
   * A consumer stack that never recorded any version of any bucket in the scope is a
   * wrong name (`ingot-fleet/stagin`), not a soak still running: refused, naming the
   * stacks that did, instead of "not due" forever. A known stack that has not run this
   * bucket (a bucket no pool of it uses) stays "not due", as does every stack before
   * any ran anything.
   */
  private async requireConsumerStack(
    ex: Parameters<RegistryContext['consumers']['consumerStacks']>[0],
    scope: Scope,
    consumer: SoakConsumer,
  ): Promise<void> {
    const name = `${consumer.project}/${consumer.stack}`;
    const known = await this.ctx.consumers.consumerStacks(ex, scope);
    // Before any stack ran anything (bootstrap), nothing is due yet: not an error.
    if (known.length === 0 || known.includes(name)) return;
    throw new NotFoundError(
      'consumer stack',
      name,
      `no stack of that name ever ran an image of this project; the stacks that did are ${known.join(', ')}: name one of them as the soak's consumer (--soak-consumer).`,
    );
  }

  /** Per version, when `consumer`'s stack first recorded it (its earliest resource). */
  private async firstSeen(
    ex: Parameters<RegistryContext['consumers']['listConsumers']>[0],
    versionIds: string[],
    consumer: SoakConsumer,
  ): Promise<Map<string, string>> {
    const first = new Map<string, string>();
    for (const c of await this.ctx.consumers.listConsumers(ex, versionIds)) {
      if (c.pulumiProject !== consumer.project || c.stack !== consumer.stack) continue;
      const seen = first.get(c.versionId);
      if (!seen || c.firstSeenAt < seen) first.set(c.versionId, c.firstSeenAt);
    }
    return first;
  }

  async auditEvents(scope: Scope, page: Page): Promise<AuditEvent[]> {
    return this.ctx.auditEvents.listAuditEvents(this.ctx.db.reader, scope, page);
  }
}
