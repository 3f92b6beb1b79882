import { Type } from '@sinclair/typebox';
import type { ProjectRegistry } from '../../domain/governance';
import { newId } from '../../ids';
import type { Registry as Services } from '../../registry';
import { actorOf, scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { ScopeParams, withErrors } from '../schemas/common';
import { FeatureTierSchema, Operation, Registry } from '../schemas/governance';

const RegistryResponse = Type.Object({ registry: Type.Ref(Registry) });
const RegistryOperationResponse = Type.Object({
  registry: Type.Ref(Registry),
  operation: Operation,
});

/** UNSET (a Go client's zero value) means "not given". */
const tierOf = (tier: string | undefined) =>
  tier === 'STANDARD' || tier === 'PLUS' ? tier : undefined;

function present(r: ProjectRegistry): Registry {
  return {
    id: r.id,
    location: { organization_id: r.organizationId, project_id: r.projectId },
    config: { activated: true, feature_tier: r.featureTier },
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function withOperation(r: ProjectRegistry, at: string) {
  return {
    registry: present(r),
    operation: {
      id: newId(),
      state: 'DONE' as const,
      location: { organization_id: r.organizationId, project_id: r.projectId },
      created_at: at,
      updated_at: at,
    },
  };
}

/** HCP's Get/Create/Update/DeleteRegistry on `.../registry`. */
export function registryRoutes(app: App, services: Services): void {
  const url = `${PACKER_PREFIX}/registry`;
  const tags = ['registry'];

  app.get(
    url,
    {
      schema: {
        tags,
        summary: 'Get the project’s registry (created, active, on first use)',
        params: ScopeParams,
        response: withErrors({ 200: RegistryResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({ registry: present(await services.registries.get(scopeOf(request))) }),
  );

  app.put(
    url,
    {
      schema: {
        tags,
        summary: 'Create the project’s registry (AlreadyExists once it has been used)',
        params: ScopeParams,
        body: Type.Object(
          { feature_tier: Type.Optional(FeatureTierSchema) },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: RegistryOperationResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const registry = await services.registries.create(
        scopeOf(request),
        actorOf(request),
        tierOf(request.body.feature_tier),
      );
      return withOperation(registry, registry.createdAt);
    },
  );

  app.patch(
    url,
    {
      schema: {
        tags,
        summary: 'Change the registry’s feature tier (it cannot be deactivated)',
        params: ScopeParams,
        body: Type.Object(
          {
            activated: Type.Optional(Type.Boolean()),
            feature_tier: Type.Optional(FeatureTierSchema),
            update_mask: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: RegistryOperationResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const registry = await services.registries.update(scopeOf(request), actorOf(request), {
        activated: request.body.activated,
        featureTier: tierOf(request.body.feature_tier),
        updateMask: request.body.update_mask,
      });
      return withOperation(registry, registry.updatedAt);
    },
  );

  app.delete(
    url,
    {
      schema: {
        tags,
        summary: 'Delete the registry and everything in it (buckets, enforced blocks)',
        params: ScopeParams,
        response: withErrors({ 200: RegistryOperationResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const registry = await services.registries.delete(scopeOf(request), actorOf(request));
      return withOperation(registry, services.ctx.nowIso());
    },
  );
}
