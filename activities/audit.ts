import type { Db } from '../db/knex';
import { appendAudit, type AuditEntry } from '../db/stores/audit';

export function createAuditActivities(deps: { db: Db }) {
  return {
    async recordAudit(entry: AuditEntry): Promise<void> {
      await appendAudit(deps.db, entry);
    },
  };
}
