import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

/**
 * A time-skipping environment on a Java test server of its own: one per test file, so no file's
 * clock or leftover workflows (a timer firing with no worker left for its activities) can hold
 * time still for another. The server is the one `npm run provision` cached; it starts in seconds.
 */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('timeSkippingServer') } } });
}
