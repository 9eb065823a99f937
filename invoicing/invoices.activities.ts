import type { Db } from '../platform/db';
import { bookInvoice, creditInvoice, CreditRefused, type BookInvoice, type InvoiceRow } from './invoices.store';

export function createInvoiceActivities(deps: { db: Db; today: () => string }) {
  return {
    /** Books once per idempotency key; the date defaults to today's Stockholm business date. */
    async bookInvoice(input: Omit<BookInvoice, 'date'> & { date?: string }) {
      const invoice = await bookInvoice(deps.db, { ...input, date: input.date ?? deps.today() });
      return { id: invoice.id, number: invoice.number, totalMinor: invoice.total_minor, dueDate: invoice.due_date };
    },

    /**
     * T8: credits what is not yet credited on every invoice booked under keys starting with
     * `keyPrefix` (an L18 withdrawal: a planning case's add-ons). Each invoice's credit note has the
     * key `{invoice key}:credit`, so a retry credits nothing twice. Answers the credit notes' numbers.
     */
    async creditBookedInvoices(input: { keyPrefix: string; reason: string }): Promise<{ creditNotes: string[] }> {
      const invoices: InvoiceRow[] = await deps
        .db('invoices')
        .where('idempotency_key', 'like', `${input.keyPrefix.replace(/[\\%_]/g, '\\$&')}%`)
        .where({ kind: 'invoice' })
        .orderBy('sequence');
      const creditNotes: string[] = [];
      for (const invoice of invoices) {
        try {
          const { creditNote } = await creditInvoice(deps.db, {
            idempotencyKey: `${invoice.idempotency_key}:credit`,
            invoiceId: invoice.id,
            date: deps.today(),
            reason: input.reason,
          });
          creditNotes.push(creditNote.number);
        } catch (err) {
          // Finance credited it already, by hand: nothing is left to credit.
          if (!(err instanceof CreditRefused && err.code === 'already_credited')) throw err;
        }
      }
      return { creditNotes };
    },
  };
}

export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>;
