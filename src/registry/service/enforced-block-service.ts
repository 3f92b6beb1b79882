import type { EnforcedBlock, EnforcedBlockLink, EnforcedBlockVersion } from '../domain/governance';
import type { Bucket, Labels, Scope, TemplateType } from '../domain/model';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import { EnforcedBlockRepository } from '../storage/enforced-block-repository';
import type { Page } from '../storage/listing';
import type { Actor, RegistryContext } from './context';

export interface BlockView {
  block: EnforcedBlock;
  latest: EnforcedBlockVersion | null;
}

export interface VersionInput {
  version?: string;
  blockContent?: string;
  templateType?: TemplateType;
  additionalDescription?: string;
}

export interface LinkView {
  link: EnforcedBlockLink;
  bucket: Bucket;
}

/** A block and the one version of it that applies (to a bucket, or in a version listing). */
export interface BlockDetail {
  block: EnforcedBlock;
  version: EnforcedBlockVersion;
}

/** Largest block content accepted: provisioner blocks are a few lines of HCL. */
export const MAX_BLOCK_CONTENT = 64 * 1024;

/** A template type Packer can parse: JSON when the content is JSON, HCL2 otherwise. */
function templateTypeOf(content: string, given: TemplateType | undefined): TemplateType {
  let json = true;
  try {
    JSON.parse(content);
  } catch {
    json = false;
  }
  if (given === 'JSON' && !json) {
    throw new ValidationError(
      'block_content',
      'block_content is not valid JSON but template_type is JSON; send HCL2 provisioner blocks with template_type HCL2.',
    );
  }
  if (given && given !== 'TEMPLATE_TYPE_UNSET') return given;
  return json ? 'JSON' : 'HCL2';
}

/**
 * HCP Packer's enforced blocks: provisioner blocks a platform team versions and links to
 * buckets; Packer fetches the linked versions (GetEnforcedBlocksByBucket) on every build
 * and injects them into it.
 */
export class EnforcedBlockService {
  readonly repo = new EnforcedBlockRepository();

  constructor(private readonly ctx: RegistryContext) {}

  async create(
    scope: Scope,
    actor: Actor,
    input: { name?: string; labels?: Labels } & VersionInput,
  ): Promise<BlockView> {
    if (!input.name) {
      throw new ValidationError('name', 'name is required, e.g. "security-agent".');
    }
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const now = ctx.nowIso();
      const block: EnforcedBlock = {
        ...scope,
        id: newId(),
        name: input.name as string,
        labels: input.labels ?? {},
        createdAt: now,
        updatedAt: now,
      };
      if (!(await this.repo.insertBlockIfAbsent(tx, block))) {
        throw new AlreadyExistsError(
          'enforced block',
          block.name,
          'choose another name, or add a version to it (PUT .../enforced_blocks/{id}/versions).',
        );
      }
      const version = await this.insertVersion(tx, block, input, now);
      await ctx.audit(tx, scope, actor, 'enforced_block.create', block.name, {
        version: version.version,
      });
      return { block, latest: version };
    });
  }

  async get(scope: Scope, id: string): Promise<BlockView> {
    const ex = this.ctx.db.reader;
    return this.view(ex, await this.block(ex, scope, id));
  }

  async list(scope: Scope, page: Page): Promise<BlockView[]> {
    const ex = this.ctx.db.reader;
    const blocks = await this.repo.listBlocks(ex, scope, page);
    const versions = await this.repo.versionsOf(
      ex,
      blocks.map((b) => b.id),
    );
    return blocks.map((block) => ({
      block,
      latest: versions.find((v) => v.blockId === block.id) ?? null,
    }));
  }

  async update(
    scope: Scope,
    actor: Actor,
    id: string,
    input: { name?: string; labels?: Labels; updateMask?: string },
  ): Promise<BlockView> {
    const mask = input.updateMask
      ? new Set(input.updateMask.split(',').map((f) => f.trim()))
      : null;
    const applies = (field: string, given: boolean) => (mask ? mask.has(field) : given);
    if (applies('name', input.name !== undefined) && !input.name) {
      throw new ValidationError('name', 'name cannot be empty; give the block’s new name.');
    }
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const current = await this.repo.lockBlock(tx, (await this.block(tx, scope, id)).id);
      const updated: EnforcedBlock = {
        ...current,
        name: applies('name', input.name !== undefined) ? (input.name as string) : current.name,
        labels: applies('labels', input.labels !== undefined)
          ? (input.labels ?? {})
          : current.labels,
        updatedAt: ctx.nowIso(),
      };
      if (
        updated.name !== current.name &&
        (await this.repo.findBlockByName(tx, scope, updated.name))
      ) {
        throw new AlreadyExistsError('enforced block', updated.name, 'choose another name.');
      }
      await this.repo.updateBlock(tx, updated);
      await ctx.audit(tx, scope, actor, 'enforced_block.update', current.name, {
        name: updated.name,
        labels: updated.labels,
      });
      return this.view(tx, updated);
    });
  }

  async delete(scope: Scope, actor: Actor, id: string): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const block = await this.block(tx, scope, id);
      await this.repo.deleteBlock(tx, block.id);
      await ctx.audit(tx, scope, actor, 'enforced_block.delete', block.name);
    });
  }

  async createVersion(
    scope: Scope,
    actor: Actor,
    id: string,
    input: VersionInput,
  ): Promise<EnforcedBlockVersion> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const block = await this.repo.lockBlock(tx, (await this.block(tx, scope, id)).id);
      const now = ctx.nowIso();
      const version = await this.insertVersion(tx, block, input, now);
      await this.repo.updateBlock(tx, { ...block, updatedAt: now });
      await ctx.audit(tx, scope, actor, 'enforced_block.version.create', block.name, {
        version: version.version,
      });
      return version;
    });
  }

  /** The block's versions, newest first. */
  async versions(scope: Scope, id: string): Promise<BlockDetail[]> {
    const ex = this.ctx.db.reader;
    const block = await this.block(ex, scope, id);
    return (await this.repo.versionsOf(ex, [block.id])).map((version) => ({ block, version }));
  }

  async updateVersion(
    scope: Scope,
    actor: Actor,
    id: string,
    versionId: string,
    input: { additionalDescription?: string; updateMask?: string },
  ): Promise<EnforcedBlockVersion> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const { block, version } = await this.version(tx, scope, id, versionId);
      const updated: EnforcedBlockVersion = {
        ...version,
        additionalDescription: input.additionalDescription ?? '',
        updatedAt: ctx.nowIso(),
      };
      await this.repo.updateVersion(tx, updated);
      await ctx.audit(tx, scope, actor, 'enforced_block.version.update', block.name, {
        version: version.version,
      });
      return updated;
    });
  }

  /** Refused while buckets are linked to the version: unlinking is an explicit decision. */
  async deleteVersion(scope: Scope, actor: Actor, id: string, versionId: string): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const { block, version } = await this.version(tx, scope, id, versionId);
      const links = await this.repo.linksOfVersion(tx, version.id);
      if (links.length > 0) {
        const buckets = await ctx.buckets.findBucketsByIds(
          tx,
          links.map((l) => l.bucketId),
        );
        const names = [...buckets.values()].map((b) => b.name).sort();
        throw new ConflictError(
          'ENFORCED_BLOCK_VERSION_LINKED',
          `version "${version.version}" of enforced block "${block.name}" is enforced on buckets ${names.join(', ')}; link them to another version or unlink them (POST .../versions/${version.id}/buckets with "bucket_names": []) first.`,
          { buckets: names.join(',') },
        );
      }
      await this.repo.deleteVersion(tx, version.id);
      await ctx.audit(tx, scope, actor, 'enforced_block.version.delete', block.name, {
        version: version.version,
      });
    });
  }

  /**
   * Makes `bucketNames` exactly the buckets linked to this version; a bucket linked to
   * another version of the block moves to this one. Unknown buckets change nothing.
   */
  async manageLinks(
    scope: Scope,
    actor: Actor,
    id: string,
    versionId: string,
    bucketNames: readonly string[],
  ): Promise<EnforcedBlockLink[]> {
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const { block, version } = await this.version(tx, scope, id, versionId);
      await this.repo.lockBlock(tx, block.id);
      const buckets: Bucket[] = [];
      for (const name of new Set(bucketNames)) buckets.push(await ctx.bucket(tx, scope, name));
      const wanted = new Set(buckets.map((b) => b.id));
      const current = await this.repo.linksOfVersion(tx, version.id);
      const kept = current.filter((l) => wanted.has(l.bucketId));
      await this.repo.unlinkVersion(tx, version.id);
      const now = ctx.nowIso();
      const links: EnforcedBlockLink[] = [];
      for (const bucket of buckets) {
        const link = kept.find((l) => l.bucketId === bucket.id) ?? {
          id: newId(),
          blockId: block.id,
          blockVersionId: version.id,
          bucketId: bucket.id,
          createdAt: now,
        };
        await this.repo.link(tx, link);
        links.push(link);
      }
      await ctx.audit(tx, scope, actor, 'enforced_block.link', block.name, {
        version: version.version,
        buckets: buckets.map((b) => b.name),
      });
      return links;
    });
  }

  async linkedBuckets(scope: Scope, id: string, versionId: string): Promise<LinkView[]> {
    const ex = this.ctx.db.reader;
    const { version } = await this.version(ex, scope, id, versionId);
    const links = await this.repo.linksOfVersion(ex, version.id);
    const buckets = await this.ctx.buckets.findBucketsByIds(
      ex,
      links.map((l) => l.bucketId),
    );
    return links.map((link) => ({ link, bucket: buckets.get(link.bucketId) as Bucket }));
  }

  /** What Packer injects into a build of `bucketName`: each linked block at its linked version. */
  async byBucket(scope: Scope, bucketName: string): Promise<BlockDetail[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const links = await this.repo.linksOfBucket(ex, bucket.id);
    const versions = await this.repo.versionsOf(ex, [...new Set(links.map((l) => l.blockId))]);
    const details: BlockDetail[] = [];
    for (const link of links) {
      const block = await this.repo.findBlock(ex, scope, link.blockId);
      const version = versions.find((v) => v.id === link.blockVersionId);
      if (block && version) details.push({ block, version });
    }
    return details.sort((a, b) => a.block.name.localeCompare(b.block.name));
  }

  private async insertVersion(
    tx: Executor,
    block: EnforcedBlock,
    input: VersionInput,
    now: string,
  ): Promise<EnforcedBlockVersion> {
    if (!input.version) {
      throw new ValidationError('version', 'version is required, e.g. "v1" or "1.0.0".');
    }
    if (!input.blockContent?.trim()) {
      throw new ValidationError(
        'block_content',
        'block_content is required: the provisioner blocks to enforce, e.g. provisioner "shell" { inline = ["..."] }.',
      );
    }
    if (Buffer.byteLength(input.blockContent) > MAX_BLOCK_CONTENT) {
      throw new ValidationError(
        'block_content',
        `block_content is larger than ${MAX_BLOCK_CONTENT} bytes; enforce a script by URL or file instead of inlining it.`,
      );
    }
    const version: EnforcedBlockVersion = {
      id: newId(),
      blockId: block.id,
      version: input.version,
      blockContent: input.blockContent,
      additionalDescription: input.additionalDescription ?? '',
      templateType: templateTypeOf(input.blockContent, input.templateType),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.repo.insertVersionIfAbsent(tx, version))) {
      throw new AlreadyExistsError(
        'enforced block version',
        `${block.name}/${version.version}`,
        'versions are immutable; create a new version number.',
      );
    }
    return version;
  }

  private async view(ex: Executor, block: EnforcedBlock): Promise<BlockView> {
    const [latest] = await this.repo.versionsOf(ex, [block.id]);
    return { block, latest: latest ?? null };
  }

  private async block(ex: Executor, scope: Scope, id: string): Promise<EnforcedBlock> {
    const block = await this.repo.findBlock(ex, scope, id);
    if (!block) {
      throw new NotFoundError(
        'enforced block',
        id,
        `list the project's blocks with GET .../enforced_blocks.`,
      );
    }
    return block;
  }

  private async version(
    ex: Executor,
    scope: Scope,
    id: string,
    versionId: string,
  ): Promise<BlockDetail> {
    const block = await this.block(ex, scope, id);
    const version = (await this.repo.versionsOf(ex, [block.id])).find((v) => v.id === versionId);
    if (!version) {
      throw new NotFoundError(
        'enforced block version',
        versionId,
        `block "${block.name}" has no such version; list them with GET .../enforced_blocks/${block.id}/versions.`,
      );
    }
    return { block, version };
  }
}
