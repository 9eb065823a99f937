import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDirectory } from '../../lib/directory';
import { createTestDatabase, testActivities, workflowBundle } from '../support/env';
import { timeSkippingEnvironment } from '../support/time-skipping';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  database = await createTestDatabase();
  env = await timeSkippingEnvironment();
  await createDirectory({ db: database.db, welcome: async () => {} }).createUser(
    { email: 'ts-finance@test.se', name: 'F', password: 'finance-pass-1', role: 'finance', language: 'en' },
    { actorType: 'system' },
  );
});
afterAll(async () => {
  await env.teardown();
  await database.drop();
});

it('M5: waits for closed books, reminding finance weekly, then computes the draft', async () => {
  const taskQueue = `settlement-${crypto.randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: testActivities(database.db, { smtp: false }),
  });
  await worker.runUntil(async () => {
    const year = 2000 + Math.floor(Math.random() * 100);
    const handle = await env.client.workflow.start('settlement', { workflowId: `settlement-${year}`, taskQueue, args: [{ year, by: 'schedule' }] });
    const reminders = () => database.db('outbox').where('idempotency_key', 'like', `settlement-${year}:books-reminder-%`).orderBy('created_at').pluck('idempotency_key');

    await env.sleep('6 days');
    await expect.poll(reminders).toEqual([]);
    await env.sleep('2 days');
    await expect.poll(reminders).toHaveLength(1);
    await env.sleep('14 days');
    await expect.poll(reminders).toHaveLength(3);

    const state = await handle.executeUpdate('closeBooks', { args: [{ by: 'finance-user' }] });
    expect(state).toMatchObject({ status: 'draft', booksClosedBy: 'finance-user', computedBy: 'finance-user' });
    await env.sleep('30 days');
    expect(await reminders()).toHaveLength(3);
    expect(await database.db('settlements').where({ year }).first()).toMatchObject({ status: 'draft', books_closed_by: 'finance-user' });
  });
});
