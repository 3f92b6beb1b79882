import type { FastifyError, FastifyInstance } from 'fastify';
import { GrpcCode, HTTP_STATUS, RegistryError, UnavailableError } from '../errors';
import type { ErrorBody } from './schemas/common';

function body(
  code: GrpcCode,
  message: string,
  reason: string,
  metadata: Record<string, string> = {},
): ErrorBody {
  return {
    code,
    message,
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'ingot', metadata },
    ],
  };
}

/** Turns a schema validation failure into one message naming every bad field. */
function validationMessage(error: FastifyError): { message: string; field: string } {
  const where = error.validationContext ?? 'request';
  // A nullable field (`T | null`, how Go clients send "unset") fails three ways at once:
  // its own rule, "must be null" and "must match a schema in anyOf"; only the first says
  // what to fix.
  const all = error.validation ?? [];
  const rules = all.filter(
    (v) =>
      v.keyword !== 'anyOf' &&
      !(v.keyword === 'type' && (v.params as { type?: string }).type === 'null'),
  );
  const problems = (rules.length ? rules : all).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = missing
      ? [path, missing].filter(Boolean).join('.')
      : extra
        ? [path, extra].filter(Boolean).join('.')
        : path;
    const what = extra
      ? 'is not a known field'
      : missing
        ? 'is required'
        : (v.message ?? 'is invalid');
    return { field: field || where, text: `${field || where} ${what}` };
  });
  return {
    message: `invalid ${where}: ${problems.map((p) => p.text).join('; ')}.`,
    field: [...new Set(problems.map((p) => p.field))].join(','),
  };
}

/**
 * The one place errors become HTTP responses: typed registry errors keep their status
 * and message; anything unexpected is logged in full and answered with a generic 500.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof RegistryError) {
      if (error instanceof UnavailableError) {
        request.log.warn({ err: error.cause ?? error }, 'request failed: database unavailable');
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      return reply
        .status(HTTP_STATUS[error.grpcCode])
        .send(body(error.grpcCode, error.message, error.reason, error.metadata));
    }
    if (error.validation) {
      const { message, field } = validationMessage(error);
      return reply
        .status(400)
        .send(body(GrpcCode.InvalidArgument, message, 'INVALID_ARGUMENT', { field }));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large.
      const code = status === 404 ? GrpcCode.NotFound : GrpcCode.InvalidArgument;
      return reply.status(status).send(body(code, error.message, error.code ?? 'BAD_REQUEST'));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(
        body(
          GrpcCode.Internal,
          `internal error; the registry log has the details under request id ${request.id}.`,
          'INTERNAL',
        ),
      );
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        body(
          GrpcCode.NotFound,
          `no route for ${request.method} ${request.url.split('?')[0]}; see /openapi.json.`,
          'ROUTE_NOT_FOUND',
        ),
      );
  });
}
