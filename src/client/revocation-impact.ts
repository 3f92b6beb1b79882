import type { Consumer, RegistryClient, Version } from './registry-client';
import { rollbackTarget, validAt } from './rollback-target';

export interface VersionRef {
  bucket: string;
  fingerprint: string;
  name: string;
}

/** What one channel will serve once the revocation takes effect. */
export interface ChannelImpact {
  bucket: string;
  channel: string;
  managed: boolean;
  /** `rolls-back` to `to`; `left-empty` (no earlier valid version); `keeps` (rollback disabled). */
  outcome: 'rolls-back' | 'left-empty' | 'keeps';
  /** The version it then serves (null when left empty). */
  to: VersionRef | null;
  /** The revoked version it serves now. */
  from: VersionRef;
}

export interface RevocationImpact {
  version: VersionRef;
  /** When it takes effect (RFC 3339). */
  revokeAt: string;
  channels: ChannelImpact[];
  /** Versions built from it, transitively, that inherit the revocation. */
  descendants: VersionRef[];
  /** Stack resources recorded as using a revoked version; null where the registry keeps none (HCP). */
  consumers: (Consumer & { bucket: string })[] | null;
}

export interface ImpactOptions {
  /** When the revocation takes effect (ms). */
  at: number;
  skipDescendants: boolean;
  rollback: boolean;
}

const ref = (bucket: string, v: Pick<Version, 'fingerprint' | 'name'>): VersionRef => ({
  bucket,
  fingerprint: v.fingerprint,
  name: v.name,
});

/** Versions built from `root`, transitively and across buckets (the registry's ancestry). */
async function descendantsOf(
  client: RegistryClient,
  root: VersionRef,
  at: number,
): Promise<VersionRef[]> {
  const children = new Map<string, Awaited<ReturnType<RegistryClient['ancestry']>>>();
  const childrenOf = async (bucket: string) => {
    if (!children.has(bucket))
      children.set(bucket, await client.ancestry(bucket, 'ANCESTRY_TYPE_CHILDREN'));
    return children.get(bucket) ?? [];
  };
  const key = (r: VersionRef) => `${r.bucket}/${r.fingerprint}`;
  const seen = new Set([key(root)]);
  const found: VersionRef[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next: VersionRef[] = [];
    for (const parent of frontier) {
      for (const relation of await childrenOf(parent.bucket)) {
        const p = relation.parent;
        if (p.bucket_name !== parent.bucket || p.version_fingerprint !== parent.fingerprint)
          continue;
        const child = {
          bucket: relation.child.bucket_name,
          fingerprint: relation.child.version_fingerprint,
          name: relation.child.version_name,
        };
        if (seen.has(key(child))) continue;
        seen.add(key(child));
        next.push(child);
      }
    }
    found.push(...next);
    frontier = next;
  }
  // A descendant already revoked by then keeps its own revocation (as the registry does).
  const kept: VersionRef[] = [];
  for (const child of found) {
    const version = await client.getVersion(child.bucket, child.fingerprint);
    if (!(version.revoke_at && Date.parse(version.revoke_at) <= at)) kept.push(child);
  }
  return kept;
}

/**
 * What revoking `version` would do, read from the API without changing anything: which
 * channels roll back and to what (or are left empty), which versions inherit the
 * revocation, and which stacks use any of them. Works against HCP Packer too (without
 * consumers, an Ingot record).
 */
export async function revocationImpact(
  client: RegistryClient,
  bucket: string,
  version: Version,
  options: ImpactOptions,
): Promise<RevocationImpact> {
  const root = ref(bucket, version);
  const descendants =
    options.skipDescendants || !version.has_descendants
      ? []
      : await descendantsOf(client, root, options.at);
  const reached = [root, ...descendants];
  const byBucket = new Map<string, Set<string>>();
  for (const r of reached) {
    const set = byBucket.get(r.bucket) ?? new Set<string>();
    set.add(r.fingerprint);
    byBucket.set(r.bucket, set);
  }
  const channels: ChannelImpact[] = [];
  for (const [name, revoked] of byBucket) {
    const serving = (await client.listChannels(name)).filter(
      (c) => c.version && revoked.has(c.version.fingerprint),
    );
    let newest: Version | null | undefined;
    for (const channel of serving) {
      const from = ref(name, channel.version as Version);
      if (channel.managed) {
        // `latest` is computed: the newest complete version still valid then.
        newest ??=
          (await client.listVersions(name))
            .filter((v) => !revoked.has(v.fingerprint) && validAt(v, options.at))
            .sort((a, b) => Number(b.name.slice(1)) - Number(a.name.slice(1)))[0] ?? null;
        channels.push({
          bucket: name,
          channel: channel.name,
          managed: true,
          outcome: newest ? 'rolls-back' : 'left-empty',
          to: newest ? ref(name, newest) : null,
          from,
        });
        continue;
      }
      if (!options.rollback) {
        channels.push({
          bucket: name,
          channel: channel.name,
          managed: false,
          outcome: 'keeps',
          to: from,
          from,
        });
        continue;
      }
      const history = await client.channelHistory(name, channel.name);
      const target = rollbackTarget(history, revoked, options.at);
      channels.push({
        bucket: name,
        channel: channel.name,
        managed: false,
        outcome: target ? 'rolls-back' : 'left-empty',
        to: target ? ref(name, target) : null,
        from,
      });
    }
  }
  let consumers: RevocationImpact['consumers'] = null;
  if (await client.isIngot()) {
    consumers = [];
    for (const r of reached) {
      const found = await client.consumers(r.bucket, r.fingerprint);
      consumers.push(
        ...found.map((c) => ({ ...c, version_name: c.version_name || r.name, bucket: r.bucket })),
      );
    }
  }
  return {
    version: root,
    revokeAt: new Date(options.at).toISOString(),
    channels,
    descendants,
    consumers,
  };
}
