import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { newId } from '../ids';
import type { Registry } from '../registry';
import type { App } from './app-types';
import { registerAuth } from './auth';
import { registerErrorHandler } from './error-handler';
import { Metrics } from './metrics';
import { bucketRoutes } from './routes/buckets';
import { buildRoutes } from './routes/builds';
import { channelRoutes } from './routes/channels';
import { discoveryRoutes } from './routes/discovery';
import { ingotRoutes } from './routes/ingot';
import { oauthRoutes } from './routes/oauth';
import { systemRoutes } from './routes/system';
import { versionRoutes } from './routes/versions';
import { ErrorBody } from './schemas/common';
import { SHARED_SCHEMAS } from './schemas/model';

export interface ServerOptions {
  registry: Registry;
  /** Pino options, or false for no logs (tests). @default false */
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The registry's HTTP server: HCP Packer 2023-01-01 API, Ingot additions, OAuth2, ops routes. */
export async function buildServer(options: ServerOptions): Promise<App> {
  const { registry } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // A caller's request id is kept (if sane) so logs join up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = new Metrics();

  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Ingot image registry',
        version: '2023-01-01',
        description:
          'HCP Packer 2023-01-01 compatible image registry, with Ingot additions under /ingot/v1.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  app.addSchema(ErrorBody);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  registerAuth(app, registry.auth);
  registerErrorHandler(app);

  oauthRoutes(app, registry);
  systemRoutes(app, registry, metrics);
  bucketRoutes(app, registry);
  versionRoutes(app, registry);
  buildRoutes(app, registry);
  channelRoutes(app, registry);
  discoveryRoutes(app, registry);
  ingotRoutes(app, registry);
  await app.ready();
  return app;
}
