import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../duration';
import { versionName, type Consumer, type Scope } from '../../domain/model';
import { actorOf, scopeOf } from '../auth';
import { INGOT_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import type { Page } from '../../storage/listing';
import { presentVersion } from '../present';
import {
  BucketParams,
  ChannelParams,
  DateTime,
  PageQuery,
  Pagination,
  ScopeParams,
  VersionParams,
  withErrors,
} from '../schemas/common';
import { Version } from '../schemas/model';

const ConsumerSchema = Type.Object({
  id: Type.String(),
  pulumi_project: Type.String(),
  stack: Type.String(),
  urn: Type.String(),
  channel: Type.String(),
  version_fingerprint: Type.Optional(Type.String()),
  version_name: Type.Optional(Type.String()),
  first_seen_at: DateTime,
  last_seen_at: DateTime,
});

const ConsumerBody = Type.Object(
  {
    pulumi_project: Type.String({ minLength: 1, maxLength: 200 }),
    stack: Type.String({ minLength: 1, maxLength: 200 }),
    urn: Type.String({ minLength: 1, maxLength: 2000, pattern: '^urn:pulumi:' }),
    channel: Type.Optional(Type.String({ maxLength: 36 })),
  },
  { additionalProperties: false },
);

const AuditEvents = Type.Object({
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      occurred_at: DateTime,
      principal_id: Type.String(),
      action: Type.String(),
      target: Type.String(),
      details: Type.Object({}, { additionalProperties: true }),
    }),
  ),
  pagination: Pagination,
});

function presentConsumer(c: Consumer, fingerprint?: string, name?: string) {
  return {
    id: c.id,
    pulumi_project: c.pulumiProject,
    stack: c.stack,
    urn: c.urn,
    channel: c.channel,
    version_fingerprint: fingerprint,
    version_name: name,
    first_seen_at: c.firstSeenAt,
    last_seen_at: c.lastSeenAt,
  };
}

/** Ingot-only API (consumers, soak-time promotion, audit), apart from HCP's paths. */
export function ingotRoutes(app: App, registry: Registry): void {
  app.post(
    `${INGOT_PREFIX}/buckets/:bucket_name/versions/:fingerprint/consumers`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Record that a stack resource uses this version',
        params: VersionParams,
        body: ConsumerBody,
        response: withErrors({ 200: Type.Object({ consumer: ConsumerSchema }) }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, fingerprint } = request.params;
      const consumer = await registry.consumers.register(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        fingerprint,
        {
          pulumiProject: request.body.pulumi_project,
          stack: request.body.stack,
          urn: request.body.urn,
          channel: request.body.channel ?? '',
        },
      );
      return { consumer: presentConsumer(consumer, fingerprint) };
    },
  );

  app.get(
    `${INGOT_PREFIX}/buckets/:bucket_name/versions/:fingerprint/consumers`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Stacks and resources using this version',
        params: VersionParams,
        response: withErrors({ 200: Type.Object({ consumers: Type.Array(ConsumerSchema) }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const { bucket_name, fingerprint } = request.params;
      const consumers = await registry.consumers.ofVersion(
        scopeOf(request),
        bucket_name,
        fingerprint,
      );
      return { consumers: consumers.map((c) => presentConsumer(c, fingerprint)) };
    },
  );

  app.get(
    `${INGOT_PREFIX}/buckets/:bucket_name/consumers`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Every consumer of every version of a bucket',
        params: BucketParams,
        response: withErrors({ 200: Type.Object({ consumers: Type.Array(ConsumerSchema) }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const rows = await registry.consumers.ofBucket(scopeOf(request), request.params.bucket_name);
      return {
        consumers: rows.map(({ consumer, version }) =>
          presentConsumer(consumer, version.fingerprint, versionName(version)),
        ),
      };
    },
  );

  app.get(
    `${INGOT_PREFIX}/buckets/:bucket_name/channels/:channel_name/soaked`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'The newest valid version this channel has held for at least minimum_soak',
        params: ChannelParams,
        querystring: Type.Object({
          minimum_soak: Type.String({ pattern: DURATION_PATTERN, description: 'e.g. 24h' }),
          consumer_stack: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$',
              description:
                'project/stack (e.g. ingot-fleet/staging): count the soak from when this stack first recorded the version as its consumer',
            }),
          ),
        }),
        response: withErrors({
          200: Type.Object({
            version: Type.Ref(Version),
            assigned_at: DateTime,
            running_since: Type.Optional(DateTime),
            held_for: Type.String(),
            held_for_seconds: Type.Integer(),
          }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const { bucket_name, channel_name } = request.params;
      const soak = parseDuration('minimum_soak', request.query.minimum_soak);
      const [project, stack] = request.query.consumer_stack?.split('/') ?? [];
      const found = await registry.consumers.soaked(
        scopeOf(request),
        bucket_name,
        channel_name,
        soak,
        project ? { project, stack } : undefined,
      );
      return {
        version: presentVersion(found.version),
        assigned_at: found.assignedAt,
        running_since: found.runningSince,
        held_for: formatDuration(Math.floor(found.heldForMs / 1000) * 1000),
        held_for_seconds: Math.floor(found.heldForMs / 1000),
      };
    },
  );

  app.get(
    `${INGOT_PREFIX}/audit-events`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Every change in this project, newest first',
        params: ScopeParams,
        querystring: PageQuery,
        response: withErrors({ 200: AuditEvents }),
      },
      config: { access: 'viewer' },
    },
    async (request) => auditPage(registry, scopeOf(request), pageOf(request.query)),
  );

  app.get(
    '/ingot/v1/audit-events',
    {
      schema: {
        tags: ['ingot'],
        summary:
          'Registry-wide audit events (registry-wide admins): failed authentication and registry-wide principals, newest first',
        querystring: PageQuery,
        response: withErrors({ 200: AuditEvents }),
      },
      config: { access: 'admin' },
    },
    async (request) => auditPage(registry, scopeOf(request), pageOf(request.query)),
  );
}

async function auditPage(registry: Registry, scope: Scope, page: Page) {
  const { items, pagination } = paginate(await registry.consumers.auditEvents(scope, page), page);
  return {
    events: items.map((e) => ({
      id: e.id,
      occurred_at: e.occurredAt,
      principal_id: e.principalId,
      action: e.action,
      target: e.target,
      details: e.details,
    })),
    pagination,
  };
}
