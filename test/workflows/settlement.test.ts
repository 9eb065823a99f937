import crypto from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importInput, listPayouts } from '../../settlement/settlement.store';
import { readInput, type InputType } from '../../settlement/rules/csv';
import { createDirectory } from '../../identity/directory.service';
import { createTestDatabase, mailTo, testActivities, workflowBundle } from '../support/env';
import { timeSkippingEnvironment } from '../support/time-skipping';
import {
  approveUpdate,
  closeBooksUpdate,
  settlementWorkflow,
  yearlySettlementWorkflow,
} from '../../settlement/settlement.messages';

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

/** The year's inputs, imported as finance would (the stores check them the same way). */
async function importInputs(year: number, suffix: string) {
  const file = (type: InputType, text: string) =>
    importInput(
      database.db,
      year,
      type,
      readInput(
        type,
        (async function* () {
          yield text;
        })(),
      ),
      'fin',
    );
  await file(
    'providers',
    `provider_id,name,business_id,iban,email,language\nkunta,Kunta,0112038-9,FI2112345600000785,kunta-${suffix}@test.fi,fi\nmml,MML,0112038-9,FI2112345600000785,mml-${suffix}@test.fi,en\n`,
  );
  await file(
    'map-material',
    `provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to\nkunta,k500,20000,500,1990-01-01,\nmml,topo,20000,20000,1990-01-01,\n`,
  );
  await file('revenue', 'category,amount\nusage_fee,100.00\n');
}

it('M5: waits for closed books with weekly reminders to finance, then draft, four-eyes approval (M6), payouts and provider e-mails over SMTP', async () => {
  const taskQueue = `settlement-${crypto.randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: testActivities(database.db),
  });
  await worker.runUntil(async () => {
    const year = 2000 + Math.floor(Math.random() * 100);
    const suffix = crypto.randomUUID().slice(0, 8);
    await importInputs(year, suffix);
    const handle = await env.client.workflow.start(settlementWorkflow.workflowType, {
      workflowId: settlementWorkflow.workflowId(year),
      taskQueue,
      args: [{ year, by: 'schedule' }],
    });
    const reminders = () =>
      database
        .db('outbox')
        .where('idempotency_key', 'like', `settlement-${year}:books-reminder-%`)
        .orderBy('created_at')
        .pluck('idempotency_key');

    await env.sleep('6 days');
    await expect.poll(reminders).toEqual([]);
    await env.sleep('2 days');
    await expect.poll(reminders).toHaveLength(1);
    await env.sleep('14 days');
    await expect.poll(reminders).toHaveLength(3);

    const state = await handle.executeUpdate(closeBooksUpdate, { args: [{ by: 'finance-user' }] });
    expect(state).toMatchObject({ status: 'draft', booksClosedBy: 'finance-user', computedBy: 'finance-user' });
    await env.sleep('30 days');
    expect(await reminders()).toHaveLength(3);
    expect(await database.db('settlements').where({ year }).first()).toMatchObject({
      status: 'draft',
      books_closed_by: 'finance-user',
    });

    // Four eyes: whoever computed the draft cannot approve it.
    const refused = await handle
      .executeUpdate(approveUpdate, { args: [{ by: 'finance-user' }] })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'four_eyes' });
    expect(await handle.executeUpdate(approveUpdate, { args: [{ by: 'second-user' }] })).toMatchObject({
      status: 'approved',
      version: 1,
    });

    // M2: 20 000 km² at 1:500 weighs 40, at 1:20 000 weighs 1 → 100 EUR splits 40 : 1.
    expect(await listPayouts(database.db, year, 1)).toMatchObject([
      { provider_id: 'kunta', amount_cents: 9756 },
      { provider_id: 'mml', amount_cents: 244 },
    ]);
    const [fi] = await mailTo(`kunta-${suffix}@test.fi`);
    expect(fi!.text).toContain('97.56');
    const [en] = await mailTo(`mml-${suffix}@test.fi`);
    expect(en!.subject).toBe(`Usage fees ${year}: statement for MML`);
  });
});

it('M5: the January run settles the previous year (Helsinki time), and leaves a year already started alone', async () => {
  const taskQueue = `settlement-${crypto.randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: testActivities(database.db, { smtp: false }),
  });
  await worker.runUntil(async () => {
    // The time-skipping server's clock, which the earlier test has moved on.
    const now = new Date(await env.currentTimeMs());
    const previous =
      Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Helsinki', year: 'numeric' }).format(now)) - 1;
    const run = () =>
      env.client.workflow.execute(yearlySettlementWorkflow.workflowType, {
        workflowId: `yearly-${crypto.randomUUID()}`,
        taskQueue,
      });
    expect(await run()).toBe(previous);
    expect(await run()).toBe(previous);
    const described = await env.client.workflow.getHandle(`settlement-${previous}`).describe();
    expect(described.status.name).toBe('RUNNING');
  });
});
