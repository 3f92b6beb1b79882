import type { Artifact, Build, BuildStatus, Labels, Scope, Version } from '../domain/model';
import { isRevoked } from '../domain/version-status';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../errors';
import { checkBuildCount, checkBuildSize } from './limits';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import type { Page, SortKey } from '../storage/listing';
import { effectiveVersion } from './channel-resolution';
import type { Actor, RegistryContext } from './context';
import { completeVersion } from './version-completion';

export interface ArtifactInput {
  externalIdentifier: string;
  region: string;
}

export interface BuildInput {
  platform?: string;
  componentType?: string;
  packerRunUuid?: string;
  sourceExternalIdentifier?: string;
  parentVersionId?: string;
  parentChannelId?: string;
  status?: BuildStatus;
  labels?: Labels;
  metadata?: Record<string, unknown>;
  artifacts?: ArtifactInput[];
}

/** Fields ListBuilds may sort on (`sorting.order_by`). */
export const BUILD_SORT_FIELDS = [
  'created_at',
  'updated_at',
  'platform',
  'component_type',
  'status',
] as const;

const BUILD_FIELD: Record<(typeof BUILD_SORT_FIELDS)[number], (b: Build) => string> = {
  created_at: (b) => b.createdAt,
  updated_at: (b) => b.updatedAt,
  platform: (b) => b.platform,
  component_type: (b) => b.componentType,
  status: (b) => b.status,
};

/** Stable sort of one version's builds (few enough to sort in memory). */
function sortBuilds(builds: readonly Build[], sort: readonly SortKey[]): Build[] {
  return [...builds].sort((a, b) => {
    for (const { field, desc } of sort) {
      const get = BUILD_FIELD[field as keyof typeof BUILD_FIELD];
      const x = get(a);
      const y = get(b);
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
}

export class BuildService {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * Packer registers each build before it runs, with its component type and no platform
   * (internal/hcp/api/service_build.go, CreateBuild); the platform comes with the
   * artifacts when the build is done. A second build of the same component type (and
   * platform, when both name one) is AlreadyExists, as HCP answers and Packer tolerates.
   */
  async create(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    input: BuildInput,
  ): Promise<Build> {
    const { ctx } = this;
    if (!input.componentType) {
      throw new ValidationError(
        'component_type',
        'component_type is required, e.g. "amazon-ebs.ubuntu".',
      );
    }
    checkBuildSize(input);
    return ctx.db.transaction(async (tx) => {
      const bucket = await ctx.bucket(tx, scope, bucketName);
      const found = this.assertOpen(bucket.name, await ctx.version(tx, bucket, fingerprint));
      // The row lock makes concurrent creates of one component take turns.
      const version = await ctx.versions.lockVersion(tx, found.id);
      const platform = input.platform ?? '';
      const twin = ((await ctx.builds.buildsOf(tx, [version.id])).get(version.id) ?? []).find(
        (b) =>
          b.componentType === input.componentType &&
          (b.platform === platform || !b.platform || !platform),
      );
      if (twin) {
        throw new AlreadyExistsError(
          'build',
          `${input.componentType}${platform ? ` (${platform})` : ''}`,
          `version "${fingerprint}" already has build ${twin.id} for it; update that build instead.`,
        );
      }
      checkBuildCount((await ctx.builds.buildsOf(tx, [version.id])).get(version.id)?.length ?? 0);
      const now = ctx.nowIso();
      const id = newId();
      const parent = await this.parent(tx, scope, input);
      const build: Build = {
        id,
        versionId: version.id,
        platform,
        componentType: input.componentType as string,
        packerRunUuid: input.packerRunUuid ?? '',
        sourceExternalIdentifier: input.sourceExternalIdentifier ?? '',
        parentVersionId: parent.versionId,
        parentChannelId: parent.channelId,
        status: input.status ?? 'BUILD_UNSET',
        labels: input.labels ?? {},
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
        artifacts: this.artifacts(id, input.artifacts ?? [], now),
      };
      await ctx.builds.insertBuild(tx, build);
      await this.inheritRevocation(tx, version, parent.version);
      await ctx.audit(tx, scope, actor, 'build.create', `${bucketName}/${fingerprint}/${id}`, {
        platform: build.platform,
        status: build.status,
      });
      return build;
    });
  }

  /** In creation order unless `sort` says otherwise. */
  async list(
    scope: Scope,
    bucketName: string,
    fingerprint: string,
    page: Page,
    sort: readonly SortKey[] = [],
  ): Promise<Build[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const version = await ctx.version(ex, bucket, fingerprint);
    const builds = (await ctx.builds.buildsOf(ex, [version.id])).get(version.id) ?? [];
    const sorted = sortBuilds(builds, sort);
    return sorted.slice(page.offset, page.offset + page.limit);
  }

  async get(
    scope: Scope,
    bucketName: string,
    fingerprint: string,
    buildId: string,
  ): Promise<Build> {
    const ex = this.ctx.db.reader;
    return this.find(ex, scope, bucketName, fingerprint, buildId);
  }

  async update(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    buildId: string,
    input: BuildInput,
  ): Promise<Build> {
    const { ctx } = this;
    checkBuildSize(input);
    return ctx.db.transaction(async (tx) => {
      const current = await this.find(tx, scope, bucketName, fingerprint, buildId);
      const version = (await ctx.versions.findVersionsByIds(tx, [current.versionId])).get(
        current.versionId,
      ) as Version;
      this.assertOpen(bucketName, version);
      const now = ctx.nowIso();
      const parent =
        input.parentVersionId !== undefined || input.parentChannelId !== undefined
          ? await this.parent(tx, scope, input)
          : {
              versionId: current.parentVersionId,
              channelId: current.parentChannelId,
              version: null,
            };
      const updated: Build = {
        ...current,
        platform: input.platform || current.platform,
        componentType: input.componentType || current.componentType,
        packerRunUuid: input.packerRunUuid ?? current.packerRunUuid,
        sourceExternalIdentifier:
          input.sourceExternalIdentifier ?? current.sourceExternalIdentifier,
        parentVersionId: parent.versionId,
        parentChannelId: parent.channelId,
        status: input.status ?? current.status,
        labels: input.labels ?? current.labels,
        metadata: input.metadata ?? current.metadata,
        updatedAt: now,
        artifacts: input.artifacts
          ? this.artifacts(current.id, input.artifacts, now)
          : current.artifacts,
      };
      await ctx.builds.updateBuild(tx, updated);
      if (input.artifacts) await ctx.builds.replaceArtifacts(tx, current.id, updated.artifacts);
      await this.inheritRevocation(tx, version, parent.version);
      await ctx.audit(tx, scope, actor, 'build.update', `${bucketName}/${fingerprint}/${buildId}`, {
        status: updated.status,
      });
      if (updated.status === 'BUILD_DONE' && current.status !== 'BUILD_DONE') {
        const bucket = await ctx.bucket(tx, scope, bucketName);
        await completeVersion(ctx, tx, bucket, version, actor, false);
      }
      return updated;
    });
  }

  async delete(
    scope: Scope,
    actor: Actor,
    bucketName: string,
    fingerprint: string,
    buildId: string,
  ): Promise<void> {
    const { ctx } = this;
    await ctx.db.transaction(async (tx) => {
      const build = await this.find(tx, scope, bucketName, fingerprint, buildId);
      const version = (await ctx.versions.findVersionsByIds(tx, [build.versionId])).get(
        build.versionId,
      ) as Version;
      this.assertOpen(bucketName, version);
      await ctx.builds.deleteBuild(tx, build.id);
      await ctx.audit(tx, scope, actor, 'build.delete', `${bucketName}/${fingerprint}/${buildId}`);
    });
  }

  private async find(
    ex: Executor,
    scope: Scope,
    bucketName: string,
    fingerprint: string,
    buildId: string,
  ) {
    const bucket = await this.ctx.bucket(ex, scope, bucketName);
    const version = await this.ctx.version(ex, bucket, fingerprint);
    const build = ((await this.ctx.builds.buildsOf(ex, [version.id])).get(version.id) ?? []).find(
      (b) => b.id === buildId,
    );
    if (!build) {
      throw new NotFoundError(
        'build',
        buildId,
        `version "${fingerprint}" of bucket "${bucketName}" has no such build.`,
      );
    }
    return build;
  }

  /** Builds of a complete version are immutable: it has been published. */
  private assertOpen(bucketName: string, version: Version): Version {
    if (version.complete) {
      throw new ConflictError(
        'VERSION_COMPLETE',
        `version "${version.fingerprint}" of bucket "${bucketName}" is complete and its builds can no longer change; create a new version with a new fingerprint.`,
      );
    }
    return version;
  }

  /**
   * Resolves and checks the ancestry link. A parent channel without a parent version
   * means "whatever that channel serves now".
   */
  private async parent(
    ex: Executor,
    scope: Scope,
    input: BuildInput,
  ): Promise<{ versionId: string | null; channelId: string | null; version: Version | null }> {
    const { ctx } = this;
    const now = ctx.clock.now();
    let parentVersion: Version | null = null;
    let versionId = input.parentVersionId || null;
    const channelId = input.parentChannelId || null;
    if (channelId) {
      const channel = (await ctx.channels.findChannelsByIds(ex, [channelId])).get(channelId);
      const bucket = channel ? await ctx.buckets.findBucketById(ex, channel.bucketId) : null;
      if (
        !channel ||
        !bucket ||
        bucket.organizationId !== scope.organizationId ||
        bucket.projectId !== scope.projectId
      ) {
        throw new ValidationError(
          'parent_channel_id',
          `parent_channel_id "${channelId}" is not a channel of this project.`,
        );
      }
      if (!versionId) {
        versionId = (await effectiveVersion(ctx, ex, channel, now))?.id ?? null;
        if (!versionId) {
          throw new ValidationError(
            'parent_channel_id',
            `parent channel "${bucket.name}/${channel.name}" points at no version.`,
          );
        }
      }
    }
    if (versionId) {
      const version = (await ctx.versions.findVersionsByIds(ex, [versionId])).get(versionId);
      const bucket = version ? await ctx.buckets.findBucketById(ex, version.bucketId) : null;
      if (
        !version ||
        !bucket ||
        bucket.organizationId !== scope.organizationId ||
        bucket.projectId !== scope.projectId
      ) {
        throw new ValidationError(
          'parent_version_id',
          `parent_version_id "${versionId}" is not a version of this project.`,
        );
      }
      if (isRevoked(version, now)) {
        throw new ConflictError(
          'PARENT_REVOKED',
          `parent version "${bucket.name}/${version.fingerprint}" is revoked; build from a valid version instead.`,
        );
      }
      parentVersion = version;
    }
    return { versionId, channelId, version: parentVersion };
  }

  /**
   * A version built from a parent whose revocation is scheduled (and reaches
   * descendants) inherits it, as it would have had it existed when the parent was revoked.
   */
  private async inheritRevocation(
    tx: Executor,
    child: Version,
    parent: Version | null,
  ): Promise<void> {
    if (!parent?.revokeAt || !parent.revocationDescendants) return;
    const current = await this.ctx.versions.lockVersion(tx, child.id);
    if (current.revokeAt && current.revokeAt <= parent.revokeAt) return;
    await this.ctx.versions.updateVersion(tx, {
      ...current,
      revokeAt: parent.revokeAt,
      revocationMessage: parent.revocationMessage,
      revocationAuthor: parent.revocationAuthor,
      revocationType: 'INHERITED',
      revocationInheritedFrom: parent.revocationInheritedFrom ?? parent.id,
      revocationRollback: parent.revocationRollback,
      revocationDescendants: true,
      updatedAt: this.ctx.nowIso(),
    });
  }

  private artifacts(buildId: string, inputs: ArtifactInput[], now: string): Artifact[] {
    return inputs.map((a) => ({
      id: newId(),
      buildId,
      externalIdentifier: a.externalIdentifier,
      region: a.region,
      createdAt: now,
    }));
  }
}
