import { z } from 'zod';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { signUpSchema, type SignUpService } from './sign-up.service';
import { currentTermsVersion, getTerms, listAcceptances, listTermsVersions } from './terms.store';

/** A2: sign-up, the confirmation link, and the terms, every version published at its own URL (L1). */
export function signUpRoutes(deps: { db: Db; signUp: SignUpService }) {
  const terms = async (version: string) => {
    const found = await getTerms(deps.db, version, new Date());
    if (!found) throw new ApiError(404, 'not_found', `There is no published terms version ${version}`);
    return {
      version: found.version,
      publishedAt: found.published_at,
      url: `/api/v1/terms/${encodeURIComponent(found.version)}`,
      page: `/app/terms/${encodeURIComponent(found.version)}`,
      texts: Object.fromEntries(found.texts.map((t) => [t.language, { title: t.title, body: t.body }])),
    };
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/sign-up',
      tag: 'sign-up',
      summary:
        'Sign up a private person (at least 18) or an organisation (organisation number with its check digit), accepting the terms; a link confirms the e-mail address (A2, L1, L5)',
      auth: 'public',
      body: signUpSchema,
      successStatus: 201,
      handler: async ({ body }) => ({ body: await deps.signUp.signUp(body) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sign-up/confirm',
      tag: 'sign-up',
      summary: 'Confirm the e-mail address with the token of the link (single use); then the user may sign in (A2)',
      auth: 'public',
      body: z.object({ token: z.string().min(1).max(200) }),
      handler: async ({ body }) => ({ body: await deps.signUp.confirm(body.token) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/me/terms-acceptances',
      tag: 'sign-up',
      summary:
        "The account's acceptances of the terms, newest first, by whom and what each concluded (A2, L1, G9); ?before= the previous page's `next`",
      auth: ['customer'],
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        before: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z~[0-9a-f-]{36}$/, 'the `next` of the previous page')
          .optional(),
      }),
      handler: async ({ query, principal }) => {
        const [at, id] = query.before?.split('~') ?? [];
        const rows = await listAcceptances(deps.db, principal.accountId!, {
          limit: query.limit,
          before: at && id ? { at: new Date(at), id } : undefined,
        });
        const last = rows.at(-1);
        return {
          body: {
            items: rows.map((a) => ({
              termsVersion: a.terms_version,
              acceptedAt: a.accepted_at,
              userName: a.user_name,
              concluded: a.concluded,
              orderId: a.order_id,
              lk: a.lk,
              page: `/app/terms/${encodeURIComponent(a.terms_version)}`,
            })),
            next: rows.length === query.limit && last ? `${new Date(last.accepted_at).toISOString()}~${last.id}` : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/terms',
      tag: 'sign-up',
      summary: 'Every published version of the terms, newest first (A2)',
      auth: 'public',
      handler: async () => ({
        body: {
          items: (await listTermsVersions(deps.db, new Date())).map((v) => ({
            version: v.version,
            publishedAt: v.published_at,
            url: `/api/v1/terms/${encodeURIComponent(v.version)}`,
          })),
        },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/terms/current',
      tag: 'sign-up',
      summary: 'The terms in force, in Swedish and English (L1)',
      auth: 'public',
      handler: async () => ({ body: await terms((await currentTermsVersion(deps.db, new Date()))!.version) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/terms/:version',
      tag: 'sign-up',
      summary: 'One version of the terms; every version stays published (A2)',
      auth: 'public',
      params: z.object({ version: z.string().min(1).max(40) }),
      handler: async ({ params }) => ({ body: await terms(params.version) }),
    }),
  ];
}
