import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock';
import type { Scope } from '../domain/model';
import {
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  ValidationError,
} from '../errors';
import { newId } from '../ids';
import type { Database, Executor } from '../storage/database';
import { AuthAudit, loggableClientId, scopesOf, type FailedAuthLimits } from './auth-audit';
import { PrincipalStore, type Principal } from './principal-store';
import { ANY, manages, type RoleBinding } from './roles';
import { hashSecret, hashToken, randomCredential, verifySecret } from './secrets';
import { SingleFlight } from '../single-flight';
import { TokenCache } from './token-cache';

/** Lifetime of an access token, as HCP's (one hour). */
export const TOKEN_TTL_SECONDS = 3600;

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

export interface NewPrincipal {
  principal: Principal;
  /** Shown once; only its hash is stored. */
  clientSecret: string;
}

/**
 * Who changes credentials: a principal calling the API (its client id and roles), or an
 * operator with the database itself (`roles: null`, `ingot principals --database`).
 */
export interface CredentialActor {
  clientId: string;
  roles: readonly RoleBinding[] | null;
}

/** The operator at the database: may change any principal. */
export const LOCAL_OPERATOR: CredentialActor = { clientId: 'local-database', roles: null };

/** A stable, non-secret name of a token for the audit log (a prefix of its SHA-256). */
export function tokenId(tokenHash: string): string {
  return tokenHash.slice(0, 16);
}

/** Whether every role of `p` is on exactly `scope`: a principal of that project alone. */
function belongsTo(p: Principal, scope: Scope): boolean {
  return p.roles.every(
    (r) => r.organizationId === scope.organizationId && r.projectId === scope.projectId,
  );
}

/** OAuth2 client-credentials: principals, their secrets, and bearer tokens. */
export class AuthService {
  private readonly store = new PrincipalStore();
  /** Verified tokens; a principal deleted on any process is refused on every other at once. */
  readonly tokens: TokenCache;
  /** Concurrent first requests with one token share its lookup. */
  private readonly lookups = new SingleFlight<Principal | null>();
  readonly audit: AuthAudit;

  /** What an unknown client's secret is checked against: made once, with the real cost. */
  private readonly unknownClientHash = hashSecret(randomCredential('ingot_cs_'));

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    failedAuthLimits?: FailedAuthLimits,
  ) {
    this.audit = new AuthAudit(db, clock, failedAuthLimits);
    this.tokens = new TokenCache(db, clock);
  }

  /**
   * The one way credentials change: `work` runs in a transaction, whose commit moves the
   * database's change marker (PostgreSQL NOTIFY to every registry process, SQLite's
   * data_version), so every process's cache of verified tokens — this one's and any
   * other that checks `Database.changeMarker()` — stops trusting what it holds; this
   * process also drops the entries `evict` names at once.
   */
  private async changeCredentials<T>(
    work: (tx: Executor) => Promise<T>,
    evict: (principal: Principal, tokenHash: string) => boolean,
  ): Promise<T> {
    const result = await this.db.transaction(work);
    this.tokens.forgetWhere(evict);
    return result;
  }

  async createPrincipal(
    name: string,
    roles: RoleBinding[],
    actor: CredentialActor = LOCAL_OPERATOR,
  ): Promise<NewPrincipal> {
    if (
      roles.some((r) => r.role === 'metrics' && (r.organizationId !== ANY || r.projectId !== ANY))
    )
      throw new ValidationError(
        'role',
        'the metrics role is granted registry-wide only: leave out the organization and project (ingot principals create --role metrics).',
      );
    const clientSecret = randomCredential('ingot_cs_');
    const principal: Principal = {
      id: newId(),
      clientId: randomCredential('ingot_ci_', 12),
      name,
      createdAt: this.clock.now().toISOString(),
      roles,
    };
    const secretHash = await hashSecret(clientSecret);
    await this.db.transaction(async (tx) => {
      await this.store.insert(tx, principal, secretHash);
      await this.audit.record(
        tx,
        scopesOf(roles),
        actor.clientId,
        'principal.created',
        principal.clientId,
        describe(principal),
      );
    });
    return { principal, clientSecret };
  }

  /** Every principal, or (with `scope`) those whose every role is on that project. */
  async listPrincipals(scope?: Scope): Promise<Principal[]> {
    const all = await this.store.list(this.db.reader);
    return scope ? all.filter((p) => belongsTo(p, scope)) : all;
  }

  async deletePrincipal(
    clientId: string,
    actor: CredentialActor = LOCAL_OPERATOR,
    scope?: Scope,
  ): Promise<void> {
    await this.changeCredentials(
      async (tx) => {
        const found = await this.managed(tx, clientId, actor, scope);
        await this.store.delete(tx, found.id);
        await this.audit.record(
          tx,
          scopesOf(found.roles),
          actor.clientId,
          'principal.deleted',
          clientId,
          describe(found),
        );
      },
      // Tokens of a deleted principal must stop working at once on this process.
      (principal) => principal.clientId === clientId,
    );
  }

  /**
   * A new client secret, shown once: the old one stops working at once (token requests
   * always read the database), and so do the tokens issued with it.
   */
  async rotateSecret(
    clientId: string,
    actor: CredentialActor = LOCAL_OPERATOR,
    scope?: Scope,
  ): Promise<NewPrincipal> {
    const clientSecret = randomCredential('ingot_cs_');
    const secretHash = await hashSecret(clientSecret);
    const principal = await this.changeCredentials(
      async (tx) => {
        const found = await this.managed(tx, clientId, actor, scope);
        await this.store.updateSecret(tx, found.id, secretHash);
        await this.store.deleteTokensOf(tx, found.id);
        await this.audit.record(
          tx,
          scopesOf(found.roles),
          actor.clientId,
          'principal.secret_rotated',
          clientId,
          describe(found),
        );
        return found;
      },
      (p) => p.clientId === clientId,
    );
    return { principal, clientSecret };
  }

  /**
   * Revokes one access token (RFC 7009): the caller's own, or one of a principal it
   * manages. An unknown or expired token is no error (RFC 7009 section 2.2): returns false.
   */
  async revokeToken(token: string, actor: CredentialActor): Promise<boolean> {
    const key = hashToken(token);
    return this.changeCredentials(
      async (tx) => {
        const owner = await this.store.tokenOwner(tx, key);
        if (!owner) return false;
        if (owner.clientId !== actor.clientId && actor.roles && !manages(actor.roles, owner.roles))
          throw new PermissionDeniedError(
            `the token belongs to principal "${owner.name}" (${owner.clientId}), which you do not manage: revoking another principal's token needs the admin role on every project it has a role on.`,
          );
        await this.store.deleteToken(tx, key);
        await this.audit.record(
          tx,
          scopesOf(owner.roles),
          actor.clientId,
          'token.revoked',
          owner.clientId,
          { token_id: tokenId(key), client_id: owner.clientId },
        );
        return true;
      },
      (_principal, tokenHash) => tokenHash === key,
    );
  }

  /**
   * The principal named `clientId` if `actor` may change it: on a project route
   * (`scope`), only a principal of that project alone (else not found, as if absent).
   */
  private async managed(
    tx: Executor,
    clientId: string,
    actor: CredentialActor,
    scope?: Scope,
  ): Promise<Principal> {
    const found = (await this.store.byClientId(tx, clientId))?.principal;
    if (!found || (scope && !belongsTo(found, scope)))
      throw new NotFoundError(
        'principal',
        clientId,
        scope
          ? `organization "${scope.organizationId}", project "${scope.projectId}" has no such principal; list them with GET /ingot/v1/organizations/${scope.organizationId}/projects/${scope.projectId}/principals.`
          : 'list principals with GET /ingot/v1/principals.',
      );
    if (actor.roles && !manages(actor.roles, found.roles))
      throw new PermissionDeniedError(
        `principal "${found.name}" (${clientId}) has roles where you are not admin; only an admin of every project it has a role on may change it.`,
      );
    return found;
  }

  async issueToken(clientId: string, clientSecret: string, address = ''): Promise<IssuedToken> {
    const found = await this.store.byClientId(this.db.reader, clientId);
    // An unknown client is checked against a hash of the same cost (one scrypt either
    // way), so timing does not reveal which client ids exist.
    const ok = await verifySecret(
      clientSecret,
      found?.secretHash ?? (await this.unknownClientHash),
    );
    if (!found || !ok) {
      await this.audit.failed({
        action: found ? 'auth.client_secret_invalid' : 'auth.client_unknown',
        address,
        clientId: loggableClientId(clientId),
      });
      throw new UnauthenticatedError(
        'invalid client credentials: check client_id and client_secret.',
      );
    }
    const accessToken = randomCredential('ingot_at_');
    const key = hashToken(accessToken);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_SECONDS * 1000).toISOString();
    await this.db.transaction(async (tx) => {
      await this.store.deleteExpiredTokens(tx, now.toISOString());
      await this.store.insertToken(tx, key, found.principal.id, now.toISOString(), expiresAt);
      await this.audit.record(
        tx,
        scopesOf(found.principal.roles),
        clientId,
        'token.issued',
        clientId,
        { token_id: tokenId(key), expires_at: expiresAt, address },
      );
    });
    return { accessToken, expiresIn: TOKEN_TTL_SECONDS };
  }

  /**
   * The principal of a token verified under the current change marker, without a
   * database round trip; undefined means "ask `authenticate`".
   */
  cachedPrincipal(token: string): Principal | undefined {
    return this.tokens.get(token);
  }

  /** The principal a bearer token belongs to, or null when unknown or expired. */
  async authenticate(token: string): Promise<Principal | null> {
    const cached = this.tokens.get(token);
    if (cached) return cached;
    // Read before the lookup, so a commit racing it leaves a stale entry, never a wrong one.
    const marker = this.db.changeMarkerSync();
    return this.lookups.run(token, marker, async () => {
      const key = hashToken(token);
      const now = this.clock.now().toISOString();
      const found = await this.store.byTokenHash(this.db.reader, key, now);
      if (!found) {
        this.tokens.forget(token);
        return null;
      }
      this.tokens.set(token, key, found.principal, marker, Date.parse(found.expiresAt));
      return found.principal;
    });
  }

  close(): Promise<void> {
    return this.audit.close();
  }

  /**
   * On first start (no principals at all), creates a registry-wide admin and writes its
   * credentials to `file` (mode 0600). Returns the file path when it did.
   */
  async bootstrapAdmin(file: string, registryUrl: string): Promise<string | null> {
    if ((await this.store.count(this.db.reader)) > 0) return null;
    const { principal, clientSecret } = await this.createPrincipal(
      'bootstrap-admin',
      [{ organizationId: ANY, projectId: ANY, role: 'admin' }],
      { clientId: 'bootstrap', roles: null },
    );
    writeCredentialsFile(file, {
      url: registryUrl,
      client_id: principal.clientId,
      client_secret: clientSecret,
    });
    return path.resolve(file);
  }
}

/** What the audit log says of a principal: never its secret. */
function describe(p: Principal): Record<string, unknown> {
  return {
    client_id: p.clientId,
    name: p.name,
    roles: p.roles.map((r) => ({
      organization_id: r.organizationId,
      project_id: r.projectId,
      role: r.role,
    })),
  };
}

/** Writes credentials readable by the owner only (the file is created 0600, never widened). */
export function writeCredentialsFile(file: string, content: Record<string, string>): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
