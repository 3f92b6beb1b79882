import { Type, type Static } from '@sinclair/typebox';
import { BUILD_STATUSES, TEMPLATE_TYPES } from '../../domain/model';
import type { Registry } from '../../registry';
import { LIMITS } from '../../service/limits';
import { actorOf, scopeOf } from '../auth';
import { INGOT_PREFIX, type App } from '../app-types';
import { presentBucket, presentChannel, presentVersion } from '../present';
import {
  AnyObject,
  BUCKET_NAME,
  BucketParams,
  CHANNEL_NAME,
  ChannelParams,
  DateTime,
  FINGERPRINT,
  Labels,
  VersionParams,
  withErrors,
} from '../schemas/common';
import { Bucket, Channel, Version } from '../schemas/model';

/**
 * `PUT /ingot/v1/…/import/…`: restores records read from another registry of this API
 * (`ingot import hcp`), fields named as HCP names them. Admin only: an import writes
 * authors, times and revocations that no other call can.
 */

const Id = Type.Optional(
  Type.String({ maxLength: 64, description: 'Kept when it is a free ULID.' }),
);
const Time = Type.Optional(DateTime);
const VersionKey = {
  bucket_name: Type.String({ pattern: BUCKET_NAME }),
  version_fingerprint: Type.String({ pattern: FINGERPRINT }),
};
const Outcome = Type.Union([
  Type.Literal('created'),
  Type.Literal('updated'),
  Type.Literal('unchanged'),
]);

const ImportBucketBody = Type.Object(
  {
    id: Id,
    description: Type.String({ maxLength: 2000 }),
    labels: Labels,
    created_at: Time,
    updated_at: Time,
    latest: Type.Optional(
      Type.Object(
        {
          id: Id,
          author_id: Type.Optional(Type.String({ maxLength: 200 })),
          created_at: Time,
          updated_at: Time,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ImportBuild = Type.Object(
  {
    id: Id,
    platform: Type.String({ minLength: 1, maxLength: 64 }),
    component_type: Type.String({ minLength: 1, maxLength: 128 }),
    packer_run_uuid: Type.String({ maxLength: 64 }),
    source_external_identifier: Type.String({ maxLength: 1024 }),
    status: Type.Union(BUILD_STATUSES.map((s) => Type.Literal(s))),
    labels: Labels,
    metadata: AnyObject,
    created_at: Time,
    updated_at: Time,
    artifacts: Type.Array(
      Type.Object(
        {
          id: Id,
          external_identifier: Type.String({ minLength: 1, maxLength: 1024 }),
          region: Type.String({ minLength: 1, maxLength: 64 }),
          created_at: Time,
        },
        { additionalProperties: false },
      ),
      { description: `At most ${LIMITS.artifactsPerBuild}; more is refused, naming the build.` },
    ),
    parent: Type.Optional(
      Type.Object(
        {
          ...VersionKey,
          channel_name: Type.Optional(Type.String({ pattern: CHANNEL_NAME })),
          channel_id: Id,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ImportVersionBody = Type.Object(
  {
    id: Id,
    name: Type.String({ maxLength: 16, description: 'v1, v2…; "" or "v0" while incomplete.' }),
    template_type: Type.Union(TEMPLATE_TYPES.map((t) => Type.Literal(t))),
    author_id: Type.String({ maxLength: 200 }),
    created_at: Time,
    updated_at: Time,
    builds: Type.Array(ImportBuild, {
      description: `At most ${LIMITS.buildsPerVersion}; more is refused, naming the version.`,
    }),
    revocation: Type.Optional(
      Type.Object(
        {
          revoke_at: DateTime,
          message: Type.String({ maxLength: 2000 }),
          author: Type.String({ maxLength: 200 }),
          type: Type.Union([Type.Literal('MANUAL'), Type.Literal('INHERITED')]),
          inherited_from: Type.Optional(Type.Object(VersionKey, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ImportChannelBody = Type.Object(
  {
    id: Id,
    restricted: Type.Boolean(),
    author_id: Type.String({ maxLength: 200 }),
    created_at: Time,
    updated_at: Time,
    version_fingerprint: Type.Union([Type.String({ pattern: FINGERPRINT }), Type.Null()]),
    history: Type.Array(
      Type.Object(
        {
          version_fingerprint: Type.Union([Type.String({ pattern: FINGERPRINT }), Type.Null()]),
          author_id: Type.String({ maxLength: 200 }),
          assigned_at: DateTime,
        },
        { additionalProperties: false },
      ),
      { description: 'Every assignment, oldest first.' },
    ),
  },
  { additionalProperties: false },
);

type ImportBuild = Static<typeof ImportBuild>;

function buildInput(b: ImportBuild) {
  return {
    id: b.id,
    platform: b.platform,
    componentType: b.component_type,
    packerRunUuid: b.packer_run_uuid,
    sourceExternalIdentifier: b.source_external_identifier,
    status: b.status,
    labels: b.labels,
    metadata: b.metadata,
    createdAt: b.created_at,
    updatedAt: b.updated_at,
    artifacts: b.artifacts.map((a) => ({
      id: a.id,
      externalIdentifier: a.external_identifier,
      region: a.region,
      createdAt: a.created_at,
    })),
    parent: b.parent
      ? {
          bucket: b.parent.bucket_name,
          fingerprint: b.parent.version_fingerprint,
          channel: b.parent.channel_name,
          channelId: b.parent.channel_id,
        }
      : null,
  };
}

export function importRoutes(app: App, registry: Registry): void {
  const base = `${INGOT_PREFIX}/import/buckets/:bucket_name`;

  app.put(
    base,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Import a bucket from another registry (idempotent)',
        params: BucketParams,
        body: ImportBucketBody,
        response: withErrors({ 200: Type.Object({ outcome: Outcome, bucket: Type.Ref(Bucket) }) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const body = request.body;
      const { outcome, bucket } = await registry.imports.importBucket(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        {
          id: body.id,
          description: body.description,
          labels: body.labels,
          createdAt: body.created_at,
          updatedAt: body.updated_at,
          latest: body.latest && {
            id: body.latest.id,
            authorId: body.latest.author_id,
            createdAt: body.latest.created_at,
            updatedAt: body.latest.updated_at,
          },
        },
      );
      return { outcome, bucket: presentBucket(bucket) };
    },
  );

  app.put(
    `${base}/versions/:fingerprint`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Import a version with its builds, parents and revocation (idempotent)',
        params: VersionParams,
        body: ImportVersionBody,
        response: withErrors({
          200: Type.Object({ outcome: Outcome, version: Type.Ref(Version) }),
        }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const body = request.body;
      const revocation = body.revocation;
      const { outcome, version } = await registry.imports.importVersion(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        request.params.fingerprint,
        {
          id: body.id,
          name: body.name,
          templateType: body.template_type,
          authorId: body.author_id,
          createdAt: body.created_at,
          updatedAt: body.updated_at,
          builds: body.builds.map(buildInput),
          revocation: revocation
            ? {
                revokeAt: revocation.revoke_at,
                message: revocation.message,
                author: revocation.author,
                type: revocation.type,
                inheritedFrom: revocation.inherited_from
                  ? {
                      bucket: revocation.inherited_from.bucket_name,
                      fingerprint: revocation.inherited_from.version_fingerprint,
                    }
                  : null,
              }
            : null,
        },
      );
      return { outcome, version: presentVersion(version) };
    },
  );

  app.put(
    `${base}/channels/:channel_name`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Import a channel with its assignment history (idempotent)',
        params: ChannelParams,
        body: ImportChannelBody,
        response: withErrors({
          200: Type.Object({ outcome: Outcome, channel: Type.Ref(Channel) }),
        }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const body = request.body;
      const { outcome, channel } = await registry.imports.importChannel(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        request.params.channel_name,
        {
          id: body.id,
          restricted: body.restricted,
          authorId: body.author_id,
          createdAt: body.created_at,
          updatedAt: body.updated_at,
          versionFingerprint: body.version_fingerprint,
          history: body.history.map((h) => ({
            versionFingerprint: h.version_fingerprint,
            authorId: h.author_id,
            assignedAt: h.assigned_at,
          })),
        },
      );
      return { outcome, channel: presentChannel(channel) };
    },
  );
}
