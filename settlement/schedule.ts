import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { YEARLY_SETTLEMENT_SCHEDULE_ID, yearlySettlementWorkflow } from './settlement.messages';
import type { Config } from '../platform/config';

/**
 * M5: every January (day and time configurable, Helsinki time) a Schedule starts the
 * settlement of the previous year. Safe to call at every start: an existing schedule is
 * updated to the configured time, never duplicated.
 */
export async function ensureSettlementSchedule(client: Client, config: Config): Promise<void> {
  const [hour, minute] = config.SETTLEMENT_SCHEDULE_TIME.split(':').map(Number) as [number, number];
  const spec = {
    calendars: [{ month: 'JANUARY' as const, dayOfMonth: config.SETTLEMENT_SCHEDULE_DAY, hour, minute }],
    timezone: 'Europe/Helsinki',
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: yearlySettlementWorkflow.workflowType,
    args: [],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  try {
    await client.schedule.create({ scheduleId: YEARLY_SETTLEMENT_SCHEDULE_ID, spec, action });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(YEARLY_SETTLEMENT_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action }));
  }
}
