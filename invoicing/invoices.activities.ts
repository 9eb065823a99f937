import type { Db } from '../platform/db';
import { bookInvoice, type BookInvoice } from './invoices.store';

export function createInvoiceActivities(deps: { db: Db; today: () => string }) {
  return {
    /** Books once per idempotency key; the date defaults to today's Stockholm business date. */
    async bookInvoice(input: Omit<BookInvoice, 'date'> & { date?: string }) {
      const invoice = await bookInvoice(deps.db, { ...input, date: input.date ?? deps.today() });
      return { id: invoice.id, number: invoice.number, totalMinor: invoice.total_minor, dueDate: invoice.due_date };
    },
  };
}

export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>;
