import { keysetPage, type Db, type KeysetKey } from '../db';

export interface AuditEntry {
  actorType: 'user' | 'system_account' | 'system';
  actorId?: string | null;
  action: string;
  objectType: string;
  objectId?: string | null;
  requestId?: string | null;
  /** The X-Request-Id the client sent, if any: kept beside the server's own id, never used as it. */
  clientRequestId?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one entry; the table refuses updates and deletes (see migration 001). */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    actor_type: entry.actorType,
    actor_id: entry.actorId ?? null,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId ?? null,
    request_id: entry.requestId ?? null,
    client_request_id: entry.clientRequestId ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  });
}

/** Newest first (keyset, issue 20). */
export const AUDIT_LIST_KEYS: readonly KeysetKey[] = [{ column: 'id', kind: 'integer' }];

export async function listAudit(
  db: Db,
  filter: { objectType?: string; objectId?: string; limit: number; after?: unknown[] },
): Promise<{ items: unknown[]; next: unknown[] | null }> {
  const query = db('audit_log').modify((q) => {
    if (filter.objectType) q.where({ object_type: filter.objectType });
    if (filter.objectId) q.where({ object_id: filter.objectId });
  });
  return keysetPage(db, query, AUDIT_LIST_KEYS, 'desc', filter.limit, filter.after);
}

/** An entity's history for a person to read (issue 21): its newest 200 audit entries, who, when and why. */
export async function auditHistory(db: Db, objectType: string, objectId: string) {
  const { items } = await listAudit(db, { objectType, objectId, limit: 200 });
  type Entry = {
    action: string;
    actor_type: string;
    actor_id: string | null;
    at: Date;
    details: Record<string, unknown>;
  };
  return (items as Entry[]).map((e) => ({
    action: e.action.replace(`${objectType}.`, ''),
    actorType: e.actor_type,
    actor: e.actor_id,
    at: e.at,
    reason: e.details.reason ?? null,
    details: e.details,
  }));
}
