import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { createAccount, getAccount } from './accounts.store';
import { createSystemAccount } from './credentials.store';
import { createUser, findUserByEmail, listAccountUsers, setPasswordHash } from './users.store';
import { ACCOUNT_ROLES, ROLES } from '../platform/http/principal';
import { hashSecret, randomToken } from './secrets';
import { LANGUAGES } from '../domain/vocabulary';
import type { Language } from '../domain/vocabulary';
import { isoDate } from '../platform/http/schemas';

/**
 * Accounts, users and system accounts: the one place that creates them, used by the
 * admin CLI, the API and the demo seed alike, each change written to the audit log.
 */

export const newAccountSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('private'),
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    language: z.enum(LANGUAGES).default('sv'),
    birthDate: isoDate,
  }),
  z.object({
    kind: z.literal('organisation'),
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    language: z.enum(LANGUAGES).default('sv'),
    organisationNumber: z.string().regex(/^\d{6}-\d{4}$/, 'must look like 556123-4567'),
  }),
]);
export type NewAccountInput = z.input<typeof newAccountSchema>;

const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(200);

export const newUserSchema = z
  .object({
    email: z.email(),
    name: z.string().trim().min(1).max(200),
    password: passwordSchema,
    role: z.enum(ROLES),
    accountId: z.uuid().optional(),
    /** A3: a customer user's role in the account; the account's first user is its admin, later ones orderers. */
    accountRole: z.enum(ACCOUNT_ROLES).optional(),
    language: z.enum(LANGUAGES).default('sv'),
  })
  .refine((u) => (u.role === 'customer') === Boolean(u.accountId), {
    message: 'a customer user needs an account, and staff users have none',
    path: ['accountId'],
  })
  .refine((u) => u.role === 'customer' || !u.accountRole, {
    message: 'only a customer user has a role in an account',
    path: ['accountRole'],
  });
export type NewUserInput = z.input<typeof newUserSchema>;

export class DirectoryError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_exists',
    message: string,
  ) {
    super(message);
  }
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

export interface DirectoryDeps {
  db: Db;
  /** Starts the welcome workflow for a new user (idempotent by user id). */
  welcome: (user: {
    id: string;
    accountId: string | null;
    email: string;
    name: string;
    language: Language;
  }) => Promise<void>;
}

export function createDirectory({ db, welcome }: DirectoryDeps) {
  return {
    async createAccount(input: NewAccountInput, actor: Actor) {
      const a = newAccountSchema.parse(input);
      const account = await createAccount(db, {
        kind: a.kind,
        name: a.name,
        email: a.email,
        language: a.language,
        birth_date: a.kind === 'private' ? a.birthDate : null,
        organisation_number: a.kind === 'organisation' ? a.organisationNumber : null,
      });
      await appendAudit(db, {
        ...actor,
        action: 'account.created',
        objectType: 'account',
        objectId: account.id,
        details: { kind: a.kind },
      });
      return account;
    },

    async createUser(input: NewUserInput, actor: Actor) {
      const u = newUserSchema.parse(input);
      if (u.accountId && !(await getAccount(db, u.accountId)))
        throw new DirectoryError('not_found', `account ${u.accountId} was not found`);
      if (await findUserByEmail(db, u.email))
        throw new DirectoryError('already_exists', `a user with the e-mail ${u.email} already exists`);
      const user = await createUser(db, {
        email: u.email,
        name: u.name,
        password_hash: await hashSecret(u.password),
        role: u.role,
        account_role: u.accountId
          ? (u.accountRole ?? ((await listAccountUsers(db, u.accountId)).length === 0 ? 'admin' : 'orderer'))
          : null,
        account_id: u.accountId ?? null,
        language: u.language,
      });
      await appendAudit(db, {
        ...actor,
        action: 'user.created',
        objectType: 'user',
        objectId: user.id,
        details: { role: user.role },
      });
      await welcome({
        id: user.id,
        accountId: user.account_id,
        email: user.email,
        name: user.name,
        language: user.language,
      });
      return user;
    },

    /** Prints-once credentials: the secret is never stored in clear and cannot be shown again. */
    async createSystemAccount(accountId: string, description: string | undefined, actor: Actor) {
      if (!(await getAccount(db, accountId)))
        throw new DirectoryError('not_found', `account ${accountId} was not found`);
      const clientId = `kk_${randomToken(12)}`;
      const clientSecret = randomToken(32);
      const row = await createSystemAccount(db, {
        account_id: accountId,
        client_id: clientId,
        secret_hash: await hashSecret(clientSecret),
        description,
      });
      await appendAudit(db, {
        ...actor,
        action: 'system_account.created',
        objectType: 'system_account',
        objectId: row.id,
        details: { accountId },
      });
      return { id: row.id, accountId, clientId, clientSecret };
    },

    async resetPassword(email: string, password: string, actor: Actor) {
      const user = await findUserByEmail(db, email);
      if (!user) throw new DirectoryError('not_found', `no user with the e-mail ${email}`);
      await setPasswordHash(db, user.id, await hashSecret(passwordSchema.parse(password)));
      await appendAudit(db, { ...actor, action: 'user.password_reset', objectType: 'user', objectId: user.id });
      return { id: user.id, email: user.email };
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
