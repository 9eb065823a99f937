import type { Currency } from '../domain/money';
import { UNIQUE_VIOLATION, type Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import type { BgMaxFile } from './bgmax';
import { openAmounts, settleInvoice, type InvoiceRow } from './invoices.store';
import { invoiceLateInterest } from './interest.store';
import { stockholmDate } from '../domain/calendar';

export interface PaymentRow {
  id: string;
  source: 'bgmax' | 'manual';
  invoice_id: string | null;
  currency: Currency;
  amount_minor: number;
  reference: string | null;
  payer: string | null;
  paid_on: string;
  bgmax_file_id: string | null;
  file_row: number | null;
  matched_at: Date | null;
  matched_by: string | null;
  created_at: Date;
}

/** T9: how a payment met its invoice: all that was open, part of it, more than it, or no invoice. */
export type PaymentOutcome = 'full' | 'partial' | 'over' | 'unmatched';

export interface ImportedPayment {
  paymentId: string;
  row: number;
  reference: string;
  amountMinor: number;
  outcome: PaymentOutcome;
  invoiceId: string | null;
  invoiceNumber: string | null;
}

/** Why a file or a match is refused; `code` is the API's. */
export class PaymentRefused extends Error {
  constructor(
    readonly code: 'already_imported' | 'not_found' | 'already_matched' | 'not_an_invoice' | 'currency_differs',
    message: string,
  ) {
    super(message);
  }
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

const outcomeOf = (amount: number, open: number): PaymentOutcome =>
  amount === open ? 'full' : amount < open ? 'partial' : 'over';

/**
 * T9: imports a BgMax file's payments in one transaction, once per file (its SHA-256). Each is
 * matched to the unpaid invoice whose OCR reference it gives, as a full, partial or over-payment
 * of what is open; one without such an invoice (an unknown reference, an invoice already settled,
 * another currency) waits unmatched for finance. Every payment is audited. Answers each payment's
 * outcome and the invoices that are now paid.
 */
export async function importBgMax(
  db: Db,
  file: BgMaxFile,
  meta: { sha256: string; actor: Actor },
): Promise<{ fileId: string; payments: ImportedPayment[]; paidInvoices: string[] }> {
  try {
    return await db.transaction(async (trx) => {
      const [stored] = await trx('bgmax_files')
        .insert({
          sha256: meta.sha256,
          bankgiro: file.bankgiro,
          written_at: file.writtenAt ? new Date(`${file.writtenAt}Z`) : null,
          payments: file.payments.length,
          row_errors: JSON.stringify(file.rowErrors),
          uploaded_by: meta.actor.actorId ?? null,
        })
        .returning('id');
      const fileId = (stored as { id: string }).id;
      const payments: ImportedPayment[] = [];
      const paidInvoices: string[] = [];
      for (const p of file.payments) {
        const invoice: InvoiceRow | undefined = p.reference
          ? await trx('invoices').where({ ocr: p.reference, kind: 'invoice' }).forUpdate().first()
          : undefined;
        const matches = invoice?.status === 'unpaid' && invoice.currency === file.currency;
        const open = matches ? (await openAmounts(trx, [invoice.id]))[0]!.openMinor : 0;
        const outcome: PaymentOutcome = matches ? outcomeOf(p.amountMinor, open) : 'unmatched';
        const [payment] = await trx('payments')
          .insert({
            source: 'bgmax',
            invoice_id: matches ? invoice.id : null,
            currency: file.currency,
            amount_minor: p.amountMinor,
            reference: p.reference || null,
            payer: [p.payerBankgiro && `bankgiro ${p.payerBankgiro}`, ...p.messages].filter(Boolean).join('; ') || null,
            paid_on: p.paidOn,
            bgmax_file_id: fileId,
            file_row: p.row,
            matched_at: matches ? trx.fn.now() : null,
            matched_by: matches ? 'bgmax' : null,
          })
          .returning('id');
        const paymentId = (payment as { id: string }).id;
        if (matches && (await settleInvoice(trx, invoice.id)) === 'paid') {
          paidInvoices.push(invoice.id);
          await invoiceLateInterest(trx, invoice.id, stockholmDate(new Date()), meta.actor);
        }
        await appendAudit(trx, {
          ...meta.actor,
          action: 'payment.received',
          objectType: 'payment',
          objectId: paymentId,
          details: {
            fileId,
            row: p.row,
            reference: p.reference,
            amountMinor: p.amountMinor,
            outcome,
            invoiceId: matches ? invoice.id : null,
            openMinor: matches ? open : null,
          },
        });
        payments.push({
          paymentId,
          row: p.row,
          reference: p.reference,
          amountMinor: p.amountMinor,
          outcome,
          invoiceId: matches ? invoice.id : null,
          invoiceNumber: matches ? invoice.number : null,
        });
      }
      return { fileId, payments, paidInvoices };
    });
  } catch (err) {
    if ((err as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION)
      throw new PaymentRefused('already_imported', 'This BgMax file has been imported already');
    throw err;
  }
}

/** T9: finance matches a waiting payment to an invoice by hand (audited); answers the invoice's new status. */
export async function matchPayment(
  db: Db,
  input: { paymentId: string; invoiceId: string; actor: Actor },
): Promise<{ payment: PaymentRow; invoice: InvoiceRow; outcome: PaymentOutcome }> {
  return db.transaction(async (trx) => {
    const payment: PaymentRow | undefined = await trx('payments').where({ id: input.paymentId }).forUpdate().first();
    if (!payment) throw new PaymentRefused('not_found', 'The payment was not found');
    if (payment.invoice_id) throw new PaymentRefused('already_matched', 'The payment is matched to an invoice already');
    const invoice: InvoiceRow | undefined = await trx('invoices').where({ id: input.invoiceId }).forUpdate().first();
    if (!invoice) throw new PaymentRefused('not_found', 'The invoice was not found');
    if (invoice.kind !== 'invoice')
      throw new PaymentRefused('not_an_invoice', `${invoice.number} is a credit note; a payment pays an invoice`);
    if (invoice.currency !== payment.currency)
      throw new PaymentRefused(
        'currency_differs',
        `${invoice.number} is in ${invoice.currency}, the payment in ${payment.currency}`,
      );
    const { openMinor } = (await openAmounts(trx, [invoice.id]))[0]!;
    const outcome = outcomeOf(Number(payment.amount_minor), openMinor);
    const [matched] = await trx('payments')
      .where({ id: payment.id })
      .update({ invoice_id: invoice.id, matched_at: trx.fn.now(), matched_by: input.actor.actorId ?? null })
      .returning('*');
    if ((await settleInvoice(trx, invoice.id)) === 'paid')
      await invoiceLateInterest(trx, invoice.id, stockholmDate(new Date()), input.actor);
    await appendAudit(trx, {
      ...input.actor,
      action: 'payment.matched',
      objectType: 'payment',
      objectId: payment.id,
      details: { invoiceId: invoice.id, amountMinor: Number(payment.amount_minor), openMinor, outcome },
    });
    return {
      payment: matched as PaymentRow,
      invoice: (await trx('invoices').where({ id: invoice.id }).first()) as InvoiceRow,
      outcome,
    };
  });
}

/** T9: the payments waiting for finance, oldest first, a page at a time by keyset (time, id). */
export async function unmatchedPayments(
  db: Db,
  page: { limit: number; after?: { at: Date; id: string } },
): Promise<PaymentRow[]> {
  return db('payments')
    .whereNull('invoice_id')
    .modify((q) => {
      // In milliseconds, as the cursor (a JavaScript Date) carries the time.
      if (page.after)
        q.whereRaw(`(date_trunc('milliseconds', created_at), id) > (?, ?::uuid)`, [page.after.at, page.after.id]);
    })
    .orderByRaw(`date_trunc('milliseconds', created_at), id`)
    .limit(page.limit);
}

/** T9: an invoice's payments, oldest first. */
export async function paymentsOf(db: Db, invoiceId: string): Promise<PaymentRow[]> {
  return db('payments')
    .where({ invoice_id: invoiceId })
    .orderBy([{ column: 'paid_on' }, { column: 'created_at' }]);
}
