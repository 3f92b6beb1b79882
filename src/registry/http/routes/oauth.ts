import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry';
import { UnauthenticatedError, UnavailableError, ValidationError } from '../../errors';
import type { App } from '../app-types';

const TokenRequest = Type.Object({
  grant_type: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_secret: Type.Optional(Type.String({ maxLength: 500 })),
  audience: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
});

const OAuthError = Type.Object({ error: Type.String(), error_description: Type.String() });

/** Token requests allowed per window, per client id and per client address (per process). */
export interface TokenRateLimit {
  perClient: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_TOKEN_RATE_LIMIT: TokenRateLimit = {
  perClient: 30,
  perAddress: 60,
  windowMs: 60_000,
};

/** RFC 6749 errors: the token endpoint speaks OAuth2, not the API's error shape. */
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="ingot"');
  return reply.status(status).send({ error, error_description: description });
}

/** Client id and secret from the body or from HTTP Basic auth (client_secret_basic). */
function credentials(body: typeof TokenRequest.static, authorization: string | undefined) {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    try {
      return { clientId: decodeURIComponent(id), clientSecret: decodeURIComponent(rest.join(':')) };
    } catch {
      // Malformed percent-encoding: the caller's mistake, not a server error.
      return null;
    }
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** `POST /oauth2/token`: OAuth2 client credentials, form-encoded or JSON. */
export function oauthRoutes(
  app: App,
  registry: Registry,
  limit: TokenRateLimit = DEFAULT_TOKEN_RATE_LIMIT,
): void {
  // Brute force and floods of the (deliberately slow) secret check: 429 with Retry-After.
  // Both limits count every request; the plugin's store is per process.
  const limiters = {
    address: app.createRateLimit({
      max: limit.perAddress,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => `address:${request.ip}`,
    }),
    'client id': app.createRateLimit({
      max: limit.perClient,
      timeWindow: limit.windowMs,
      keyGenerator: (request) =>
        `client:${
          credentials(
            (request.body ?? {}) as typeof TokenRequest.static,
            request.headers.authorization,
          )?.clientId ?? ''
        }`,
    }),
  };
  const rateLimited = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const [kind, check] of Object.entries(limiters)) {
      const result = await check(request);
      if (result.isAllowed || !result.isExceeded) continue;
      reply.header('retry-after', String(result.ttlInSeconds));
      return oauthError(
        reply,
        429,
        'slow_down',
        `too many token requests for this ${kind}: at most ${result.max} per ${Math.round(limit.windowMs / 1000)} s; retry in ${result.ttlInSeconds} s.`,
      );
    }
  };
  app.post(
    '/oauth2/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange client credentials for a bearer token',
        body: TokenRequest,
        response: {
          200: TokenResponse,
          400: OAuthError,
          401: OAuthError,
          429: OAuthError,
          503: OAuthError,
        },
      },
      config: { access: 'public', formBody: true },
      preHandler: rateLimited,
      // Form or JSON, anything else is a client mistake the handler explains.
      attachValidation: true,
      // Body parsing fails before the handler (malformed JSON, wrong content type): answer
      // in OAuth2's shape too, which the response schema requires.
      errorHandler: (error, request, reply) => {
        if (error instanceof UnavailableError) {
          request.log.warn({ err: error.cause ?? error }, 'token request: database unavailable');
          reply.header('retry-after', String(error.retryAfterSeconds));
          return oauthError(reply, 503, 'temporarily_unavailable', error.message);
        }
        const status = error instanceof ValidationError ? 400 : (error.statusCode ?? 500);
        if (status >= 400 && status < 500)
          return oauthError(
            reply,
            status,
            'invalid_request',
            `the token request is malformed: ${error.message.replace(/\.$/, '')}.`,
          );
        request.log.error({ err: error }, 'token request failed');
        return oauthError(
          reply,
          500,
          'server_error',
          `internal error; the registry log has the details under request id ${request.id}.`,
        );
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        return oauthError(
          reply,
          400,
          'invalid_request',
          `the token request is malformed: ${request.validationError.message}.`,
        );
      }
      const body = request.body ?? {};
      if (body.grant_type === undefined) {
        return oauthError(reply, 400, 'invalid_request', 'grant_type is required.');
      }
      if (body.grant_type !== 'client_credentials') {
        return oauthError(
          reply,
          400,
          'unsupported_grant_type',
          'grant_type must be "client_credentials".',
        );
      }
      const given = credentials(body, request.headers.authorization);
      if (!given) {
        return oauthError(
          reply,
          400,
          'invalid_request',
          'the Authorization header is not valid HTTP Basic client authentication (base64 of the URL-encoded "client_id:client_secret").',
        );
      }
      const { clientId, clientSecret } = given;
      if (!clientId || !clientSecret) {
        return oauthError(
          reply,
          400,
          'invalid_request',
          'client_id and client_secret are required (in the body or as HTTP Basic auth).',
        );
      }
      try {
        const token = await registry.auth.issueToken(clientId, clientSecret, request.ip);
        reply.header('cache-control', 'no-store');
        return {
          access_token: token.accessToken,
          token_type: 'Bearer' as const,
          expires_in: token.expiresIn,
        };
      } catch (error) {
        if (error instanceof UnauthenticatedError)
          return oauthError(reply, 401, 'invalid_client', error.message);
        throw error;
      }
    },
  );
}
