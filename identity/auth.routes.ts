import { z } from 'zod';
import { getAccount } from './accounts.store';
import type { Db } from '../platform/db';
import type { Auth } from './auth';
import { defineRoute } from '../platform/http/route';

const tokenAnswer = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});

export function authRoutes(deps: { db: Db; auth: Auth }) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tag: 'auth',
      summary: 'Sign in with e-mail and password; answers a bearer token (rate-limited)',
      auth: 'public',
      body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) }),
      response: tokenAnswer,
      handler: async ({ body }) => ({ body: await deps.auth.login(body.email, body.password) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/me',
      tag: 'auth',
      summary: 'Who the token belongs to, with the customer account if any',
      auth: 'authenticated',
      handler: async ({ principal }) => ({
        body: {
          kind: principal.kind,
          id: principal.id,
          role: principal.role,
          email: principal.email,
          language: principal.language,
          account: principal.accountId ? ((await getAccount(deps.db, principal.accountId)) ?? null) : null,
        },
      }),
    }),
  ];
}
