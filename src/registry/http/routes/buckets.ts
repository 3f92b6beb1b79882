import { Type } from '@sinclair/typebox';
import { scopeOf, actorOf } from '../auth';
import type { Registry } from '../../registry';
import { PACKER_PREFIX, type App } from '../app-types';
import { BUCKET_SORT_FIELDS } from '../../storage/bucket-repository';
import { pageOf, paginate } from '../pagination';
import { sortOf } from '../sorting';
import { presentBucket } from '../present';
import {
  BUCKET_NAME,
  BucketParams,
  Labels,
  PageSortQuery,
  Pagination,
  ScopeParams,
  withErrors,
} from '../schemas/common';
import { Bucket } from '../schemas/model';

const CreateBucketBody = Type.Object(
  {
    name: Type.String({ pattern: BUCKET_NAME, description: '3–36 letters, digits and hyphens.' }),
    description: Type.Optional(Type.String({ maxLength: 255 })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);

const UpdateBucketBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 255 })),
    labels: Type.Optional(Labels),
    // The Go SDK sends `"platforms": null` when unset (no omitempty on the field).
    platforms: Type.Optional(
      Type.Union([Type.Array(Type.String()), Type.Null()], {
        description: 'Accepted for HCP compatibility; computed.',
      }),
    ),
  },
  { additionalProperties: false },
);

const BucketResponse = Type.Object({ bucket: Type.Ref(Bucket) });

export function bucketRoutes(app: App, registry: Registry): void {
  const create = {
    schema: {
      tags: ['buckets'],
      summary: 'Create a bucket',
      params: ScopeParams,
      body: CreateBucketBody,
      response: withErrors({ 200: BucketResponse }),
    },
    config: { access: 'contributor' as const },
  };
  for (const method of ['PUT', 'POST'] as const) {
    app.route({
      method,
      url: `${PACKER_PREFIX}/buckets`,
      ...create,
      handler: async (request) => {
        const view = await registry.buckets.create(scopeOf(request), actorOf(request), {
          name: request.body.name,
          description: request.body.description ?? '',
          labels: request.body.labels ?? {},
        });
        return { bucket: presentBucket(view) };
      },
    });
  }

  app.get(
    `${PACKER_PREFIX}/buckets`,
    {
      schema: {
        tags: ['buckets'],
        summary: 'List buckets',
        params: ScopeParams,
        querystring: PageSortQuery,
        response: withErrors({
          200: Type.Object({ buckets: Type.Array(Type.Ref(Bucket)), pagination: Pagination }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const sort = sortOf(request.query['sorting.order_by'], BUCKET_SORT_FIELDS);
      const { items, pagination } = paginate(
        await registry.buckets.list(scopeOf(request), page, sort),
        page,
      );
      return {
        buckets: items.map((view) => presentBucket(view, { metadata: false })),
        pagination,
      };
    },
  );

  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name`,
    {
      schema: {
        tags: ['buckets'],
        summary: 'Get a bucket',
        params: BucketParams,
        response: withErrors({ 200: BucketResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({
      bucket: presentBucket(
        await registry.buckets.get(scopeOf(request), request.params.bucket_name),
      ),
    }),
  );

  app.patch(
    `${PACKER_PREFIX}/buckets/:bucket_name`,
    {
      schema: {
        tags: ['buckets'],
        summary: 'Update a bucket’s description and labels',
        params: BucketParams,
        body: UpdateBucketBody,
        response: withErrors({ 200: BucketResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const view = await registry.buckets.update(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        {
          description: request.body.description,
          labels: request.body.labels,
        },
      );
      return { bucket: presentBucket(view) };
    },
  );

  app.delete(
    `${PACKER_PREFIX}/buckets/:bucket_name`,
    {
      schema: {
        tags: ['buckets'],
        summary: 'Delete a bucket and everything in it (versions, builds, channels)',
        params: BucketParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await registry.buckets.delete(scopeOf(request), actorOf(request), request.params.bucket_name);
      return {};
    },
  );
}
