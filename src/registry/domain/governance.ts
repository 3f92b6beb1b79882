import type { Labels, Scope, TemplateType } from './model';

/** Records of HCP Packer's project-level features: the registry, enforced blocks, SBOMs. */

export const FEATURE_TIERS = ['STANDARD', 'PLUS'] as const;
export type FeatureTier = (typeof FEATURE_TIERS)[number];

/** A project's registry: always active here; created on first use. */
export interface ProjectRegistry extends Scope {
  id: string;
  featureTier: FeatureTier;
  createdAt: string;
  updatedAt: string;
}

/** A named, versioned block of provisioners Packer injects into builds of linked buckets. */
export interface EnforcedBlock extends Scope {
  id: string;
  name: string;
  labels: Labels;
  createdAt: string;
  updatedAt: string;
}

export interface EnforcedBlockVersion {
  id: string;
  blockId: string;
  version: string;
  blockContent: string;
  additionalDescription: string;
  templateType: TemplateType;
  createdAt: string;
  updatedAt: string;
}

/** A bucket linked to one version of a block (a bucket links at most one version per block). */
export interface EnforcedBlockLink {
  id: string;
  blockId: string;
  blockVersionId: string;
  bucketId: string;
  createdAt: string;
}

export const SBOM_FORMATS = ['CYCLONEDX', 'SPDX'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export interface Sbom {
  id: string;
  buildId: string;
  name: string;
  format: SbomFormat;
  createdAt: string;
}

/** A package an SBOM lists. */
export interface SbomPackage {
  name: string;
  version: string;
  purl: string;
}
