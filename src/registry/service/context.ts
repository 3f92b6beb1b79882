import type { Clock } from '../clock';
import type { Bucket, Channel, Scope, Version } from '../domain/model';
import { NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Database, Executor } from '../storage/database';
import { AuditRepository } from '../storage/audit-repository';
import { BucketRepository } from '../storage/bucket-repository';
import { BuildRepository } from '../storage/build-repository';
import { ChannelRepository } from '../storage/channel-repository';
import { ConsumerRepository } from '../storage/consumer-repository';
import { VersionRepository } from '../storage/version-repository';

/** Who is acting: recorded as author on versions, assignments, revocations and audit events. */
export interface Actor {
  principalId: string;
}

/** What every service shares: storage, its repositories and the clock. */
export class RegistryContext {
  readonly buckets = new BucketRepository();
  readonly versions = new VersionRepository();
  readonly builds = new BuildRepository();
  readonly channels = new ChannelRepository();
  readonly consumers = new ConsumerRepository();
  readonly auditEvents = new AuditRepository();

  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}

  nowIso(): string {
    return this.clock.now().toISOString();
  }

  async bucket(ex: Executor, scope: Scope, name: string): Promise<Bucket> {
    const bucket = await this.buckets.findBucket(ex, scope, name);
    if (!bucket) {
      throw new NotFoundError(
        'bucket',
        name,
        `create it first (PUT .../buckets) or check the organization "${scope.organizationId}" and project "${scope.projectId}".`,
      );
    }
    return bucket;
  }

  async version(ex: Executor, bucket: Bucket, fingerprint: string): Promise<Version> {
    const version = await this.versions.findVersion(ex, bucket.id, fingerprint);
    if (!version) {
      throw new NotFoundError(
        'version',
        fingerprint,
        `bucket "${bucket.name}" has no version with that fingerprint; list them with GET .../buckets/${bucket.name}/versions.`,
      );
    }
    return version;
  }

  async channel(ex: Executor, bucket: Bucket, name: string): Promise<Channel> {
    const channel = await this.channels.findChannel(ex, bucket.id, name);
    if (!channel) {
      throw new NotFoundError(
        'channel',
        name,
        `bucket "${bucket.name}" has no such channel; list them with GET .../buckets/${bucket.name}/channels.`,
      );
    }
    return channel;
  }

  /** Creates an unassigned channel in `bucketId`. */
  async createChannel(
    tx: Executor,
    bucketId: string,
    name: string,
    actor: Actor,
    flags: { restricted?: boolean; managed?: boolean } = {},
  ): Promise<Channel> {
    const now = this.nowIso();
    const channel: Channel = {
      id: newId(),
      bucketId,
      name,
      restricted: flags.restricted ?? false,
      managed: flags.managed ?? false,
      versionId: null,
      authorId: actor.principalId,
      historySeq: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.channels.insertChannel(tx, channel);
    return channel;
  }

  async audit(
    tx: Executor,
    scope: Scope,
    actor: Actor,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.auditEvents.insertAuditEvent(tx, {
      id: newId(),
      occurredAt: this.nowIso(),
      principalId: actor.principalId,
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      action,
      target,
      details,
    });
  }
}
