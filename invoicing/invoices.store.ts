import { dueDate, invoiceNumber, priceInvoice, type InvoiceLineInput, type PricedInvoice } from '../domain/invoice';
import { money, type Currency } from '../domain/money';
import { invoiceOcr } from '../domain/ocr';
import { stockholmDate } from '../domain/calendar';
import { keysetPage, UNIQUE_VIOLATION, type Db, type KeysetKey } from '../platform/db';

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
  status: 'unpaid' | 'paid' | 'credited';
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
  /** T7: on a late-payment interest invoice, the invoice it charges interest for. */
  interest_for_invoice_id: string | null;
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
  /** T8: on a credit note, the position of the invoice line it credits. */
  credits_position: number | null;
}

/**
 * Books an invoice with the next number of its year's series (T5 due date, T2 VAT per line).
 * The series row is locked for the transaction, so concurrent bookings queue up and a
 * rolled-back booking returns its number: the series has no gaps.
 */
export async function bookInvoice(db: Db, input: BookInvoice): Promise<InvoiceRow> {
  const priced = priceInvoice(input.currency, input.lines);
  return onceByKey(db, input.idempotencyKey, (trx) =>
    insertInvoice(trx, input.date, priced, {
      account_id: input.accountId,
      due_date: dueDate(input.date),
      supply_date: input.supplyDate ?? input.date,
      reference: input.reference ?? null,
      revenue_category: input.revenueCategory ?? null,
      idempotency_key: input.idempotencyKey,
    }),
  );
}

/** Runs a booking once per key: a retry, or a concurrent booking under the same key, gets the one invoice. */
async function onceByKey(db: Db, key: string, book: (trx: Db) => Promise<InvoiceRow>): Promise<InvoiceRow> {
  const existing = await findByKey(db, key);
  if (existing) return existing;
  try {
    return await db.transaction(book);
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      const winner = await findByKey(db, key);
      if (winner) return winner;
    }
    throw err;
  }
}

/** Takes the series' next number and inserts the invoice, its lines and its mailing (T6), in `trx`. */
async function insertInvoice(
  trx: Db,
  date: string,
  priced: PricedInvoice,
  fields: Partial<InvoiceRow> & Pick<InvoiceRow, 'account_id' | 'due_date' | 'supply_date' | 'idempotency_key'>,
  creditsPositions?: number[],
): Promise<InvoiceRow> {
  const year = Number(date.slice(0, 4));
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
      ...fields,
      number: invoiceNumber(year, sequence),
      ocr: invoiceOcr(year, sequence),
      year,
      sequence,
      invoice_date: date,
      currency: priced.currency,
      net_minor: priced.net.minor,
      vat_minor: priced.vat.minor,
      total_minor: priced.total.minor,
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
      credits_position: creditsPositions?.[i] ?? null,
    })),
  );
  // T6: mailed once it is committed, by the mailing run (invoice-mail.activities.ts).
  await trx('invoice_mailings').insert({ invoice_id: invoice.id });
  return invoice as InvoiceRow;
}

export interface CreditInvoice {
  /** The same key always yields the same credit note. */
  idempotencyKey: string;
  invoiceId: string;
  /** The credit note's date, YYYY-MM-DD. */
  date: string;
  /** The positions of the lines credited; all not yet credited when absent. */
  positions?: number[];
  reason: string;
}

/** Why a credit note cannot be made; `code` is the API's. */
export class CreditRefused extends Error {
  constructor(
    readonly code: 'not_found' | 'not_an_invoice' | 'unknown_line' | 'already_credited',
    message: string,
  ) {
    super(message);
  }
}

/**
 * T8: credits an invoice wholly or by lines with a credit note numbered in the same series: each
 * credited line again with its quantity and the unit price negated, so its VAT is the original's
 * negated (T2 rounds half away from zero). Each line is credited once; the invoice row is locked, so
 * two credits of one invoice queue up and the second sees the first's lines.
 */
export async function creditInvoice(
  db: Db,
  input: CreditInvoice,
): Promise<{ creditNote: InvoiceRow; invoice: InvoiceRow }> {
  const creditNote = await onceByKey(db, input.idempotencyKey, async (trx) => {
    const invoice: InvoiceRow | undefined = await trx('invoices').where({ id: input.invoiceId }).forUpdate().first();
    if (!invoice) throw new CreditRefused('not_found', 'The invoice was not found');
    if (invoice.kind !== 'invoice')
      throw new CreditRefused('not_an_invoice', `${invoice.number} is a credit note; only an invoice is credited`);
    const lines: InvoiceLineRow[] = await trx('invoice_lines').where({ invoice_id: invoice.id }).orderBy('position');
    const credited = new Set<number>(
      await trx('invoice_lines as l')
        .join('invoices as c', 'c.id', 'l.invoice_id')
        .where('c.credits_invoice_id', invoice.id)
        .pluck('l.credits_position'),
    );
    const positions = input.positions ?? lines.map((l) => l.position).filter((p) => !credited.has(p));
    const unknown = positions.filter((p) => !lines.some((l) => l.position === p));
    if (unknown.length > 0)
      throw new CreditRefused('unknown_line', `${invoice.number} has no line ${unknown.join(', ')}`);
    const again = positions.filter((p) => credited.has(p));
    if (again.length > 0 || positions.length === 0)
      throw new CreditRefused(
        'already_credited',
        again.length > 0
          ? `line ${again.join(', ')} of ${invoice.number} is already credited`
          : `${invoice.number} is already wholly credited`,
      );
    const chosen = [...new Set(positions)].sort((a, b) => a - b).map((p) => lines.find((l) => l.position === p)!);
    const priced = priceInvoice(
      invoice.currency,
      chosen.map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unitPrice: money(-l.unit_price_minor, invoice.currency),
        vatPercent: l.vat_percent,
      })),
    );
    const note = await insertInvoice(
      trx,
      input.date,
      priced,
      {
        kind: 'credit_note',
        account_id: invoice.account_id,
        due_date: input.date,
        supply_date: invoice.supply_date,
        reference: invoice.reference,
        revenue_category: invoice.revenue_category,
        credits_invoice_id: invoice.id,
        credit_reason: input.reason,
        idempotency_key: input.idempotencyKey,
        status: 'credited',
      },
      chosen.map((l) => l.position),
    );
    await settleInvoice(trx, invoice.id);
    return note;
  });
  const invoice = (await db('invoices').where({ id: creditNote.credits_invoice_id }).first()) as InvoiceRow;
  return { creditNote, invoice };
}

/**
 * T8, T9: an invoice's status follows from its credit notes and payments: `credited` when its credit
 * notes cover it, `paid` when payments cover what they leave open, else `unpaid`. Returns the status.
 */
export async function settleInvoice(trx: Db, invoiceId: string): Promise<InvoiceRow['status']> {
  const [row] = (
    await trx.raw(
      `SELECT i.total_minor, i.status,
              COALESCE((SELECT SUM(c.total_minor) FROM invoices c WHERE c.credits_invoice_id = i.id), 0) AS credited,
              COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.invoice_id = i.id), 0) AS paid
         FROM invoices i WHERE i.id = ?`,
      [invoiceId],
    )
  ).rows as { total_minor: number; status: InvoiceRow['status']; credited: string; paid: string }[];
  const total = Number(row!.total_minor);
  const afterCredits = total + Number(row!.credited);
  const status: InvoiceRow['status'] =
    afterCredits <= 0 && Number(row!.paid) === 0
      ? 'credited'
      : afterCredits - Number(row!.paid) <= 0
        ? 'paid'
        : 'unpaid';
  if (status !== row!.status)
    await trx('invoices')
      .where({ id: invoiceId })
      .update({ status, paid_at: status === 'paid' ? trx.fn.now() : null });
  return status;
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

/** Newest invoice number first (keyset, issue 20). */
export const INVOICE_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'year', kind: 'integer' },
  { column: 'sequence', kind: 'integer' },
];

export async function listInvoices(
  db: Db,
  filter: { accountId?: string; status?: InvoiceRow['status']; limit: number; after?: unknown[] },
): Promise<{ items: InvoiceRow[]; next: unknown[] | null }> {
  const query = db('invoices').modify((q) => {
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.status) q.where({ status: filter.status });
  });
  return keysetPage<InvoiceRow>(db, query, INVOICE_LIST_KEYS, 'desc', filter.limit, filter.after);
}

/**
 * Marks an invoice paid by hand (another channel than Bankgirot): a manual payment of what is open
 * (T9), so balances follow from payments alone. Returns false when it was not unpaid (nothing changes).
 */
export async function markInvoicePaid(db: Db, id: string, at: Date, by?: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const invoice: InvoiceRow | undefined = await trx('invoices').where({ id }).forUpdate().first();
    if (!invoice || invoice.status !== 'unpaid') return false;
    const [open] = await openAmounts(trx, [id]);
    await trx('payments').insert({
      source: 'manual',
      invoice_id: id,
      currency: invoice.currency,
      amount_minor: open!.openMinor,
      reference: invoice.ocr,
      paid_on: stockholmDate(at),
      matched_at: at,
      matched_by: by ?? null,
    });
    await settleInvoice(trx, id);
    return true;
  });
}

/** T8, T9: what is open on each invoice: its total less its credit notes and payments. */
export async function openAmounts(db: Db, ids: string[]): Promise<{ invoiceId: string; openMinor: number }[]> {
  if (ids.length === 0) return [];
  const rows: { id: string; open: string }[] = (
    await db.raw(
      `SELECT i.id,
              i.total_minor
              + COALESCE((SELECT SUM(c.total_minor) FROM invoices c WHERE c.credits_invoice_id = i.id), 0)
              - COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.invoice_id = i.id), 0) AS open
         FROM invoices i WHERE i.id = ANY(?::uuid[])`,
      [ids],
    )
  ).rows;
  return ids.map((id) => ({ invoiceId: id, openMinor: Number(rows.find((r) => r.id === id)?.open ?? 0) }));
}

export interface AccountBalance {
  currency: Currency;
  invoicedMinor: number;
  /** Credit notes, as a negative sum. */
  creditedMinor: number;
  paidMinor: number;
  /** What the account owes: invoiced + credited − paid; negative when it has paid more. */
  balanceMinor: number;
}

/** T8, T9: an account's balance per currency, from its invoices, credit notes and matched payments. */
export async function accountBalance(db: Db, accountId: string): Promise<AccountBalance[]> {
  const rows: { currency: Currency; invoiced: string; credited: string; paid: string }[] = (
    await db.raw(
      `SELECT currency, SUM(invoiced) AS invoiced, SUM(credited) AS credited, SUM(paid) AS paid FROM (
         SELECT currency,
                CASE WHEN kind = 'invoice' THEN total_minor ELSE 0 END AS invoiced,
                CASE WHEN kind = 'credit_note' THEN total_minor ELSE 0 END AS credited,
                0 AS paid
           FROM invoices WHERE account_id = ?
         UNION ALL
         SELECT p.currency, 0, 0, p.amount_minor
           FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.account_id = ?
       ) AS movements GROUP BY currency ORDER BY currency`,
      [accountId, accountId],
    )
  ).rows;
  return rows.map((r) => {
    const [invoicedMinor, creditedMinor, paidMinor] = [Number(r.invoiced), Number(r.credited), Number(r.paid)];
    return {
      currency: r.currency,
      invoicedMinor,
      creditedMinor,
      paidMinor,
      balanceMinor: invoicedMinor + creditedMinor - paidMinor,
    };
  });
}
