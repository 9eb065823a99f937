import { auditActor } from '../platform/audit/actor';
import { defineRoute } from '../platform/http/route';
import { newTermsVersionSchema, type TermsPublishing } from './terms-publishing.service';

/** Issue 21 (A2, L1): admins publish terms versions from a future date and see those to come. */
export function termsPublishingRoutes(deps: { termsPublishing: TermsPublishing }) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/terms',
      tag: 'sign-up',
      summary:
        'An admin publishes a new terms version (Swedish and English) in force from a future date, with the reason; earlier versions stay published (A2, L1)',
      auth: ['admin'],
      body: newTermsVersionSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal, req }) => ({
        body: await deps.termsPublishing.publish(body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/terms/upcoming',
      tag: 'sign-up',
      summary: 'Terms versions published to come into force later (staff)',
      auth: ['admin', 'handler'],
      handler: async () => ({ body: { items: await deps.termsPublishing.upcoming() } }),
    }),
  ];
}
