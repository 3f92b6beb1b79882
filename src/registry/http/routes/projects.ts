import { Type } from '@sinclair/typebox';
import type { Principal } from '../../auth/principal-store';
import type { Registry } from '../../registry';
import type { App } from '../app-types';
import { withErrors } from '../schemas/common';

const Project = Type.Object({
  organization_id: Type.String(),
  project_id: Type.String(),
  bucket_count: Type.Integer({ description: 'Buckets it holds (0: known from a grant only).' }),
});

/**
 * `GET /ingot/v1/projects`: the organizations/projects the caller may read that this
 * registry knows (they hold buckets or a principal is granted on them). Any id makes a
 * valid path, so an empty answer for a project says nothing; this list tells a new
 * project from a mistyped one (`ingot buckets ls`).
 */
export function projectRoutes(app: App, registry: Registry): void {
  app.get(
    '/ingot/v1/projects',
    {
      schema: {
        tags: ['ingot'],
        summary: 'Organizations and projects the caller may read that hold buckets or grants',
        response: withErrors({ 200: Type.Object({ projects: Type.Array(Project) }) }),
      },
      config: { access: 'authenticated' },
    },
    async (request) => {
      const principal = request.principal as Principal;
      const projects = await registry.projects.list(principal.roles);
      return {
        projects: projects.map((p) => ({
          organization_id: p.organizationId,
          project_id: p.projectId,
          bucket_count: p.buckets,
        })),
      };
    },
  );
}
