import type { Scope } from './api/registry-api';

/** A signed-in tab: the bearer token (never the secret) and where it was used. */
export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  clientId: string;
}

// sessionStorage: the token lives as long as the tab, and other tabs never see it.
const SESSION_KEY = 'ingot.session';
const SCOPE_KEY = 'ingot.scope';

/** An organization or project id, as the registry accepts it (an HTML `pattern`). */
export const SCOPE_ID_PATTERN = '[A-Za-z0-9._\\-]{1,64}';

/** The README's example project, so a new user who followed it sees their images. */
export const DEFAULT_SCOPE: Scope = { organizationId: 'acme', projectId: 'images' };

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The organization/project last opened in this tab, kept across sign-outs. */
export function rememberedScope(): Scope {
  try {
    const scope = JSON.parse(sessionStorage.getItem(SCOPE_KEY) ?? 'null') as Scope | null;
    return scope?.organizationId && scope.projectId ? scope : DEFAULT_SCOPE;
  } catch {
    return DEFAULT_SCOPE;
  }
}

export function rememberScope(scope: Scope): void {
  sessionStorage.setItem(SCOPE_KEY, JSON.stringify(scope));
}
