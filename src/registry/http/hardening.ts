import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ValidationError } from '../errors';

/**
 * Deadlines for reading a request, so a client that stalls (sends 19 of 20 declared body
 * bytes, or never finishes its headers) cannot hold a connection, or a shutdown, open.
 * Node checks them every `checkIntervalMs` and answers 408.
 */
export interface HttpTimeouts {
  /** The whole request, headers and body. */
  requestMs: number;
  /** The headers. */
  headersMs: number;
  /** A socket with no traffic at all. */
  idleMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  idleMs: 60_000,
  checkIntervalMs: 1_000,
};

/** Fastify server options applying `timeouts`. */
export function timeoutOptions(timeouts: HttpTimeouts) {
  return {
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: {
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
  };
}

/** Deepest nesting a JSON body may have; the deepest HCP body (builds) nests 5 levels. */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests deeper than `max`, without recursion (so no stack to overflow). */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** Refuses bodies nested deeper than MAX_JSON_DEPTH before anything walks them. */
export function depthError(body: unknown): ValidationError | undefined {
  if (!exceedsDepth(body, MAX_JSON_DEPTH)) return undefined;
  return new ValidationError(
    'body',
    `the body nests deeper than ${MAX_JSON_DEPTH} levels; flatten it (no API field needs more).`,
  );
}

/**
 * Headers on every response, set when the request arrives (an onSend hook would cost
 * every response a pass through the send hooks): the request id, no MIME sniffing of API
 * answers, and no caching of them by browsers or proxies (they carry tenant data; tokens
 * come from /oauth2/token). Routes that set their own Cache-Control (the web console's
 * assets, the channel read's validators) replace it; error answers keep these headers.
 */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers({
      'x-request-id': request.id,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    done();
  });
}

const SECRET_PARAMS = /([?&](?:access_token|token|client_secret|code)=)[^&#]*/gi;

/** A request URL fit for logs: credentials in the query string are masked. */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[REDACTED]');
}

/** Logger options with Fastify's request fields, credentials in a query string masked. */
export function withMaskedUrls(
  logger: FastifyServerOptions['logger'],
): FastifyServerOptions['logger'] {
  if (!logger || typeof logger !== 'object') return logger;
  return {
    ...logger,
    serializers: {
      req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
        method: req.method,
        url: loggableUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
      }),
      ...(logger as { serializers?: object }).serializers,
    },
  } as FastifyServerOptions['logger'];
}
