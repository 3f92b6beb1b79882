import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock';
import { NotFoundError, UnauthenticatedError } from '../errors';
import { newId } from '../ids';
import type { Database } from '../storage/database';
import { PrincipalStore, type Principal } from './principal-store';
import { ANY, type RoleBinding } from './roles';
import { hashSecret, hashToken, randomCredential, verifySecret } from './secrets';

/** Lifetime of an access token, as HCP's (one hour). */
export const TOKEN_TTL_SECONDS = 3600;
/**
 * How long a verified token is trusted without asking the database again, as long as no
 * process has committed a change since (the database's change marker: PostgreSQL
 * NOTIFY, SQLite's data_version), so a principal deleted on any process is refused on
 * every other at once.
 */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

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
  private readonly cache = new Map<
    string,
    { principal: Principal; until: number; marker: string }
  >();

  /** What an unknown client's secret is checked against: made once, with the real cost. */
  private readonly unknownClientHash = hashSecret(randomCredential('ingot_cs_'));

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

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
    // Tokens of a deleted principal must stop working at once on this process.
    for (const [key, entry] of this.cache)
      if (entry.principal.clientId === clientId) this.cache.delete(key);
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

  /** The principal a bearer token belongs to, or null when unknown or expired. */
  async authenticate(token: string): Promise<Principal | null> {
    const key = hashToken(token);
    const nowMs = this.clock.now().getTime();
    const marker = await this.db.changeMarker();
    const cached = this.cache.get(key);
    if (cached && cached.until > nowMs && cached.marker === marker) return cached.principal;
    const found = await this.store.byTokenHash(this.db.reader, key, new Date(nowMs).toISOString());
    if (!found) {
      this.cache.delete(key);
      return null;
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    // Never trust a cached token past its own expiry.
    const until = Math.min(nowMs + CACHE_TTL_MS, Date.parse(found.expiresAt));
    this.cache.set(key, { principal: found.principal, until, marker });
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
