import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import type { BuildStatus } from '../../domain/model';
import { BUILD_SORT_FIELDS, type BuildInput } from '../../service/build-service';
import { actorOf, scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import { sortOf } from '../sorting';
import { presentBuild } from '../present';
import {
  AnyObject,
  BuildParams,
  Labels,
  PageSortQuery,
  Pagination,
  ULID,
  VersionParams,
  withErrors,
} from '../schemas/common';
import { LIMITS } from '../../service/limits';
import { Build } from '../schemas/model';

const BuildStatusSchema = Type.Union(
  ['BUILD_UNSET', 'BUILD_RUNNING', 'BUILD_DONE', 'BUILD_CANCELLED', 'BUILD_FAILED'].map((s) =>
    Type.Literal(s),
  ),
);

const ArtifactBody = Type.Object(
  {
    external_identifier: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'ami-…, projects/p/global/images/…',
    }),
    region: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

const buildFields = {
  platform: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'aws, gcp, …' })),
  component_type: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'amazon-ebs.ubuntu, …' }),
  ),
  packer_run_uuid: Type.Optional(Type.String({ maxLength: 64 })),
  source_external_identifier: Type.Optional(Type.String({ maxLength: 1024 })),
  parent_version_id: Type.Optional(Type.Union([Type.String({ pattern: ULID }), Type.Literal('')])),
  parent_channel_id: Type.Optional(Type.Union([Type.String({ pattern: ULID }), Type.Literal('')])),
  status: Type.Optional(BuildStatusSchema),
  labels: Type.Optional(Labels),
  // The Go SDK sends `"artifacts": null` when there are none (the field has no
  // omitempty): Packer's CreateBuild, status updates and heartbeats all do.
  artifacts: Type.Optional(
    Type.Union([Type.Array(ArtifactBody, { maxItems: LIMITS.artifactsPerBuild }), Type.Null()]),
  ),
};
const CreateBuildBody = Type.Object(buildFields, { additionalProperties: false });
const UpdateBuildBody = Type.Object(
  { ...buildFields, metadata: Type.Optional(AnyObject) },
  { additionalProperties: false },
);

const BuildResponse = Type.Object({ build: Type.Ref(Build) });

function toInput(body: typeof UpdateBuildBody.static): BuildInput {
  return {
    platform: body.platform,
    componentType: body.component_type,
    packerRunUuid: body.packer_run_uuid,
    sourceExternalIdentifier: body.source_external_identifier,
    parentVersionId: body.parent_version_id,
    parentChannelId: body.parent_channel_id,
    status: body.status as BuildStatus | undefined,
    labels: body.labels,
    metadata: body.metadata,
    artifacts: body.artifacts?.map((a) => ({
      externalIdentifier: a.external_identifier,
      region: a.region,
    })),
  };
}

export function buildRoutes(app: App, registry: Registry): void {
  const base = `${PACKER_PREFIX}/buckets/:bucket_name/versions/:fingerprint/builds`;

  app.post(
    base,
    {
      schema: {
        tags: ['builds'],
        summary: 'Create a build with its artifacts',
        params: VersionParams,
        body: CreateBuildBody,
        response: withErrors({ 200: BuildResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, fingerprint } = request.params;
      const build = await registry.builds.create(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        fingerprint,
        toInput(request.body),
      );
      return { build: presentBuild(build) };
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: ['builds'],
        summary: 'List a version’s builds',
        params: VersionParams,
        querystring: PageSortQuery,
        response: withErrors({
          200: Type.Object({ builds: Type.Array(Type.Ref(Build)), pagination: Pagination }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { bucket_name, fingerprint } = request.params;
      const { items, pagination } = paginate(
        await registry.builds.list(
          scopeOf(request),
          bucket_name,
          fingerprint,
          page,
          sortOf(request.query['sorting.order_by'], BUILD_SORT_FIELDS),
        ),
        page,
      );
      return { builds: items.map((build) => presentBuild(build)), pagination };
    },
  );

  app.get(
    `${base}/:build_id`,
    {
      schema: {
        tags: ['builds'],
        summary: 'Get a build',
        params: BuildParams,
        response: withErrors({ 200: BuildResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const { bucket_name, fingerprint, build_id } = request.params;
      return {
        build: presentBuild(
          await registry.builds.get(scopeOf(request), bucket_name, fingerprint, build_id),
        ),
      };
    },
  );

  app.patch(
    `${base}/:build_id`,
    {
      schema: {
        tags: ['builds'],
        summary: 'Update a build’s status, labels or artifacts',
        params: BuildParams,
        body: UpdateBuildBody,
        response: withErrors({ 200: BuildResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, fingerprint, build_id } = request.params;
      const build = await registry.builds.update(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        fingerprint,
        build_id,
        toInput(request.body),
      );
      return { build: presentBuild(build) };
    },
  );

  app.delete(
    `${base}/:build_id`,
    {
      schema: {
        tags: ['builds'],
        summary: 'Delete a build of an incomplete version',
        params: BuildParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, fingerprint, build_id } = request.params;
      await registry.builds.delete(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        fingerprint,
        build_id,
      );
      return {};
    },
  );
}
