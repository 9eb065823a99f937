import { z } from 'zod';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';
import { passwordSchema } from './account-users.service';
import type { Auth } from './auth';
import type { Passwords } from './passwords.service';
import type { TwoFactor } from './two-factor';

const credentials = { email: z.string().min(1).max(320), password: z.string().min(1).max(200) };

/** A4: passwords and two-factor sign-in. The two-factor steps prove the password, so staff who must turn it on can before they have a session. */
export function passwordRoutes(deps: {
  auth: Auth;
  passwords: Passwords;
  twoFactor: TwoFactor;
  staffTwoFactorRequired: boolean;
}) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/me/password',
      tag: 'auth',
      summary: 'Change my password (the current one is needed); every session and token of mine ends (A4)',
      auth: 'authenticated',
      body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }),
      handler: async ({ principal, body, req }) => ({
        body: await deps.passwords.change(
          principal,
          body.currentPassword,
          body.newPassword,
          auditActor(principal, req),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/password-reset',
      tag: 'auth',
      summary:
        'E-mail a single-use password-reset link that expires; the same answer whether or not the address is known (A4)',
      auth: 'public',
      body: z.object({ email: z.string().min(1).max(320) }),
      successStatus: 202,
      handler: async ({ body }) => ({ body: await deps.passwords.requestReset(body.email) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/password-reset/confirm',
      tag: 'auth',
      summary: "Set a new password with the link's token (single use, expires); signs the user out everywhere (A4)",
      auth: 'public',
      body: z.object({ token: z.string().min(1).max(200), password: passwordSchema }),
      handler: async ({ body }) => ({ body: await deps.passwords.reset(body.token, body.password) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/two-factor/setup',
      tag: 'auth',
      summary: 'A new TOTP secret (and otpauth URI) for my authenticator app; on once a first code confirms it (A4)',
      auth: 'public',
      body: z.object(credentials),
      handler: async ({ body }) => ({
        body: await deps.twoFactor.setup(await deps.auth.userByPassword(body.email, body.password)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/two-factor/enable',
      tag: 'auth',
      summary: 'Turn two-factor sign-in on with a first code; answers ten single-use recovery codes, shown once (A4)',
      auth: 'public',
      body: z.object({ ...credentials, code: z.string().min(1).max(40) }),
      handler: async ({ body }) => ({
        body: await deps.twoFactor.enable(await deps.auth.userByPassword(body.email, body.password), body.code),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/two-factor/disable',
      tag: 'auth',
      summary: 'Turn two-factor sign-in off with a code or a recovery code (A4)',
      auth: 'public',
      body: z.object({ ...credentials, code: z.string().min(1).max(40) }),
      handler: async ({ body }) => {
        const user = await deps.auth.userByPassword(body.email, body.password);
        if (deps.staffTwoFactorRequired && user.role !== 'customer')
          throw new ApiError(409, 'two_factor_required', 'Staff must sign in with two factors here');
        return { body: await deps.twoFactor.disable(user, body.code) };
      },
    }),
  ];
}
