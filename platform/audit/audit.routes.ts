import { z } from 'zod';
import type { Db } from '../db';
import { listAudit } from './audit.store';
import { defineRoute, paging } from '../http/route';

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
        const { items, total } = await listAudit(deps.db, query);
        return { body: { items, total, limit: query.limit, offset: query.offset } };
      },
    }),
  ];
}
