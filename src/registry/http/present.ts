import type { Build as BuildRecord, Scope } from '../domain/model';
import { versionName } from '../domain/model';
import type { Relation } from '../service/ancestry-service';
import type { BucketView } from '../service/bucket-service';
import type { AssignmentView } from '../service/channel-service';
import type { ExternalArtifactMatch } from '../service/search-service';
import type { ChannelView, VersionView } from '../service/views';
import type * as M from './schemas/model';

/** Domain views → HCP Packer 2023-01-01 JSON. Absent values are omitted, as HCP does. */

export function scopePath(scope: Scope): string {
  return `/packer/2023-01-01/organizations/${scope.organizationId}/projects/${scope.projectId}`;
}

/** How much of a build to show: lists leave its metadata out (it may be large). */
export interface Detail {
  metadata: boolean;
}

const FULL: Detail = { metadata: true };

export function presentBuild(b: BuildRecord, detail: Detail = FULL): M.Build {
  return {
    id: b.id,
    version_id: b.versionId,
    platform: b.platform,
    component_type: b.componentType,
    packer_run_uuid: b.packerRunUuid,
    source_external_identifier: b.sourceExternalIdentifier,
    status: b.status,
    labels: b.labels,
    metadata: detail.metadata ? b.metadata : undefined,
    artifacts: b.artifacts.map((a) => ({
      id: a.id,
      external_identifier: a.externalIdentifier,
      region: a.region,
      created_at: a.createdAt,
    })),
    parent_version_id: b.parentVersionId ?? undefined,
    parent_channel_id: b.parentChannelId ?? undefined,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export function presentVersion(view: VersionView, detail: Detail = FULL): M.Version {
  const { version: v, bucket } = view;
  const base = `${scopePath(bucket)}/buckets/${bucket.name}`;
  const ancestor = view.revokedAncestor;
  return {
    id: v.id,
    bucket_name: bucket.name,
    fingerprint: v.fingerprint,
    name: versionName(v),
    status: view.status,
    author_id: v.authorId,
    template_type: v.templateType,
    has_descendants: view.hasDescendants,
    builds: view.builds.map((b) => presentBuild(b, detail)),
    parents: view.parentsStatus
      ? { href: `${base}/ancestry?type=ANCESTRY_TYPE_PARENTS`, status: view.parentsStatus }
      : undefined,
    revoke_at: v.revokeAt ?? undefined,
    revocation_message: v.revokeAt ? (v.revocationMessage ?? '') : undefined,
    revocation_author: v.revocationAuthor ?? undefined,
    revocation_type: v.revocationType ?? undefined,
    revocation_inherited_from: ancestor
      ? {
          bucket_name: ancestor.bucket.name,
          href: `${scopePath(ancestor.bucket)}/buckets/${ancestor.bucket.name}/versions/${ancestor.version.fingerprint}`,
          version_fingerprint: ancestor.version.fingerprint,
          version_id: ancestor.version.id,
          version_name: versionName(ancestor.version),
        }
      : undefined,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
}

export function presentBucket(view: BucketView, detail: Detail = FULL): M.Bucket {
  const { bucket: b } = view;
  const base = `${scopePath(b)}/buckets/${b.name}/ancestry`;
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    labels: b.labels,
    location: { organization_id: b.organizationId, project_id: b.projectId },
    resource_name: `packer/project/${b.projectId}/bucket/${b.name}`,
    latest_version: view.latest ? presentVersion(view.latest, detail) : undefined,
    platforms: [...new Set(view.latest?.builds.map((x) => x.platform) ?? [])].sort(),
    version_count: String(view.versionCount),
    parents: view.parentsStatus
      ? { href: `${base}?type=ANCESTRY_TYPE_PARENTS`, status: view.parentsStatus }
      : undefined,
    children: view.childrenStatus
      ? { href: `${base}?type=ANCESTRY_TYPE_CHILDREN`, status: view.childrenStatus }
      : undefined,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export function presentChannel(view: ChannelView): M.Channel {
  const { channel: c } = view;
  return {
    id: c.id,
    name: c.name,
    bucket_name: view.bucket.name,
    author_id: c.authorId,
    managed: c.managed,
    restricted: c.restricted,
    version: view.version ? presentVersion(view.version) : undefined,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function presentAssignment(view: AssignmentView): M.ChannelAssignment {
  return {
    assigned_at: view.assignment.assignedAt,
    author_id: view.assignment.authorId,
    version: view.version ? presentVersion(view.version) : undefined,
  };
}

export function presentRelation(r: Relation): M.BucketAncestry {
  return {
    parent: {
      bucket_name: r.parent.bucket.name,
      version_fingerprint: r.parent.version.fingerprint,
      version_id: r.parent.version.id,
      version_name: versionName(r.parent.version),
      channel_name: r.parent.channel?.name,
      channel_version: r.parent.channelVersion
        ? {
            fingerprint: r.parent.channelVersion.fingerprint,
            id: r.parent.channelVersion.id,
            name: versionName(r.parent.channelVersion),
          }
        : undefined,
    },
    child: {
      bucket_name: r.child.bucket.name,
      version_fingerprint: r.child.version.fingerprint,
      version_id: r.child.version.id,
      version_name: versionName(r.child.version),
    },
    status: r.status,
  };
}

export function presentExternalArtifact(m: ExternalArtifactMatch): M.ExternalArtifact {
  const { version: view } = m;
  const v = view.version;
  return {
    bucket: { id: view.bucket.id, name: view.bucket.name, labels: view.bucket.labels },
    build: presentBuild(m.build),
    version: {
      id: v.id,
      fingerprint: v.fingerprint,
      name: versionName(v),
      status: view.status,
      author_id: v.authorId,
      revoke_at: v.revokeAt ?? undefined,
      revocation_message: v.revokeAt ? (v.revocationMessage ?? '') : undefined,
      revocation_author: v.revocationAuthor ?? undefined,
      revocation_type: v.revocationType ?? undefined,
    },
  };
}
