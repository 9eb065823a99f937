import { keysetPage, type Db, type KeysetKey } from '../platform/db';
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

/** Oldest first (keyset, issue 20). */
export const ACCOUNT_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'created_at', kind: 'timestamp' },
  { column: 'id', kind: 'uuid' },
];

export async function listAccounts(
  db: Db,
  page: { limit: number; after?: unknown[] },
): Promise<{ items: Account[]; next: unknown[] | null }> {
  return keysetPage<Account>(db, db('accounts'), ACCOUNT_LIST_KEYS, 'asc', page.limit, page.after);
}

export async function updateAccount(db: Db, id: string, changes: Record<string, unknown>): Promise<void> {
  await db('accounts').where({ id }).update(changes);
}
