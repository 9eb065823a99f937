import type { Db } from '../platform/db';
import type { Language } from '../domain/vocabulary';

export interface TermsVersion {
  version: string;
  published_at: Date;
}

export interface TermsAcceptance {
  id: string;
  terms_version: string;
  account_id: string;
  user_id: string | null;
  accepted_at: Date;
  concluded: 'sign_up' | 'order' | 'case';
  order_id: string | null;
  lk: string | null;
}

/** L1: the version in force at `now`: the last one published by then. */
export async function currentTermsVersion(db: Db, now: Date): Promise<TermsVersion | undefined> {
  return db('terms_versions').where('published_at', '<=', now).orderBy('published_at', 'desc').first();
}

/** Versions published to come into force after `now` (staff see them before they are in force). */
export async function upcomingTermsVersions(db: Db, now: Date): Promise<TermsVersion[]> {
  return db('terms_versions').where('published_at', '>', now).orderBy('published_at');
}

/** A new version with its texts; the versions before it stay published as they were (A2). */
export async function insertTermsVersion(
  db: Db,
  v: TermsVersion,
  texts: { language: Language; title: string; body: string }[],
): Promise<void> {
  await db('terms_versions').insert(v);
  await db('terms_texts').insert(texts.map((t) => ({ version: v.version, ...t })));
}

export async function listTermsVersions(db: Db, now: Date): Promise<TermsVersion[]> {
  return db('terms_versions').where('published_at', '<=', now).orderBy('published_at', 'desc');
}

/** A published version with its text in every language. */
export async function getTerms(db: Db, version: string, now: Date) {
  const row: TermsVersion | undefined = await db('terms_versions')
    .where({ version })
    .where('published_at', '<=', now)
    .first();
  if (!row) return undefined;
  const texts: { language: Language; title: string; body: string }[] = await db('terms_texts')
    .where({ version })
    .select('language', 'title', 'body');
  return { ...row, texts };
}

export async function recordAcceptance(
  db: Db,
  acceptance: Omit<TermsAcceptance, 'id' | 'accepted_at'> & { accepted_at?: Date },
): Promise<TermsAcceptance> {
  const [row] = await db('terms_acceptances').insert(acceptance).returning('*');
  return row as TermsAcceptance;
}

/**
 * A2, G9: the account's acceptances, newest first, a page at a time by keyset: the page after
 * `before` (the last one's accepted_at and id), each with the name of the user who accepted.
 */
export async function listAcceptances(
  db: Db,
  accountId: string,
  page: { limit: number; before?: { at: Date; id: string } },
): Promise<(TermsAcceptance & { user_name: string | null })[]> {
  const q = db('terms_acceptances as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('a.account_id', accountId)
    .orderBy([
      { column: 'a.accepted_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    .limit(page.limit)
    .select('a.*', 'u.name as user_name');
  if (page.before) q.whereRaw('(a.accepted_at, a.id) < (?, ?)', [page.before.at, page.before.id]);
  return q;
}

/** The acceptance that concluded an order or a case (L1). */
export async function acceptanceOf(
  db: Db,
  record: { orderId: string } | { lk: string },
): Promise<(TermsAcceptance & { user_name: string | null }) | undefined> {
  return db('terms_acceptances as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('orderId' in record ? { 'a.order_id': record.orderId } : { 'a.lk': record.lk })
    .first('a.*', 'u.name as user_name');
}

export async function acceptancesOfAccount(db: Db, accountId: string): Promise<TermsAcceptance[]> {
  return db('terms_acceptances').where({ account_id: accountId }).orderBy('accepted_at');
}
