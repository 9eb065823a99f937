import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/** The benchmark's yardstick: as many activities as an order runs, one after another, and nothing else. */
export async function baseline(activities: number): Promise<void> {
  for (let i = 0; i < activities; i++) await noop();
}
