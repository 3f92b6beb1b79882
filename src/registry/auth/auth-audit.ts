import type { Clock } from '../clock';
import type { Scope } from '../domain/model';
import { newId } from '../ids';
import type { Database, Executor } from '../storage/database';
import { AuditRepository } from '../storage/audit-repository';
import { ANY, type RoleBinding } from './roles';

/** The registry-wide audit log (`GET /ingot/v1/audit-events`): failures and global principals. */
export const REGISTRY_WIDE: Scope = { organizationId: ANY, projectId: ANY };

/** Why an authentication or authorization failed, as the audit log's `action`. */
export type AuthFailure =
  'auth.client_unknown' | 'auth.client_secret_invalid' | 'auth.token_invalid' | 'auth.forbidden';

export interface FailedAuth {
  action: AuthFailure;
  /** The caller's address (`request.ip`). */
  address: string;
  /** A known principal's client id, or a client id the caller sent (never a secret). */
  clientId?: string;
  target?: string;
  details?: Record<string, unknown>;
}

/**
 * How much of a flood of failures reaches the database: the first failure of each
 * (action, client id, address) in a window is written at once, up to `keysPerWindow`
 * distinct ones; repeats and failures beyond that are counted in memory and written as
 * one summary row per key (and one for the overflow) when the window ends. At most
 * 2 × keysPerWindow + 1 rows per window and process, whatever an attacker sends.
 */
export interface FailedAuthLimits {
  windowMs: number;
  keysPerWindow: number;
}

export const DEFAULT_FAILED_AUTH_LIMITS: FailedAuthLimits = { windowMs: 60_000, keysPerWindow: 50 };

/** A client id as the registry hands them out; anything else may be a pasted secret. */
const CLIENT_ID_SHAPE = /^ingot_ci_[A-Za-z0-9_-]{1,64}$/;

/** What a caller sent as client id, fit for the log: never a secret pasted in the wrong field. */
export function loggableClientId(value: string | undefined): string {
  if (!value) return '';
  return CLIENT_ID_SHAPE.test(value) ? value : '(not an Ingot client id)';
}

/** The distinct org/project scopes of a principal's roles: where its lifecycle is recorded. */
export function scopesOf(roles: readonly RoleBinding[]): Scope[] {
  const seen = new Map<string, Scope>();
  for (const r of roles)
    seen.set(`${r.organizationId}/${r.projectId}`, {
      organizationId: r.organizationId,
      projectId: r.projectId,
    });
  return [...seen.values()];
}

interface Pending {
  failure: FailedAuth;
  repeats: number;
}

/**
 * Audit events of credentials: lifecycle events are written in the transaction that
 * makes the change; authentication failures through the rate-safe path above, outside
 * any transaction (autocommit: a failure is not a change, so it does not invalidate
 * other processes' caches through PostgreSQL NOTIFY).
 */
export class AuthAudit {
  private readonly auditEvents = new AuditRepository();
  private window = new Map<string, Pending>();
  private overflow = 0;
  private readonly timer: NodeJS.Timeout;
  /** Failures that could not be written (database down): counted, reported in the next summary. */
  private lost = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly limits: FailedAuthLimits = DEFAULT_FAILED_AUTH_LIMITS,
  ) {
    this.timer = setInterval(() => void this.flush(), limits.windowMs);
    this.timer.unref();
  }

  /** Records a lifecycle event in every scope in `scopes`, in the caller's transaction. */
  async record(
    tx: Executor,
    scopes: readonly Scope[],
    actorId: string,
    action: string,
    target: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    for (const scope of scopes)
      await this.auditEvents.insertAuditEvent(tx, {
        id: newId(),
        occurredAt: this.clock.now().toISOString(),
        principalId: actorId,
        ...scope,
        action,
        target,
        details,
      });
  }

  /** Records a failure in the registry-wide log, within the limits; never throws. */
  async failed(failure: FailedAuth): Promise<void> {
    const key = `${failure.action}\u0000${failure.clientId ?? ''}\u0000${failure.address}`;
    const pending = this.window.get(key);
    if (pending) {
      pending.repeats++;
      return;
    }
    if (this.window.size >= this.limits.keysPerWindow) {
      this.overflow++;
      return;
    }
    this.window.set(key, { failure, repeats: 0 });
    await this.write(failure.action, failure, { ...failure.details, address: failure.address });
  }

  /** Ends the window: writes the summaries of repeats and overflow. */
  async flush(): Promise<void> {
    const window = this.window;
    const overflow = this.overflow;
    const lost = this.lost;
    this.window = new Map();
    this.overflow = 0;
    this.lost = 0;
    const windowSeconds = Math.round(this.limits.windowMs / 1000);
    for (const { failure, repeats } of window.values()) {
      if (repeats === 0) continue;
      await this.write('auth.failures_repeated', failure, {
        ...failure.details,
        failure: failure.action,
        address: failure.address,
        count: repeats,
        window_seconds: windowSeconds,
      });
    }
    if (overflow + lost > 0)
      await this.write(
        'auth.failures_unrecorded',
        {},
        {
          count: overflow + lost,
          reason: `more than ${this.limits.keysPerWindow} distinct client/address pairs failed in ${windowSeconds} s, or the database refused the record`,
          window_seconds: windowSeconds,
        },
      );
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }

  private async write(
    action: string,
    who: { clientId?: string; target?: string },
    details: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.auditEvents.insertAuditEvent(this.db.reader, {
        id: newId(),
        occurredAt: this.clock.now().toISOString(),
        principalId: who.clientId ?? '',
        ...REGISTRY_WIDE,
        action,
        target: who.target ?? who.clientId ?? '',
        details,
      });
    } catch {
      // The request is answered 401/403 regardless; the loss shows in the next summary.
      this.lost++;
    }
  }
}
