import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service';
import type { Principal } from '../auth/principal-store';
import { allows, ANY, roleOn, type Role } from '../auth/roles';
import type { Scope } from '../domain/model';
import { PermissionDeniedError, UnauthenticatedError } from '../errors';
import type { ChannelActor } from '../service/channel-service';

/** What a route requires: a role (on the path's org/project), any valid token, or nothing. */
export type Access = Role | 'authenticated' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
    role: Role | null;
  }
}

/** The org/project a request acts on; registry-wide routes (principals) use `*`. */
export function scopeOf(request: FastifyRequest): Scope {
  const params = request.params as { organization_id?: string; project_id?: string };
  return { organizationId: params.organization_id ?? ANY, projectId: params.project_id ?? ANY };
}

export function actorOf(request: FastifyRequest): ChannelActor {
  const principal = request.principal as Principal;
  return { principalId: principal.clientId, isAdmin: request.role === 'admin' };
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** Why `principal` may not make a request needing `access`, or undefined if it may. */
function refusal(
  request: FastifyRequest,
  principal: Principal,
  access: Exclude<Access, 'public'>,
): PermissionDeniedError | undefined {
  request.principal = principal;
  const scope = scopeOf(request);
  request.role = roleOn(principal.roles, scope);
  if (access === 'authenticated' || allows(request.role, access)) return undefined;
  const where =
    scope.organizationId === ANY
      ? 'registry-wide'
      : `on organization "${scope.organizationId}", project "${scope.projectId}"`;
  return new PermissionDeniedError(
    `principal "${principal.name}" (${principal.clientId}) has ${request.role ? `role ${request.role}` : 'no role'} ${where}; this needs ${access}. Ask an admin for a principal with that role.`,
  );
}

/**
 * Checks every request before validation, so an anonymous caller learns nothing about
 * the API but "authenticate". Routes without an `access` setting require admin: a
 * forgotten setting fails closed. A token verified under the database's current change
 * marker is checked synchronously (no promise, no round trip); any other goes to the
 * database. Authorization runs on every request either way.
 */
export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('role', null);
  app.addHook('onRequest', (request, reply, done) => {
    const access: Access = request.routeOptions.config?.access ?? 'admin';
    if (access === 'public') return done();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) {
      reply.header('www-authenticate', 'Bearer');
      return done(
        new UnauthenticatedError(
          'missing bearer token: send "Authorization: Bearer <token>" with a token from POST /oauth2/token (grant_type=client_credentials).',
        ),
      );
    }
    const cached = auth.cachedPrincipal(match[1]);
    if (cached) return done(refusal(request, cached, access));
    auth.authenticate(match[1]).then((principal) => {
      if (principal) return done(refusal(request, principal, access));
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      done(
        new UnauthenticatedError(
          'the bearer token is invalid or expired: get a new one from POST /oauth2/token.',
        ),
      );
    }, done);
  });
}
