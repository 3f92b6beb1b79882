import type { Bucket, Build, Channel, Scope, Version } from '../domain/model';
import { versionName } from '../domain/model';
import { ConflictError } from '../errors';
import { newId } from '../ids';
import type { Executor } from '../storage/database';
import type { ImportRepository, IdTable } from '../storage/import-repository';
import type { Actor, RegistryContext } from './context';
import { checkImportedVersion } from './limits';
import {
  keepableId,
  nameSeqOf,
  storedTime,
  type ImportedBuild,
  type ImportedVersion,
  type ImportOutcome,
  type VersionKey,
} from './import-input';

/** Ids to use: each kept when it is a ULID free in its table, else a new one. */
export async function chooseIds(
  imports: ImportRepository,
  tx: Executor,
  table: IdTable,
  wanted: (string | undefined)[],
): Promise<string[]> {
  const taken = await imports.takenIds(tx, table, wanted.filter(keepableId));
  const used = new Set<string>();
  return wanted.map((id) => {
    if (keepableId(id) && !taken.has(id) && !used.has(id)) {
      used.add(id);
      return id;
    }
    return newId();
  });
}

/** Finds a version another record names; it must have been imported (or made) first. */
async function referenced(
  ctx: RegistryContext,
  tx: Executor,
  scope: Scope,
  key: VersionKey,
  why: string,
): Promise<{ bucket: Bucket; version: Version }> {
  const bucket = await ctx.buckets.findBucket(tx, scope, key.bucket);
  const version = bucket && (await ctx.versions.findVersion(tx, bucket.id, key.fingerprint));
  if (!bucket || !version) {
    throw new ConflictError(
      'IMPORT_REFERENCE_MISSING',
      `${why} "${key.bucket}/${key.fingerprint}" is not in this project yet; import it first (ingot import hcp orders parents before children).`,
      { bucket: key.bucket, fingerprint: key.fingerprint },
    );
  }
  return { bucket, version };
}

/** The parent channel of a link, made (unassigned) when its bucket does not have it yet. */
async function parentChannel(
  ctx: RegistryContext,
  imports: ImportRepository,
  tx: Executor,
  bucket: Bucket,
  name: string,
  id: string | undefined,
  actor: Actor,
): Promise<Channel> {
  const found = await ctx.channels.findChannel(tx, bucket.id, name);
  if (found) return found;
  const [chosen] = await chooseIds(imports, tx, 'channels', [id]);
  const now = ctx.nowIso();
  const channel: Channel = {
    id: chosen,
    bucketId: bucket.id,
    name,
    restricted: false,
    managed: false,
    versionId: null,
    authorId: actor.principalId,
    historySeq: 0,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.channels.insertChannel(tx, channel);
  return channel;
}

const sorted = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** What a build holds, without ids and times: equal content means the same build. */
function content(b: Omit<Build, 'id' | 'versionId' | 'createdAt' | 'updatedAt'>): string {
  return JSON.stringify([
    b.platform,
    b.componentType,
    b.status,
    b.packerRunUuid,
    b.sourceExternalIdentifier,
    sorted(b.labels),
    sorted(b.metadata),
    b.parentVersionId,
    b.parentChannelId,
    b.artifacts.map((a) => `${a.region} ${a.externalIdentifier}`).sort(),
  ]);
}

const describeBuild = (b: Pick<Build, 'platform' | 'componentType' | 'artifacts'>) =>
  `${b.platform} ${b.componentType} (${b.artifacts.map((a) => `${a.region} ${a.externalIdentifier}`).join(', ') || 'no images'})`;

/** The revocation fields of a version, for comparison. */
const revocationOf = (v: Version) =>
  JSON.stringify([
    v.revokeAt,
    v.revocationMessage ?? '',
    v.revocationAuthor ?? '',
    v.revocationType,
    v.revocationInheritedFrom,
  ]);

/**
 * Restores one version with its builds, artifacts, parent links and revocation. Absent:
 * created as it was. Present and equal: unchanged. Present but incomplete here:
 * replaced. Present and complete with other builds, or revoked here and not there:
 * refused, naming the difference (an import never overwrites what happened here). A
 * revocation made there since the last import is applied, without rolling channels back
 * (their histories come from there too).
 */
export async function importVersion(
  ctx: RegistryContext,
  imports: ImportRepository,
  tx: Executor,
  scope: Scope,
  actor: Actor,
  bucket: Bucket,
  fingerprint: string,
  input: ImportedVersion,
): Promise<{ outcome: ImportOutcome; version: Version }> {
  checkImportedVersion(bucket.name, fingerprint, input.builds);
  const now = ctx.nowIso();
  const nameSeq = nameSeqOf(input.name, 'name');
  const createdAt = storedTime(input.createdAt, now);
  const updatedAt = storedTime(input.updatedAt, createdAt);
  const existing = await ctx.versions.findVersion(tx, bucket.id, fingerprint);
  const revocation = input.revocation;
  const inheritedFrom = revocation?.inheritedFrom
    ? (await referenced(ctx, tx, scope, revocation.inheritedFrom, 'the revoked ancestor')).version
    : null;
  const revokeAt = revocation ? storedTime(revocation.revokeAt, now) : null;
  const wanted: Version = {
    id: existing?.id ?? (await chooseIds(imports, tx, 'versions', [input.id]))[0],
    bucketId: bucket.id,
    fingerprint,
    nameSeq,
    templateType: input.templateType,
    authorId: input.authorId,
    complete: nameSeq !== null,
    createdAt,
    updatedAt,
    revokeAt,
    revocationMessage: revocation ? revocation.message : null,
    revocationAuthor: revocation ? revocation.author : null,
    revocationType: revocation ? revocation.type : null,
    revocationInheritedFrom: inheritedFrom?.id ?? null,
    // Its channels' histories come from there, rollbacks included: none is due here.
    revocationRollback: !(revokeAt && revokeAt <= now),
    revocationDescendants: true,
  };
  const builds = await buildsOf(ctx, imports, tx, scope, actor, wanted.id, input.builds);

  if (existing) {
    const current = (await ctx.builds.buildsOf(tx, [existing.id])).get(existing.id) ?? [];
    const sameBuilds =
      JSON.stringify(current.map(content).sort()) === JSON.stringify(builds.map(content).sort());
    if (existing.complete) {
      const problems: string[] = [];
      if (existing.nameSeq !== nameSeq)
        problems.push(
          `it is ${versionName(existing)} here and ${input.name || 'incomplete'} there`,
        );
      if (!sameBuilds) {
        problems.push(
          `its builds here are ${current.map(describeBuild).join('; ') || 'none'}, there ${builds.map(describeBuild).join('; ') || 'none'}`,
        );
      }
      if (existing.revokeAt && !revokeAt)
        problems.push('it is revoked here and not there (restore it here if that is right)');
      else if (existing.revokeAt && revocationOf(existing) !== revocationOf(wanted))
        problems.push(
          `its revocation here (${existing.revokeAt}) differs from the one there (${revokeAt})`,
        );
      if (problems.length) {
        throw new ConflictError(
          'IMPORT_CONFLICT',
          `version "${fingerprint}" of bucket "${bucket.name}" differs from the one being imported: ${problems.join('; ')}. The import does not overwrite it.`,
          { bucket: bucket.name, fingerprint },
        );
      }
      if (!revokeAt || revocationOf(existing) === revocationOf(wanted))
        return { outcome: 'unchanged', version: existing };
      // Revoked there since: take the revocation as it is there.
      const revoked: Version = { ...existing, ...pickRevocation(wanted) };
      await ctx.versions.updateVersion(tx, revoked);
      await ctx.audit(tx, scope, actor, 'version.import', `${bucket.name}/${fingerprint}`, {
        outcome: 'updated',
        revoke_at: revokeAt,
      });
      return { outcome: 'updated', version: revoked };
    }
    // Incomplete here (a run that stopped half-way): it becomes what it is there.
    if (nameSeq === null && sameBuilds && revocationOf(existing) === revocationOf(wanted))
      return { outcome: 'unchanged', version: existing };
    if (nameSeq !== null) await assertNameFree(imports, tx, bucket, nameSeq, fingerprint);
    await imports.deleteBuildsOf(tx, existing.id);
    await writeBuilds(ctx, imports, tx, builds);
    const replaced: Version = { ...wanted, id: existing.id, createdAt: existing.createdAt };
    await ctx.versions.updateVersion(tx, replaced);
    await bumpSequence(ctx, tx, bucket, nameSeq);
    await ctx.audit(tx, scope, actor, 'version.import', `${bucket.name}/${fingerprint}`, {
      outcome: 'updated',
      name: input.name,
    });
    return { outcome: 'updated', version: replaced };
  }

  if (nameSeq !== null) await assertNameFree(imports, tx, bucket, nameSeq, fingerprint);
  await ctx.versions.insertVersionIfAbsent(tx, wanted);
  await ctx.versions.updateVersion(tx, wanted);
  await writeBuilds(ctx, imports, tx, builds);
  await bumpSequence(ctx, tx, bucket, nameSeq);
  await ctx.audit(tx, scope, actor, 'version.import', `${bucket.name}/${fingerprint}`, {
    outcome: 'created',
    name: input.name,
  });
  return { outcome: 'created', version: wanted };
}

function pickRevocation(v: Version): Partial<Version> {
  return {
    revokeAt: v.revokeAt,
    revocationMessage: v.revocationMessage,
    revocationAuthor: v.revocationAuthor,
    revocationType: v.revocationType,
    revocationInheritedFrom: v.revocationInheritedFrom,
    revocationRollback: v.revocationRollback,
    revocationDescendants: v.revocationDescendants,
  };
}

/** Builds as they will be stored: ids chosen, parents resolved to this registry's ids. */
async function buildsOf(
  ctx: RegistryContext,
  imports: ImportRepository,
  tx: Executor,
  scope: Scope,
  actor: Actor,
  versionId: string,
  input: ImportedBuild[],
): Promise<Build[]> {
  const buildIds = await chooseIds(
    imports,
    tx,
    'builds',
    input.map((b) => b.id),
  );
  const artifactIds = await chooseIds(
    imports,
    tx,
    'artifacts',
    input.flatMap((b) => b.artifacts.map((a) => a.id)),
  );
  let nextArtifact = 0;
  const builds: Build[] = [];
  for (const [i, b] of input.entries()) {
    let parentVersionId: string | null = null;
    let parentChannelId: string | null = null;
    if (b.parent) {
      const parent = await referenced(ctx, tx, scope, b.parent, 'the parent version');
      parentVersionId = parent.version.id;
      if (b.parent.channel) {
        parentChannelId = (
          await parentChannel(
            ctx,
            imports,
            tx,
            parent.bucket,
            b.parent.channel,
            b.parent.channelId,
            actor,
          )
        ).id;
      }
    }
    const createdAt = storedTime(b.createdAt, ctx.nowIso());
    builds.push({
      id: buildIds[i],
      versionId,
      platform: b.platform,
      componentType: b.componentType,
      packerRunUuid: b.packerRunUuid,
      sourceExternalIdentifier: b.sourceExternalIdentifier,
      parentVersionId,
      parentChannelId,
      status: b.status,
      labels: b.labels,
      metadata: b.metadata,
      createdAt,
      updatedAt: storedTime(b.updatedAt, createdAt),
      artifacts: b.artifacts.map((a) => ({
        id: artifactIds[nextArtifact++],
        buildId: buildIds[i],
        externalIdentifier: a.externalIdentifier,
        region: a.region,
        createdAt: storedTime(a.createdAt, createdAt),
      })),
    });
  }
  return builds;
}

async function writeBuilds(
  ctx: RegistryContext,
  imports: ImportRepository,
  tx: Executor,
  builds: Build[],
): Promise<void> {
  for (const build of builds) {
    await ctx.builds.insertBuild(tx, build);
    if (build.updatedAt !== build.createdAt)
      await imports.setTimes(tx, 'builds', build.id, build.createdAt, build.updatedAt);
  }
}

/** Two versions of a bucket never share a name. */
async function assertNameFree(
  imports: ImportRepository,
  tx: Executor,
  bucket: Bucket,
  nameSeq: number,
  fingerprint: string,
): Promise<void> {
  const holder = await imports.versionByNameSeq(tx, bucket.id, nameSeq);
  if (holder && holder.fingerprint !== fingerprint) {
    throw new ConflictError(
      'IMPORT_CONFLICT',
      `bucket "${bucket.name}" already has a v${nameSeq} here (fingerprint "${holder.fingerprint}"), so version "${fingerprint}" cannot be imported as v${nameSeq}. The bucket was published to here before the import; import into an empty bucket or project.`,
      { bucket: bucket.name, fingerprint },
    );
  }
}

/** Later completions continue after the highest imported name. */
async function bumpSequence(
  ctx: RegistryContext,
  tx: Executor,
  bucket: Bucket,
  nameSeq: number | null,
): Promise<void> {
  const locked = await ctx.buckets.lockBucket(tx, bucket.id);
  if (nameSeq !== null && nameSeq > locked.versionSeq)
    await ctx.buckets.updateBucket(tx, { ...locked, versionSeq: nameSeq });
}
