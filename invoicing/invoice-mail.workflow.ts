import { activityProxies } from '../platform/temporal/proxies';
import type { InvoiceMailResult } from './invoice-mail.messages';
import type { InvoiceMailActivities } from './invoice-mail.activities';

const { acts } = activityProxies<InvoiceMailActivities>();

/** Started by the invoice-mail Schedule: one step, safe to repeat (each invoice and recipient is mailed once). */
export async function invoiceMail(): Promise<InvoiceMailResult> {
  return acts.mailWaitingInvoices();
}
