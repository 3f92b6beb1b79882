import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Shared request/response pieces. Every route's schema is built from these. */

export const ORGANIZATION_ID = '^[A-Za-z0-9._-]{1,64}$';
export const BUCKET_NAME = '^[A-Za-z0-9-]{3,36}$';
export const CHANNEL_NAME = '^[A-Za-z0-9-]{1,36}$';
export const FINGERPRINT = '^[A-Za-z0-9._:+-]{1,128}$';
export const ULID = '^[0-9A-HJKMNP-TV-Z]{26}$';

export const ScopeParams = Type.Object({
  organization_id: Type.String({ pattern: ORGANIZATION_ID, description: 'Organization id.' }),
  project_id: Type.String({ pattern: ORGANIZATION_ID, description: 'Project id.' }),
});
export type ScopeParams = Static<typeof ScopeParams>;

export const BucketParams = Type.Composite([
  ScopeParams,
  Type.Object({ bucket_name: Type.String({ pattern: BUCKET_NAME, description: 'Bucket name.' }) }),
]);
export type BucketParams = Static<typeof BucketParams>;

export const VersionParams = Type.Composite([
  BucketParams,
  Type.Object({
    fingerprint: Type.String({ pattern: FINGERPRINT, description: 'Version fingerprint.' }),
  }),
]);
export type VersionParams = Static<typeof VersionParams>;

export const BuildParams = Type.Composite([
  VersionParams,
  Type.Object({ build_id: Type.String({ pattern: ULID, description: 'Build id (ULID).' }) }),
]);
export type BuildParams = Static<typeof BuildParams>;

export const ChannelParams = Type.Composite([
  BucketParams,
  Type.Object({
    channel_name: Type.String({ pattern: CHANNEL_NAME, description: 'Channel name.' }),
  }),
]);
export type ChannelParams = Static<typeof ChannelParams>;

export const PageQuery = Type.Object({
  'pagination.page_size': Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'Items per page (default 100; 0 means the default).',
    }),
  ),
  'pagination.next_page_token': Type.Optional(
    Type.String({ maxLength: 200, description: 'next_page_token of the previous response.' }),
  ),
  'pagination.previous_page_token': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'previous_page_token of a response: goes one page back.',
    }),
  ),
});
export type PageQuery = Static<typeof PageQuery>;

/** HCP's `sorting.order_by`: repeated, or comma-separated, `field [asc|desc]`. */
export const SortQuery = Type.Object({
  'sorting.order_by': Type.Optional(
    Type.Array(Type.String({ maxLength: 200 }), {
      maxItems: 10,
      description: 'Fields to sort by, e.g. "created_at desc"; ascending by default.',
    }),
  ),
});

export const PageSortQuery = Type.Composite([PageQuery, SortQuery]);
export type PageSortQuery = Static<typeof PageSortQuery>;

export const Pagination = Type.Object({
  next_page_token: Type.Optional(Type.String()),
  previous_page_token: Type.Optional(Type.String()),
});

export const Labels = Type.Record(
  Type.String({ maxLength: 255 }),
  Type.String({ maxLength: 255 }),
  {
    description: 'A string map of user metadata.',
    maxProperties: 64,
  },
);

export const DateTime = Type.String({ format: 'date-time' });

export const ErrorBody = Type.Object(
  {
    code: Type.Integer({ description: 'gRPC status code, as HCP returns.' }),
    message: Type.String(),
    details: Type.Array(
      Type.Object({
        '@type': Type.String(),
        reason: Type.String(),
        domain: Type.String(),
        metadata: Type.Record(Type.String(), Type.String()),
      }),
    ),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Standard error responses, added to every route's schema for the OpenAPI document. */
export function withErrors(responses: Record<number, TSchema>): Record<number, TSchema> {
  const error = Type.Ref(ErrorBody);
  return { ...responses, 400: error, 401: error, 403: error, 404: error, 409: error };
}

/** A JSON object with an unconstrained shape (build metadata). */
export const AnyObject = Type.Object({}, { additionalProperties: true });
