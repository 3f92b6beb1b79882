import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import { parseAncestryType } from '../../service/ancestry-service';
import { scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import { presentExternalArtifact, presentRelation } from '../present';
import {
  BucketParams,
  CHANNEL_NAME,
  FINGERPRINT,
  PageQuery,
  Pagination,
  ScopeParams,
  withErrors,
} from '../schemas/common';
import { BucketAncestry, ExternalArtifact } from '../schemas/model';

const SearchBody = Type.Object(
  {
    external_identifier: Type.String({ minLength: 1, maxLength: 1024 }),
    platform: Type.Optional(Type.String({ maxLength: 64 })),
    region: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** Ancestry and artifact search: how buckets relate and where an image comes from. */
export function discoveryRoutes(app: App, registry: Registry): void {
  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name/ancestry`,
    {
      schema: {
        tags: ['ancestry'],
        summary: 'Parent and child relations of a bucket with UP_TO_DATE / OUT_OF_DATE status',
        params: BucketParams,
        querystring: Type.Composite([
          PageQuery,
          Type.Object({
            type: Type.Optional(Type.String()),
            version_fingerprint: Type.Optional(
              Type.String({
                pattern: FINGERPRINT,
                description: "Only this version's parents.",
              }),
            ),
            channel_name: Type.Optional(
              Type.String({
                pattern: CHANNEL_NAME,
                description: 'Only children built from this channel of the bucket.',
              }),
            ),
          }),
        ]),
        response: withErrors({
          200: Type.Object({
            relations: Type.Array(BucketAncestry),
            total_count: Type.Integer(),
            pagination: Pagination,
          }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const type = parseAncestryType(request.query.type);
      const { total, relations } = await registry.ancestry.list(
        scopeOf(request),
        request.params.bucket_name,
        type,
        page,
        {
          versionFingerprint: request.query.version_fingerprint,
          channelName: request.query.channel_name,
        },
      );
      const { items, pagination } = paginate(relations, page);
      return { relations: items.map(presentRelation), total_count: total, pagination };
    },
  );

  app.post(
    `${PACKER_PREFIX}/_search/external_artifact`,
    {
      schema: {
        tags: ['search'],
        summary: 'Find the bucket, version and build that hold an image',
        params: ScopeParams,
        querystring: PageQuery,
        body: SearchBody,
        response: withErrors({
          200: Type.Object({ artifacts: Type.Array(ExternalArtifact), pagination: Pagination }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const matches = await registry.search.externalArtifact(
        scopeOf(request),
        {
          externalIdentifier: request.body.external_identifier,
          platform: request.body.platform,
          region: request.body.region,
        },
        page,
      );
      const { items, pagination } = paginate(matches, page);
      return { artifacts: items.map(presentExternalArtifact), pagination };
    },
  );
}
