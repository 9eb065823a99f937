import { z } from 'zod';
import type { Db } from '../platform/db';
import { stockholmDate } from '../domain/calendar';
import { isAdult, organisationNumber } from '../domain/customer';
import { LANGUAGES } from '../domain/vocabulary';
import { appendAudit } from '../platform/audit/audit.store';
import { ApiError } from '../platform/http/errors';
import { isoDate } from '../platform/http/schemas';
import { passwordSchema } from './account-users.service';
import { createAccount } from './accounts.store';
import type { Links } from './links';
import { hashSecret } from './secrets';
import { termsToAccept } from './terms';
import { recordAcceptance } from './terms.store';
import { createUser, findUserByEmail, getUser } from './users.store';

const common = {
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  password: passwordSchema,
  language: z.enum(LANGUAGES).default('sv'),
  /** L1, A2: the terms version the customer read and accepts. */
  termsVersion: z.string().min(1).max(40),
};

/** A2: a private person or an organisation signs up. */
export const signUpSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('private'), birthDate: isoDate, ...common }),
  z.object({
    kind: z.literal('organisation'),
    organisationNumber: z.string().max(20),
    /** The person signing up for the organisation; the organisation's name when not given. */
    contactName: z.string().trim().min(1).max(200).optional(),
    ...common,
  }),
]);
export type SignUp = z.infer<typeof signUpSchema>;

/**
 * A2: sign-up. The account and its first user (the admin, A3) are stored with the acceptance of the
 * terms in one transaction; the user signs in once the e-mailed single-use link has confirmed the
 * address.
 */
export function createSignUp(deps: { db: Db; links: Links; linkTtlHours: number }) {
  const { db } = deps;
  return {
    async signUp(input: SignUp, now = new Date()) {
      if (input.kind === 'private' && !isAdult(input.birthDate, stockholmDate(now)))
        throw new ApiError(422, 'under_age', 'A private person must be at least 18 years old to sign up (L5)');
      const orgNumber = input.kind === 'organisation' ? organisationNumber(input.organisationNumber) : undefined;
      if (orgNumber && !orgNumber.ok)
        throw new ApiError(
          422,
          'invalid_organisation_number',
          orgNumber.problem === 'format'
            ? 'An organisation number has ten digits, like 556036-0793'
            : 'The organisation number’s check digit is wrong; check the number',
          [{ field: 'body.organisationNumber', message: orgNumber.problem }],
        );
      const termsVersion = await termsToAccept(db, input.termsVersion, now);
      if (await findUserByEmail(db, input.email))
        throw new ApiError(409, 'already_exists', `A user with the e-mail ${input.email} already exists; sign in`);
      const passwordHash = await hashSecret(input.password);
      const { account, user } = await db.transaction(async (trx) => {
        const account = await createAccount(trx, {
          kind: input.kind,
          name: input.name,
          email: input.email,
          language: input.language,
          birth_date: input.kind === 'private' ? input.birthDate : null,
          organisation_number: orgNumber?.ok ? orgNumber.value : null,
        });
        const user = await createUser(trx, {
          email: input.email,
          name: input.kind === 'organisation' ? (input.contactName ?? input.name) : input.name,
          password_hash: passwordHash,
          role: 'customer',
          account_role: 'admin',
          account_id: account.id,
          language: input.language,
          email_confirmed_at: null,
        });
        await recordAcceptance(trx, {
          terms_version: termsVersion,
          account_id: account.id,
          user_id: user.id,
          accepted_at: now,
          concluded: 'sign_up',
          order_id: null,
          lk: null,
        });
        await appendAudit(trx, {
          actorType: 'user',
          actorId: user.id,
          action: 'account.signed_up',
          objectType: 'account',
          objectId: account.id,
          details: { kind: input.kind, termsVersion },
        });
        return { account, user };
      });
      await deps.links.send(
        { userId: user.id, purpose: 'confirm_email', ttlMs: deps.linkTtlHours * 3_600_000, page: '/app/confirm' },
        {
          template: 'confirm-email',
          language: user.language,
          to: user.email,
          accountId: account.id,
          data: { name: user.name, accountName: account.name },
        },
      );
      return { accountId: account.id, userId: user.id, email: user.email, termsVersion, confirmationSent: true };
    },

    /** The link in the confirmation e-mail; once used, the user may sign in. */
    async confirm(token: string) {
      return deps.links.use(token, 'confirm_email', async (userId, trx) => {
        await trx('users').where({ id: userId }).update({ email_confirmed_at: trx.fn.now() });
        return { email: (await getUser(trx, userId))!.email, confirmed: true };
      });
    },
  };
}

export type SignUpService = ReturnType<typeof createSignUp>;
