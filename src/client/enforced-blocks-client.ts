import type { RegistryClient } from './registry-client';

export interface EnforcedBlockVersion {
  id: string;
  enforced_block_id: string;
  version: string;
  block_content: string;
  additional_description: string;
  template_type: string;
  created_at: string;
  updated_at: string;
}

export interface EnforcedBlock {
  id: string;
  name: string;
  labels: Record<string, string>;
  latest_version?: EnforcedBlockVersion;
  created_at: string;
  updated_at: string;
}

export interface EnforcedBlockDetail {
  id: string;
  name: string;
  version: EnforcedBlockVersion;
}

export interface LinkedBucket {
  id: string;
  bucket: { name: string };
  enforced_block_version_id: string;
}

const enc = encodeURIComponent;

/**
 * HCP Packer's enforced-block operations, over a RegistryClient's connection (works
 * against Ingot and HCP Packer alike). Blocks are named by id in the API; people use
 * names, so `find` resolves either.
 */
export class EnforcedBlocksClient {
  constructor(private readonly client: RegistryClient) {}

  private get base(): string {
    const { organizationId, projectId } = this.client.connection;
    return `/packer/2023-01-01/organizations/${enc(organizationId)}/projects/${enc(projectId)}/enforced_blocks`;
  }

  async list(): Promise<EnforcedBlock[]> {
    const blocks: EnforcedBlock[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.transport.request<{
        enforced_blocks?: EnforcedBlock[];
        pagination?: { next_page_token?: string };
      }>({
        method: 'GET',
        path: this.base,
        query: { 'pagination.next_page_token': token },
        operation: 'list enforced blocks',
      });
      blocks.push(...(page.enforced_blocks ?? []));
      token = page.pagination?.next_page_token || undefined;
    } while (token);
    return blocks;
  }

  /** The block with that name or id; an error listing the known names otherwise. */
  async find(nameOrId: string): Promise<EnforcedBlock> {
    const blocks = await this.list();
    const found = blocks.find((b) => b.name === nameOrId || b.id === nameOrId);
    if (!found) {
      const known = blocks.map((b) => b.name).join(', ') || 'none';
      throw new Error(
        `no enforced block "${nameOrId}" in this project (blocks: ${known}); create it with \`ingot enforced-blocks create ${nameOrId} --file F --block-version v1\`.`,
      );
    }
    return found;
  }

  async create(body: {
    name: string;
    version: string;
    block_content: string;
    additional_description?: string;
    template_type?: string;
  }): Promise<EnforcedBlock> {
    return (
      await this.client.transport.request<{ enforced_block: EnforcedBlock }>({
        method: 'PUT',
        path: this.base,
        body,
        operation: `create enforced block "${body.name}"`,
      })
    ).enforced_block;
  }

  async addVersion(
    block: EnforcedBlock,
    body: { version: string; block_content: string; additional_description?: string },
  ): Promise<EnforcedBlockVersion> {
    return (
      await this.client.transport.request<{ enforced_block_version: EnforcedBlockVersion }>({
        method: 'PUT',
        path: `${this.base}/${enc(block.id)}/versions`,
        body,
        operation: `add version "${body.version}" to enforced block "${block.name}"`,
      })
    ).enforced_block_version;
  }

  async versions(block: EnforcedBlock): Promise<EnforcedBlockVersion[]> {
    const res = await this.client.transport.request<{
      enforced_block_detail: EnforcedBlockDetail[];
    }>({
      method: 'GET',
      path: `${this.base}/${enc(block.id)}/versions`,
      operation: `list versions of enforced block "${block.name}"`,
    });
    return res.enforced_block_detail.map((d) => d.version);
  }

  async linkedBuckets(block: EnforcedBlock, version: EnforcedBlockVersion): Promise<string[]> {
    const res = await this.client.transport.request<{ linked_buckets: LinkedBucket[] }>({
      method: 'GET',
      path: `${this.base}/${enc(block.id)}/versions/${enc(version.id)}/buckets`,
      operation: `list buckets of enforced block "${block.name}" ${version.version}`,
    });
    return res.linked_buckets.map((l) => l.bucket.name);
  }

  /** Makes `buckets` exactly the buckets this version is enforced on. */
  async setLinkedBuckets(
    block: EnforcedBlock,
    version: EnforcedBlockVersion,
    buckets: string[],
  ): Promise<void> {
    await this.client.transport.request({
      method: 'POST',
      path: `${this.base}/${enc(block.id)}/versions/${enc(version.id)}/buckets`,
      body: { bucket_names: buckets },
      operation: `link enforced block "${block.name}" ${version.version} to buckets`,
    });
  }

  async byBucket(bucket: string): Promise<EnforcedBlockDetail[]> {
    const res = await this.client.transport.request<{
      enforced_block_detail: EnforcedBlockDetail[];
    }>({
      method: 'GET',
      path: `${this.base}/bucket/${enc(bucket)}`,
      operation: `get the enforced blocks of bucket "${bucket}"`,
    });
    return res.enforced_block_detail;
  }

  async delete(block: EnforcedBlock): Promise<void> {
    await this.client.transport.request({
      method: 'DELETE',
      path: `${this.base}/${enc(block.id)}`,
      operation: `delete enforced block "${block.name}"`,
    });
  }
}
