import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../platform/config';
import { INVOICE_MAIL_SCHEDULE_ID, invoiceMailWorkflow } from './invoice-mail.messages';

/**
 * T6: every minute a Schedule starts the mailing of booked invoices. Safe to call at every start:
 * an existing schedule is updated, never duplicated.
 */
export async function ensureInvoiceMailSchedule(client: Client, config: Config): Promise<void> {
  const spec = { intervals: [{ every: '1 minute' }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: invoiceMailWorkflow.workflowType,
    args: [] as [],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  // A run still busy makes the next one needless: it takes up what is waiting when it gets there.
  const policies = { overlap: 'SKIP' as const, catchupWindow: '1 minute' };
  try {
    await client.schedule.create({ scheduleId: INVOICE_MAIL_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(INVOICE_MAIL_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action, policies }));
  }
}
