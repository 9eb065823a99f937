import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { acceptanceOf, currentTermsVersion, recordAcceptance, type TermsAcceptance } from './terms.store';

/**
 * L1, A2: the version a request accepts. It must be the version in force: an older one is a 409
 * `terms_version_stale` (the customer must read and accept the current one). A request that names
 * none accepts the current version (the API's older clients; the pages always name it).
 */
export async function termsToAccept(db: Db, named: string | undefined, now = new Date()): Promise<string> {
  const current = await currentTermsVersion(db, now);
  if (!current) throw new Error('No terms version is published');
  if (named !== undefined && named !== current.version)
    throw new ApiError(
      409,
      'terms_version_stale',
      `The terms in force are version ${current.version}, not ${named}; read and accept them at /api/v1/terms/current`,
      { current: current.version },
    );
  return current.version;
}

/** L1: records who accepted which terms for an order or a case (no user: a system account's), in the transaction that stores it. */
export function acceptFor(
  trx: Db,
  userId: string | null,
  version: string,
  record: { accountId: string } & ({ orderId: string } | { lk: string }),
): Promise<TermsAcceptance> {
  return recordAcceptance(trx, {
    terms_version: version,
    account_id: record.accountId,
    user_id: userId,
    concluded: 'orderId' in record ? 'order' : 'case',
    order_id: 'orderId' in record ? record.orderId : null,
    lk: 'lk' in record ? record.lk : null,
  });
}

/** How an order or case shows the acceptance that concluded it (L1). */
export async function presentAcceptance(db: Db, record: { orderId: string } | { lk: string }) {
  const a = await acceptanceOf(db, record);
  return a
    ? {
        termsVersion: a.terms_version,
        acceptedAt: a.accepted_at,
        userId: a.user_id,
        userName: a.user_name,
        termsUrl: `/api/v1/terms/${encodeURIComponent(a.terms_version)}`,
        ...(a.lk ? { lk: a.lk } : {}),
      }
    : null;
}
