import type { Db } from '../platform/db';
import type { Principal } from '../platform/http/principal';
import type { Blocked } from './blocking';

export interface SystemAccount {
  id: string;
  account_id: string;
  client_id: string;
  secret_hash: string;
  /** The name its account's admin gives it. */
  description: string | null;
  /** A1: after a rotation, the previous secret, valid until `previous_secret_expires_at`. */
  previous_secret_hash: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** What an account admin sees of a system account: never a secret or its hash. */
export interface SystemAccountView {
  id: string;
  accountId: string;
  clientId: string;
  name: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  previousSecretValidUntil: Date | null;
}

const view = (row: SystemAccount): SystemAccountView => ({
  id: row.id,
  accountId: row.account_id,
  clientId: row.client_id,
  name: row.description,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  previousSecretValidUntil:
    row.previous_secret_expires_at && row.previous_secret_expires_at > new Date()
      ? row.previous_secret_expires_at
      : null,
});

/** A1: the account's system accounts, revoked ones included (newest first). */
export async function systemAccountsOf(db: Db, accountId: string): Promise<SystemAccountView[]> {
  const rows: SystemAccount[] = await db('system_accounts')
    .where({ account_id: accountId })
    .orderBy('created_at', 'desc');
  return rows.map(view);
}

/** One live system account of the account, or undefined (another account's answers the same). */
export async function liveSystemAccountOf(db: Db, accountId: string, id: string): Promise<SystemAccount | undefined> {
  return db('system_accounts').where({ id, account_id: accountId }).whereNull('revoked_at').first();
}

export async function renameSystemAccount(db: Db, id: string, name: string): Promise<SystemAccountView> {
  const [row] = await db('system_accounts').where({ id }).update({ description: name }).returning('*');
  return view(row as SystemAccount);
}

/** A1: revoked at once: its tokens end with it. */
export async function revokeSystemAccount(db: Db, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('system_accounts').where({ id }).update({ revoked_at: trx.fn.now() });
    await trx('access_tokens').where({ system_account_id: id }).delete();
  });
}

/**
 * A1: a new secret; the old one stays valid until `previousValidUntil`, or not at all (null):
 * then the tokens issued so far end at once too (a leaked secret's tokens must not outlive it).
 */
export async function rotateSystemAccountSecret(
  db: Db,
  id: string,
  secretHash: string,
  previousValidUntil: Date | null,
): Promise<SystemAccountView> {
  return db.transaction(async (trx) => {
    const [row] = await trx('system_accounts')
      .where({ id })
      .update({
        secret_hash: secretHash,
        previous_secret_hash: previousValidUntil ? trx.ref('secret_hash') : null,
        previous_secret_expires_at: previousValidUntil,
      })
      .returning('*');
    if (!previousValidUntil) await trx('access_tokens').where({ system_account_id: id }).delete();
    return view(row as SystemAccount);
  });
}

export async function createSystemAccount(
  db: Db,
  input: { account_id: string; client_id: string; secret_hash: string; description?: string },
): Promise<SystemAccount> {
  const [row] = await db('system_accounts').insert(input).returning('*');
  return row as SystemAccount;
}

export async function findSystemAccountByClientId(db: Db, clientId: string): Promise<SystemAccount | undefined> {
  return db('system_accounts').where({ client_id: clientId }).whereNull('revoked_at').first();
}

export async function listSystemAccounts(db: Db): Promise<Omit<SystemAccount, 'secret_hash'>[]> {
  return db('system_accounts')
    .select('id', 'account_id', 'client_id', 'description', 'created_at', 'revoked_at')
    .orderBy('created_at');
}

export type TokenSubject = { userId: string } | { systemAccountId: string };

export async function storeAccessToken(db: Db, hash: string, subject: TokenSubject, expiresAt: Date): Promise<void> {
  await db('access_tokens').insert({
    token_hash: hash,
    user_id: 'userId' in subject ? subject.userId : null,
    system_account_id: 'systemAccountId' in subject ? subject.systemAccountId : null,
    expires_at: expiresAt,
  });
}

/** Signing out of the pages ends the session's token at once. */
export async function revokeAccessToken(db: Db, hash: string): Promise<void> {
  await db('access_tokens').where({ token_hash: hash }).delete();
}

/** OAuth2 revocation: the token ends at once, if it is the system account's own. */
export async function revokeSystemAccountToken(db: Db, hash: string, systemAccountId: string): Promise<void> {
  await db('access_tokens').where({ token_hash: hash, system_account_id: systemAccountId }).delete();
}

/** The principal behind a live token: a user, or a system account acting for its customer account. */

/**
 * The live token's principal and, from the same query, what blocks it now (A5): its account's
 * block first (it covers users and system accounts alike), then the user's own.
 */
export async function principalForToken(
  db: Db,
  hash: string,
  now: Date,
): Promise<{ principal: Principal; blocked: Blocked | undefined } | undefined> {
  const row = await db('access_tokens as t')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('system_accounts as s', 's.id', 't.system_account_id')
    .leftJoin('accounts as a', 'a.id', db.raw('coalesce(??, ??)', ['u.account_id', 's.account_id']))
    .where('t.token_hash', hash)
    .where('t.expires_at', '>', now)
    .whereNull('s.revoked_at')
    .first(
      't.user_id',
      't.system_account_id',
      'u.role',
      'u.account_role',
      'u.account_id as user_account_id',
      'u.email',
      'u.language as user_language',
      'u.blocked_at as user_blocked_at',
      's.account_id as system_account_account_id',
      'a.language as account_language',
      'a.blocked_at as account_blocked_at',
    );
  if (!row) return undefined;
  const blocked: Blocked | undefined = row.account_blocked_at
    ? 'account_blocked'
    : row.user_blocked_at
      ? 'user_blocked'
      : undefined;
  if (row.user_id) {
    return {
      principal: {
        kind: 'user',
        id: row.user_id,
        role: row.role,
        accountId: row.user_account_id,
        email: row.email,
        language: row.user_language,
        ...(row.account_role ? { accountRole: row.account_role } : {}),
      },
      blocked,
    };
  }
  return {
    principal: {
      kind: 'system_account',
      id: row.system_account_id,
      role: 'customer',
      accountId: row.system_account_account_id,
      email: null,
      language: row.account_language ?? 'sv',
    },
    blocked,
  };
}
