import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_OWNERS, seedNetworkOwners } from '../../cli/demo-network-owners';
import { addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';
import { handlingDeadlineDate, handlingSchedule } from '../../domain/cases';
import { registerCase } from '../../db/stores/cases';
import { createDirectory } from '../../lib/directory';
import type { CaseInput } from '../../workflows/case';
import { createTestDatabase, testActivities, workflowBundle } from '../support/env';
import { timeSkippingEnvironment } from '../support/time-skipping';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let accountId: string;
const taskQueue = `cases-${crypto.randomUUID()}`;
const owners = DEMO_NETWORK_OWNERS.slice(0, 2);

beforeAll(async () => {
  database = await createTestDatabase();
  env = await timeSkippingEnvironment();
  await seedNetworkOwners(database.db);
  const directory = createDirectory({ db: database.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (await directory.createAccount({ kind: 'organisation', name: 'Tidig AB', email: 'tidig@test.se', organisationNumber: '556222-3333', language: 'en' }, actor)).id;
  await directory.createUser({ email: 'ts-handler@test.se', name: 'H', password: 'handler-pass-1', role: 'handler', language: 'en' }, actor);
  await directory.createUser({ email: 'ts-admin@test.se', name: 'A', password: 'admin-pass-12', role: 'admin', language: 'en' }, actor);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: testActivities(database.db),
  });
  running = worker.run();
});
afterAll(async () => {
  worker.shutdown();
  await running;
  await env.teardown();
  await database.drop();
});

/** Registers a case as the API does, on the test server's clock. */
async function startCase(kind: CaseInput['kind'] = 'locate') {
  const now = new Date(await env.currentTimeMs());
  const orderTime = orderTimeOf(now);
  const digStart = addWorkingDays(orderTime, 3);
  const deadline = handlingDeadlineDate(orderTime, digStart);
  const lk = await registerCase(
    database.db,
    { kind, account_id: accountId, work_area: owners[0]!.coverage, area_m2: 1, registered_at: now, order_time: orderTime, handling_deadline: deadline, dig_start: digStart, desired_locate_date: null, express: false },
    owners.map((o) => o.id),
    async (lk) => {
      await env.client.workflow.start('locateCase', {
        workflowId: lk,
        taskQueue,
        args: [{ lk, kind, accountId, questioner: { name: 'Q', email: 'tidig@test.se', language: 'en' }, registeredAt: now.getTime(), orderTime, handlingDeadline: deadline, digStart, desiredLocateDate: null, express: false, owners: owners.map((o) => ({ id: o.id, name: o.name, mode: o.mode })), publicUrl: 'http://x' } satisfies CaseInput],
      });
    },
  );
  return { lk, deadline, handle: env.client.workflow.getHandle(lk) };
}

const outboxKeys = async (lk: string) => (await database.db('outbox').where('idempotency_key', 'like', `${lk}:%`).orderBy('created_at')).map((m) => m.idempotency_key.replace(`${lk}:`, '').replace(/:[0-9a-f-]{36}$/, ''));

describe('L10: handling deadline', () => {
  it('L10: reminds handlers on the deadline morning and two hours before, then escalates and flags the case overdue', async () => {
    const { lk, deadline } = await startCase();
    const schedule = handlingSchedule(deadline);
    const skipTo = async (at: Date) => env.sleep(Math.max(0, at.getTime() - (await env.currentTimeMs())));

    await skipTo(new Date(schedule.morningReminder.getTime() - 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation']);
    await skipTo(new Date(schedule.morningReminder.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', 'reminder-morning']);
    await skipTo(new Date(schedule.lastReminder.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', 'reminder-morning', 'reminder-two-hours']);
    expect((await database.db('cases').where({ lk }).first()).overdue).toBe(false);

    await skipTo(new Date(schedule.due.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', 'reminder-morning', 'reminder-two-hours', 'escalation']);
    const escalation = await database.db('outbox').where('idempotency_key', 'like', `${lk}:escalation:%`).first();
    expect(escalation.to_address).toBe('ts-admin@test.se');
    expect(escalation.subject).toBe(`Overdue case ${lk}`);
    await expect.poll(async () => (await database.db('cases').where({ lk }).first()).overdue).toBe(true);
  });

  it('L10: a case answered before the deadline gets no reminder and no escalation', async () => {
    const { lk, deadline, handle } = await startCase();
    for (const o of owners) await handle.executeUpdate('answer', { args: [{ ownerId: o.id, answer: 'no_infrastructure', by: 'h' }] });
    const { due } = handlingSchedule(deadline);
    await env.sleep(due.getTime() + 3_600_000 - (await env.currentTimeMs()));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', 'answers']);
    await expect.poll(() => database.db('cases').where({ lk }).first()).toMatchObject({ status: 'answered', overdue: false });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
