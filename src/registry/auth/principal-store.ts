import type { Executor } from '../storage/database';
import type { Role, RoleBinding } from './roles';

export interface Principal {
  id: string;
  clientId: string;
  name: string;
  createdAt: string;
  roles: RoleBinding[];
}

/** Storage of principals, their roles and their access tokens (hashed). */
export class PrincipalStore {
  async insert(tx: Executor, p: Principal, secretHash: string): Promise<void> {
    await tx.query(
      'INSERT INTO principals (id, client_id, secret_hash, name, created_at) VALUES ($1, $2, $3, $4, $5)',
      [p.id, p.clientId, secretHash, p.name, p.createdAt],
    );
    for (const r of p.roles) {
      await tx.query(
        'INSERT INTO principal_roles (principal_id, organization_id, project_id, role) VALUES ($1, $2, $3, $4)',
        [p.id, r.organizationId, r.projectId, r.role],
      );
    }
  }

  async count(ex: Executor): Promise<number> {
    const rows = await ex.query('SELECT COUNT(*) AS n FROM principals');
    return Number(rows[0].n);
  }

  async byClientId(
    ex: Executor,
    clientId: string,
  ): Promise<{ principal: Principal; secretHash: string } | null> {
    const rows = await ex.query('SELECT * FROM principals WHERE client_id = $1', [clientId]);
    if (rows.length === 0) return null;
    const principal = await this.withRoles(ex, rows[0]);
    return { principal, secretHash: String(rows[0].secret_hash) };
  }

  async byTokenHash(
    ex: Executor,
    tokenHash: string,
    nowIso: string,
  ): Promise<{ principal: Principal; expiresAt: string } | null> {
    const rows = await ex.query(
      `SELECT p.*, t.expires_at AS token_expires_at FROM access_tokens t JOIN principals p ON p.id = t.principal_id
       WHERE t.token_hash = $1 AND t.expires_at > $2`,
      [tokenHash, nowIso],
    );
    if (!rows.length) return null;
    return {
      principal: await this.withRoles(ex, rows[0]),
      expiresAt: String(rows[0].token_expires_at),
    };
  }

  async list(ex: Executor): Promise<Principal[]> {
    const rows = await ex.query('SELECT * FROM principals ORDER BY created_at, id');
    return Promise.all(rows.map((r) => this.withRoles(ex, r)));
  }

  async delete(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM access_tokens WHERE principal_id = $1', [id]);
    await tx.query('DELETE FROM principal_roles WHERE principal_id = $1', [id]);
    await tx.query('DELETE FROM principals WHERE id = $1', [id]);
  }

  async updateSecret(tx: Executor, id: string, secretHash: string): Promise<void> {
    await tx.query('UPDATE principals SET secret_hash = $1 WHERE id = $2', [secretHash, id]);
  }

  async deleteTokensOf(tx: Executor, principalId: string): Promise<void> {
    await tx.query('DELETE FROM access_tokens WHERE principal_id = $1', [principalId]);
  }

  /** Whose token this is, expired or not (revoking an expired token is not an error). */
  async tokenOwner(ex: Executor, tokenHash: string): Promise<Principal | null> {
    const rows = await ex.query(
      'SELECT p.* FROM access_tokens t JOIN principals p ON p.id = t.principal_id WHERE t.token_hash = $1',
      [tokenHash],
    );
    return rows.length ? this.withRoles(ex, rows[0]) : null;
  }

  async deleteToken(tx: Executor, tokenHash: string): Promise<void> {
    await tx.query('DELETE FROM access_tokens WHERE token_hash = $1', [tokenHash]);
  }

  async insertToken(
    tx: Executor,
    tokenHash: string,
    principalId: string,
    issuedAt: string,
    expiresAt: string,
  ) {
    await tx.query(
      'INSERT INTO access_tokens (token_hash, principal_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)',
      [tokenHash, principalId, issuedAt, expiresAt],
    );
  }

  async deleteExpiredTokens(tx: Executor, nowIso: string): Promise<void> {
    await tx.query('DELETE FROM access_tokens WHERE expires_at <= $1', [nowIso]);
  }

  private async withRoles(ex: Executor, row: Record<string, unknown>): Promise<Principal> {
    const roles = await ex.query(
      'SELECT organization_id, project_id, role FROM principal_roles WHERE principal_id = $1 ORDER BY organization_id, project_id',
      [row.id as string],
    );
    return {
      id: String(row.id),
      clientId: String(row.client_id),
      name: String(row.name),
      createdAt: String(row.created_at),
      roles: roles.map((r) => ({
        organizationId: String(r.organization_id),
        projectId: String(r.project_id),
        role: String(r.role) as Role,
      })),
    };
  }
}
