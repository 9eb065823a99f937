import { z } from 'zod';
import { getAccount } from '../identity/accounts.store';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { isoDate } from '../platform/http/schemas';
import { auditActor } from '../platform/audit/actor';
import { createFrameworkAgreement, listFrameworkAgreements, productsExisting } from './orders.store';

/** G5: a reseller, geodata-cooperation or other agreement under which orders of its products need no approval. */
export const newFrameworkAgreementSchema = z
  .object({
    accountId: z.uuid(),
    kind: z.enum(['reseller', 'geodata_cooperation', 'other']),
    productIds: z.array(z.string().trim().min(1)).min(1, 'name at least one product'),
    validFrom: isoDate,
    validTo: isoDate.nullable().default(null),
  })
  .refine((f) => f.validTo === null || f.validTo >= f.validFrom, {
    message: 'must not be before validFrom',
    path: ['validTo'],
  });
export type NewFrameworkAgreementInput = z.input<typeof newFrameworkAgreementSchema>;

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

/** G5: framework agreements, recorded by an admin (API or CLI), each written to the audit log. */
export function createFrameworkAgreements(deps: { db: Db }) {
  const { db } = deps;
  return {
    async create(input: NewFrameworkAgreementInput, actor: Actor) {
      const f = newFrameworkAgreementSchema.parse(input);
      if (!(await getAccount(db, f.accountId)))
        throw new ApiError(404, 'not_found', `account ${f.accountId} was not found`);
      const known = new Set(await productsExisting(db, f.productIds));
      const unknown = f.productIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new ApiError(404, 'not_found', `no product ${unknown.join(', ')} in the catalogue`);
      const agreement = await createFrameworkAgreement(db, f);
      await appendAudit(db, {
        ...actor,
        action: 'framework_agreement.created',
        objectType: 'framework_agreement',
        objectId: agreement.id,
        details: { accountId: f.accountId, kind: f.kind, productIds: f.productIds },
      });
      return agreement;
    },
    list: (accountId?: string) => listFrameworkAgreements(db, accountId),
  };
}
export type FrameworkAgreements = ReturnType<typeof createFrameworkAgreements>;

export function frameworkAgreementRoutes(deps: { frameworkAgreements: FrameworkAgreements }) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/framework-agreements',
      tag: 'orders',
      summary:
        'Record a reseller, geodata-cooperation or other framework agreement (G5): orders of its products need no approval',
      auth: ['admin'],
      body: newFrameworkAgreementSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal, req }) => ({
        body: await deps.frameworkAgreements.create(body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/framework-agreements',
      tag: 'orders',
      summary: 'List framework agreements (G5), optionally of one account',
      auth: ['admin', 'handler'],
      query: z.object({ accountId: z.uuid().optional() }),
      handler: async ({ query }) => ({ body: { items: await deps.frameworkAgreements.list(query.accountId) } }),
    }),
  ];
}
