import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { ApiError } from '../platform/http/errors';
import { ACCOUNT_ROLES, type AccountRole, type Principal } from '../platform/http/principal';
import { LANGUAGES, type Language } from '../domain/vocabulary';
import { getAccount } from './accounts.store';
import { permissionsOf } from './account-roles';
import type { Links } from './links';
import { hashSecret } from './secrets';
import { createUser, findUserByEmail, getUser, listAccountUsers, NO_PASSWORD, updateUser } from './users.store';

/** A3: a password a user chooses (when invited, on reset, on change). */
export const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(200);

export const invitationSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  accountRole: z.enum(ACCOUNT_ROLES),
  language: z.enum(LANGUAGES).optional(),
});

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId'>;

export interface Recipient {
  email: string;
  name: string;
  language: Language;
}

/** A3, G9: the users of an account, their roles, invitations, and who receives what. */
export function createAccountUsers(deps: { db: Db; links: Links; linkTtlHours: number }) {
  const { db } = deps;
  // Users are managed by the account's users; a system account (A1) never manages them.
  const accountOf = (principal: Principal) => {
    if (principal.kind !== 'user' || !principal.accountId)
      throw new ApiError(403, 'forbidden', "Only a customer account's users manage its users");
    return principal.accountId;
  };

  return {
    /** The account's users and what each may do (G9). */
    async list(principal: Principal) {
      return (await listAccountUsers(db, accountOf(principal))).map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        accountRole: u.account_role!,
        may: permissionsOf(u.account_role!),
        // An invited user who has not accepted yet.
        confirmed: u.email_confirmed_at !== null,
        createdAt: u.created_at,
      }));
    },

    /** An admin invites a colleague by e-mail; the invitee sets a password through the link. */
    async invite(principal: Principal, input: z.infer<typeof invitationSchema>, actor: Actor) {
      const accountId = accountOf(principal);
      const account = (await getAccount(db, accountId))!;
      if (await findUserByEmail(db, input.email))
        throw new ApiError(409, 'already_exists', `A user with the e-mail ${input.email} already exists`);
      const language = input.language ?? account.language;
      const user = await createUser(db, {
        email: input.email,
        name: input.name,
        password_hash: NO_PASSWORD,
        role: 'customer',
        account_role: input.accountRole,
        account_id: accountId,
        language,
        email_confirmed_at: null,
      });
      await appendAudit(db, {
        ...actor,
        action: 'user.invited',
        objectType: 'user',
        objectId: user.id,
        details: { accountId, accountRole: input.accountRole },
      });
      await deps.links.send(
        { userId: user.id, purpose: 'invitation', ttlMs: deps.linkTtlHours * 3_600_000, page: '/app/invitation' },
        {
          template: 'account-invitation',
          language,
          to: user.email,
          accountId,
          data: { name: user.name, accountName: account.name, invitedBy: principal.email ?? '' },
        },
      );
      return { id: user.id, email: user.email, accountRole: input.accountRole };
    },

    /** The invitee's password; the link confirms the address too. */
    async acceptInvitation(token: string, password: string) {
      const hash = await hashSecret(passwordSchema.parse(password));
      return deps.links.use(token, 'invitation', async (userId, trx) => {
        await trx('users').where({ id: userId }).update({ password_hash: hash, email_confirmed_at: trx.fn.now() });
        const user = (await getUser(trx, userId))!;
        await appendAudit(trx, {
          actorType: 'user',
          actorId: userId,
          action: 'user.invitation_accepted',
          objectType: 'user',
          objectId: userId,
        });
        return { email: user.email };
      });
    },

    /** An admin gives a user another role; an account always keeps an admin. */
    async setRole(principal: Principal, userId: string, accountRole: AccountRole, actor: Actor) {
      const accountId = accountOf(principal);
      const user = await getUser(db, userId);
      if (!user || user.account_id !== accountId) throw new ApiError(404, 'not_found', `User ${userId} was not found`);
      if (user.account_role === 'admin' && accountRole !== 'admin') {
        const admins = (await listAccountUsers(db, accountId)).filter((u) => u.account_role === 'admin');
        if (admins.length === 1)
          throw new ApiError(409, 'last_admin', 'The account must keep an admin; make another user admin first');
      }
      await updateUser(db, userId, { account_role: accountRole });
      await appendAudit(db, {
        ...actor,
        action: 'user.account_role_changed',
        objectType: 'user',
        objectId: userId,
        details: { from: user.account_role, to: accountRole },
      });
      return { id: userId, accountRole, may: permissionsOf(accountRole) };
    },

    /** A3, T6: who receives the account's invoices. */
    invoiceRecipients: (accountId: string) => invoiceRecipients(db, accountId),
  };
}

export type AccountUsers = ReturnType<typeof createAccountUsers>;

/**
 * A3, T6: who receives the account's invoices: its users with the invoices role, or its admins
 * when it has none, or the account's own address when it has no confirmed user at all.
 */
export async function invoiceRecipients(db: Db, accountId: string): Promise<Recipient[]> {
  const users = (await listAccountUsers(db, accountId)).filter((u) => u.email_confirmed_at !== null);
  const chosen = users.some((u) => u.account_role === 'invoices')
    ? users.filter((u) => u.account_role === 'invoices')
    : users.filter((u) => u.account_role === 'admin');
  if (chosen.length > 0) return chosen.map((u) => ({ email: u.email, name: u.name, language: u.language }));
  const account = await getAccount(db, accountId);
  return account ? [{ email: account.email, name: account.name, language: account.language }] : [];
}

/**
 * A3: who hears about an order or a case: the user who placed it, or, for a system account's
 * request, the account's own address.
 */
export async function placedBy(
  db: Db,
  principal: Principal,
  account: { email: string; name: string; language: Language },
): Promise<Recipient & { userId: string | null }> {
  const user = principal.kind === 'user' ? await getUser(db, principal.id) : undefined;
  return user
    ? { userId: user.id, email: user.email, name: user.name, language: user.language }
    : { userId: null, email: account.email, name: account.name, language: account.language };
}
