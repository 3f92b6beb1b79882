/** The registry's JSON, as the HCP Packer 2023-01-01 API and Ingot's additions name it. */

export type Role = 'viewer' | 'contributor' | 'admin';

export type VersionStatus =
  | 'VERSION_ACTIVE'
  | 'VERSION_REVOKED'
  | 'VERSION_REVOCATION_SCHEDULED'
  | 'VERSION_RUNNING'
  | 'VERSION_CANCELLED'
  | 'VERSION_FAILED'
  | 'VERSION_INCOMPLETE';

export type AncestryStatus = 'UNDETERMINED' | 'UP_TO_DATE' | 'OUT_OF_DATE';

export type Labels = Record<string, string>;

export interface Artifact {
  id: string;
  external_identifier: string;
  region: string;
  created_at: string;
}

export interface Build {
  id: string;
  platform: string;
  component_type: string;
  status: string;
  labels: Labels;
  artifacts: Artifact[];
  parent_version_id?: string;
  created_at: string;
}

export interface Version {
  id: string;
  bucket_name: string;
  fingerprint: string;
  name: string;
  status: VersionStatus;
  author_id: string;
  has_descendants: boolean;
  builds: Build[];
  parents?: { href: string; status: AncestryStatus };
  revoke_at?: string;
  revocation_message?: string;
  revocation_author?: string;
  revocation_type?: string;
  revocation_inherited_from?: {
    bucket_name: string;
    version_fingerprint: string;
    version_name: string;
  };
  created_at: string;
  updated_at: string;
}

export interface Bucket {
  name: string;
  description: string;
  labels: Labels;
  latest_version?: Version;
  platforms: string[];
  version_count: string;
  parents?: { href: string; status: AncestryStatus };
  children?: { href: string; status: AncestryStatus };
  created_at: string;
  updated_at: string;
}

export interface Channel {
  name: string;
  author_id: string;
  managed: boolean;
  restricted: boolean;
  version?: Version;
  updated_at: string;
}

/** An Ingot channel hold: the channel refuses every assignment until released or expired. */
export interface ChannelHold {
  channel: string;
  reason: string;
  /** Who asked (a person, e.g. a GitHub user), as given; else the principal. */
  held_by: string;
  /** The principal that set it. */
  author_id: string;
  created_at: string;
  expires_at?: string;
}

export interface ChannelAssignment {
  assigned_at: string;
  author_id: string;
  version?: Version;
}

export interface VersionRef {
  bucket_name: string;
  version_fingerprint: string;
  version_name: string;
}

export interface AncestryRelation {
  parent: VersionRef & {
    channel_name?: string;
    channel_version?: { fingerprint: string; name: string };
  };
  child: VersionRef;
  status: AncestryStatus;
}

export interface Consumer {
  id: string;
  pulumi_project: string;
  stack: string;
  urn: string;
  channel: string;
  version_fingerprint?: string;
  version_name?: string;
  last_seen_at: string;
}

export interface CallerIdentity {
  principal: { client_id: string; name: string };
  role?: Role;
}

/** A package an SBOM of a build lists (ListBuildPackages). */
export interface Package {
  name: string;
  version: string;
  purl: string;
  build_id: string;
  sboms: { id: string; name: string; format: string }[];
}

/** A block Packer injects into builds of a bucket, at its linked version. */
export interface EnforcedBlockDetail {
  id: string;
  name: string;
  version: {
    id: string;
    version: string;
    block_content: string;
    template_type: string;
    additional_description: string;
  };
}
