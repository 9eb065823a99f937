import { lateInterest, MissingReferenceRate, type ReferenceRate } from '../domain/interest';
import { UNIQUE_VIOLATION, type Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { getAccount } from '../identity/accounts.store';
import { bookInvoice, type InvoiceRow } from './invoices.store';

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

export async function listReferenceRates(db: Db): Promise<(ReferenceRate & { createdBy: string | null })[]> {
  const rows: { valid_from: string; basis_points: number; created_by: string | null }[] = await db(
    'reference_rates',
  ).orderBy('valid_from', 'desc');
  return rows.map((r) => ({ validFrom: r.valid_from, basisPoints: r.basis_points, createdBy: r.created_by }));
}

export class RateExists extends Error {}

/** T7: a new version of the reference rate; a version once entered is kept as it is (interest was charged by it). */
export async function addReferenceRate(db: Db, rate: ReferenceRate, by: string): Promise<void> {
  try {
    await db('reference_rates').insert({ valid_from: rate.validFrom, basis_points: rate.basisPoints, created_by: by });
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION)
      throw new RateExists(`a reference rate from ${rate.validFrom} is entered already`);
    throw err;
  }
}

const TEXT = {
  sv: (n: string, days: number) => `Dröjsmålsränta enligt räntelagen, faktura ${n}, ${days} dagar`,
  en: (n: string, days: number) => `Late-payment interest under the Interest Act, invoice ${n}, ${days} days`,
};

/**
 * T7: when an invoice is paid after its due date through Bankgirot, its late-payment interest is
 * invoiced on an invoice of its own (no VAT: interest is outside its scope), once (key
 * `interest:{invoiceId}`). The debt is the invoice less its credit notes; the days and rates follow
 * from its payments (domain/interest.ts). An invoice also paid by hand is not charged: a manual
 * payment's date is when finance marked it, not when the money came. Without a reference rate for
 * a day, nothing is charged and the audit log says why.
 */
export async function invoiceLateInterest(
  db: Db,
  invoiceId: string,
  today: string,
  actor: Actor,
): Promise<InvoiceRow | null> {
  const invoice: InvoiceRow | undefined = await db('invoices').where({ id: invoiceId }).first();
  if (!invoice || invoice.kind !== 'invoice' || invoice.interest_for_invoice_id) return null;
  const payments: { source: string; paid_on: string; amount_minor: string }[] = await db('payments').where({
    invoice_id: invoiceId,
  });
  if (payments.length === 0 || payments.some((p) => p.source !== 'bgmax')) return null;
  const credited = Number(
    (await db('invoices').where({ credits_invoice_id: invoiceId }).sum({ s: 'total_minor' }).first())?.s ?? 0,
  );
  const rates = await listReferenceRates(db);
  let interest;
  try {
    interest = lateInterest({
      debtMinor: Number(invoice.total_minor) + credited,
      dueDate: invoice.due_date,
      payments: payments.map((p) => ({ paidOn: p.paid_on, amountMinor: Number(p.amount_minor) })),
      rates,
    });
  } catch (err) {
    if (!(err instanceof MissingReferenceRate)) throw err;
    await appendAudit(db, {
      ...actor,
      action: 'invoice.interest_not_invoiced',
      objectType: 'invoice',
      objectId: invoiceId,
      details: { reason: err.message },
    });
    return null;
  }
  if (interest.interestMinor <= 0) return null;
  const account = await getAccount(db, invoice.account_id);
  const booked = await bookInvoice(db, {
    idempotencyKey: `interest:${invoiceId}`,
    accountId: invoice.account_id,
    date: today,
    currency: invoice.currency,
    reference: invoice.number,
    revenueCategory: invoice.revenue_category ?? undefined,
    lines: [
      {
        description: TEXT[account?.language ?? 'sv'](invoice.number, interest.days),
        quantity: 1,
        unitPrice: { minor: interest.interestMinor, currency: invoice.currency },
        vatPercent: 0,
      },
    ],
  });
  await db('invoices').where({ id: booked.id }).update({ interest_for_invoice_id: invoiceId });
  await appendAudit(db, {
    ...actor,
    action: 'invoice.interest_invoiced',
    objectType: 'invoice',
    objectId: invoiceId,
    details: { interestInvoiceId: booked.id, interestMinor: interest.interestMinor, periods: interest.periods },
  });
  return { ...booked, interest_for_invoice_id: invoiceId };
}
