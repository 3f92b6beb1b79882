import type { Bucket, Version } from '../domain/model';
import { isRevoked } from '../domain/version-status';
import { ConflictError, ValidationError } from '../errors';
import type { Executor } from '../storage/database';
import type { Actor, RegistryContext } from './context';

/**
 * Completes a version: names it `vN` in completion order. `explicit` is UpdateVersion's
 * `complete: true`, which refuses a version that is not ready; otherwise (a build just
 * became BUILD_DONE) a version that is not ready is left as it is. HCP completes a
 * version by itself once all its builds are done: Packer never sends `complete`
 * (internal/hcp/registry/types.bucket.go, markBuildComplete then updateChannels).
 */
export async function completeVersion(
  ctx: RegistryContext,
  tx: Executor,
  bucket: Bucket,
  found: Version,
  actor: Actor,
  explicit: boolean,
): Promise<Version> {
  // The bucket lock serialises completions, so names are gap-free and ordered, and a
  // build finishing concurrently is seen by whichever transaction locks second.
  const locked = await ctx.buckets.lockBucket(tx, bucket.id);
  const version = await ctx.versions.lockVersion(tx, found.id);
  if (version.complete) return version;
  // A scheduled (e.g. inherited) revocation does not stop completion; one in effect does.
  if (isRevoked(version, ctx.clock.now())) {
    if (!explicit) return version;
    throw new ConflictError(
      'VERSION_REVOKED',
      `version "${version.fingerprint}" is revoked; it cannot be completed.`,
    );
  }
  const builds = (await ctx.builds.buildsOf(tx, [version.id])).get(version.id) ?? [];
  if (builds.length === 0) {
    if (!explicit) return version;
    throw new ValidationError(
      'complete',
      `version "${version.fingerprint}" has no builds; add at least one build with status BUILD_DONE before completing it.`,
    );
  }
  const unfinished = builds.filter((b) => b.status !== 'BUILD_DONE');
  if (unfinished.length > 0) {
    if (!explicit) return version;
    throw new ConflictError(
      'BUILDS_NOT_DONE',
      `version "${version.fingerprint}" cannot be completed: build(s) ${unfinished
        .map((b) => `${b.id} (${b.platform || 'no platform'}/${b.componentType}: ${b.status})`)
        .join(', ')} are not BUILD_DONE; finish or delete them first.`,
    );
  }
  const now = ctx.nowIso();
  const nameSeq = locked.versionSeq + 1;
  await ctx.buckets.updateBucket(tx, { ...locked, versionSeq: nameSeq, updatedAt: now });
  const completed: Version = { ...version, complete: true, nameSeq, updatedAt: now };
  await ctx.versions.updateVersion(tx, completed);
  await ctx.audit(tx, bucket, actor, 'version.complete', `${bucket.name}/${version.fingerprint}`, {
    name: `v${nameSeq}`,
    automatic: !explicit,
  });
  return completed;
}
