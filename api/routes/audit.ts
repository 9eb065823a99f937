import { z } from 'zod';
import type { Db } from '../../db/knex';
import { listAudit } from '../../db/stores/audit';
import { defineRoute, paging } from '../route';

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
