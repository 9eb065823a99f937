import { defineWorkflow } from '../platform/temporal/contract';

export interface InvoiceMailResult {
  mailed: number;
  failed: number;
}

/** The Schedule that starts the mailing of booked invoices every minute (one per namespace). */
export const INVOICE_MAIL_SCHEDULE_ID = 'invoice-mail';

/** T6: puts every booked invoice not yet mailed in the outbox with its PDF; started by INVOICE_MAIL_SCHEDULE_ID. */
export const invoiceMailWorkflow = defineWorkflow<[], InvoiceMailResult>()(
  'invoiceMail',
  (at: string) => `invoice-mail-${at}`,
);
