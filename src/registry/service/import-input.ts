import type { BuildStatus, Labels, RevocationType, TemplateType } from '../domain/model';
import { ValidationError } from '../errors';

/**
 * Records as another registry of this API holds them (HCP Packer or another Ingot), to be
 * restored with their ids, names, times and authors. Every reference to another record
 * is by name and fingerprint, which mean the same thing on both sides; ids are kept when
 * they are free ULIDs and replaced otherwise.
 */

/** Another version, by bucket name and fingerprint. */
export interface VersionKey {
  bucket: string;
  fingerprint: string;
}

export interface ImportedArtifact {
  id?: string;
  externalIdentifier: string;
  region: string;
  createdAt?: string;
}

export interface ImportedBuild {
  id?: string;
  platform: string;
  componentType: string;
  packerRunUuid: string;
  sourceExternalIdentifier: string;
  status: BuildStatus;
  labels: Labels;
  metadata: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
  artifacts: ImportedArtifact[];
  /** The version (and channel of its bucket) this build was built from. */
  parent: (VersionKey & { channel?: string; channelId?: string }) | null;
}

export interface ImportedRevocation {
  revokeAt: string;
  message: string;
  author: string;
  type: RevocationType;
  inheritedFrom: VersionKey | null;
}

export interface ImportedVersion {
  id?: string;
  /** `v3`; empty (or HCP's `v0`) while incomplete. */
  name: string;
  templateType: TemplateType;
  authorId: string;
  createdAt?: string;
  updatedAt?: string;
  builds: ImportedBuild[];
  revocation: ImportedRevocation | null;
}

export interface ImportedBucket {
  id?: string;
  description: string;
  labels: Labels;
  createdAt?: string;
  updatedAt?: string;
  /** The managed `latest` channel's own record, so it keeps its id. */
  latest?: { id?: string; authorId?: string; createdAt?: string; updatedAt?: string };
}

export interface ImportedAssignment {
  versionFingerprint: string | null;
  authorId: string;
  assignedAt: string;
}

export interface ImportedChannel {
  id?: string;
  restricted: boolean;
  authorId: string;
  createdAt?: string;
  updatedAt?: string;
  /** What it serves; ignored for the managed `latest`, which the registry computes. */
  versionFingerprint: string | null;
  /** Every assignment, oldest first. */
  history: ImportedAssignment[];
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether an id from elsewhere can be an id here (ULIDs, as HCP and Ingot use). */
export function keepableId(id: string | undefined): id is string {
  return typeof id === 'string' && ULID.test(id);
}

/** `v3` → 3; incomplete names (empty, HCP's `v0`) → null. */
export function nameSeqOf(name: string, field: string): number | null {
  if (name === '' || name === 'v0') return null;
  const match = /^v([1-9]\d{0,8})$/.exec(name);
  if (!match) {
    throw new ValidationError(
      field,
      `${field} "${name}" is not a version name; use v1, v2… (or "" / "v0" for an incomplete version).`,
    );
  }
  return Number(match[1]);
}

/**
 * A time as stored (ISO 8601 UTC with milliseconds), or `fallback` when absent. Go
 * clients send `0001-01-01T00:00:00Z` for an unset time: that counts as absent.
 */
export function storedTime(value: string | undefined, fallback: string): string {
  if (!value || value.startsWith('0001-01-01')) return fallback;
  return new Date(value).toISOString();
}
