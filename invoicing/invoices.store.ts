import { dueDate, invoiceNumber, priceInvoice, type InvoiceLineInput } from '../domain/invoice';
import type { Currency } from '../domain/money';
import { invoiceOcr } from '../domain/ocr';
import { UNIQUE_VIOLATION, type Db } from '../platform/db';

export interface BookInvoice {
  /** The same key always yields the same invoice: a retried booking books once. */
  idempotencyKey: string;
  accountId: string;
  /** Invoice date, YYYY-MM-DD (Europe/Stockholm business date). */
  date: string;
  currency: Currency;
  lines: InvoiceLineInput[];
  reference?: string;
  revenueCategory?: string;
  /** T6: the date of supply, YYYY-MM-DD; the invoice date when the booking names none. */
  supplyDate?: string;
}

export interface InvoiceRow {
  id: string;
  number: string;
  year: number;
  sequence: number;
  account_id: string;
  invoice_date: string;
  due_date: string;
  currency: Currency;
  net_minor: number;
  vat_minor: number;
  total_minor: number;
  status: 'unpaid' | 'paid';
  paid_at: Date | null;
  reference: string | null;
  /** T6: Bankgirot OCR reference the customer pays with (domain/ocr.ts). */
  ocr: string;
  revenue_category: string | null;
  idempotency_key: string;
  /** T8: a credit note is an invoice row of its own kind in the same series. */
  kind: 'invoice' | 'credit_note';
  supply_date: string;
  credits_invoice_id: string | null;
  credit_reason: string | null;
  created_at: Date;
}

export interface InvoiceLineRow {
  position: number;
  description: string;
  quantity: number;
  unit_price_minor: number;
  net_minor: number;
  vat_percent: number;
  vat_minor: number;
  total_minor: number;
}

/**
 * Books an invoice with the next number of its year's series (T5 due date, T2 VAT per line).
 * The series row is locked for the transaction, so concurrent bookings queue up and a
 * rolled-back booking returns its number: the series has no gaps.
 */
export async function bookInvoice(db: Db, input: BookInvoice): Promise<InvoiceRow> {
  const priced = priceInvoice(input.currency, input.lines);
  const year = Number(input.date.slice(0, 4));
  const existing = await findByKey(db, input.idempotencyKey);
  if (existing) return existing;
  try {
    return await db.transaction(async (trx) => {
      const [series] = await trx
        .raw(
          `INSERT INTO invoice_series (year, last_sequence) VALUES (?, 1)
         ON CONFLICT (year) DO UPDATE SET last_sequence = invoice_series.last_sequence + 1
         RETURNING last_sequence`,
          [year],
        )
        .then((r: { rows: { last_sequence: number }[] }) => r.rows);
      const sequence = series!.last_sequence;
      const [invoice] = await trx('invoices')
        .insert({
          number: invoiceNumber(year, sequence),
          ocr: invoiceOcr(year, sequence),
          year,
          sequence,
          account_id: input.accountId,
          invoice_date: input.date,
          due_date: dueDate(input.date),
          supply_date: input.supplyDate ?? input.date,
          currency: input.currency,
          net_minor: priced.net.minor,
          vat_minor: priced.vat.minor,
          total_minor: priced.total.minor,
          reference: input.reference ?? null,
          revenue_category: input.revenueCategory ?? null,
          idempotency_key: input.idempotencyKey,
        })
        .returning('*');
      await trx('invoice_lines').insert(
        priced.lines.map((l, i) => ({
          invoice_id: invoice.id,
          position: i + 1,
          description: l.description,
          quantity: l.quantity,
          unit_price_minor: l.unitPrice.minor,
          net_minor: l.net.minor,
          vat_percent: l.vatPercent,
          vat_minor: l.vat.minor,
          total_minor: l.total.minor,
        })),
      );
      // T6: mailed once it is committed, by the mailing run (invoice-mail.activities.ts).
      await trx('invoice_mailings').insert({ invoice_id: invoice.id });
      return invoice as InvoiceRow;
    });
  } catch (err) {
    // A concurrent booking under the same key won the race; its invoice is the answer.
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      const winner = await findByKey(db, input.idempotencyKey);
      if (winner) return winner;
    }
    throw err;
  }
}

function findByKey(db: Db, key: string): Promise<InvoiceRow | undefined> {
  return db('invoices').where({ idempotency_key: key }).first();
}

export async function getInvoice(db: Db, id: string): Promise<(InvoiceRow & { lines: InvoiceLineRow[] }) | undefined> {
  const invoice = await db('invoices').where({ id }).first();
  if (!invoice) return undefined;
  const lines = await db('invoice_lines').where({ invoice_id: id }).orderBy('position');
  return { ...invoice, lines };
}

export async function listInvoices(
  db: Db,
  filter: { accountId?: string; status?: 'paid' | 'unpaid'; limit: number; offset: number },
): Promise<{ items: InvoiceRow[]; total: number }> {
  const base = db('invoices').modify((q) => {
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.status) q.where({ status: filter.status });
  });
  const [{ count }] = (await base.clone().count<{ count: string }[]>('* as count')) as [{ count: string }];
  const items = await base
    .clone()
    .orderBy([
      { column: 'year', order: 'desc' },
      { column: 'sequence', order: 'desc' },
    ])
    .limit(filter.limit)
    .offset(filter.offset);
  return { items, total: Number(count) };
}

/** Marks an invoice paid; returns false when it was already paid (nothing changes). */
export async function markInvoicePaid(db: Db, id: string, at: Date): Promise<boolean> {
  const updated = await db('invoices').where({ id, status: 'unpaid' }).update({ status: 'paid', paid_at: at });
  return updated === 1;
}
