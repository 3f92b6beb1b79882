import type { Build, ChannelAssignment, Version } from '../registry-client';
import type { SourceBucket } from './source';

/**
 * Turns what the source answered into the bodies of Ingot's import calls, in an order
 * where every record comes after what it names: buckets, then versions with parents (and
 * revoked ancestors) first, then channels, whose histories name versions.
 */

interface ParentLink {
  bucket_name: string;
  version_fingerprint: string;
  channel_name?: string;
  channel_id?: string;
}

export interface VersionStep {
  bucket: string;
  fingerprint: string;
  body: Record<string, unknown>;
  /** `bucket/fingerprint` of what must be imported first. */
  needs: string[];
  revoked: boolean;
  parentLinks: number;
}

export interface ChannelStep {
  bucket: string;
  channel: string;
  body: Record<string, unknown>;
  assignments: number;
}

export interface ImportPlan {
  buckets: { name: string; body: Record<string, unknown> }[];
  versions: VersionStep[];
  channels: ChannelStep[];
}

const TEMPLATE_TYPES = ['TEMPLATE_TYPE_UNSET', 'HCL2', 'JSON'];
const BUILD_STATUSES = [
  'BUILD_UNSET',
  'BUILD_RUNNING',
  'BUILD_DONE',
  'BUILD_CANCELLED',
  'BUILD_FAILED',
];
const key = (bucket: string, fingerprint: string) => `${bucket}/${fingerprint}`;
/** Go's zero time, HCP's "unset". */
const time = (value: string | undefined | null) =>
  value && !value.startsWith('0001-01-01') ? value : undefined;

/** The revocation of a version, if it has one (scheduled or in effect). */
function revocation(v: Version) {
  const at = time(v.revoke_at);
  if (!at || (v.status !== 'VERSION_REVOKED' && v.status !== 'VERSION_REVOCATION_SCHEDULED'))
    return undefined;
  const from = v.revocation_inherited_from;
  const inherited = from?.bucket_name && from.version_fingerprint ? from : null;
  return {
    revoke_at: at,
    message: v.revocation_message ?? '',
    author: v.revocation_author ?? '',
    type: v.revocation_type === 'INHERITED' || inherited ? 'INHERITED' : 'MANUAL',
    inherited_from: inherited
      ? { bucket_name: inherited.bucket_name, version_fingerprint: inherited.version_fingerprint }
      : undefined,
  };
}

/**
 * Each build's parent. Ingot's builds say it themselves (parent_version_id/_channel_id);
 * HCP's say nothing, so the bucket's ancestry relations are shared out over the child's
 * builds in order (a version built from one parent, as Packer records it, gets it on all).
 */
function parentsOf(
  version: Version,
  source: SourceBucket,
  versionsById: Map<string, { bucket: string; fingerprint: string }>,
  channelsById: Map<string, string>,
): (ParentLink | undefined)[] {
  const builds: Build[] = version.builds ?? [];
  const own = builds.map((b) => {
    const parent = b.parent_version_id ? versionsById.get(b.parent_version_id) : undefined;
    if (!parent) return undefined;
    return {
      bucket_name: parent.bucket,
      version_fingerprint: parent.fingerprint,
      channel_name: b.parent_channel_id ? channelsById.get(b.parent_channel_id) : undefined,
      channel_id: b.parent_channel_id || undefined,
    };
  });
  if (own.some(Boolean)) return own;
  const relations = source.parents.filter(
    (r) => r.child.version_fingerprint === version.fingerprint,
  );
  if (relations.length === 0) return own;
  return builds.map((_, i) => {
    const r = relations[Math.min(i, relations.length - 1)];
    return {
      bucket_name: r.parent.bucket_name,
      version_fingerprint: r.parent.version_fingerprint,
      channel_name: r.parent.channel_name || undefined,
    };
  });
}

function versionStep(
  source: SourceBucket,
  v: Version,
  versionsById: Map<string, { bucket: string; fingerprint: string }>,
  channelsById: Map<string, string>,
): VersionStep {
  const bucket = source.bucket.name;
  const parents = parentsOf(v, source, versionsById, channelsById);
  const revoked = revocation(v);
  const needs = new Set<string>();
  for (const p of parents) if (p) needs.add(key(p.bucket_name, p.version_fingerprint));
  if (revoked?.inherited_from)
    needs.add(key(revoked.inherited_from.bucket_name, revoked.inherited_from.version_fingerprint));
  return {
    bucket,
    fingerprint: v.fingerprint,
    needs: [...needs],
    revoked: Boolean(revoked),
    parentLinks: parents.filter(Boolean).length,
    body: {
      id: v.id || undefined,
      name: v.name ?? '',
      template_type: TEMPLATE_TYPES.includes(v.template_type)
        ? v.template_type
        : 'TEMPLATE_TYPE_UNSET',
      author_id: v.author_id ?? '',
      created_at: time(v.created_at),
      updated_at: time(v.updated_at),
      builds: (v.builds ?? []).map((b, i) => ({
        id: b.id || undefined,
        platform: b.platform,
        component_type: b.component_type,
        packer_run_uuid: b.packer_run_uuid ?? '',
        source_external_identifier: b.source_external_identifier ?? '',
        status: BUILD_STATUSES.includes(b.status) ? b.status : 'BUILD_UNSET',
        labels: b.labels ?? {},
        metadata: b.metadata ?? {},
        created_at: time(b.created_at),
        updated_at: time(b.updated_at),
        artifacts: (b.artifacts ?? []).map((a) => ({
          id: a.id || undefined,
          external_identifier: a.external_identifier,
          region: a.region,
          created_at: time(a.created_at),
        })),
        parent: parents[i],
      })),
      revocation: revoked,
    },
  };
}

/** Versions ordered so that each comes after what it needs; otherwise oldest first. */
function ordered(steps: VersionStep[]): VersionStep[] {
  const byKey = new Map(steps.map((s) => [key(s.bucket, s.fingerprint), s]));
  const done = new Set<string>();
  const result: VersionStep[] = [];
  const visit = (step: VersionStep, path: Set<string>) => {
    const k = key(step.bucket, step.fingerprint);
    if (done.has(k) || path.has(k)) return;
    path.add(k);
    for (const need of step.needs) {
      const dependency = byKey.get(need);
      if (dependency) visit(dependency, path);
    }
    path.delete(k);
    done.add(k);
    result.push(step);
  };
  for (const step of steps) visit(step, new Set());
  return result;
}

function channelStep(bucket: string, channel: SourceBucket['channels'][number]): ChannelStep {
  const c = channel.channel;
  // The API lists history newest first; an import replays it oldest first.
  const history = [...channel.history].reverse().map((h: ChannelAssignment) => ({
    version_fingerprint: h.version?.fingerprint || null,
    author_id: h.author_id ?? '',
    assigned_at: h.assigned_at,
  }));
  return {
    bucket,
    channel: c.name,
    assignments: history.length,
    body: {
      id: c.id || undefined,
      restricted: Boolean(c.restricted),
      author_id: c.author_id ?? '',
      created_at: time(c.created_at),
      updated_at: time(c.updated_at),
      version_fingerprint: c.managed ? null : (c.version?.fingerprint ?? null),
      history,
    },
  };
}

export function planImport(sources: SourceBucket[]): ImportPlan {
  const versionsById = new Map<string, { bucket: string; fingerprint: string }>();
  const channelsById = new Map<string, string>();
  for (const s of sources) {
    for (const v of s.versions)
      versionsById.set(v.id, { bucket: s.bucket.name, fingerprint: v.fingerprint });
    for (const { channel } of s.channels) channelsById.set(channel.id, channel.name);
  }
  const buckets = sources.map((s) => {
    const latest = s.channels.find((c) => c.channel.managed)?.channel;
    return {
      name: s.bucket.name,
      body: {
        id: s.bucket.id || undefined,
        description: s.bucket.description ?? '',
        labels: s.bucket.labels ?? {},
        created_at: time(s.bucket.created_at),
        updated_at: time(s.bucket.updated_at),
        latest: latest && {
          id: latest.id || undefined,
          author_id: latest.author_id || undefined,
          created_at: time(latest.created_at),
          updated_at: time(latest.updated_at),
        },
      },
    };
  });
  const versions = ordered(
    sources.flatMap((s) => s.versions.map((v) => versionStep(s, v, versionsById, channelsById))),
  );
  const channels = sources.flatMap((s) => s.channels.map((c) => channelStep(s.bucket.name, c)));
  return { buckets, versions, channels };
}
