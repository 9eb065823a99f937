/**
 * Issue 15 (A6): no workflow retries for ever a step whose input the database refuses. One
 * workflow of each kind is started with input that reaches an activity the database refuses
 * (as if the API's validation had let it through): the step is not retried, the workflow fails
 * visibly (its state query shows why) and admins are alerted by e-mail.
 */
import crypto from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../domain/money';
import { complaintWorkflow } from '../../cases/complaint.messages';
import { createDirectory } from '../../identity/directory.service';
import { welcomeUserWorkflow } from '../../identity/welcome-user.messages';
import {
  subscriptionStateQuery,
  subscriptionWorkflow,
  type SubscriptionInput,
} from '../../orders/subscription.messages';
import { INPUT_REFUSED } from '../../platform/temporal/refusal';
import { settlementStateQuery, settlementWorkflow } from '../../settlement/settlement.messages';
import { testActivities } from '../support/env';
import { workflowTestBed } from '../support/time-skipping';

const taskQueue = `bad-input-${crypto.randomBytes(4).toString('hex')}`;
let bed: Awaited<ReturnType<typeof workflowTestBed>>;
let attempts = 0;

beforeAll(async () => {
  bed = await workflowTestBed(taskQueue, (db) => {
    const activities = testActivities(db, { smtp: false });
    // Counts the attempts of every step, to show a refused one is tried once.
    return Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        (...args: unknown[]) => {
          attempts += 1;
          return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      ]),
    );
  });
  const directory = createDirectory({ db: bed.database.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  await directory.createUser(
    { email: 'wf-admin@test.se', name: 'A', password: 'wf-admin-pass-1', role: 'admin' },
    actor,
  );
  await directory.createUser(
    { email: 'wf-handler@test.se', name: 'H', password: 'wf-handler-pass-1', role: 'handler' },
    actor,
  );
}, 120_000);
afterAll(() => bed?.stop());

/** The failure a workflow ended with: a non-retryable input_refused ApplicationFailure. */
async function failure(result: Promise<unknown>) {
  const err = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as { type?: string; nonRetryable?: boolean; message: string };
  expect(cause).toMatchObject({ type: INPUT_REFUSED, nonRetryable: true });
  return cause.message;
}

/** The alert to the admin under the workflow's id. */
const alert = (workflowId: string) =>
  bed.database
    .db('outbox')
    .where('idempotency_key', 'like', `${workflowId}:input-refused:%`)
    .select('to_address', 'subject');

const start = <A extends unknown[]>(workflowType: string, workflowId: string, args: A) =>
  bed.env.client.workflow.start(workflowType, { workflowId, taskQueue, args });

describe('a step that fails on its input fails its workflow visibly and alerts admins, once', () => {
  it('welcomeUser: a name with U+0000 (the welcome e-mail cannot be stored)', async () => {
    const id = welcomeUserWorkflow.workflowId(crypto.randomUUID());
    const before = attempts;
    const handle = await start(welcomeUserWorkflow.workflowType, id, [
      { userId: 'u', accountId: null, email: 'x@test.se', name: 'Nul\u0000', language: 'en', signInUrl: 'http://x' },
    ]);
    expect(await failure(handle.result())).toContain('failed on its input');
    expect(await alert(id)).toEqual([
      { to_address: 'wf-admin@test.se', subject: expect.stringContaining(`welcomeUser ${id}`) },
    ]);
    expect(attempts - before).toBe(2); // the refused e-mail once, the alert once
  });

  it('caseComplaint: a complaint text with U+0000 (the handlers’ e-mail cannot be stored)', async () => {
    const complaintId = crypto.randomUUID();
    const id = complaintWorkflow.workflowId(complaintId);
    const handle = await start(complaintWorkflow.workflowType, id, [
      {
        complaintId,
        lk: 'LK-2031-000001',
        accountId: crypto.randomUUID(),
        text: 'Fel\u0000',
        questioner: { name: 'Q', email: 'q@test.se', language: 'sv' },
      },
    ]);
    await failure(handle.result());
    expect(await alert(id)).toHaveLength(1);
  });

  it('settlement: an actor id with U+0000 (the audit entry cannot be stored); the state query shows the failure', async () => {
    const id = settlementWorkflow.workflowId(2031);
    const handle = await start(settlementWorkflow.workflowType, id, [{ year: 2031, by: 'f\u0000' }]);
    await failure(handle.result());
    expect((await handle.query(settlementStateQuery)).failure).toMatch(/./);
    expect(await alert(id)).toHaveLength(1);
  });

  it('subscription: an order that does not exist (its row refused by a foreign key); the state query shows the failure', async () => {
    const orderId = crypto.randomUUID();
    const id = subscriptionWorkflow.workflowId(orderId);
    const input: SubscriptionInput = {
      orderId,
      accountId: crypto.randomUUID(),
      customer: { name: 'A', email: 'sub@test.se', language: 'sv' },
      product: { id: 'byggnader', name: 'Byggnader' },
      publicUrl: 'http://x',
      selection: { type: 'Polygon', coordinates: [] },
      deliveryLinkTtlHours: 24,
      interval: 'monthly',
      annualFee: money(400_000, 'SEK'),
      state: null,
    };
    const handle = await start(subscriptionWorkflow.workflowType, id, [input]);
    await failure(handle.result());
    expect((await handle.query(subscriptionStateQuery)).failure).toMatch(/./);
    expect(await alert(id)).toHaveLength(1);
  });
});
