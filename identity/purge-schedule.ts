import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../platform/config';
import { PURGE_SCHEDULE_ID, purgeExpiredWorkflow } from './purge.messages';

/**
 * Every hour a Schedule starts the purge of expired access tokens and old idempotency keys.
 * Safe to call at every start: an existing schedule is updated, never duplicated.
 */
export async function ensurePurgeSchedule(client: Client, config: Config): Promise<void> {
  const spec = { intervals: [{ every: '1 hour' }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: purgeExpiredWorkflow.workflowType,
    args: [{ idempotencyKeyTtlHours: config.IDEMPOTENCY_KEY_TTL_HOURS }],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  // A run left over from a missed hour does the same work as the next; only the latest counts.
  const policies = { overlap: 'SKIP' as const, catchupWindow: '1 hour' };
  try {
    await client.schedule.create({ scheduleId: PURGE_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(PURGE_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action, policies }));
  }
}
