import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes form-encoded bodies as forms (the OAuth2 token endpoint). */
    formBody?: boolean;
  }
}

const FORM = 'application/x-www-form-urlencoded';

function contentType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** A body sent with another content type, read as the JSON it should be. */
function asJson(request: FastifyRequest, text: string): unknown {
  const sentAs = contentType(request) || 'no Content-Type';
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.replace(/\.$/, '');
    const hint =
      contentType(request) === FORM ? ` (curl -d sends ${FORM} unless told otherwise)` : '';
    throw new ValidationError(
      'body',
      `the body is not JSON (${why}); it was sent as ${sentAs}${hint}. This API takes JSON: send it with the header "Content-Type: application/json" (curl -H 'Content-Type: application/json').`,
    );
  }
}

/**
 * Request bodies. The API takes JSON whatever the Content-Type says, as HCP Packer does:
 * its grpc-gateway front (grpc-ecosystem/grpc-gateway runtime/marshaler_registry.go,
 * `MarshalerForRequest`) decodes any unregistered type with the "*" JSON marshaler. So
 * `curl -d '{…}'` without a JSON header works, and a body that is not JSON is refused
 * with a message naming the header. Routes marked `formBody` (the OAuth2 token endpoint)
 * read form-encoded bodies as forms.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (request, body, done) => {
    if (request.routeOptions.config?.formBody) {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
      return;
    }
    try {
      done(null, asJson(request, body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, asJson(request, body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
