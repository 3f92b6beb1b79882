import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import { DURATION_PATTERN, parseDuration } from '../../duration';
import { PermissionDeniedError, ValidationError } from '../../errors';
import type { TemplateType } from '../../domain/model';
import type { VersionUpdate } from '../../service/version-service';
import { actorOf, scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { VERSION_SORT_FIELDS } from '../../storage/version-repository';
import { pageOf, paginate } from '../pagination';
import { sortOf } from '../sorting';
import { presentVersion } from '../present';
import {
  BucketParams,
  DateTime,
  FINGERPRINT,
  PageSortQuery,
  Pagination,
  VersionParams,
  withErrors,
} from '../schemas/common';
import { Version } from '../schemas/model';

const CreateVersionBody = Type.Object(
  {
    fingerprint: Type.String({
      pattern: FINGERPRINT,
      description: 'Identifies the build run (git SHA, ULID...).',
    }),
    template_type: Type.Optional(
      Type.Union([Type.Literal('TEMPLATE_TYPE_UNSET'), Type.Literal('HCL2'), Type.Literal('JSON')]),
    ),
  },
  { additionalProperties: false },
);

const UpdateVersionBody = Type.Object(
  {
    complete: Type.Optional(Type.Boolean()),
    revoke_at: Type.Optional(DateTime),
    revoke_in: Type.Optional(
      Type.String({ pattern: DURATION_PATTERN, description: 'e.g. 30d, 12h, 0s (now).' }),
    ),
    revocation_message: Type.Optional(Type.String({ maxLength: 1000 })),
    skip_descendants_revocation: Type.Optional(Type.Boolean()),
    disable_rollback_channels: Type.Optional(Type.Boolean()),
    restore: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type UpdateVersionBody = typeof UpdateVersionBody.static;

const VersionResponse = Type.Object({ version: Type.Ref(Version) });

/**
 * Go's zero `strfmt.DateTime`: the Go SDK always sends `revoke_at` (omitempty does not
 * apply to a struct), so an unset one arrives as this instant and means "not set".
 */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Turns HCP's UpdateVersion body into exactly one action, refusing mixed intents. */
export function parseVersionUpdate(given: UpdateVersionBody, now: Date): VersionUpdate {
  const body =
    given.revoke_at !== undefined && Date.parse(given.revoke_at) === GO_ZERO_TIME
      ? { ...given, revoke_at: undefined }
      : given;
  const revoking = body.revoke_at !== undefined || body.revoke_in !== undefined;
  const intents = [body.complete === true, revoking, body.restore === true].filter(Boolean).length;
  if (intents === 0) {
    if (body.revocation_message !== undefined) {
      throw new ValidationError(
        'revoke_in',
        'to revoke, set revoke_at (RFC 3339) or revoke_in ("0s" for now).',
      );
    }
    throw new ValidationError(
      'complete',
      'nothing to update: set complete, revoke_at/revoke_in, or restore.',
    );
  }
  if (intents > 1) {
    throw new ValidationError(
      'restore',
      'complete, revoke (revoke_at/revoke_in) and restore are separate updates; send one at a time.',
    );
  }
  if (
    !revoking &&
    (body.skip_descendants_revocation !== undefined || body.disable_rollback_channels !== undefined)
  ) {
    throw new ValidationError(
      'skip_descendants_revocation',
      'skip_descendants_revocation and disable_rollback_channels only apply to a revocation (revoke_at or revoke_in).',
    );
  }
  if (body.complete) return { kind: 'complete' };
  if (body.restore) return { kind: 'restore' };
  if (body.revoke_at !== undefined && body.revoke_in !== undefined) {
    throw new ValidationError('revoke_at', 'set either revoke_at or revoke_in, not both.');
  }
  const revokeAt =
    body.revoke_at !== undefined
      ? new Date(body.revoke_at)
      : new Date(now.getTime() + parseDuration('revoke_in', body.revoke_in as string));
  return {
    kind: 'revoke',
    revokeAt,
    message: body.revocation_message ?? '',
    skipDescendants: body.skip_descendants_revocation ?? false,
    disableRollback: body.disable_rollback_channels ?? false,
  };
}

export function versionRoutes(app: App, registry: Registry): void {
  app.post(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions`,
    {
      schema: {
        tags: ['versions'],
        summary: 'Create a version (idempotent on the fingerprint)',
        params: BucketParams,
        body: CreateVersionBody,
        response: withErrors({ 200: VersionResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const view = await registry.versions.create(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        {
          fingerprint: request.body.fingerprint,
          templateType: (request.body.template_type ?? 'TEMPLATE_TYPE_UNSET') as TemplateType,
        },
      );
      return { version: presentVersion(view) };
    },
  );

  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions`,
    {
      schema: {
        tags: ['versions'],
        summary: 'List versions, newest first unless sorting.order_by says otherwise',
        params: BucketParams,
        querystring: PageSortQuery,
        response: withErrors({
          200: Type.Object({ versions: Type.Array(Type.Ref(Version)), pagination: Pagination }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const views = await registry.versions.list(
        scopeOf(request),
        request.params.bucket_name,
        page,
        sortOf(request.query['sorting.order_by'], VERSION_SORT_FIELDS),
      );
      const { items, pagination } = paginate(views, page);
      return {
        versions: items.map((view) => presentVersion(view, { metadata: false })),
        pagination,
      };
    },
  );

  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions/:fingerprint`,
    {
      schema: {
        tags: ['versions'],
        summary: 'Get a version by fingerprint',
        params: VersionParams,
        response: withErrors({ 200: VersionResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const { bucket_name, fingerprint } = request.params;
      return {
        version: presentVersion(
          await registry.versions.get(scopeOf(request), bucket_name, fingerprint),
        ),
      };
    },
  );

  app.patch(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions/:fingerprint`,
    {
      schema: {
        tags: ['versions'],
        summary: 'Complete, revoke (now or scheduled) or restore a version',
        params: VersionParams,
        body: UpdateVersionBody,
        response: withErrors({ 200: VersionResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const update = parseVersionUpdate(request.body, registry.clock.now());
      if (update.kind !== 'complete' && request.role !== 'admin') {
        throw new PermissionDeniedError(
          `only an admin may ${update.kind} a version; this principal is a ${request.role}.`,
        );
      }
      const { bucket_name, fingerprint } = request.params;
      const view = await registry.versions.update(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        fingerprint,
        update,
      );
      return { version: presentVersion(view) };
    },
  );

  app.delete(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions/:fingerprint`,
    {
      schema: {
        tags: ['versions'],
        summary: 'Delete a version (rollback_channels=true moves its channels back first)',
        params: VersionParams,
        querystring: Type.Object({
          rollback_channels: Type.Optional(
            Type.Boolean({
              description:
                'Channels on the version roll back to their last valid earlier version; without it such a version is refused.',
            }),
          ),
        }),
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await registry.versions.delete(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        request.params.fingerprint,
        request.query.rollback_channels ?? false,
      );
      return {};
    },
  );
}
