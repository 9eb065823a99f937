import type { Db } from '../platform/db';
import type { AccountRole, Role } from '../platform/http/principal';
import type { Language } from '../domain/vocabulary';

export interface User {
  id: string;
  account_id: string | null;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  /** A3: customer users only. */
  account_role: AccountRole | null;
  language: Language;
  /** A2: null until the user opened the link in the confirmation or invitation e-mail. */
  email_confirmed_at: Date | null;
  /** A5: blocked by staff, and why. */
  blocked_at: Date | null;
  blocked_reason: string | null;
  /** A4: the TOTP secret awaiting its first code, the active one, and the last time step used. */
  totp_pending_secret: string | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | number | null;
  created_at: Date;
}

export type PublicUser = Omit<User, 'password_hash' | 'totp_pending_secret' | 'totp_secret' | 'totp_last_step'>;

const publicColumns = [
  'id',
  'account_id',
  'email',
  'name',
  'role',
  'account_role',
  'language',
  'email_confirmed_at',
  'blocked_at',
  'blocked_reason',
  'totp_enabled_at',
  'created_at',
];

/** A password hash no password matches: an invited user has none until they choose one. */
export const NO_PASSWORD = '!';

export async function createUser(
  db: Db,
  input: Pick<User, 'email' | 'name' | 'password_hash' | 'role' | 'account_role' | 'account_id' | 'language'> & {
    email_confirmed_at?: Date | null;
  },
): Promise<PublicUser> {
  const [row] = await db('users')
    .insert({ ...input, email: input.email.toLowerCase() })
    .returning(publicColumns);
  return row as PublicUser;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db('users').where({ email: email.toLowerCase() }).first();
}

export async function getUser(db: Db, id: string): Promise<User | undefined> {
  return db('users').where({ id }).first();
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return db('users').select(publicColumns).orderBy('created_at');
}

/** A3: the users of one account, the first (its admin) first. */
export async function listAccountUsers(db: Db, accountId: string): Promise<PublicUser[]> {
  return db('users').where({ account_id: accountId }).select(publicColumns).orderBy('created_at');
}

export async function updateUser(
  db: Db,
  id: string,
  changes: Partial<Pick<User, 'account_role' | 'email_confirmed_at' | 'name'>>,
): Promise<void> {
  await db('users').where({ id }).update(changes);
}

/** Replaces the password and signs the user out everywhere. */
export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('users').where({ id: userId }).update({ password_hash: passwordHash });
    await trx('access_tokens').where({ user_id: userId }).delete();
    return updated === 1;
  });
}
