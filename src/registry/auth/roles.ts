import type { Scope } from '../domain/model';

export const ROLES = ['viewer', 'contributor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Scope value meaning "every organization" or "every project". */
export const ANY = '*';

const RANK: Record<Role, number> = { viewer: 1, contributor: 2, admin: 3 };

/** A role granted to a principal on an organization/project (either may be `*`). */
export interface RoleBinding {
  organizationId: string;
  projectId: string;
  role: Role;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The strongest role that any binding grants on `scope`, or null. */
export function roleOn(bindings: readonly RoleBinding[], scope: Scope): Role | null {
  let best: Role | null = null;
  for (const b of bindings) {
    const orgMatches = b.organizationId === ANY || b.organizationId === scope.organizationId;
    const projectMatches = b.projectId === ANY || b.projectId === scope.projectId;
    if (orgMatches && projectMatches && (best === null || RANK[b.role] > RANK[best])) best = b.role;
  }
  return best;
}

/** Whether `granted` is at least `required`. */
export function allows(granted: Role | null, required: Role): boolean {
  return granted !== null && RANK[granted] >= RANK[required];
}
