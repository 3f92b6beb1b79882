import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { CredentialActor, NewPrincipal } from '../../auth/auth-service';
import type { Principal } from '../../auth/principal-store';
import { ANY, atMost, roleOn, ROLES, type Role } from '../../auth/roles';
import type { Scope } from '../../domain/model';
import type { Registry } from '../../registry';
import { PermissionDeniedError } from '../../errors';
import { scopeOf } from '../auth';
import { INGOT_PREFIX, type App } from '../app-types';
import { ORGANIZATION_ID, DateTime, ScopeParams, withErrors } from '../schemas/common';

const RoleName = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'metrics reads /metrics only and is granted registry-wide only.' },
);

const PrincipalSchema = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  created_at: DateTime,
  roles: Type.Array(
    Type.Object({ organization_id: Type.String(), project_id: Type.String(), role: Type.String() }),
  ),
});

const WithSecret = Type.Object({
  principal: PrincipalSchema,
  client_secret: Type.String({ description: 'Shown once; only its hash is stored.' }),
});

const Principals = Type.Object({ principals: Type.Array(PrincipalSchema) });

const ScopeId = Type.Union([Type.String({ pattern: ORGANIZATION_ID }), Type.Literal(ANY)]);

const CreatePrincipalBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: RoleName,
    organization_id: Type.Optional(ScopeId),
    project_id: Type.Optional(ScopeId),
  },
  { additionalProperties: false },
);

const CreateProjectPrincipalBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleName },
  { additionalProperties: false },
);

const ClientIdParam = Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 100 }) });
const ProjectClientIdParams = Type.Composite([ScopeParams, ClientIdParam]);

function present(p: Principal) {
  return {
    client_id: p.clientId,
    name: p.name,
    created_at: p.createdAt,
    roles: p.roles.map((r) => ({
      organization_id: r.organizationId,
      project_id: r.projectId,
      role: r.role,
    })),
  };
}

function presentWithSecret(created: NewPrincipal) {
  return { principal: present(created.principal), client_secret: created.clientSecret };
}

/** The calling principal, as the one changing credentials. */
function actor(request: FastifyRequest): CredentialActor {
  const principal = request.principal as Principal;
  return { clientId: principal.clientId, roles: principal.roles };
}

/**
 * Refuses a grant the caller may not make: it must be admin on `scope` and may not grant
 * above its own role there (AuthService refuses a metrics role below registry-wide).
 */
function assertGrantable(request: FastifyRequest, scope: Scope, role: Role): void {
  const own = roleOn((request.principal as Principal).roles, scope);
  if (own !== 'admin' || !atMost(role, own))
    throw new PermissionDeniedError(
      `creating a ${role} principal for organization "${scope.organizationId}", project "${scope.projectId}" needs the admin role there.`,
    );
}

/** Creates a principal with one role on `scope`, if the caller may grant it. */
async function createPrincipal(
  auth: Registry['auth'],
  request: FastifyRequest,
  scope: Scope,
  body: { name: string; role: Role },
) {
  assertGrantable(request, scope, body.role);
  const created = await auth.createPrincipal(
    body.name,
    [{ ...scope, role: body.role }],
    actor(request),
  );
  request.log.info({ client_id: created.principal.clientId, role: body.role }, 'principal created');
  return presentWithSecret(created);
}

/**
 * Principals, registry-wide (`/ingot/v1/principals`, registry-wide admins) and per
 * project (`…/projects/{project_id}/principals`, that project's admins: they see and
 * change only principals whose every role is on their project).
 */
export function principalRoutes(app: App, registry: Registry): void {
  const { auth } = registry;

  app.get(
    '/ingot/v1/principals',
    {
      schema: {
        tags: ['principals'],
        summary: 'List principals (registry-wide admins)',
        response: withErrors({ 200: Principals }),
      },
      config: { access: 'admin' },
    },
    async () => ({ principals: (await auth.listPrincipals()).map(present) }),
  );

  app.post(
    '/ingot/v1/principals',
    {
      schema: {
        tags: ['principals'],
        summary:
          'Create a principal for any scope where the caller is admin; its secret is returned once',
        body: CreatePrincipalBody,
        response: withErrors({ 200: WithSecret }),
      },
      config: { access: 'authenticated' },
    },
    async (request) => {
      const scope = {
        organizationId: request.body.organization_id ?? ANY,
        projectId: request.body.project_id ?? ANY,
      };
      return createPrincipal(auth, request, scope, request.body);
    },
  );

  app.delete(
    '/ingot/v1/principals/:client_id',
    {
      schema: {
        tags: ['principals'],
        summary: 'Delete a principal and its tokens (registry-wide admins)',
        params: ClientIdParam,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await auth.deletePrincipal(request.params.client_id, actor(request));
      return {};
    },
  );

  app.post(
    '/ingot/v1/principals/:client_id/rotate-secret',
    {
      schema: {
        tags: ['principals'],
        summary:
          'Replace a principal’s client secret (returned once); the old secret and its tokens stop working at once',
        params: ClientIdParam,
        response: withErrors({ 200: WithSecret }),
      },
      config: { access: 'admin' },
    },
    async (request) =>
      presentWithSecret(await auth.rotateSecret(request.params.client_id, actor(request))),
  );

  app.get(
    `${INGOT_PREFIX}/principals`,
    {
      schema: {
        tags: ['principals'],
        summary: 'Principals whose every role is on this project (its admins)',
        params: ScopeParams,
        response: withErrors({ 200: Principals }),
      },
      config: { access: 'admin' },
    },
    async (request) => ({
      principals: (await auth.listPrincipals(scopeOf(request))).map(present),
    }),
  );

  app.post(
    `${INGOT_PREFIX}/principals`,
    {
      schema: {
        tags: ['principals'],
        summary: 'Create a principal with a role on this project; its secret is returned once',
        params: ScopeParams,
        body: CreateProjectPrincipalBody,
        response: withErrors({ 200: WithSecret }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const scope = scopeOf(request);
      return createPrincipal(auth, request, scope, request.body);
    },
  );

  app.delete(
    `${INGOT_PREFIX}/principals/:client_id`,
    {
      schema: {
        tags: ['principals'],
        summary: 'Delete a principal of this project and its tokens',
        params: ProjectClientIdParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await auth.deletePrincipal(request.params.client_id, actor(request), scopeOf(request));
      return {};
    },
  );

  app.post(
    `${INGOT_PREFIX}/principals/:client_id/rotate-secret`,
    {
      schema: {
        tags: ['principals'],
        summary: 'Replace the client secret of a principal of this project (returned once)',
        params: ProjectClientIdParams,
        response: withErrors({ 200: WithSecret }),
      },
      config: { access: 'admin' },
    },
    async (request) =>
      presentWithSecret(
        await auth.rotateSecret(request.params.client_id, actor(request), scopeOf(request)),
      ),
  );
}
