import type { Db } from '../platform/db';
import type { Language } from '../domain/vocabulary';

export interface Account {
  id: string;
  kind: 'private' | 'organisation';
  name: string;
  birth_date: string | null;
  organisation_number: string | null;
  email: string;
  language: Language;
  blocked_at: Date | null;
  /** A5: why staff blocked it. */
  blocked_reason: string | null;
  /** L8: the person restricted processing: data kept, no new business. */
  restricted_at: Date | null;
  restriction_reason: string | null;
  /** L8: the person's data was erased (the account anonymised). */
  erased_at: Date | null;
  created_at: Date;
}

export type NewAccount = Pick<Account, 'kind' | 'name' | 'email' | 'language'> &
  Partial<Pick<Account, 'birth_date' | 'organisation_number'>>;

export async function createAccount(db: Db, input: NewAccount): Promise<Account> {
  const [row] = await db('accounts').insert(input).returning('*');
  return row as Account;
}

export async function getAccount(db: Db, id: string): Promise<Account | undefined> {
  return db('accounts').where({ id }).first();
}

export async function listAccounts(db: Db): Promise<Account[]> {
  return db('accounts').orderBy('created_at');
}

export async function updateAccount(db: Db, id: string, changes: Record<string, unknown>): Promise<void> {
  await db('accounts').where({ id }).update(changes);
}
