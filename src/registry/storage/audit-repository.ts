import type { AuditEvent, Scope } from '../domain/model';
import type { Executor } from './database';
import type { Page } from './listing';
import { toAuditEvent } from './rows';

/**
 * Storage of the audit log. Every method takes the executor it runs on, so the service
 * decides which calls share a transaction.
 */
export class AuditRepository {
  async insertAuditEvent(tx: Executor, e: AuditEvent): Promise<void> {
    await tx.query(
      `INSERT INTO audit_events (id, occurred_at, principal_id, organization_id, project_id, action, target, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.id,
        e.occurredAt,
        e.principalId,
        e.organizationId,
        e.projectId,
        e.action,
        e.target,
        JSON.stringify(e.details),
      ],
    );
  }

  /** Newest first. */
  async listAuditEvents(ex: Executor, scope: Scope, page: Page): Promise<AuditEvent[]> {
    const rows = await ex.query(
      `SELECT * FROM audit_events WHERE organization_id = $1 AND project_id = $2
       ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [scope.organizationId, scope.projectId, page.limit, page.offset],
    );
    return rows.map(toAuditEvent);
  }
}
