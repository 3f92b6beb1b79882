/**
 * The registry's domain records (HCP Packer 2023-01-01 vocabulary). Storage returns
 * these; the HTTP layer presents them in HCP's JSON shape.
 */
export type Labels = Record<string, string>;

export interface Scope {
  organizationId: string;
  projectId: string;
}

export const BUILD_STATUSES = [
  'BUILD_UNSET',
  'BUILD_RUNNING',
  'BUILD_DONE',
  'BUILD_CANCELLED',
  'BUILD_FAILED',
] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export const TEMPLATE_TYPES = ['TEMPLATE_TYPE_UNSET', 'HCL2', 'JSON'] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

export type VersionStatus =
  | 'VERSION_RUNNING'
  | 'VERSION_CANCELLED'
  | 'VERSION_FAILED'
  | 'VERSION_REVOKED'
  | 'VERSION_REVOCATION_SCHEDULED'
  | 'VERSION_ACTIVE'
  | 'VERSION_INCOMPLETE';

export type RevocationType = 'MANUAL' | 'INHERITED';

export type AncestryStatus = 'UNDETERMINED' | 'UP_TO_DATE' | 'OUT_OF_DATE';

export interface Bucket extends Scope {
  id: string;
  name: string;
  description: string;
  labels: Labels;
  versionSeq: number;
  createdAt: string;
  updatedAt: string;
}

export interface Version {
  id: string;
  bucketId: string;
  fingerprint: string;
  /** Completion order within the bucket: the `N` of the name `vN`; null until complete. */
  nameSeq: number | null;
  templateType: TemplateType;
  authorId: string;
  complete: boolean;
  createdAt: string;
  updatedAt: string;
  revokeAt: string | null;
  revocationMessage: string | null;
  revocationAuthor: string | null;
  revocationType: RevocationType | null;
  revocationInheritedFrom: string | null;
  /** Whether channels roll back when the revocation takes effect. */
  revocationRollback: boolean;
  /** Whether versions built from this one inherit the revocation. */
  revocationDescendants: boolean;
}

export interface Artifact {
  id: string;
  buildId: string;
  externalIdentifier: string;
  region: string;
  createdAt: string;
}

export interface Build {
  id: string;
  versionId: string;
  platform: string;
  componentType: string;
  packerRunUuid: string;
  sourceExternalIdentifier: string;
  parentVersionId: string | null;
  parentChannelId: string | null;
  status: BuildStatus;
  labels: Labels;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  artifacts: Artifact[];
}

export interface Channel {
  id: string;
  bucketId: string;
  name: string;
  restricted: boolean;
  managed: boolean;
  versionId: string | null;
  authorId: string;
  historySeq: number;
  createdAt: string;
  updatedAt: string;
}

export interface Assignment {
  channelId: string;
  seq: number;
  versionId: string | null;
  authorId: string;
  assignedAt: string;
}

export interface Consumer {
  id: string;
  versionId: string;
  pulumiProject: string;
  stack: string;
  urn: string;
  channel: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface AuditEvent extends Scope {
  id: string;
  occurredAt: string;
  principalId: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/**
 * The name HCP gives a version: `v1`, `v2`... in completion order, `v0` while incomplete
 * (Packer's internal/hcp/api/service_version.go treats any other name as complete).
 */
export function versionName(version: Version): string {
  return `v${version.nameSeq ?? 0}`;
}
