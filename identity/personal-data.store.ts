import type { Db } from '../platform/db';

/**
 * L8: what is stored about the person behind an account, and its erasure. Cases, orders,
 * agreements and invoices stay (bookkeeping and the record of answers given require them) but
 * point to an anonymised account; what names or reaches the person is overwritten.
 */
export async function personalDataOf(db: Db, accountId: string) {
  const account = await db('accounts').where({ id: accountId }).first();
  const users = await db('users')
    .where({ account_id: accountId })
    .orderBy('created_at')
    .select('id', 'email', 'name', 'role', 'account_role', 'language', 'created_at');
  const cases = await db('cases')
    .where({ account_id: accountId })
    .orderBy('registered_at')
    .select(
      'lk',
      'kind',
      'status',
      'registered_at',
      'order_time',
      'dig_start',
      'desired_locate_date',
      'locate_date',
      'work_area',
      'area_m2',
    );
  const orders = await db('orders')
    .where({ account_id: accountId })
    .orderBy('placed_at')
    .select('id', 'product_id', 'status', 'placed_at', 'selection', 'area_m2', 'permitted_use');
  const agreements = await db('agreements')
    .where({ account_id: accountId })
    .orderBy('valid_from')
    .select('id', 'product_id', 'permitted_use', 'valid_from', 'valid_to', 'order_id');
  const invoices = await db('invoices')
    .where({ account_id: accountId })
    .orderBy('number')
    .select('number', 'invoice_date', 'due_date', 'currency', 'total_minor', 'status');
  const emails = await db('outbox')
    .where({ account_id: accountId })
    .orderBy('created_at')
    .select('to_address', 'subject', 'status', 'created_at', 'sent_at');
  const complaints = await db('case_complaints as k')
    .join('cases as c', 'c.lk', 'k.lk')
    .where('c.account_id', accountId)
    .orderBy('k.filed_at')
    .select('k.lk', 'k.text', 'k.filed_at', 'k.response');
  // A2, L1: every acceptance of the terms, by whom and what it concluded.
  const termsAcceptances = await db('terms_acceptances')
    .where({ account_id: accountId })
    .orderBy('accepted_at')
    .select('terms_version', 'accepted_at', 'user_id', 'concluded', 'order_id', 'lk');
  return { account, users, cases, orders, agreements, invoices, emails, complaints, termsAcceptances };
}

/** The account's open business by id: its orders and cases (their workflows may still run). */
/** L8: the numbers of the account's unpaid invoices (a legal claim keeps the person's data). */
export async function unpaidInvoicesOf(db: Db, accountId: string): Promise<string[]> {
  return db('invoices').where({ account_id: accountId, status: 'unpaid' }).pluck('number');
}

/** Overwrites what identifies or reaches the person, in one transaction. */
export async function anonymiseAccount(db: Db, accountId: string, unusablePasswordHash: string): Promise<void> {
  await db.transaction(async (trx) => {
    const now = trx.fn.now();
    await trx('accounts')
      .where({ id: accountId })
      .update({
        name: 'Raderad',
        email: `raderad-${accountId}@invalid`,
        birth_date: null,
        organisation_number: null,
        erased_at: now,
        restricted_at: now,
        restriction_reason: 'erased (L8)',
      });
    const users: { id: string }[] = await trx('users').where({ account_id: accountId }).select('id');
    for (const u of users) {
      await trx('users')
        .where({ id: u.id })
        .update({ email: `raderad-${u.id}@invalid`, name: 'Raderad', password_hash: unusablePasswordHash });
      await trx('access_tokens').where({ user_id: u.id }).delete();
    }
    // A4: no link or second factor may open an erased user again (a reset link would set a password).
    const userIds = trx('users').where({ account_id: accountId }).select('id');
    await trx('user_links').whereIn('user_id', userIds).delete();
    await trx('user_recovery_codes').whereIn('user_id', userIds).delete();
    await trx('users')
      .where({ account_id: accountId })
      .update({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null });
    await trx('system_accounts').where({ account_id: accountId }).whereNull('revoked_at').update({ revoked_at: now });
    await trx('outbox')
      .where({ account_id: accountId })
      .update({ to_address: 'raderad@invalid', subject: '(raderat)', html: '', text: '' });
    await trx('case_complaints')
      .whereIn('lk', trx('cases').where({ account_id: accountId }).select('lk'))
      .update({ text: '(raderat)' });
  });
}
