import { Type } from '@sinclair/typebox';
import { ROLES } from '../../auth/roles';
import type { Principal } from '../../auth/principal-store';
import { INGOT_PREFIX, type App } from '../app-types';
import { ScopeParams, withErrors } from '../schemas/common';

const CallerIdentity = Type.Object({
  principal: Type.Object({ client_id: Type.String(), name: Type.String() }),
  role: Type.Optional(
    Type.Union(
      ROLES.map((r) => Type.Literal(r)),
      { description: 'The strongest role on this organization/project; absent when none.' },
    ),
  ),
});

/**
 * `GET …/caller-identity`: who the token belongs to and what it may do here, so a client
 * (the web UI) offers only the actions the registry will accept. Like HCP's IAM
 * GetCallerIdentity, answered for any valid token, also one without a role on the project.
 */
export function callerIdentityRoutes(app: App): void {
  app.get(
    `${INGOT_PREFIX}/caller-identity`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'The calling principal and its role on this organization/project',
        params: ScopeParams,
        response: withErrors({ 200: CallerIdentity }),
      },
      config: { access: 'authenticated' },
    },
    async (request) => {
      const principal = request.principal as Principal;
      return {
        principal: { client_id: principal.clientId, name: principal.name },
        role: request.role ?? undefined,
      };
    },
  );
}
