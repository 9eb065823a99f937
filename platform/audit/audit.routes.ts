import { z } from 'zod';
import type { Db } from '../db';
import { AUDIT_LIST_KEYS, listAudit } from './audit.store';
import { defineRoute, paging, readCursor, writeCursor } from '../http/route';

export function auditRoutes(deps: { db: Db }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/audit',
      tag: 'audit',
      summary: 'The append-only audit log, newest first',
      auth: ['admin', 'finance'],
      query: z.object({ objectType: z.string().optional(), objectId: z.string().optional(), ...paging }),
      handler: async ({ query }) => {
        const { items, next } = await listAudit(deps.db, {
          ...query,
          after: readCursor(query.cursor, AUDIT_LIST_KEYS),
        });
        return { body: { items, next: writeCursor(next), limit: query.limit } };
      },
    }),
  ];
}
