import { z } from 'zod';
import { getAccount } from './accounts.store';
import { getUser } from './users.store';
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
      body: z.object({
        email: z.string().min(1).max(320),
        password: z.string().min(1).max(200),
        /** A4: the code from the authenticator app, or a recovery code, when two-factor sign-in is on. */
        code: z.string().min(1).max(40).optional(),
      }),
      response: tokenAnswer,
      handler: async ({ body }) => ({ body: await deps.auth.login(body.email, body.password, body.code) }),
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
          accountRole: principal.accountRole ?? null,
          email: principal.email,
          language: principal.language,
          account: principal.accountId ? ((await getAccount(deps.db, principal.accountId)) ?? null) : null,
          // A4: whether this user signs in with two factors.
          twoFactor:
            principal.kind === 'user' ? Boolean((await getUser(deps.db, principal.id))?.totp_enabled_at) : false,
        },
      }),
    }),
  ];
}
