import type {
  Bucket,
  BucketAncestry,
  Channel,
  ChannelAssignment,
  RegistryClient,
  Version,
} from '../registry-client';

/** Everything one bucket holds, as the source registry's API answers it. */
export interface SourceBucket {
  bucket: Bucket;
  /** Oldest first. */
  versions: Version[];
  channels: { channel: Channel; history: ChannelAssignment[] }[];
  /** Relations naming this bucket's versions as children (HCP's only ancestry read). */
  parents: BucketAncestry[];
}

export interface ReadProgress {
  (event: { bucket: string; step: string; done: number; total: number }): void;
}

/** Go clients (HCP) send null for empty lists and maps. */
const list = <T>(value: T[] | null | undefined): T[] => value ?? [];

/**
 * Reads buckets from any `packer/2023-01-01` registry, following every page: versions
 * (with their builds, listed separately where a listing leaves them out), channels with
 * their assignment history, and the ancestry relations naming each version's parents.
 */
export async function readSource(
  client: RegistryClient,
  only: readonly string[],
  progress: ReadProgress = () => undefined,
): Promise<SourceBucket[]> {
  const all = await client.listBuckets();
  const missing = only.filter((name) => !all.some((b) => b.name === name));
  if (missing.length) {
    const { organizationId, projectId, registryUrl } = client.connection;
    throw new Error(
      `--bucket ${missing.join(', ')}: no such bucket in organization "${organizationId}", project "${projectId}" of ${registryUrl} (it has ${all.map((b) => b.name).join(', ') || 'no buckets'}).`,
    );
  }
  const chosen = only.length ? all.filter((b) => only.includes(b.name)) : all;
  const childRelations = childRelationsOf(client, all);
  const result: SourceBucket[] = [];
  for (const bucket of chosen) {
    const name = bucket.name;
    progress({ bucket: name, step: 'versions', done: 0, total: 0 });
    const versions = (await client.listVersions(name)).sort(
      (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
    );
    let done = 0;
    for (const version of versions) {
      version.builds = list(version.builds);
      // Version lists may leave builds out, or their metadata (Ingot's do, to stay small):
      // the build list has them whole.
      if (version.builds.length === 0 || version.builds.some((b) => b.metadata === undefined))
        version.builds = await client.listBuilds(name, version.fingerprint);
      for (const build of version.builds) {
        build.artifacts = list(build.artifacts);
        build.labels = build.labels ?? {};
      }
      progress({ bucket: name, step: 'versions', done: ++done, total: versions.length });
    }
    const channels: SourceBucket['channels'] = [];
    const listed = list(await client.listChannels(name));
    for (const channel of listed) {
      const history = list(await client.channelHistory(name, channel.name));
      channels.push({ channel, history });
      progress({ bucket: name, step: 'channels', done: channels.length, total: listed.length });
    }
    const parents = (await childRelations()).filter((r) => r.child?.bucket_name === name);
    result.push({ bucket, versions, channels, parents });
  }
  return result;
}

/**
 * Every parent → child relation of the project, read once as the children of each bucket:
 * HCP lists children "built from any version" of a bucket, but parents only of one version
 * (the latest unless `version_fingerprint` is given — hcp-sdk-go's
 * packer_service_list_bucket_ancestry_parameters.go), so one call per bucket finds every
 * version's parents where asking each bucket for its parents would miss all but the latest's.
 */
function childRelationsOf(
  client: RegistryClient,
  buckets: readonly Bucket[],
): () => Promise<BucketAncestry[]> {
  let relations: Promise<BucketAncestry[]> | undefined;
  return () =>
    (relations ??= (async () => {
      const all: BucketAncestry[] = [];
      for (const b of buckets)
        all.push(...list(await client.ancestry(b.name, 'ANCESTRY_TYPE_CHILDREN')));
      return all;
    })());
}
