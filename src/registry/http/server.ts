import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { ValidationError } from '../errors';
import { newId } from '../ids';
import type { Registry } from '../registry';
import type { App } from './app-types';
import { registerAuth } from './auth';
import { registerBodyParsers } from './body-parsers';
import { registerErrorHandler } from './error-handler';
import {
  DEFAULT_TIMEOUTS,
  depthError,
  registerResponseHeaders,
  timeoutOptions,
  type HttpTimeouts,
  withMaskedUrls,
} from './hardening';
import { Metrics } from './metrics';
import { RequestLog } from './request-log';
import { RequestLogger } from './request-logger';
import { bucketRoutes } from './routes/buckets';
import { buildRoutes } from './routes/builds';
import { callerIdentityRoutes } from './routes/caller-identity';
import { channelRoutes } from './routes/channels';
import { discoveryRoutes } from './routes/discovery';
import { enforcedBlockRoutes } from './routes/enforced-blocks';
import { importRoutes } from './routes/import';
import { holdRoutes } from './routes/holds';
import { ingotRoutes } from './routes/ingot';
import { oauthRoutes, type TokenRateLimit } from './routes/oauth';
import { packageRoutes } from './routes/packages';
import { principalRoutes } from './routes/principals';
import { projectRoutes } from './routes/projects';
import { registryRoutes } from './routes/registry';
import { sbomRoutes } from './routes/sboms';
import { systemRoutes } from './routes/system';
import { tokenRevocationRoutes } from './routes/token-revocation';
import { versionRoutes } from './routes/versions';
import { vulnerabilityRoutes } from './routes/vulnerabilities';
import { ErrorBody } from './schemas/common';
import { GOVERNANCE_SCHEMAS } from './schemas/governance';
import { SHARED_SCHEMAS } from './schemas/model';
import { webUiRoutes } from './web-ui';

export interface ServerOptions {
  registry: Registry;
  /** Pino options, or false for no logs (tests). @default false */
  logger?: FastifyServerOptions['logger'];
  /** Deadlines for reading requests. @default DEFAULT_TIMEOUTS */
  timeouts?: Partial<HttpTimeouts>;
  /** Limits of POST /oauth2/token. @default DEFAULT_TOKEN_RATE_LIMIT */
  tokenRateLimit?: TokenRateLimit;
  /** PEM certificate chain and key: the server speaks HTTPS. */
  https?: { cert: Buffer; key: Buffer };
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Where a JSON value holds a NUL character (`a.b.0.c`), or null. */
function nulPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at.replaceAll('\u0000', '\\u0000');
    const found = nulPath(child, at);
    if (found) return found;
  }
  return null;
}

/**
 * Request validators. Path and query values arrive as text and are coerced to their
 * schema's types (`pagination.page_size=3`, `force=true`); JSON bodies are not, so
 * `{"labels": {"a": 1}}` or `{"labels": {"a": null}}` is refused, as HCP does, instead
 * of being stored as "1" or "".
 */
function requestValidators() {
  const make = (coerceTypes: 'array' | false) => {
    const ajv = new Ajv({
      allErrors: true,
      removeAdditional: false,
      useDefaults: true,
      coerceTypes,
      addUsedSchema: false,
    });
    addFormats(ajv);
    ajv.addSchema(ErrorBody);
    for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
    for (const schema of GOVERNANCE_SCHEMAS) ajv.addSchema(schema);
    return ajv;
  };
  const coercing = make('array');
  const strict = make(false);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const id = (schema as { $id?: string }).$id;
    return (id && ajv.getSchema(id)) || ajv.compile(schema);
  };
}

/** The registry's HTTP server: HCP Packer 2023-01-01 API, Ingot additions, OAuth2, ops routes. */
export async function buildServer(options: ServerOptions): Promise<App> {
  const { registry } = options;
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    logger: withMaskedUrls(options.logger ?? false),
    logController: new RequestLog(),
    childLoggerFactory: (logger, bindings, options) => new RequestLogger(logger, bindings, options),
    // A caller's request id is kept (if sane) so logs join up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    bodyLimit: 1024 * 1024,
    ...timeoutOptions({ ...DEFAULT_TIMEOUTS, ...options.timeouts }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(requestValidators());
  const metrics = new Metrics();

  registerBodyParsers(app);
  await app.register(rateLimit, { global: false });
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
  for (const schema of GOVERNANCE_SCHEMAS) app.addSchema(schema);

  // Callback-style hooks: they run on every request, and async ones cost a promise each.
  registerResponseHeaders(app);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  registerAuth(app, registry.auth);
  // PostgreSQL text cannot hold NUL: refuse it up front, on both engines, not as a 500.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) return done();
    const tooDeep = depthError(request.body);
    if (tooDeep) return done(tooDeep);
    const field = nulPath(request.body);
    done(
      field
        ? new ValidationError(field, `${field} contains a NUL character (\\u0000); remove it.`)
        : undefined,
    );
  });
  registerErrorHandler(app);

  oauthRoutes(app, registry, options.tokenRateLimit);
  tokenRevocationRoutes(app, registry);
  systemRoutes(app, registry, metrics);
  bucketRoutes(app, registry);
  versionRoutes(app, registry);
  buildRoutes(app, registry);
  channelRoutes(app, registry);
  discoveryRoutes(app, registry);
  ingotRoutes(app, registry);
  principalRoutes(app, registry);
  holdRoutes(app, registry);
  importRoutes(app, registry);
  projectRoutes(app, registry);
  registryRoutes(app, registry);
  enforcedBlockRoutes(app, registry);
  sbomRoutes(app, registry);
  packageRoutes(app, registry);
  vulnerabilityRoutes(app, registry);
  callerIdentityRoutes(app);
  webUiRoutes(app);
  await app.ready();
  return app;
}
