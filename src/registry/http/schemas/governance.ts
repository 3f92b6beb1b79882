import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Labels, Pagination } from './common';
import { Bucket } from './model';

/**
 * Models of HCP Packer's project-level operations (registry, enforced blocks, SBOMs,
 * packages), field for field as hcp-sdk-go's 2023-01-01 models name them.
 */

export const TemplateTypeSchema = Type.Union([
  Type.Literal('TEMPLATE_TYPE_UNSET'),
  Type.Literal('HCL2'),
  Type.Literal('JSON'),
]);

export const FeatureTierSchema = Type.Union([
  Type.Literal('UNSET'),
  Type.Literal('STANDARD'),
  Type.Literal('PLUS'),
]);

const Location = Type.Object({ organization_id: Type.String(), project_id: Type.String() });

export const Registry = Type.Object(
  {
    id: Type.String(),
    location: Location,
    config: Type.Object({
      activated: Type.Boolean(),
      feature_tier: Type.String(),
    }),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Registry' },
);
export type Registry = Static<typeof Registry>;

/** HCP answers registry changes with a long-running operation; here it is always done. */
export const Operation = Type.Object({
  id: Type.String(),
  state: Type.Literal('DONE'),
  location: Location,
  created_at: DateTime,
  updated_at: DateTime,
});
export type Operation = Static<typeof Operation>;

export const EnforcedBlockVersion = Type.Object(
  {
    id: Type.String(),
    enforced_block_id: Type.String(),
    version: Type.String(),
    block_content: Type.String(),
    additional_description: Type.String(),
    template_type: TemplateTypeSchema,
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'EnforcedBlockVersion' },
);
export type EnforcedBlockVersion = Static<typeof EnforcedBlockVersion>;

export const EnforcedBlock = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    labels: Labels,
    location: Location,
    resource_name: Type.String(),
    latest_version: Type.Optional(Type.Ref(EnforcedBlockVersion)),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'EnforcedBlock' },
);
export type EnforcedBlock = Static<typeof EnforcedBlock>;

/** What GetEnforcedBlocksByBucket / GetEnforcedBlockVersions list: a block and one version. */
export const EnforcedBlockDetail = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Ref(EnforcedBlockVersion),
});
export type EnforcedBlockDetail = Static<typeof EnforcedBlockDetail>;

export const EnforcedBlockBucket = Type.Object({
  id: Type.String(),
  bucket_id: Type.String(),
  enforced_block_id: Type.String(),
  enforced_block_version_id: Type.String(),
  created_at: DateTime,
});
export type EnforcedBlockBucket = Static<typeof EnforcedBlockBucket>;

export const EnforcedBlockLinkedBucket = Type.Object({
  id: Type.String(),
  bucket: Type.Ref(Bucket),
  enforced_block_id: Type.String(),
  enforced_block_version_id: Type.String(),
  created_at: DateTime,
});
export type EnforcedBlockLinkedBucket = Static<typeof EnforcedBlockLinkedBucket>;

export const SbomFormatSchema = Type.Union([Type.Literal('CYCLONEDX'), Type.Literal('SPDX')]);

export const Sbom = Type.Object(
  { id: Type.String(), name: Type.String(), format: SbomFormatSchema },
  { $id: 'Sbom' },
);
export type Sbom = Static<typeof Sbom>;

export const Package = Type.Object({
  name: Type.String(),
  version: Type.String(),
  purl: Type.String(),
  build_id: Type.String(),
  build_name: Type.String({ description: 'The build’s component type, e.g. amazon-ebs.ubuntu.' }),
  channel_id: Type.Optional(Type.String()),
  channel_name: Type.Optional(Type.String()),
  sboms: Type.Array(Type.Ref(Sbom)),
});
export type Package = Static<typeof Package>;

export const PackagesResponse = Type.Object({
  packages: Type.Array(Package),
  pagination: Pagination,
});

/** Registered with `addSchema` so `$ref`s resolve and OpenAPI lists them once. */
export const GOVERNANCE_SCHEMAS = [Registry, EnforcedBlockVersion, EnforcedBlock, Sbom];
