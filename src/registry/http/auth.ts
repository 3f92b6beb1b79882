import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service';
import type { Principal } from '../auth/principal-store';
import { allows, ANY, holds, roleOn, type Role } from '../auth/roles';
import type { Scope } from '../domain/model';
import { PermissionDeniedError, UnauthenticatedError } from '../errors';
import type { ChannelActor } from '../service/channel-service';

/**
 * What a route requires: a role (on the path's org/project), any valid token of a
 * principal with a role other than `metrics`, the metrics role or admin (`/metrics`), or
 * nothing.
 */
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

/**
 * Checks every request before validation, so an anonymous caller learns nothing about
 * the API but "authenticate". Routes without an `access` setting require admin: a
 * forgotten setting fails closed.
 */
export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('role', null);
  app.addHook('onRequest', async (request, reply) => {
    const access: Access = request.routeOptions.config?.access ?? 'admin';
    if (access === 'public') return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      reply.header('www-authenticate', 'Bearer');
      throw new UnauthenticatedError(
        'missing bearer token: send "Authorization: Bearer <token>" with a token from POST /oauth2/token (grant_type=client_credentials).',
      );
    }
    const principal = await auth.authenticate(match[1]);
    if (!principal) {
      await auth.audit.failed({
        action: 'auth.token_invalid',
        address: request.ip,
        target: `${request.method} ${request.routeOptions.url ?? ''}`,
      });
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new UnauthenticatedError(
        'the bearer token is invalid or expired: get a new one from POST /oauth2/token.',
      );
    }
    request.principal = principal;
    const scope = scopeOf(request);
    request.role = roleOn(principal.roles, scope);
    if (permits(access, principal, scope, request.role)) return;
    await auth.audit.failed({
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
    });
    const where =
      scope.organizationId === ANY
        ? 'registry-wide'
        : `on organization "${scope.organizationId}", project "${scope.projectId}"`;
    throw new PermissionDeniedError(
      `principal "${principal.name}" (${principal.clientId}) has ${request.role ? `role ${request.role}` : 'no role'} ${where}; this needs ${access === 'authenticated' ? 'a role other than metrics' : access === 'metrics' ? 'admin or metrics' : access}. Ask an admin for a principal with that role.`,
    );
  });
}

/**
 * The metrics role is a credential for a scraper: `/metrics` (which admins read too) and
 * nothing else, not even the routes open to any principal.
 */
function permits(access: Access, principal: Principal, scope: Scope, role: Role | null): boolean {
  if (access === 'metrics')
    return allows(role, 'admin') || holds(principal.roles, scope, 'metrics');
  if (access === 'authenticated') return principal.roles.some((r) => r.role !== 'metrics');
  return access !== 'public' && allows(role, access);
}
