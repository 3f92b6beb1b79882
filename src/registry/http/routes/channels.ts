import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import { ValidationError } from '../../errors';
import type { ChannelUpdate } from '../../service/channel-service';
import { actorOf, scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import { notModified } from '../conditional';
import { ResponseCache, type CachedResponse } from '../response-cache';
import { presentAssignment, presentChannel, presentVersion } from '../present';
import {
  BucketParams,
  CHANNEL_NAME,
  ChannelParams,
  FINGERPRINT,
  PageQuery,
  Pagination,
  withErrors,
} from '../schemas/common';
import { Channel, ChannelAssignment, Version } from '../schemas/model';

const CreateChannelBody = Type.Object(
  {
    name: Type.String({ pattern: CHANNEL_NAME }),
    restricted: Type.Optional(Type.Boolean()),
    version_fingerprint: Type.Optional(
      Type.Union([Type.String({ pattern: FINGERPRINT }), Type.Literal('')]),
    ),
  },
  { additionalProperties: false },
);

const UpdateChannelBody = Type.Object(
  {
    version_fingerprint: Type.Optional(
      Type.Union([Type.String({ pattern: FINGERPRINT }), Type.Literal('')]),
    ),
    restricted: Type.Optional(Type.Boolean()),
    update_mask: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Comma-separated: versionFingerprint, restricted.',
      }),
    ),
  },
  { additionalProperties: false },
);
type UpdateChannelBody = typeof UpdateChannelBody.static;

const AssignBody = Type.Object(
  {
    source_channel: Type.String({ pattern: CHANNEL_NAME }),
    target_channel: Type.String({ pattern: CHANNEL_NAME }),
  },
  { additionalProperties: false },
);

const ChannelResponse = Type.Object({ channel: Type.Ref(Channel) });

const MASK_FIELDS: Record<string, keyof ChannelUpdate> = {
  versionfingerprint: 'versionFingerprint',
  version_fingerprint: 'versionFingerprint',
  restricted: 'restricted',
};

/** Applies HCP's `update_mask` (camelCase or snake_case); without one, present fields count. */
export function parseChannelUpdate(body: UpdateChannelBody): ChannelUpdate {
  const masked = body.update_mask
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const field = MASK_FIELDS[f.toLowerCase()] ?? MASK_FIELDS[f];
      if (!field)
        throw new ValidationError(
          'update_mask',
          `update_mask names "${f}"; use versionFingerprint and/or restricted.`,
        );
      return field;
    });
  const wants = (field: keyof ChannelUpdate, present: boolean) =>
    masked ? masked.includes(field) : present;
  const update: ChannelUpdate = {};
  if (wants('versionFingerprint', body.version_fingerprint !== undefined))
    update.versionFingerprint = body.version_fingerprint ?? '';
  if (wants('restricted', body.restricted !== undefined))
    update.restricted = body.restricted ?? false;
  return update;
}

export function channelRoutes(app: App, registry: Registry): void {
  const base = `${PACKER_PREFIX}/buckets/:bucket_name/channels`;
  // The hot read path: consumers resolve images from channels on every preview.
  const cache = new ResponseCache(registry.db, registry.clock);

  app.post(
    base,
    {
      schema: {
        tags: ['channels'],
        summary: 'Create a channel',
        params: BucketParams,
        body: CreateChannelBody,
        response: withErrors({ 200: ChannelResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const view = await registry.channels.create(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        {
          name: request.body.name,
          restricted: request.body.restricted ?? false,
          versionFingerprint: request.body.version_fingerprint || undefined,
        },
      );
      return { channel: presentChannel(view) };
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: ['channels'],
        summary: 'List a bucket’s channels',
        params: BucketParams,
        querystring: PageQuery,
        response: withErrors({
          200: Type.Object({ channels: Type.Array(Type.Ref(Channel)), pagination: Pagination }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const all = await registry.channels.list(scopeOf(request), request.params.bucket_name);
      const { items, pagination } = paginate(
        all.slice(page.offset, page.offset + page.limit),
        page,
      );
      return { channels: items.map(presentChannel), pagination };
    },
  );

  app.post(
    `${base}/assign`,
    {
      schema: {
        tags: ['channels'],
        summary: 'Give the target channel the version the source channel serves',
        params: BucketParams,
        body: AssignBody,
        response: withErrors({
          200: Type.Object({
            fingerprint: Type.String(),
            source_channel: Type.Ref(Channel),
            target_channel: Type.Ref(Channel),
            version: Type.Ref(Version),
          }),
        }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const result = await registry.channels.assign(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        request.body.source_channel,
        request.body.target_channel,
      );
      return {
        fingerprint: result.version.version.fingerprint,
        source_channel: presentChannel(result.source),
        target_channel: presentChannel(result.target),
        version: presentVersion(result.version),
      };
    },
  );

  app.get(
    `${base}/:channel_name`,
    {
      schema: {
        tags: ['channels'],
        summary: 'Get a channel with the version it serves and its builds',
        description:
          'Answers with a strong ETag; a request whose If-None-Match lists it (or `*`) gets 304 Not Modified without a body. A malformed If-None-Match is ignored.',
        params: ChannelParams,
        response: withErrors({ 200: ChannelResponse }),
      },
      config: { access: 'viewer' },
    },
    (request, reply) => {
      const { organization_id, project_id, bucket_name, channel_name } = request.params;
      const key = `${organization_id}\u0000${project_id}\u0000${bucket_name}\u0000${channel_name}`;
      const send = (response: CachedResponse) => {
        reply.header('etag', response.etag);
        if (notModified(request.headers['if-none-match'], response.etag))
          return reply.code(304).send();
        // Bytes are sent as they are: they were serialized once, when cached.
        return reply.type('application/json; charset=utf-8').send(response.body);
      };
      const hit = cache.peek(key);
      if (hit) return send(hit);
      return cache
        .fill(key, async () => {
          const view = await registry.channels.get(scopeOf(request), bucket_name, channel_name);
          const channel = presentChannel(view);
          return { body: JSON.stringify({ channel }), revokeAt: channel.version?.revoke_at };
        })
        .then(send);
    },
  );

  app.patch(
    `${base}/:channel_name`,
    {
      schema: {
        tags: ['channels'],
        summary: 'Assign a version or change restriction',
        params: ChannelParams,
        body: UpdateChannelBody,
        response: withErrors({ 200: ChannelResponse }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const { bucket_name, channel_name } = request.params;
      const view = await registry.channels.update(
        scopeOf(request),
        actorOf(request),
        bucket_name,
        channel_name,
        parseChannelUpdate(request.body),
      );
      return { channel: presentChannel(view) };
    },
  );

  app.delete(
    `${base}/:channel_name`,
    {
      schema: {
        tags: ['channels'],
        summary: 'Delete a channel',
        params: ChannelParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await registry.channels.delete(
        scopeOf(request),
        actorOf(request),
        request.params.bucket_name,
        request.params.channel_name,
      );
      return {};
    },
  );

  app.get(
    `${base}/:channel_name/history`,
    {
      schema: {
        tags: ['channels'],
        summary: 'A channel’s assignment history, newest first',
        params: ChannelParams,
        querystring: PageQuery,
        response: withErrors({
          200: Type.Object({
            history: Type.Array(ChannelAssignment),
            count: Type.Integer(),
            pagination: Pagination,
          }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { bucket_name, channel_name } = request.params;
      const { total, entries } = await registry.channels.history(
        scopeOf(request),
        bucket_name,
        channel_name,
        page,
      );
      const { items, pagination } = paginate(entries, page);
      return { history: items.map(presentAssignment), count: total, pagination };
    },
  );
}
