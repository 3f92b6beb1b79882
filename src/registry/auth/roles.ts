import type { Scope } from '../domain/model';

/**
 * `metrics` reads `/metrics` and nothing else: it ranks below viewer, so no project
 * route allows it, and it is granted registry-wide only (docs/registry.md, "Metrics").
 */
export const ROLES = ['metrics', 'viewer', 'contributor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Scope value meaning "every organization" or "every project". */
export const ANY = '*';

const RANK: Record<Role, number> = { metrics: 0, viewer: 1, contributor: 2, admin: 3 };

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

/** Whether some binding grants exactly `role` on `scope` (roles outside the ranking: metrics). */
export function holds(bindings: readonly RoleBinding[], scope: Scope, role: Role): boolean {
  return bindings.some(
    (b) =>
      b.role === role &&
      (b.organizationId === ANY || b.organizationId === scope.organizationId) &&
      (b.projectId === ANY || b.projectId === scope.projectId),
  );
}

/** Whether `role` ranks at most `limit` (an admin cannot grant more than it holds). */
export function atMost(role: Role, limit: Role | null): boolean {
  return limit !== null && RANK[role] <= RANK[limit];
}

/**
 * Whether `manager` administers every scope `managed` holds a role on: what deleting,
 * rotating or revoking the tokens of another principal needs. A project admin manages
 * principals of its project only, never registry-wide or organization-wide ones.
 */
export function manages(manager: readonly RoleBinding[], managed: readonly RoleBinding[]): boolean {
  return managed.every((b) =>
    allows(roleOn(manager, { organizationId: b.organizationId, projectId: b.projectId }), 'admin'),
  );
}
