import { jsonOf, send } from './errors';
import type {
  AncestryRelation,
  Bucket,
  CallerIdentity,
  Channel,
  ChannelAssignment,
  ChannelHold,
  Consumer,
  EnforcedBlockDetail,
  Package,
  Version,
} from './types';

export interface Scope {
  organizationId: string;
  projectId: string;
}

export interface Revocation {
  /** RFC 3339 time, or null for now. */
  revokeAt: string | null;
  message: string;
  skipDescendants: boolean;
  disableRollback: boolean;
}

const path = (...segments: string[]) => segments.map(encodeURIComponent).join('/');

/** The registry API for one organization/project, as the signed-in principal. */
export class RegistryApi {
  private readonly packer: string;
  private readonly ingot: string;

  constructor(
    private readonly token: string,
    readonly scope: Scope,
    /** Called when the registry no longer accepts the token (expired, principal deleted). */
    private readonly onUnauthorized: () => void,
  ) {
    const where = `organizations/${path(scope.organizationId)}/projects/${path(scope.projectId)}`;
    this.packer = `/packer/2023-01-01/${where}`;
    this.ingot = `/ingot/v1/${where}`;
  }

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await send(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) this.onUnauthorized();
    return jsonOf<T>(response);
  }

  /** Every page of a paginated list. */
  private async all<T>(url: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let token = '';
    do {
      const query = new URLSearchParams({ 'pagination.page_size': '1000' });
      if (token) query.set('pagination.next_page_token', token);
      const page = await this.request<Record<string, unknown>>(
        'GET',
        `${url}${url.includes('?') ? '&' : '?'}${query}`,
      );
      items.push(...(page[key] as T[]));
      token = (page.pagination as { next_page_token?: string } | undefined)?.next_page_token ?? '';
    } while (token);
    return items;
  }

  callerIdentity(): Promise<CallerIdentity> {
    return this.request('GET', `${this.ingot}/caller-identity`);
  }

  buckets(): Promise<Bucket[]> {
    return this.all(`${this.packer}/buckets`, 'buckets');
  }

  async bucket(bucket: string): Promise<Bucket> {
    return (await this.request<{ bucket: Bucket }>('GET', `${this.packer}/buckets/${path(bucket)}`))
      .bucket;
  }

  versions(bucket: string): Promise<Version[]> {
    return this.all(`${this.packer}/buckets/${path(bucket)}/versions`, 'versions');
  }

  async version(bucket: string, fingerprint: string): Promise<Version> {
    const url = `${this.packer}/buckets/${path(bucket, 'versions', fingerprint)}`;
    return (await this.request<{ version: Version }>('GET', url)).version;
  }

  channels(bucket: string): Promise<Channel[]> {
    return this.all(`${this.packer}/buckets/${path(bucket)}/channels`, 'channels');
  }

  channelHistory(bucket: string, channel: string): Promise<ChannelAssignment[]> {
    return this.all(
      `${this.packer}/buckets/${path(bucket, 'channels', channel)}/history`,
      'history',
    );
  }

  ancestry(
    bucket: string,
    type: 'ANCESTRY_TYPE_PARENTS' | 'ANCESTRY_TYPE_CHILDREN',
  ): Promise<AncestryRelation[]> {
    return this.all(`${this.packer}/buckets/${path(bucket)}/ancestry?type=${type}`, 'relations');
  }

  buildPackages(bucket: string, fingerprint: string, buildId: string): Promise<Package[]> {
    const url = `${this.packer}/buckets/${path(bucket, 'versions', fingerprint, 'builds', buildId)}/packages`;
    return this.all(url, 'packages');
  }

  async enforcedBlocks(bucket: string): Promise<EnforcedBlockDetail[]> {
    const url = `${this.packer}/enforced_blocks/bucket/${path(bucket)}`;
    return (await this.request<{ enforced_block_detail: EnforcedBlockDetail[] }>('GET', url))
      .enforced_block_detail;
  }

  async bucketConsumers(bucket: string): Promise<Consumer[]> {
    const url = `${this.ingot}/buckets/${path(bucket)}/consumers`;
    return (await this.request<{ consumers: Consumer[] }>('GET', url)).consumers;
  }

  async versionConsumers(bucket: string, fingerprint: string): Promise<Consumer[]> {
    const url = `${this.ingot}/buckets/${path(bucket, 'versions', fingerprint)}/consumers`;
    return (await this.request<{ consumers: Consumer[] }>('GET', url)).consumers;
  }

  /** Points a channel at a version, creating the channel when `create`. */
  async assign(
    bucket: string,
    channel: string,
    fingerprint: string,
    create: boolean,
  ): Promise<Channel> {
    const channels = `${this.packer}/buckets/${path(bucket)}/channels`;
    const response = create
      ? await this.request<{ channel: Channel }>('POST', channels, {
          name: channel,
          version_fingerprint: fingerprint,
        })
      : await this.request<{ channel: Channel }>('PATCH', `${channels}/${path(channel)}`, {
          version_fingerprint: fingerprint,
        });
    return response.channel;
  }

  /** The active holds of a bucket's channels (Ingot's extension). */
  async holds(bucket: string): Promise<ChannelHold[]> {
    const url = `${this.ingot}/buckets/${path(bucket)}/holds`;
    return (await this.request<{ holds: ChannelHold[] }>('GET', url)).holds;
  }

  /** Holds a channel: `expiresIn` (e.g. "72h") lifts it by itself; none keeps it until released. */
  async hold(
    bucket: string,
    channel: string,
    reason: string,
    expiresIn?: string,
  ): Promise<ChannelHold> {
    const url = `${this.ingot}/buckets/${path(bucket, 'channels', channel)}/hold`;
    const body = { reason, ...(expiresIn ? { expires_in: expiresIn } : {}) };
    return (await this.request<{ hold: ChannelHold }>('PUT', url, body)).hold;
  }

  async release(bucket: string, channel: string): Promise<void> {
    const url = `${this.ingot}/buckets/${path(bucket, 'channels', channel)}/hold`;
    await this.request<Record<string, never>>('DELETE', url);
  }

  async revoke(bucket: string, fingerprint: string, revocation: Revocation): Promise<Version> {
    const url = `${this.packer}/buckets/${path(bucket, 'versions', fingerprint)}`;
    const when = revocation.revokeAt ? { revoke_at: revocation.revokeAt } : { revoke_in: '0s' };
    const response = await this.request<{ version: Version }>('PATCH', url, {
      ...when,
      revocation_message: revocation.message,
      skip_descendants_revocation: revocation.skipDescendants,
      disable_rollback_channels: revocation.disableRollback,
    });
    return response.version;
  }

  /** Restores a revoked version, or cancels a scheduled revocation. */
  async restore(bucket: string, fingerprint: string): Promise<Version> {
    const url = `${this.packer}/buckets/${path(bucket, 'versions', fingerprint)}`;
    return (await this.request<{ version: Version }>('PATCH', url, { restore: true })).version;
  }
}
