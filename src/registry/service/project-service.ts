import type { AuthService } from '../auth/auth-service';
import { ANY, roleOn, type RoleBinding } from '../auth/roles';
import type { RegistryContext } from './context';

export interface KnownProject {
  organizationId: string;
  projectId: string;
  buckets: number;
}

/**
 * The organizations/projects this registry knows: those holding buckets and those a
 * principal is granted on. Any id is a valid project here, so this is what tells a new
 * project from a mistyped one. Each caller sees only the projects it has a role on.
 */
export class ProjectService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly auth: AuthService,
  ) {}

  async list(caller: readonly RoleBinding[]): Promise<KnownProject[]> {
    const known = new Map<string, KnownProject>();
    const add = (organizationId: string, projectId: string, buckets: number) => {
      const key = `${organizationId}/${projectId}`;
      const entry = known.get(key) ?? { organizationId, projectId, buckets: 0 };
      entry.buckets += buckets;
      known.set(key, entry);
    };
    for (const row of await this.ctx.buckets.bucketCountsByScope(this.ctx.db.reader))
      add(row.organizationId, row.projectId, row.buckets);
    for (const principal of await this.auth.listPrincipals()) {
      for (const r of principal.roles) {
        if (r.organizationId !== ANY && r.projectId !== ANY) add(r.organizationId, r.projectId, 0);
      }
    }
    return [...known.values()]
      .filter((p) => roleOn(caller, p) !== null)
      .sort(
        (a, b) =>
          a.organizationId.localeCompare(b.organizationId) ||
          a.projectId.localeCompare(b.projectId),
      );
  }
}
