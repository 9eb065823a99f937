import { z } from 'zod';
import { ACCOUNT_ACCESS } from './account-roles';
import type { Principal } from '../platform/http/principal';
import { correctionSchema, PersonalDataRefused, type PersonalData } from './personal-data.service';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';

/** L8 for the signed-in customer's own account. */
export function personalDataRoutes(deps: { personalData: PersonalData }) {
  const own = (principal: Principal) => principal.accountId!;
  const refusals = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      if (err instanceof PersonalDataRefused) throw new ApiError(409, err.code, err.message, err.details);
      throw err;
    }
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/me/personal-data',
      tag: 'personal data',
      summary: 'Everything stored about the account and its people (L8: access)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      handler: async ({ principal, req }) => ({
        body: await deps.personalData.export(own(principal), auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/me/personal-data',
      tag: 'personal data',
      summary: "Correct the account's name, e-mail address or language (L8: rectification)",
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      body: correctionSchema,
      handler: async ({ principal, body, req }) => ({
        body: await deps.personalData.correct(own(principal), body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/personal-data/restriction',
      tag: 'personal data',
      summary: 'Restrict processing: the data is kept, but no new orders or cases are taken (L8)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      body: z.object({ reason: z.string().trim().min(1).max(1000) }),
      successStatus: 204,
      handler: async ({ principal, body, req }) => {
        await deps.personalData.restrict(own(principal), body.reason, auditActor(principal, req));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/me/personal-data/restriction',
      tag: 'personal data',
      summary: 'Lift the restriction of processing (L8)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      successStatus: 204,
      handler: async ({ principal, req }) => {
        await refusals(() => deps.personalData.liftRestriction(own(principal), auditActor(principal, req)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/personal-data/erasure',
      tag: 'personal data',
      summary:
        'Erase the personal data: the account is anonymised once no order or case runs and nothing is owed (L8); signs every user out',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      body: z.object({ confirm: z.literal(true, { error: 'set confirm to true: erasure cannot be undone' }) }),
      handler: async ({ principal, req }) => ({
        body: await refusals(() => deps.personalData.erase(own(principal), auditActor(principal, req))),
      }),
    }),
  ];
}
