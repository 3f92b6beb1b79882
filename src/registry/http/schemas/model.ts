import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Labels } from './common';

/** Response models, field for field as HCP Packer's 2023-01-01 API names them. */

export const AncestryStatusSchema = Type.Union([
  Type.Literal('UNDETERMINED'),
  Type.Literal('UP_TO_DATE'),
  Type.Literal('OUT_OF_DATE'),
]);

const Href = Type.Object({ href: Type.String(), status: AncestryStatusSchema });

export const Location = Type.Object({
  organization_id: Type.String(),
  project_id: Type.String(),
});

export const Artifact = Type.Object({
  id: Type.String(),
  external_identifier: Type.String(),
  region: Type.String(),
  created_at: DateTime,
});

export const Build = Type.Object(
  {
    id: Type.String(),
    version_id: Type.String(),
    platform: Type.String(),
    component_type: Type.String(),
    packer_run_uuid: Type.String(),
    source_external_identifier: Type.String(),
    status: Type.String(),
    labels: Labels,
    metadata: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'Build metadata; left out of bucket lists (read the version for it), so a list stays small.',
        },
      ),
    ),
    artifacts: Type.Array(Artifact),
    parent_version_id: Type.Optional(
      Type.String({ description: 'Ingot addition: the ancestry link as created.' }),
    ),
    parent_channel_id: Type.Optional(
      Type.String({ description: 'Ingot addition: the ancestry link as created.' }),
    ),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Build' },
);
export type Build = Static<typeof Build>;

export const Version = Type.Object(
  {
    id: Type.String(),
    bucket_name: Type.String(),
    fingerprint: Type.String(),
    name: Type.String(),
    status: Type.String(),
    author_id: Type.String(),
    template_type: Type.String(),
    has_descendants: Type.Boolean(),
    builds: Type.Array(Type.Ref(Build)),
    parents: Type.Optional(Href),
    revoke_at: Type.Optional(DateTime),
    revocation_message: Type.Optional(Type.String()),
    revocation_author: Type.Optional(Type.String()),
    revocation_type: Type.Optional(Type.String()),
    revocation_inherited_from: Type.Optional(
      Type.Object({
        bucket_name: Type.String(),
        href: Type.String(),
        version_fingerprint: Type.String(),
        version_id: Type.String(),
        version_name: Type.String(),
      }),
    ),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Version' },
);
export type Version = Static<typeof Version>;

export const Bucket = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    labels: Labels,
    location: Location,
    resource_name: Type.String(),
    latest_version: Type.Optional(Type.Ref(Version)),
    platforms: Type.Array(Type.String()),
    version_count: Type.String(),
    parents: Type.Optional(Href),
    children: Type.Optional(Href),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Bucket' },
);
export type Bucket = Static<typeof Bucket>;

export const Channel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    bucket_name: Type.String(),
    author_id: Type.String(),
    managed: Type.Boolean(),
    restricted: Type.Boolean(),
    version: Type.Optional(Type.Ref(Version)),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Channel' },
);
export type Channel = Static<typeof Channel>;

export const ChannelAssignment = Type.Object({
  assigned_at: DateTime,
  author_id: Type.String(),
  version: Type.Optional(Type.Ref(Version)),
});
export type ChannelAssignment = Static<typeof ChannelAssignment>;

const VersionRef = Type.Object({
  bucket_name: Type.String(),
  version_fingerprint: Type.String(),
  version_id: Type.String(),
  version_name: Type.String(),
});

export const BucketAncestry = Type.Object({
  parent: Type.Composite([
    VersionRef,
    Type.Object({
      channel_name: Type.Optional(Type.String()),
      channel_version: Type.Optional(
        Type.Object({ fingerprint: Type.String(), id: Type.String(), name: Type.String() }),
      ),
    }),
  ]),
  child: VersionRef,
  status: AncestryStatusSchema,
});
export type BucketAncestry = Static<typeof BucketAncestry>;

export const ExternalArtifact = Type.Object({
  bucket: Type.Object({ id: Type.String(), name: Type.String(), labels: Labels }),
  build: Type.Ref(Build),
  version: Type.Object({
    id: Type.String(),
    fingerprint: Type.String(),
    name: Type.String(),
    status: Type.String(),
    author_id: Type.String(),
    revoke_at: Type.Optional(DateTime),
    revocation_message: Type.Optional(Type.String()),
    revocation_author: Type.Optional(Type.String()),
    revocation_type: Type.Optional(Type.String()),
  }),
});
export type ExternalArtifact = Static<typeof ExternalArtifact>;

/** Schemas registered with `addSchema` so `$ref`s resolve and OpenAPI lists them once. */
export const SHARED_SCHEMAS = [Build, Version, Bucket, Channel];
