import type { Sbom, SbomFormat } from '../domain/governance';
import type { Build, Channel, Scope } from '../domain/model';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import { SbomRepository, type StoredPackage } from '../storage/sbom-repository';
import { effectiveVersion } from './channel-resolution';
import type { Actor, RegistryContext } from './context';
import { readSbom } from './sbom-document';

export const SBOM_NAME = /^[A-Za-z0-9_-]{3,36}$/;

export interface BuildRef {
  bucketName: string;
  fingerprint: string;
  buildId: string;
}

export interface PackageFilter {
  name?: string;
  namePrefix?: string;
  version?: string;
}

/** One package of one build (and, for bucket listings, the channel serving it). */
export interface PackageView {
  name: string;
  version: string;
  purl: string;
  build: Build;
  channel: Channel | null;
  sboms: Sbom[];
}

/**
 * SBOMs Packer's hcp-sbom provisioner uploads for a build (before the build is marked
 * done), and the package listings HCP derives from them.
 */
export class SbomService {
  readonly repo = new SbomRepository();

  constructor(private readonly ctx: RegistryContext) {}

  async upload(
    scope: Scope,
    actor: Actor,
    ref: BuildRef,
    input: { compressed: Buffer; format?: SbomFormat; name?: string },
  ): Promise<Sbom> {
    if (input.name && !SBOM_NAME.test(input.name)) {
      throw new ValidationError(
        'name',
        `name "${input.name}" must be 3–36 characters of [A-Za-z0-9_-] (hcp-sbom's sbom_name rule).`,
      );
    }
    const document = readSbom(input.compressed, input.format);
    const { ctx } = this;
    return ctx.db.transaction(async (tx) => {
      const build = await this.build(tx, scope, ref);
      // Unnamed SBOMs are named after the version's fingerprint, as HCP names them.
      const name = input.name || ref.fingerprint;
      const sbom: Sbom = {
        id: newId(),
        buildId: build.id,
        name,
        format: document.format,
        createdAt: ctx.nowIso(),
      };
      if (!(await this.repo.insertIfAbsent(tx, sbom, document.text))) {
        throw new AlreadyExistsError(
          'sbom',
          name,
          `build ${build.id} already has an SBOM of that name; give each SBOM of a build its own sbom_name.`,
        );
      }
      await this.repo.insertPackages(tx, sbom, document.packages);
      await ctx.audit(tx, scope, actor, 'sbom.upload', `${ref.bucketName}/${ref.fingerprint}`, {
        build_id: build.id,
        name,
        format: sbom.format,
        packages: document.packages.length,
      });
      return sbom;
    });
  }

  async list(scope: Scope, ref: BuildRef): Promise<Sbom[]> {
    const ex = this.ctx.db.reader;
    return this.repo.listOfBuild(ex, (await this.build(ex, scope, ref)).id);
  }

  /** The stored SBOM JSON; NotFound names the SBOMs the build has. */
  async document(scope: Scope, ref: BuildRef, name: string): Promise<string> {
    const ex = this.ctx.db.reader;
    const build = await this.build(ex, scope, ref);
    const text = await this.repo.document(ex, build.id, name);
    if (text === null) {
      const names = (await this.repo.listOfBuild(ex, build.id)).map((s) => s.name);
      throw new NotFoundError(
        'sbom',
        name,
        `build ${build.id} has ${names.length ? `SBOMs ${names.join(', ')}` : 'no SBOM'}.`,
      );
    }
    return text;
  }

  async buildPackages(scope: Scope, ref: BuildRef, filter: PackageFilter): Promise<PackageView[]> {
    const ex = this.ctx.db.reader;
    const build = await this.build(ex, scope, ref);
    return this.packages(ex, [{ build, channel: null }], filter);
  }

  /** The packages of the builds each channel of the bucket serves now. */
  async bucketPackages(
    scope: Scope,
    bucketName: string,
    filter: PackageFilter,
  ): Promise<PackageView[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const bucket = await ctx.bucket(ex, scope, bucketName);
    const now = ctx.clock.now();
    const served: { build: Build; channel: Channel | null }[] = [];
    for (const channel of await ctx.channels.listChannels(ex, bucket.id)) {
      const version = await effectiveVersion(ctx, ex, channel, now);
      if (!version) continue;
      const builds = (await ctx.builds.buildsOf(ex, [version.id])).get(version.id) ?? [];
      for (const build of builds) served.push({ build, channel });
    }
    return this.packages(ex, served, filter);
  }

  private async packages(
    ex: Executor,
    served: { build: Build; channel: Channel | null }[],
    filter: PackageFilter,
  ): Promise<PackageView[]> {
    const buildIds = [...new Set(served.map((s) => s.build.id))];
    const rows = await this.repo.packagesOf(ex, buildIds, filter);
    const sboms = new Map<string, Sbom>();
    for (const id of buildIds)
      for (const s of await this.repo.listOfBuild(ex, id)) sboms.set(s.id, s);
    // A package several SBOMs of one build list is one entry naming each SBOM.
    const byBuild = new Map<string, Map<string, { pkg: StoredPackage; sboms: Sbom[] }>>();
    for (const pkg of rows) {
      const entries = byBuild.get(pkg.buildId) ?? new Map();
      byBuild.set(pkg.buildId, entries);
      const key = JSON.stringify([pkg.name, pkg.version, pkg.purl]);
      const entry = entries.get(key) ?? { pkg, sboms: [] };
      const sbom = sboms.get(pkg.sbomId);
      if (sbom && !entry.sboms.includes(sbom)) entry.sboms.push(sbom);
      entries.set(key, entry);
    }
    const views: PackageView[] = [];
    for (const { build, channel } of served) {
      for (const { pkg, sboms: listedIn } of byBuild.get(build.id)?.values() ?? []) {
        views.push({
          name: pkg.name,
          version: pkg.version,
          purl: pkg.purl,
          build,
          channel,
          sboms: listedIn,
        });
      }
    }
    return views;
  }

  private async build(ex: Executor, scope: Scope, ref: BuildRef): Promise<Build> {
    const bucket = await this.ctx.bucket(ex, scope, ref.bucketName);
    const version = await this.ctx.version(ex, bucket, ref.fingerprint);
    const build = ((await this.ctx.builds.buildsOf(ex, [version.id])).get(version.id) ?? []).find(
      (b) => b.id === ref.buildId,
    );
    if (!build) {
      throw new NotFoundError(
        'build',
        ref.buildId,
        `version "${ref.fingerprint}" of bucket "${ref.bucketName}" has no such build.`,
      );
    }
    return build;
  }
}
