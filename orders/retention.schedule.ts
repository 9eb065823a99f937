import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../platform/config';
import { DELIVERY_RETENTION_SCHEDULE_ID, deliveryRetentionWorkflow } from './retention.messages';

/**
 * G10: every night at 03:00 Stockholm time a Schedule removes the files of deliveries past
 * `lagringstid`. Safe to call at every start: an existing schedule is updated, never duplicated.
 */
export async function ensureDeliveryRetentionSchedule(client: Client, config: Config): Promise<void> {
  const spec = { calendars: [{ hour: 3, minute: 0 }], timezone: 'Europe/Stockholm' };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: deliveryRetentionWorkflow.workflowType,
    args: [],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  try {
    await client.schedule.create({ scheduleId: DELIVERY_RETENTION_SCHEDULE_ID, spec, action });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(DELIVERY_RETENTION_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action }));
  }
}
