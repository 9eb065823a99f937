import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../platform/config';
import { HANDLER_DIGEST_SCHEDULE_ID, handlerDigestWorkflow } from './digest.messages';
import { HANDLER_DIGEST_HOUR } from './cases.rules';

/**
 * Issue 18: every day at 07:00 Stockholm time, before the 08:00 reminders (L10), a
 * Schedule e-mails each handler the day's deadlines and the overdue cases (the activity
 * sends nothing on a day that is not a working day). Safe to call at
 * every start: an existing schedule is updated, never duplicated.
 */
export async function ensureHandlerDigestSchedule(client: Client, config: Config): Promise<void> {
  const spec = {
    calendars: [{ hour: HANDLER_DIGEST_HOUR, minute: 0 }],
    timezone: 'Europe/Stockholm',
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: handlerDigestWorkflow.workflowType,
    args: [],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  // A digest missed by more than a few hours is stale: the day's reminders have taken over.
  const policies = { overlap: 'SKIP' as const, catchupWindow: '3 hours' };
  try {
    await client.schedule.create({ scheduleId: HANDLER_DIGEST_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(HANDLER_DIGEST_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action, policies }));
  }
}
