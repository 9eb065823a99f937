import type { Db } from '../platform/db';
import type { Logger } from '../platform/logger';
import type { Mailer } from '../platform/outbox/email.activities';
import { invoiceRecipients } from '../identity/account-users.service';
import { money } from '../domain/money';
import { getInvoice } from './invoices.store';
import { invoiceDocument, type Seller } from './invoice-document';
import type { InvoiceMailResult } from './invoice-mail.messages';

/**
 * T6: every booked invoice (and credit note, T8) is e-mailed with its PDF to the account's invoice
 * recipients (A3), once. Booking queues it in invoice_mailings in the booking's transaction; this
 * run takes each waiting one under a row lock (SKIP LOCKED: two runs never take the same), puts one
 * message per recipient in the outbox under a key of invoice and address, and marks it mailed.
 * A run that dies mid-send leaves it waiting; the next finds the messages already recorded (and
 * those already sent are not sent again).
 */
export function createInvoiceMailActivities(deps: { db: Db; seller: Seller; send: Mailer; log: Logger }) {
  const mailOne = async (invoiceId: string) => {
    const invoice = (await getInvoice(deps.db, invoiceId))!;
    const pdf = await invoiceDocument(deps.db, deps.seller, invoice);
    const credited = invoice.credits_invoice_id ? await getInvoice(deps.db, invoice.credits_invoice_id) : undefined;
    for (const to of await invoiceRecipients(deps.db, invoice.account_id))
      await deps.send(
        {
          key: `invoice:${invoice.id}:${to.email.toLowerCase()}`,
          template: 'invoice',
          locale: to.language,
          to: to.email,
          accountId: invoice.account_id,
          data: {
            name: to.name,
            number: invoice.number,
            creditNote: invoice.kind === 'credit_note',
            credits: credited?.number ?? null,
            total: money(Math.abs(invoice.total_minor), invoice.currency),
            dueDate: invoice.due_date,
            ocr: invoice.ocr,
            bankgiro: deps.seller.bankgiro,
            seller: deps.seller.name,
          },
        },
        [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf }],
      );
  };

  return {
    async mailWaitingInvoices(): Promise<InvoiceMailResult> {
      const startedAt = new Date();
      const result = { mailed: 0, failed: 0 };
      for (;;) {
        const took = await deps.db.transaction(async (trx) => {
          // Only what waited before this run: a failed invoice goes to the back and waits for the next run.
          const waiting: { invoice_id: string } | undefined = await trx('invoice_mailings')
            .whereNull('mailed_at')
            .where('queued_at', '<=', startedAt)
            .orderBy('queued_at')
            .forUpdate()
            .skipLocked()
            .first('invoice_id');
          if (!waiting) return false;
          try {
            await mailOne(waiting.invoice_id);
            await trx('invoice_mailings')
              .where(waiting)
              .update({ mailed_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: null });
            result.mailed += 1;
          } catch (err) {
            deps.log.warn({ err, invoiceId: waiting.invoice_id }, 'invoice mail failed; the next run retries');
            await trx('invoice_mailings')
              .where(waiting)
              .update({ queued_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: String(err) });
            result.failed += 1;
          }
          return true;
        });
        if (!took) return result;
      }
    },
  };
}

export type InvoiceMailActivities = ReturnType<typeof createInvoiceMailActivities>;
