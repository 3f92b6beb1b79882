import type * as M from '../registry/http/schemas/model';
import { resolveConnection, type ConnectionOptions } from './connection';
import { isNotFound, RegistryClientError, RegistryUnavailableError } from './errors';
import { Transport, type TransportOptions } from './transport';

export type Bucket = M.Bucket;
export type Version = M.Version;
export type Build = M.Build;
export type Channel = M.Channel;
export type ChannelAssignment = M.ChannelAssignment;
export type BucketAncestry = M.BucketAncestry;
export type ExternalArtifact = M.ExternalArtifact;

export interface ArtifactInput {
  external_identifier: string;
  region: string;
}

export interface BuildInput {
  platform: string;
  component_type: string;
  status?: 'BUILD_RUNNING' | 'BUILD_DONE' | 'BUILD_FAILED' | 'BUILD_CANCELLED';
  labels?: Record<string, string>;
  artifacts?: ArtifactInput[];
  packer_run_uuid?: string;
  source_external_identifier?: string;
  parent_version_id?: string;
  parent_channel_id?: string;
}

export interface RevokeOptions {
  /** RFC 3339 time, or a duration from now (`revokeIn: '0s'` = now). */
  revokeAt?: string;
  revokeIn?: string;
  message?: string;
  skipDescendants?: boolean;
  disableRollback?: boolean;
}

export interface Consumer {
  id: string;
  pulumi_project: string;
  stack: string;
  urn: string;
  channel: string;
  version_fingerprint?: string;
  version_name?: string;
  first_seen_at: string;
  last_seen_at: string;
}

/** A channel hold (Ingot extension): who holds the channel, why, until when. */
export interface ChannelHold {
  channel: string;
  reason: string;
  held_by: string;
  author_id: string;
  created_at: string;
  expires_at?: string;
}

export interface SoakedVersion {
  /** With a consumer stack: when it first recorded the version. */
  running_since?: string;
  version: Version;
  assigned_at: string;
  held_for: string;
  held_for_seconds: number;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

interface Paged {
  pagination?: { next_page_token?: string };
}

const enc = encodeURIComponent;

/**
 * The typed client of the HCP Packer 2023-01-01 API, for Ingot or HCP Packer itself.
 * Ingot-only calls check `isIngot()` first and say so when the registry is HCP.
 */
export class RegistryClient {
  readonly transport: Transport;
  private ingot: Promise<{ engine?: unknown; time?: unknown } | null> | null = null;
  private readonly pageSize: number | null;

  constructor(
    options: ConnectionOptions = {},
    transportOptions: TransportOptions = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.transport = new Transport(resolveConnection(options, env), transportOptions);
    this.pageSize = transportOptions.pageSize === undefined ? 1000 : transportOptions.pageSize;
  }

  get connection() {
    return this.transport.connection;
  }

  private get base(): string {
    const { organizationId, projectId } = this.connection;
    return `/packer/2023-01-01/organizations/${enc(organizationId)}/projects/${enc(projectId)}`;
  }

  private get ingotBase(): string {
    const { organizationId, projectId } = this.connection;
    return `/ingot/v1/organizations/${enc(organizationId)}/projects/${enc(projectId)}`;
  }

  private bucketPath(bucket: string): string {
    return `${this.base}/buckets/${enc(bucket)}`;
  }

  // Buckets

  async createBucket(
    name: string,
    description = '',
    labels: Record<string, string> = {},
  ): Promise<Bucket> {
    return (
      await this.transport.request<{ bucket: Bucket }>({
        method: 'PUT',
        path: `${this.base}/buckets`,
        body: { name, description, labels },
        operation: `create bucket "${name}"`,
      })
    ).bucket;
  }

  async getBucket(name: string): Promise<Bucket> {
    return (
      await this.transport.request<{ bucket: Bucket }>({
        method: 'GET',
        path: this.bucketPath(name),
        operation: `get bucket "${name}"`,
      })
    ).bucket;
  }

  /** The bucket, or null when it does not exist. */
  async findBucket(name: string): Promise<Bucket | null> {
    try {
      return await this.getBucket(name);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async updateBucket(
    name: string,
    update: { description?: string; labels?: Record<string, string> },
  ): Promise<Bucket> {
    return (
      await this.transport.request<{ bucket: Bucket }>({
        method: 'PATCH',
        path: this.bucketPath(name),
        body: update,
        operation: `update bucket "${name}"`,
      })
    ).bucket;
  }

  async listBuckets(): Promise<Bucket[]> {
    return this.all<Bucket>(`${this.base}/buckets`, 'buckets', 'list buckets');
  }

  // Versions

  async createVersion(bucket: string, fingerprint: string): Promise<Version> {
    return (
      await this.transport.request<{ version: Version }>({
        method: 'POST',
        path: `${this.bucketPath(bucket)}/versions`,
        body: { fingerprint },
        operation: `create version "${fingerprint}" in bucket "${bucket}"`,
      })
    ).version;
  }

  async getVersion(bucket: string, fingerprint: string): Promise<Version> {
    return (
      await this.transport.request<{ version: Version }>({
        method: 'GET',
        path: `${this.bucketPath(bucket)}/versions/${enc(fingerprint)}`,
        operation: `get version "${fingerprint}" of bucket "${bucket}"`,
      })
    ).version;
  }

  async listVersions(bucket: string): Promise<Version[]> {
    return this.all<Version>(
      `${this.bucketPath(bucket)}/versions`,
      'versions',
      `list versions of bucket "${bucket}"`,
    );
  }

  async completeVersion(bucket: string, fingerprint: string): Promise<Version> {
    return this.updateVersion(
      bucket,
      fingerprint,
      { complete: true },
      `complete version "${fingerprint}" of bucket "${bucket}"`,
    );
  }

  async revokeVersion(
    bucket: string,
    fingerprint: string,
    options: RevokeOptions,
  ): Promise<Version> {
    const body: Record<string, unknown> = {
      revocation_message: options.message,
      skip_descendants_revocation: options.skipDescendants || undefined,
      disable_rollback_channels: options.disableRollback || undefined,
    };
    if (options.revokeAt) body.revoke_at = options.revokeAt;
    else body.revoke_in = options.revokeIn ?? '0s';
    return this.updateVersion(
      bucket,
      fingerprint,
      body,
      `revoke version "${fingerprint}" of bucket "${bucket}"`,
    );
  }

  async restoreVersion(bucket: string, fingerprint: string): Promise<Version> {
    return this.updateVersion(
      bucket,
      fingerprint,
      { restore: true },
      `restore version "${fingerprint}" of bucket "${bucket}"`,
    );
  }

  private async updateVersion(
    bucket: string,
    fingerprint: string,
    body: unknown,
    operation: string,
  ): Promise<Version> {
    return (
      await this.transport.request<{ version: Version }>({
        method: 'PATCH',
        path: `${this.bucketPath(bucket)}/versions/${enc(fingerprint)}`,
        body,
        operation,
      })
    ).version;
  }

  // Builds

  async createBuild(bucket: string, fingerprint: string, build: BuildInput): Promise<Build> {
    return (
      await this.transport.request<{ build: Build }>({
        method: 'POST',
        path: `${this.bucketPath(bucket)}/versions/${enc(fingerprint)}/builds`,
        body: build,
        operation: `create a ${build.platform} build in version "${fingerprint}" of bucket "${bucket}"`,
      })
    ).build;
  }

  async updateBuild(
    bucket: string,
    fingerprint: string,
    buildId: string,
    update: Partial<BuildInput>,
  ): Promise<Build> {
    return (
      await this.transport.request<{ build: Build }>({
        method: 'PATCH',
        path: `${this.bucketPath(bucket)}/versions/${enc(fingerprint)}/builds/${enc(buildId)}`,
        body: update,
        operation: `update build ${buildId} of version "${fingerprint}" in bucket "${bucket}"`,
      })
    ).build;
  }

  async listBuilds(bucket: string, fingerprint: string): Promise<Build[]> {
    return this.all<Build>(
      `${this.bucketPath(bucket)}/versions/${enc(fingerprint)}/builds`,
      'builds',
      `list builds of version "${fingerprint}" in bucket "${bucket}"`,
    );
  }

  // Channels

  async getChannel(bucket: string, channel: string): Promise<Channel> {
    return (
      await this.transport.request<{ channel: Channel }>({
        method: 'GET',
        path: `${this.bucketPath(bucket)}/channels/${enc(channel)}`,
        operation: `get channel "${channel}" of bucket "${bucket}"`,
      })
    ).channel;
  }

  async listChannels(bucket: string): Promise<Channel[]> {
    return this.all<Channel>(
      `${this.bucketPath(bucket)}/channels`,
      'channels',
      `list channels of bucket "${bucket}"`,
    );
  }

  async createChannel(
    bucket: string,
    channel: string,
    options: { versionFingerprint?: string; restricted?: boolean } = {},
  ): Promise<Channel> {
    return (
      await this.transport.request<{ channel: Channel }>({
        method: 'POST',
        path: `${this.bucketPath(bucket)}/channels`,
        body: {
          name: channel,
          version_fingerprint: options.versionFingerprint,
          restricted: options.restricted,
        },
        operation: `create channel "${channel}" in bucket "${bucket}"`,
      })
    ).channel;
  }

  /** Points a channel at a version ('' unassigns). */
  async setChannel(bucket: string, channel: string, versionFingerprint: string): Promise<Channel> {
    return (
      await this.transport.request<{ channel: Channel }>({
        method: 'PATCH',
        path: `${this.bucketPath(bucket)}/channels/${enc(channel)}`,
        body: { version_fingerprint: versionFingerprint, update_mask: 'versionFingerprint' },
        operation: `assign version "${versionFingerprint}" to channel "${channel}" of bucket "${bucket}"`,
      })
    ).channel;
  }

  async deleteChannel(bucket: string, channel: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: `${this.bucketPath(bucket)}/channels/${enc(channel)}`,
      operation: `delete channel "${channel}" of bucket "${bucket}"`,
    });
  }

  async channelHistory(bucket: string, channel: string): Promise<ChannelAssignment[]> {
    return this.all<ChannelAssignment>(
      `${this.bucketPath(bucket)}/channels/${enc(channel)}/history`,
      'history',
      `get the history of channel "${channel}" of bucket "${bucket}"`,
    );
  }

  async ancestry(
    bucket: string,
    type?: 'ANCESTRY_TYPE_PARENTS' | 'ANCESTRY_TYPE_CHILDREN',
  ): Promise<BucketAncestry[]> {
    return this.all<BucketAncestry>(
      `${this.bucketPath(bucket)}/ancestry`,
      'relations',
      `get the ancestry of bucket "${bucket}"`,
      { type },
    );
  }

  async searchArtifact(
    externalIdentifier: string,
    filter: { platform?: string; region?: string } = {},
  ): Promise<ExternalArtifact[]> {
    const result = await this.transport.request<{ artifacts: ExternalArtifact[] }>({
      method: 'POST',
      path: `${this.base}/_search/external_artifact`,
      body: { external_identifier: externalIdentifier, ...filter },
      operation: `search for image "${externalIdentifier}"`,
    });
    return result.artifacts;
  }

  // Ingot-only

  /**
   * Ingot's /healthz answer (engine and clock), or null for a registry without one (HCP).
   * Only a decisive answer is kept: a registry that failed to answer is not taken for HCP.
   */
  private health(): Promise<{ engine?: unknown; time?: unknown } | null> {
    this.ingot ??= this.probeHealth().catch((error: unknown) => {
      this.ingot = null;
      throw error;
    });
    return this.ingot;
  }

  /** Asks /healthz with the transport's retries on 5xx and connection errors, within the deadline. */
  private async probeHealth(): Promise<{ engine?: unknown; time?: unknown } | null> {
    const { registryUrl, timeoutMs, maxRetries, deadlineMs } = this.connection;
    const deadline = Date.now() + deadlineMs;
    let problem = 'no time left';
    for (let attempt = 0; attempt <= maxRetries && Date.now() < deadline; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(200 * attempt, deadline - Date.now())),
        );
      const attemptMs = Math.max(1, Math.min(timeoutMs, deadline - Date.now()));
      let response: Response;
      try {
        response = await fetch(`${registryUrl}/healthz`, {
          signal: AbortSignal.timeout(attemptMs),
        });
      } catch (error) {
        problem =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${attemptMs} ms`
            : `connection failed (${(error as Error).message})`;
        continue;
      }
      if (response.status >= 500) {
        problem = `HTTP ${response.status}`;
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) return null;
      const body = (await response.json().catch(() => null)) as {
        engine?: unknown;
        time?: unknown;
      } | null;
      return typeof body?.engine === 'string' ? body : null;
    }
    throw new RegistryUnavailableError(
      `ask ${registryUrl}/healthz which registry this is failed: ${problem}. Check that the registry is running and reachable (${this.connection.registryUrlSource ?? 'INGOT_REGISTRY_URL'}).`,
      0,
      'UNAVAILABLE',
      { registryUrl },
    );
  }

  /** Whether the registry is Ingot (HCP Packer has no /healthz with an engine). */
  async isIngot(): Promise<boolean> {
    return (await this.health()) !== null;
  }

  /**
   * Now, by the clock the registry judges revocations by (Ingot's, from /healthz), or by
   * this machine's where the registry does not say (HCP).
   */
  async registryTime(): Promise<number> {
    const time = (await this.health())?.time;
    const parsed = typeof time === 'string' ? Date.parse(time) : NaN;
    return Number.isNaN(parsed) ? Date.now() : parsed;
  }

  private async requireIngot(what: string): Promise<void> {
    if (!(await this.isIngot())) {
      throw new RegistryClientError(
        `${what} is an Ingot registry feature; ${this.connection.registryUrl} is not an Ingot registry (HCP Packer has no equivalent).`,
        0,
        'NOT_SUPPORTED',
      );
    }
  }

  async registerConsumer(
    bucket: string,
    fingerprint: string,
    consumer: { pulumi_project: string; stack: string; urn: string; channel?: string },
  ): Promise<Consumer | null> {
    if (!(await this.isIngot())) return null;
    return (
      await this.transport.request<{ consumer: Consumer }>({
        method: 'POST',
        path: `${this.ingotBase}/buckets/${enc(bucket)}/versions/${enc(fingerprint)}/consumers`,
        body: consumer,
        operation: `record ${consumer.stack} as a consumer of version "${fingerprint}" of bucket "${bucket}"`,
      })
    ).consumer;
  }

  async consumers(bucket: string, fingerprint?: string): Promise<Consumer[]> {
    await this.requireIngot('listing consumers');
    const path = fingerprint
      ? `${this.ingotBase}/buckets/${enc(bucket)}/versions/${enc(fingerprint)}/consumers`
      : `${this.ingotBase}/buckets/${enc(bucket)}/consumers`;
    return (
      await this.transport.request<{ consumers: Consumer[] }>({
        method: 'GET',
        path,
        operation: `list consumers of bucket "${bucket}"`,
      })
    ).consumers;
  }

  /**
   * The newest valid version `channel` has held for at least `minimumSoak` (e.g. `24h`);
   * with `consumerStack` (`ingot-fleet/staging`), counted from when that stack first
   * recorded the version as its consumer.
   */
  async soakedVersion(
    bucket: string,
    channel: string,
    minimumSoak: string,
    consumerStack?: string,
  ): Promise<SoakedVersion> {
    await this.requireIngot('soak-time promotion');
    return this.transport.request<SoakedVersion>({
      method: 'GET',
      path: `${this.ingotBase}/buckets/${enc(bucket)}/channels/${enc(channel)}/soaked`,
      query: {
        minimum_soak: minimumSoak,
        ...(consumerStack ? { consumer_stack: consumerStack } : {}),
      },
      operation: `find the version channel "${channel}" of bucket "${bucket}" has held for ${minimumSoak}`,
    });
  }

  // Channel holds (Ingot only)

  /** Holds `channel` (assigning `versionFingerprint` first, when given): promotions refuse it. */
  async holdChannel(
    bucket: string,
    channel: string,
    hold: {
      reason: string;
      held_by?: string;
      expires_at?: string;
      expires_in?: string;
      version_fingerprint?: string;
    },
  ): Promise<ChannelHold> {
    await this.requireIngot('channel holds');
    return (
      await this.transport.request<{ hold: ChannelHold }>({
        method: 'PUT',
        path: `${this.ingotBase}/buckets/${enc(bucket)}/channels/${enc(channel)}/hold`,
        body: hold,
        operation: `hold channel "${channel}" of bucket "${bucket}"`,
      })
    ).hold;
  }

  async releaseChannel(bucket: string, channel: string): Promise<void> {
    await this.requireIngot('channel holds');
    await this.transport.request({
      method: 'DELETE',
      path: `${this.ingotBase}/buckets/${enc(bucket)}/channels/${enc(channel)}/hold`,
      operation: `release channel "${channel}" of bucket "${bucket}"`,
    });
  }

  /** Active holds of a bucket's channels. */
  async listHolds(bucket: string): Promise<ChannelHold[]> {
    await this.requireIngot('channel holds');
    return (
      await this.transport.request<{ holds: ChannelHold[] }>({
        method: 'GET',
        path: `${this.ingotBase}/buckets/${enc(bucket)}/holds`,
        operation: `list the holds of bucket "${bucket}"`,
      })
    ).holds;
  }

  /** The organizations/projects this registry knows and the caller may read (Ingot only). */
  async knownProjects(): Promise<
    { organization_id: string; project_id: string; bucket_count: number }[]
  > {
    await this.requireIngot('listing projects');
    return (
      await this.transport.request<{
        projects: { organization_id: string; project_id: string; bucket_count: number }[];
      }>({ method: 'GET', path: '/ingot/v1/projects', operation: 'list the projects' })
    ).projects;
  }

  /**
   * Restores a record read from another registry (`ingot import hcp`): `kind` is
   * `buckets/{b}`, `buckets/{b}/versions/{fp}` or `buckets/{b}/channels/{ch}`. Ingot only.
   */
  async importRecord<T>(
    path: string,
    body: unknown,
    operation: string,
  ): Promise<T & { outcome: ImportOutcome }> {
    await this.requireIngot('importing');
    return this.transport.request<T & { outcome: ImportOutcome }>({
      method: 'PUT',
      path: `${this.ingotBase}/import/${path}`,
      body,
      operation,
    });
  }

  /** Follows `pagination.next_page_token` to the end. */
  private async all<T>(
    path: string,
    key: string,
    operation: string,
    query: Record<string, string | undefined> = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.transport.request<Paged & Record<string, unknown>>({
        method: 'GET',
        path,
        query: {
          ...query,
          'pagination.page_size': this.pageSize ?? undefined,
          'pagination.next_page_token': token,
        },
        operation,
      });
      items.push(...((page[key] as T[]) ?? []));
      token = page.pagination?.next_page_token || undefined;
    } while (token);
    return items;
  }
}
