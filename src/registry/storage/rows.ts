import type {
  Artifact,
  Assignment,
  AuditEvent,
  Bucket,
  Build,
  BuildStatus,
  Channel,
  Consumer,
  RevocationType,
  TemplateType,
  Version,
} from '../domain/model';
import type { Row } from './database';

/** Row → domain mappers; the only code that knows column names and storage encodings. */

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const opt = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === 1 || v === true || v === '1';
const json = <T>(v: unknown): T => JSON.parse(str(v) || '{}') as T;

export function toBucket(r: Row): Bucket {
  return {
    id: str(r.id),
    organizationId: str(r.organization_id),
    projectId: str(r.project_id),
    name: str(r.name),
    description: str(r.description),
    labels: json(r.labels),
    versionSeq: Number(r.version_seq),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

export function toVersion(r: Row): Version {
  return {
    id: str(r.id),
    bucketId: str(r.bucket_id),
    fingerprint: str(r.fingerprint),
    nameSeq: r.name_seq === null || r.name_seq === undefined ? null : Number(r.name_seq),
    templateType: str(r.template_type) as TemplateType,
    authorId: str(r.author_id),
    complete: bool(r.complete),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    revokeAt: opt(r.revoke_at),
    revocationMessage: opt(r.revocation_message),
    revocationAuthor: opt(r.revocation_author),
    revocationType: opt(r.revocation_type) as RevocationType | null,
    revocationInheritedFrom: opt(r.revocation_inherited_from),
    revocationRollback: bool(r.revocation_rollback),
    revocationDescendants: bool(r.revocation_descendants),
  };
}

export function toBuild(r: Row, artifacts: Artifact[] = []): Build {
  return {
    id: str(r.id),
    versionId: str(r.version_id),
    platform: str(r.platform),
    componentType: str(r.component_type),
    packerRunUuid: str(r.packer_run_uuid),
    sourceExternalIdentifier: str(r.source_external_identifier),
    parentVersionId: opt(r.parent_version_id),
    parentChannelId: opt(r.parent_channel_id),
    status: str(r.status) as BuildStatus,
    labels: json(r.labels),
    metadata: json(r.metadata),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    artifacts,
  };
}

export function toArtifact(r: Row): Artifact {
  return {
    id: str(r.id),
    buildId: str(r.build_id),
    externalIdentifier: str(r.external_identifier),
    region: str(r.region),
    createdAt: str(r.created_at),
  };
}

export function toChannel(r: Row): Channel {
  return {
    id: str(r.id),
    bucketId: str(r.bucket_id),
    name: str(r.name),
    restricted: bool(r.restricted),
    managed: bool(r.managed),
    versionId: opt(r.version_id),
    authorId: str(r.author_id),
    historySeq: Number(r.history_seq),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

export function toAssignment(r: Row): Assignment {
  return {
    channelId: str(r.channel_id),
    seq: Number(r.seq),
    versionId: opt(r.version_id),
    authorId: str(r.author_id),
    assignedAt: str(r.assigned_at),
  };
}

export function toConsumer(r: Row): Consumer {
  return {
    id: str(r.id),
    versionId: str(r.version_id),
    pulumiProject: str(r.pulumi_project),
    stack: str(r.stack),
    urn: str(r.urn),
    channel: str(r.channel),
    firstSeenAt: str(r.first_seen_at),
    lastSeenAt: str(r.last_seen_at),
  };
}

export function toAuditEvent(r: Row): AuditEvent {
  return {
    id: str(r.id),
    occurredAt: str(r.occurred_at),
    principalId: str(r.principal_id),
    organizationId: str(r.organization_id),
    projectId: str(r.project_id),
    action: str(r.action),
    target: str(r.target),
    details: json(r.details),
  };
}

/** `($1, $2, ...)` for an IN list, numbered from `start`. */
export function placeholders(count: number, start = 1): string {
  return `(${Array.from({ length: count }, (_, i) => `$${start + i}`).join(', ')})`;
}
