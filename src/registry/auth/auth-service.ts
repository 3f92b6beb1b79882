import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock';
import { NotFoundError, UnauthenticatedError } from '../errors';
import { newId } from '../ids';
import type { Database } from '../storage/database';
import { PrincipalStore, type Principal } from './principal-store';
import { ANY, type RoleBinding } from './roles';
import { hashSecret, hashToken, randomCredential, verifySecret } from './secrets';
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

/** OAuth2 client-credentials: principals, their secrets, and bearer tokens. */
export class AuthService {
  private readonly store = new PrincipalStore();
  /** Verified tokens; a principal deleted on any process is refused on every other at once. */
  readonly tokens: TokenCache;

  /** What an unknown client's secret is checked against: made once, with the real cost. */
  private readonly unknownClientHash = hashSecret(randomCredential('ingot_cs_'));

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.tokens = new TokenCache(db, clock);
  }

  async createPrincipal(name: string, roles: RoleBinding[]): Promise<NewPrincipal> {
    const clientSecret = randomCredential('ingot_cs_');
    const principal: Principal = {
      id: newId(),
      clientId: randomCredential('ingot_ci_', 12),
      name,
      createdAt: this.clock.now().toISOString(),
      roles,
    };
    const secretHash = await hashSecret(clientSecret);
    await this.db.transaction((tx) => this.store.insert(tx, principal, secretHash));
    return { principal, clientSecret };
  }

  async listPrincipals(): Promise<Principal[]> {
    return this.store.list(this.db.reader);
  }

  async deletePrincipal(clientId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const found = await this.store.byClientId(tx, clientId);
      if (!found)
        throw new NotFoundError(
          'principal',
          clientId,
          'list principals with GET /ingot/v1/principals.',
        );
      await this.store.delete(tx, found.principal.id);
    });
    // Tokens of a deleted principal must stop working at once on this process (the
    // commit's new change marker already makes them stale; this drops them outright).
    this.tokens.forgetPrincipal(clientId);
  }

  async issueToken(clientId: string, clientSecret: string): Promise<IssuedToken> {
    const found = await this.store.byClientId(this.db.reader, clientId);
    // An unknown client is checked against a hash of the same cost (one scrypt either
    // way), so timing does not reveal which client ids exist.
    const ok = await verifySecret(
      clientSecret,
      found?.secretHash ?? (await this.unknownClientHash),
    );
    if (!found || !ok) {
      throw new UnauthenticatedError(
        'invalid client credentials: check client_id and client_secret.',
      );
    }
    const accessToken = randomCredential('ingot_at_');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_SECONDS * 1000).toISOString();
    await this.db.transaction(async (tx) => {
      await this.store.deleteExpiredTokens(tx, now.toISOString());
      await this.store.insertToken(
        tx,
        hashToken(accessToken),
        found.principal.id,
        now.toISOString(),
        expiresAt,
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
    const key = hashToken(token);
    const found = await this.store.byTokenHash(this.db.reader, key, this.clock.now().toISOString());
    if (!found) {
      this.tokens.forget(token);
      return null;
    }
    this.tokens.set(token, key, found.principal, marker, Date.parse(found.expiresAt));
    return found.principal;
  }

  /**
   * On first start (no principals at all), creates a registry-wide admin and writes its
   * credentials to `file` (mode 0600). Returns the file path when it did.
   */
  async bootstrapAdmin(file: string, registryUrl: string): Promise<string | null> {
    if ((await this.store.count(this.db.reader)) > 0) return null;
    const { principal, clientSecret } = await this.createPrincipal('bootstrap-admin', [
      { organizationId: ANY, projectId: ANY, role: 'admin' },
    ]);
    writeCredentialsFile(file, {
      url: registryUrl,
      client_id: principal.clientId,
      client_secret: clientSecret,
    });
    return path.resolve(file);
  }
}

/** Writes credentials readable by the owner only (the file is created 0600, never widened). */
export function writeCredentialsFile(file: string, content: Record<string, string>): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
