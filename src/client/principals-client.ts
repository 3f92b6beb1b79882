import type { Transport } from './transport';

export interface PrincipalRole {
  organization_id: string;
  project_id: string;
  role: string;
}

export interface PrincipalRecord {
  client_id: string;
  name: string;
  created_at: string;
  roles: PrincipalRole[];
}

export interface PrincipalWithSecret {
  principal: PrincipalRecord;
  client_secret: string;
}

/** The org/project a principal's role is on; `*` is every one. */
export interface PrincipalScope {
  organizationId: string;
  projectId: string;
}

const ANY = '*';
const enc = encodeURIComponent;

/**
 * Ingot's principal API. A scope naming one project uses that project's routes, which its
 * admins may call; anything wider uses the registry-wide routes (`/ingot/v1/principals`).
 */
export class PrincipalsClient {
  constructor(
    private readonly transport: Transport,
    private readonly scope: PrincipalScope,
  ) {}

  private get project(): boolean {
    return this.scope.organizationId !== ANY && this.scope.projectId !== ANY;
  }

  private get base(): string {
    const { organizationId, projectId } = this.scope;
    return this.project
      ? `/ingot/v1/organizations/${enc(organizationId)}/projects/${enc(projectId)}/principals`
      : '/ingot/v1/principals';
  }

  async create(name: string, role: string): Promise<PrincipalWithSecret> {
    const { organizationId, projectId } = this.scope;
    return this.transport.request<PrincipalWithSecret>({
      method: 'POST',
      path: this.base,
      body: this.project
        ? { name, role }
        : { name, role, organization_id: organizationId, project_id: projectId },
      operation: `create principal "${name}"`,
    });
  }

  /** The principals of the scope: on one project, those of that project alone. */
  async list(): Promise<PrincipalRecord[]> {
    const { principals } = await this.transport.request<{ principals: PrincipalRecord[] }>({
      method: 'GET',
      path: this.base,
      operation: 'list principals',
    });
    if (this.project || this.scope.organizationId === ANY) return principals;
    return principals.filter((p) =>
      p.roles.some((r) => r.organization_id === this.scope.organizationId),
    );
  }

  async delete(clientId: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: `${this.base}/${enc(clientId)}`,
      operation: `delete principal ${clientId}`,
    });
  }

  async rotate(clientId: string): Promise<PrincipalWithSecret> {
    return this.transport.request<PrincipalWithSecret>({
      method: 'POST',
      path: `${this.base}/${enc(clientId)}/rotate-secret`,
      operation: `rotate the secret of principal ${clientId}`,
    });
  }
}
