import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import { DURATION_PATTERN, parseDuration } from '../../duration';
import type { ChannelHold } from '../../service/hold-service';
import { actorOf, scopeOf } from '../auth';
import { INGOT_PREFIX, type App } from '../app-types';
import { BucketParams, ChannelParams, DateTime, withErrors } from '../schemas/common';

const HoldSchema = Type.Object({
  channel: Type.String(),
  reason: Type.String(),
  held_by: Type.String(),
  author_id: Type.String(),
  created_at: DateTime,
  expires_at: Type.Optional(DateTime),
});

const HoldBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'why the channel must not move',
    }),
    held_by: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'who asked (default: the principal)',
      }),
    ),
    expires_at: Type.Optional(
      Type.String({ format: 'date-time', description: 'when the hold lifts by itself' }),
    ),
    expires_in: Type.Optional(
      Type.String({
        pattern: DURATION_PATTERN,
        description: "or: how long from now (the registry's clock) it lasts, e.g. 72h",
      }),
    ),
    version_fingerprint: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'assign this version in the same step (a rollback)',
      }),
    ),
  },
  { additionalProperties: false },
);

function present(channel: string, hold: ChannelHold) {
  return {
    channel,
    reason: hold.reason,
    held_by: hold.heldBy,
    author_id: hold.authorId,
    created_at: hold.createdAt,
    expires_at: hold.expiresAt ?? undefined,
  };
}

/**
 * Channel holds (an Ingot extension, apart from HCP's paths): a held channel refuses
 * every assignment, naming who holds it and why, until released or expired.
 */
export function holdRoutes(app: App, registry: Registry): void {
  const path = `${INGOT_PREFIX}/buckets/:bucket_name/channels/:channel_name/hold`;

  app.put(
    path,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Hold a channel (optionally assigning a version first): promotions refuse it',
        params: ChannelParams,
        body: HoldBody,
        response: withErrors({ 200: Type.Object({ hold: HoldSchema }) }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, channel_name } = request.params;
      const hold = await registry.holds.hold(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        channel_name,
        {
          reason: request.body.reason,
          heldBy: request.body.held_by,
          expiresAt: request.body.expires_at
            ? new Date(request.body.expires_at).toISOString()
            : undefined,
          expiresInMs: request.body.expires_in
            ? parseDuration('expires_in', request.body.expires_in)
            : undefined,
          versionFingerprint: request.body.version_fingerprint,
        },
      );
      return { hold: present(channel_name, hold) };
    },
  );

  app.get(
    path,
    {
      schema: {
        tags: ['ingot'],
        summary: "A channel's active hold (no `hold` when it is not held)",
        params: ChannelParams,
        response: withErrors({ 200: Type.Object({ hold: Type.Optional(HoldSchema) }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const { bucket_name, channel_name } = request.params;
      const hold = await registry.holds.get(scopeOf(request), bucket_name, channel_name);
      return hold ? { hold: present(channel_name, hold) } : {};
    },
  );

  app.delete(
    path,
    {
      schema: {
        tags: ['ingot'],
        summary: 'Release a held channel',
        params: ChannelParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, channel_name } = request.params;
      await registry.holds.release(scopeOf(request), actorOf(request), bucket_name, channel_name);
      return {};
    },
  );

  app.get(
    `${INGOT_PREFIX}/buckets/:bucket_name/holds`,
    {
      schema: {
        tags: ['ingot'],
        summary: "Active holds of a bucket's channels",
        params: BucketParams,
        response: withErrors({ 200: Type.Object({ holds: Type.Array(HoldSchema) }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const found = await registry.holds.ofBucket(scopeOf(request), request.params.bucket_name);
      return { holds: found.map((h) => present(h.channel, h.hold)) };
    },
  );
}
