import type { Db } from '../platform/db';
import type { Role } from '../platform/http/principal';
import type { Language } from '../domain/vocabulary';

export interface User {
  id: string;
  account_id: string | null;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  language: Language;
  /** A5: blocked by staff, and why. */
  blocked_at: Date | null;
  blocked_reason: string | null;
  created_at: Date;
}

export type PublicUser = Omit<User, 'password_hash'>;

const publicColumns = [
  'id',
  'account_id',
  'email',
  'name',
  'role',
  'language',
  'blocked_at',
  'blocked_reason',
  'created_at',
];

export async function createUser(
  db: Db,
  input: Omit<User, 'id' | 'created_at' | 'blocked_at' | 'blocked_reason'>,
): Promise<PublicUser> {
  const [row] = await db('users')
    .insert({ ...input, email: input.email.toLowerCase() })
    .returning(publicColumns);
  return row as PublicUser;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db('users').where({ email: email.toLowerCase() }).first();
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return db('users').select(publicColumns).orderBy('created_at');
}

/** Replaces the password and signs the user out everywhere. */
export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('users').where({ id: userId }).update({ password_hash: passwordHash });
    await trx('access_tokens').where({ user_id: userId }).delete();
    return updated === 1;
  });
}
