import type { Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { ApiError } from '../platform/http/errors';
import type { Principal } from '../platform/http/principal';
import type { Links } from './links';
import { hashSecret, verifySecret } from './secrets';
import { findUserByEmail, getUser, setPasswordHash } from './users.store';

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId'>;

/**
 * A4: a user changes the password (proving the current one) or resets it by an e-mailed single-use
 * link that expires; either way every session and token of the user ends. Hashing stays scrypt
 * (`identity/secrets.ts`).
 */
export function createPasswords(deps: { db: Db; links: Links; resetTtlSeconds: number }) {
  const { db } = deps;
  return {
    async change(principal: Principal, current: string, next: string, actor: Actor) {
      const user = principal.kind === 'user' ? await getUser(db, principal.id) : undefined;
      if (!user) throw new ApiError(403, 'forbidden', 'Only a user has a password');
      if (!(await verifySecret(current, user.password_hash)))
        throw new ApiError(403, 'wrong_password', 'The current password is wrong');
      await setPasswordHash(db, user.id, await hashSecret(next));
      await appendAudit(db, { ...actor, action: 'user.password_changed', objectType: 'user', objectId: user.id });
      return { changed: true, signedOut: true };
    },

    /** Sends a reset link if the address is a user's; the answer is the same either way (no account probing). */
    async requestReset(email: string) {
      const user = await findUserByEmail(db, email);
      if (user)
        await deps.links.send(
          {
            userId: user.id,
            purpose: 'password_reset',
            ttlMs: deps.resetTtlSeconds * 1000,
            page: '/app/password-reset/new',
          },
          {
            template: 'password-reset',
            language: user.language,
            to: user.email,
            accountId: user.account_id,
            data: { name: user.name, email: user.email },
          },
        );
      return { sent: true };
    },

    /** The link's new password; every session and token of the user ends, and the link is spent. */
    async reset(token: string, password: string) {
      const hash = await hashSecret(password);
      return deps.links.use(token, 'password_reset', async (userId, trx) => {
        await trx('users')
          .where({ id: userId })
          // The link proves the address too (an invitee who resets instead of accepting).
          .update({ password_hash: hash, email_confirmed_at: trx.raw('coalesce(email_confirmed_at, now())') });
        await trx('access_tokens').where({ user_id: userId }).delete();
        await appendAudit(trx, {
          actorType: 'user',
          actorId: userId,
          action: 'user.password_reset',
          objectType: 'user',
          objectId: userId,
        });
        return { reset: true, email: (await getUser(trx, userId))!.email };
      });
    },
  };
}

export type Passwords = ReturnType<typeof createPasswords>;
