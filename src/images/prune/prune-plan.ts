import type { Build, Channel, Consumer, Version } from '../../client/registry-client';
import type { ImageArtifact, ImageStore } from './image-store';

/**
 * Retention: which versions' images may go, and removing them. A version is a candidate
 * when it is revoked or older than the age limit, AND no channel points at it (`latest`
 * included, so a bucket's newest version always stays) AND no stack uses it (the
 * registry's consumers). The registry keeps the version itself (it is history, and
 * revoked versions must stay refused); only the cloud images are removed.
 */
export interface PruneSource {
  listBuckets(): Promise<{ name: string }[]>;
  listVersions(bucket: string): Promise<Version[]>;
  listChannels(bucket: string): Promise<Channel[]>;
  consumers(bucket: string, fingerprint?: string): Promise<Consumer[]>;
  listBuilds(bucket: string, fingerprint: string): Promise<Build[]>;
}

export interface PruneCandidate {
  bucket: string;
  fingerprint: string;
  versionName: string;
  reason: string;
  artifacts: ImageArtifact[];
}

export interface PruneOptions {
  /** Versions created longer ago than this (ms) are candidates. */
  olderThanMs: number;
  now: Date;
  /** Only these buckets. @default every bucket */
  buckets?: string[];
}

export async function planPrune(
  source: PruneSource,
  options: PruneOptions,
): Promise<PruneCandidate[]> {
  const buckets = options.buckets ?? (await source.listBuckets()).map((b) => b.name);
  const candidates: PruneCandidate[] = [];
  for (const bucket of buckets) {
    const [versions, channels, consumers] = await Promise.all([
      source.listVersions(bucket),
      source.listChannels(bucket),
      source.consumers(bucket),
    ]);
    const onChannel = new Set(channels.map((c) => c.version?.fingerprint).filter(Boolean));
    const used = new Set(consumers.map((c) => c.version_fingerprint).filter(Boolean));
    for (const version of versions) {
      if (onChannel.has(version.fingerprint) || used.has(version.fingerprint)) continue;
      const revoked = version.status === 'VERSION_REVOKED';
      const age = options.now.getTime() - Date.parse(version.created_at);
      if (!revoked && age <= options.olderThanMs) continue;
      const days = Math.floor(age / 86_400_000);
      const builds = version.builds?.length
        ? version.builds
        : await source.listBuilds(bucket, version.fingerprint);
      const artifacts = builds
        .filter((b) => b.platform === 'aws' || b.platform === 'gcp')
        .flatMap((b) =>
          b.artifacts.map((a) => ({
            platform: b.platform,
            region: a.region,
            externalIdentifier: a.external_identifier,
          })),
        );
      if (artifacts.length === 0) continue;
      candidates.push({
        bucket,
        fingerprint: version.fingerprint,
        versionName: version.name,
        reason: `${revoked ? 'revoked' : `${days} days old`}, on no channel, used by no stack`,
        artifacts,
      });
    }
  }
  return candidates;
}

export interface PruneOutcome {
  candidate: PruneCandidate;
  artifact: ImageArtifact;
  deleted: string[];
  missing?: boolean;
  error?: string;
}

/**
 * Deletes every candidate's artifacts through the store of its platform. One failure
 * (a region that denies access, a throttled call) is recorded and the rest proceed.
 */
export async function executePrune(
  candidates: PruneCandidate[],
  stores: ImageStore[],
): Promise<PruneOutcome[]> {
  const outcomes: PruneOutcome[] = [];
  for (const candidate of candidates)
    for (const artifact of candidate.artifacts) {
      const store = stores.find((s) => s.platform === artifact.platform);
      if (!store) {
        outcomes.push({
          candidate,
          artifact,
          deleted: [],
          error: `no ${artifact.platform} image store configured`,
        });
        continue;
      }
      try {
        const result = await store.delete(artifact);
        outcomes.push({ candidate, artifact, deleted: result.deleted, missing: result.missing });
      } catch (error) {
        const e = error as Error & { name?: string };
        outcomes.push({
          candidate,
          artifact,
          deleted: [],
          error: `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`,
        });
      }
    }
  return outcomes;
}
