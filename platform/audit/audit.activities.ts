import type { Db } from '../db';
import { appendAudit, type AuditEntry } from './audit.store';

export function createAuditActivities(deps: { db: Db }) {
  return {
    async recordAudit(entry: AuditEntry): Promise<void> {
      await appendAudit(deps.db, entry);
    },
  };
}

export type AuditActivities = ReturnType<typeof createAuditActivities>;
