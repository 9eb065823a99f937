import type { SubscriptionStatus, UnpaidInvoice } from './subscriptions.rules';
import type { Db } from '../platform/db';

export interface SubscriptionRow {
  order_id: string;
  status: SubscriptionStatus;
  term: number;
  term_start: Date;
  term_end: Date;
  cancelled_by: string | null;
  terminated_by: string | null;
  terminated_reason: string | null;
  last_delivery_id: string | null;
  last_data_version: number | null;
  unpaid_invoices: UnpaidInvoice[];
  updated_at: Date;
}

export type SubscriptionSnapshot = Omit<SubscriptionRow, 'updated_at' | 'term_start' | 'term_end'> & {
  term_start: number;
  term_end: number;
  /** G4, G8: the end-use agreement lasts as long as the subscription. */
  agreement_valid_to: string;
};

/** The workflow's state as of now; the workflow records its snapshots one after another, so the last one wins. */
export async function saveSubscription(db: Db, snapshot: SubscriptionSnapshot): Promise<void> {
  const { agreement_valid_to, ...s } = snapshot;
  const row = {
    ...s,
    term_start: new Date(s.term_start),
    term_end: new Date(s.term_end),
    unpaid_invoices: JSON.stringify(s.unpaid_invoices),
    updated_at: db.fn.now(),
  };
  await db.transaction(async (trx) => {
    await trx('subscriptions').insert(row).onConflict('order_id').merge();
    await trx('agreements').where({ order_id: s.order_id }).update({ valid_to: agreement_valid_to });
  });
}

export async function getSubscription(db: Db, orderId: string): Promise<SubscriptionRow | undefined> {
  return db('subscriptions').where({ order_id: orderId }).first();
}

/** Once per term: its dates and its annual invoice. */
export async function saveSubscriptionTerm(
  db: Db,
  term: { orderId: string; term: number; startsAt: number; endsAt: number; invoiceId: string },
): Promise<void> {
  await db('subscription_terms')
    .insert({
      order_id: term.orderId,
      term: term.term,
      starts_at: new Date(term.startsAt),
      ends_at: new Date(term.endsAt),
      invoice_id: term.invoiceId,
    })
    .onConflict(['order_id', 'term'])
    .ignore();
}

/** The subscription an annual invoice belongs to, if any. */
export async function subscriptionOfInvoice(db: Db, invoiceId: string): Promise<string | undefined> {
  return (await db('subscription_terms').where({ invoice_id: invoiceId }).first('order_id'))?.order_id;
}

export interface SubscriptionRun {
  orderId: string;
  term: number;
  run: number;
  scheduledAt: number;
  outcome: 'started' | 'skipped';
  deliveryId: string | null;
  reason: string | null;
}

/** Once per scheduled run of a fixed-interval subscription, also when it was skipped. */
export async function saveSubscriptionRun(db: Db, r: SubscriptionRun): Promise<void> {
  await db('subscription_runs')
    .insert({
      order_id: r.orderId,
      term: r.term,
      run: r.run,
      scheduled_at: new Date(r.scheduledAt),
      outcome: r.outcome,
      delivery_id: r.deliveryId,
      reason: r.reason,
    })
    .onConflict(['order_id', 'term', 'run'])
    .ignore();
}

export async function subscriptionRuns(db: Db, orderId: string) {
  return db('subscription_runs').where({ order_id: orderId }).orderBy(['term', 'run']);
}

/** L8: the ids of the account's subscription orders. */
export async function subscriptionOrdersOfAccount(db: Db, accountId: string): Promise<string[]> {
  return db('orders').where({ account_id: accountId, subscription: true }).pluck('id');
}
