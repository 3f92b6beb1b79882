import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service';
import type { Principal } from '../auth/principal-store';
import { allows, ANY, holds, roleOn, type Role } from '../auth/roles';
import type { Scope } from '../domain/model';
import { PermissionDeniedError, UnauthenticatedError } from '../errors';
import type { ChannelActor } from '../service/channel-service';

/**
 * What a route requires: a role (on the path's org/project), any valid token of a
 * principal with a role other than `metrics`, the metrics role or admin (`/metrics`), any
 * valid token at all (`own-credentials`: routes where a principal acts on its own tokens,
 * which a scraper must be able to revoke too), or nothing.
 */
export type Access = Role | 'authenticated' | 'own-credentials' | 'public';

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

/**
 * The metrics role is a credential for a scraper: `/metrics` (which admins read too) and
 * nothing else, not even the routes open to any principal.
 */
function permits(access: Access, principal: Principal, scope: Scope, role: Role | null): boolean {
  if (access === 'metrics')
    return allows(role, 'admin') || holds(principal.roles, scope, 'metrics');
  if (access === 'authenticated') return principal.roles.some((r) => r.role !== 'metrics');
  if (access === 'own-credentials') return true;
  return access !== 'public' && allows(role, access);
}

/**
 * Authorizes `principal` for a request needing `access`: undefined when it may, else the
 * refusal, recorded first as a failed-authentication audit event.
 */
function authorize(
  auth: AuthService,
  request: FastifyRequest,
  principal: Principal,
  access: Exclude<Access, 'public'>,
): Promise<PermissionDeniedError> | undefined {
  request.principal = principal;
  const scope = scopeOf(request);
  request.role = roleOn(principal.roles, scope);
  if (permits(access, principal, scope, request.role)) return undefined;
  const where =
    scope.organizationId === ANY
      ? 'registry-wide'
      : `on organization "${scope.organizationId}", project "${scope.projectId}"`;
  const refusal = new PermissionDeniedError(
    `principal "${principal.name}" (${principal.clientId}) has ${request.role ? `role ${request.role}` : 'no role'} ${where}; this needs ${access === 'authenticated' ? 'a role other than metrics' : access === 'metrics' ? 'admin or metrics' : access}. Ask an admin for a principal with that role.`,
  );
  return auth.audit
    .failed({
      action: 'auth.forbidden',
      address: request.ip,
      clientId: principal.clientId,
      target: `${request.method} ${request.routeOptions.url ?? ''}`,
      details: {
        organization_id: scope.organizationId,
        project_id: scope.projectId,
        needs: access,
        role: request.role,
      },
    })
    .then(() => refusal);
}

/**
 * Checks every request before validation, so an anonymous caller learns nothing about
 * the API but "authenticate". Routes without an `access` setting require admin: a
 * forgotten setting fails closed. A token verified under the database's current change
 * marker is checked synchronously (no promise, no round trip); any other goes to the
 * database. Authorization runs on every request either way; refusals are audited.
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
    const decide = (principal: Principal) => {
      const refused = authorize(auth, request, principal, access);
      if (!refused) return done();
      refused.then(done, done);
    };
    const cached = auth.cachedPrincipal(match[1]);
    if (cached) return decide(cached);
    auth.authenticate(match[1]).then(async (principal) => {
      if (principal) return decide(principal);
      await auth.audit.failed({
        action: 'auth.token_invalid',
        address: request.ip,
        target: `${request.method} ${request.routeOptions.url ?? ''}`,
      });
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      done(
        new UnauthenticatedError(
          'the bearer token is invalid or expired: get a new one from POST /oauth2/token.',
        ),
      );
    }, done);
  });
}
