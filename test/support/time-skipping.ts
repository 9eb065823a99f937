import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Db } from '../../platform/db';
import { createTestDatabase, workflowBundle } from './env';

/**
 * A time-skipping environment on a Java test server of its own: one per test file, so no file's
 * clock or leftover workflows (a timer firing with no worker left for its activities) can hold
 * time still for another. The server is the one `npm run provision` cached; it starts in seconds.
 */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('timeSkippingServer') } },
  });
}

/**
 * What a workflow test file runs on: a fresh test database, a time-skipping server of its own
 * and one worker on the workflow bundle, with the activities built over that database.
 * `stop` ends the worker, the server and the database, in that order.
 */
export async function workflowTestBed(taskQueue: string, activities: (db: Db) => object) {
  const database = await createTestDatabase();
  const env = await timeSkippingEnvironment();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: activities(database.db),
  });
  const running = worker.run();
  return {
    database,
    env,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
      await database.drop();
    },
  };
}
