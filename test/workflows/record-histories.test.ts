import crypto from 'node:crypto';
import fs from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../app/services';
import { WORKFLOW_CONTRACTS } from '../../app/workflow-contracts';
import { handlingSchedule, type Answer, type CaseKind } from '../../cases/cases.rules';
import {
  answerUpdate,
  cancelLocateUpdate,
  deliverCaseUpdate,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  orderPlanningAddOnsUpdate,
} from '../../cases/case.messages';
import { caseFeesOn } from '../../cases/cases.store';
import { handlerDigestWorkflow } from '../../cases/digest.messages';
import { DEMO_NETWORK_OWNERS, seedNetworkOwners } from '../../dev/demo-network-owners';
import { addWorkingDays, orderTime as orderTimeOf, zonedInstant, zonedParts } from '../../domain/calendar';
import { purgeExpiredWorkflow } from '../../identity/purge.messages';
import { invoiceMailWorkflow } from '../../invoicing/invoice-mail.messages';
import {
  approveOrderUpdate,
  cancelOrderUpdate,
  geodataOrderWorkflow,
  orderStateQuery,
  rejectOrderUpdate,
} from '../../orders/order.messages';
import { deliveryRetentionWorkflow } from '../../orders/retention.messages';
import { subscriptionWorkflow } from '../../orders/subscription.messages';
import type { Principal } from '../../platform/http/principal';
import { readInput, type InputType } from '../../settlement/rules/csv';
import {
  approveUpdate,
  closeBooksUpdate,
  settlementWorkflow,
  yearlySettlementWorkflow,
} from '../../settlement/settlement.messages';
import { importInput } from '../../settlement/settlement.store';
import { testActivities, testConfig } from '../support/env';
import { FIXTURES, historyToJson } from '../support/histories';
import { workflowTestBed } from '../support/time-skipping';

/**
 * `npm run histories:record`: runs every workflow type through the states that matter on the
 * time-skipping test server and PostgreSQL, and writes each history to
 * test/fixtures/histories/<workflowType>.<state>.json, which test/workflows/replay.test.ts
 * replays against today's code. Skipped in `npm test`. A new workflow type gets its states here
 * (README: "Recording workflow histories"), or the replay test fails.
 */
const taskQueue = `record-${crypto.randomUUID()}`;
let bed: Awaited<ReturnType<typeof workflowTestBed>>;

describe.runIf(process.env.RECORD_HISTORIES === '1')('record workflow histories', () => {
  beforeAll(async () => {
    bed = await workflowTestBed(taskQueue, (db) => testActivities(db, { smtp: false }));
  });
  afterAll(() => bed.stop());

  it('records every workflow type in the states that matter', async () => {
    const { env, database } = bed;
    const db = database.db;
    const client = env.client;
    const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_URL: 'http://x' });
    const services = createServices({ db, temporal: client, config });
    const recorded = new Map<string, WorkflowHandle>();
    const record = (type: keyof typeof WORKFLOW_CONTRACTS, state: string, workflowId: string) =>
      recorded.set(`${type}.${state}`, client.workflow.getHandle(workflowId));
    const now = async () => new Date(await env.currentTimeMs());
    const skipTo = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));
    const system = { actorType: 'system' as const };
    // Waiting for a result would let the test server skip time under a running extract (its heartbeat
    // would time out); these waits are in real time.
    const closed = (handle: WorkflowHandle) =>
      expect
        .poll(async () => (await handle.describe()).status.name, { timeout: 90_000, interval: 200 })
        .toBe('COMPLETED');

    // welcomeUser: a new user's welcome e-mail.
    const handler = await services.directory.createUser(
      { email: 'rec-handler@test.se', name: 'H', password: 'handler-pass-1', role: 'handler', language: 'en' },
      system,
    );
    await services.directory.createUser(
      { email: 'rec-admin@test.se', name: 'A', password: 'admin-pass-12', role: 'admin', language: 'en' },
      system,
    );
    const welcome = client.workflow.getHandle(`welcome-user-${handler.id}`);
    await closed(welcome);
    record('welcomeUser', 'sent', welcome.workflowId);

    // accountMail: a password-reset link.
    await services.passwords.requestReset('rec-handler@test.se');
    // The workflow id holds the link's hash, which only the mail it sent shows.
    const resetKey = async () =>
      (await db('outbox').where('idempotency_key', 'like', 'password_reset-%').pluck('idempotency_key'))[0] as
        string | undefined;
    await expect.poll(resetKey).toBeDefined();
    const mail = client.workflow.getHandle(`account-mail-${(await resetKey())!.replace(/:.*$/, '')}`);
    await closed(mail);
    record('accountMail', 'sent', mail.workflowId);

    const account = await services.directory.createAccount(
      {
        kind: 'organisation',
        name: 'Inspelning AB',
        email: 'rec@test.se',
        organisationNumber: '556222-3334',
        language: 'en',
      },
      system,
    );
    const customerUser = await services.directory.createUser(
      {
        email: 'rec@test.se',
        name: 'C',
        password: 'customer-pass-1',
        role: 'customer',
        accountId: account.id,
        language: 'en',
      },
      system,
    );
    const customer: Principal = {
      kind: 'user',
      id: customerUser.id,
      role: 'customer',
      accountId: account.id,
      email: 'rec@test.se',
      language: 'en',
    };
    const selection = {
      type: 'Polygon',
      coordinates: [
        [
          [674_000, 6_580_000],
          [675_000, 6_580_000],
          [675_000, 6_581_000],
          [674_000, 6_581_000],
          [674_000, 6_580_000],
        ],
      ],
    };
    const place = async (subscription = false) => {
      const order = await services.orders.place(customer, {
        productId: 'byggnader',
        format: 'GeoJSON',
        deliveryMethod: 'download',
        selection,
        permittedUse: 'recording',
        subscription,
      });
      const handle = client.workflow.getHandle(geodataOrderWorkflow.workflowId(order.id));
      await expect.poll(async () => (await handle.query(orderStateQuery)).status).toBe('awaiting_approval');
      return { id: order.id, handle };
    };

    // geodataOrder: rejected, cancelled, delivered, and one still awaiting approval past its reminder.
    const rejected = await place();
    await rejected.handle.executeUpdate(rejectOrderUpdate, { args: [{ by: 'h', reason: 'Not covered' }] });
    await closed(rejected.handle);
    record('geodataOrder', 'rejected', rejected.handle.workflowId);
    const cancelled = await place();
    await cancelled.handle.executeUpdate(cancelOrderUpdate, { args: [{ by: 'c' }] });
    await closed(cancelled.handle);
    record('geodataOrder', 'cancelled', cancelled.handle.workflowId);
    const delivered = await place();
    await delivered.handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] });
    await closed(delivered.handle);
    record('geodataOrder', 'delivered', delivered.handle.workflowId);

    // geodataOrder and subscription: an approved subscription order hands over to its subscription.
    const subscribed = await place(true);
    await subscribed.handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] });
    const subscriptionHandle = client.workflow.getHandle(subscriptionWorkflow.workflowId(subscribed.id));
    await expect
      .poll(async () => (await subscriptionHandle.describe().catch(() => null))?.status.name, { timeout: 30_000 })
      .toBe('RUNNING');
    record('geodataOrder', 'subscription-approved', subscribed.handle.workflowId);
    record('subscription', 'started', subscriptionHandle.workflowId);

    // locateCase: located (answered, moved, done), map-only locate, planning with add-ons, cancelled,
    // and one still waiting past its morning reminder; caseComplaint: open and answered.
    await seedNetworkOwners(db);
    const fees = await caseFeesOn(db, '2026-01-01');
    const register = async (kind: CaseKind) => {
      const at = await now();
      const orderTime = orderTimeOf(at);
      const { lk, handlingDeadline } = await services.cases.register(
        customer,
        {
          kind,
          workArea: DEMO_NETWORK_OWNERS[0]!.coverage,
          digStart: addWorkingDays(orderTime, 3),
          desiredLocateDate: kind === 'locate' ? addWorkingDays(orderTime, 7) : undefined,
          express: false,
          acceptTerms: true,
        },
        at,
      );
      return { lk, orderTime, handlingDeadline, handle: client.workflow.getHandle(lk) };
    };
    const answer = (h: WorkflowHandle, ownerId: string, a: Answer) =>
      h.executeUpdate(answerUpdate, { args: [{ ownerId, answer: a, by: 'h' }] });

    const located = await register('locate');
    await answer(located.handle, 'stockholm-el', 'locate_needed');
    await answer(located.handle, 'fiber-ost', 'information');
    await located.handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: addWorkingDays(located.orderTime, 8), express: false, expectedFeeMinor: 0 }],
    });
    await located.handle.executeUpdate(locateDoneUpdate, { args: [{ by: 't' }] });
    record('locateCase', 'located', located.lk);

    const mapOnly = await register('locate');
    await answer(mapOnly.handle, 'stockholm-el', 'information');
    await answer(mapOnly.handle, 'fiber-ost', 'dig_according_to_map');
    await mapOnly.handle.executeUpdate(orderMapOnlyLocateUpdate, {
      args: [{ ownerId: 'fiber-ost', expectedFeeMinor: fees.amounts.mapOnlyOwnerLocate.minor }],
    });
    record('locateCase', 'map-only', mapOnly.lk);

    const planning = await register('planning');
    await planning.handle.executeUpdate(orderPlanningAddOnsUpdate, {
      args: [
        {
          fasterDelivery: true,
          formats: ['DXF'],
          expectedFeeMinor: fees.amounts.planningFasterDelivery.minor + fees.amounts.planningVectorFormat.minor,
        },
      ],
    });
    await planning.handle.executeUpdate(deliverCaseUpdate, { args: [{ by: 'h' }] });
    await closed(planning.handle);
    record('locateCase', 'planning-delivered', planning.lk);

    const cancelledCase = await register('locate');
    await answer(cancelledCase.handle, 'stockholm-el', 'locate_needed');
    await answer(cancelledCase.handle, 'fiber-ost', 'no_infrastructure');
    await cancelledCase.handle.executeUpdate(cancelLocateUpdate, { args: [{ expectedFeeMinor: 0 }] });
    await closed(cancelledCase.handle);
    record('locateCase', 'cancelled', cancelledCase.lk);

    const handlerPrincipal: Principal = {
      kind: 'user',
      id: handler.id,
      role: 'handler',
      accountId: null,
      email: 'rec-handler@test.se',
      language: 'en',
    };
    const waiting = await register('locate');
    await answer(waiting.handle, 'stockholm-el', 'locate_needed');
    const open = await services.cases.fileComplaint(customer, waiting.lk, 'The marks were in the wrong place');
    const answered = await services.cases.fileComplaint(customer, waiting.lk, 'Nobody called me back');
    await services.cases.respondToComplaint(handlerPrincipal, waiting.lk, answered.id, 'We called you today');
    await closed(client.workflow.getHandle(`complaint-${answered.id}`));
    record('caseComplaint', 'open', `complaint-${open.id}`);
    record('caseComplaint', 'answered', `complaint-${answered.id}`);

    // The waiting case past its morning reminder: a history with a fired timer and a running one.
    await skipTo(handlingSchedule(waiting.handlingDeadline).morningReminder.getTime() + 60_000);
    record('locateCase', 'waiting-past-reminder', waiting.lk);

    // geodataOrder awaiting approval past its handler reminder (one working day).
    const waitingOrder = await place();
    const local = zonedParts(await now(), 'Europe/Stockholm');
    await skipTo(
      zonedInstant(addWorkingDays(local.date, 1), local.hour, local.minute, 'Europe/Stockholm').getTime() + 60_000,
    );
    await expect
      .poll(() => db('outbox').where('idempotency_key', 'like', `${waitingOrder.id}:approval-reminder%`))
      .toHaveLength(1);
    record('geodataOrder', 'awaiting-approval-past-reminder', waitingOrder.handle.workflowId);

    // settlement: waiting for books a week on, and one closed, computed and approved.
    const importInputs = async (year: number) => {
      const file = (type: InputType, text: string) =>
        importInput(
          db,
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
        `provider_id,name,business_id,iban,email,language\nkunta,Kunta,0112038-9,FI2112345600000785,kunta-${year}@test.fi,fi\n`,
      );
      await file(
        'map-material',
        `provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to\nkunta,k500,20000,500,1990-01-01,\n`,
      );
      await file('revenue', 'category,amount\nusage_fee,100.00\n');
    };
    const startSettlement = async (year: number) => {
      await importInputs(year);
      return client.workflow.start(settlementWorkflow.workflowType, {
        workflowId: settlementWorkflow.workflowId(year),
        taskQueue,
        args: [{ year, by: 'schedule' }],
      });
    };
    const approved = await startSettlement(2001);
    await approved.executeUpdate(closeBooksUpdate, { args: [{ by: 'finance-1' }] });
    await approved.executeUpdate(approveUpdate, { args: [{ by: 'finance-2' }] });
    record('settlement', 'approved', approved.workflowId);
    const waitingBooks = await startSettlement(2002);
    await env.sleep('8 days');
    record('settlement', 'waiting-for-books-a-week', waitingBooks.workflowId);

    // The scheduled ones, each started as its Schedule starts it.
    const scheduled = async (workflowType: string, workflowId: string, args: unknown[] = []) => {
      await closed(await client.workflow.start(workflowType, { workflowId, taskQueue, args }));
      return workflowId;
    };
    // It starts the previous year's settlement, which then waits for closed books.
    record('yearlySettlement', 'started', await scheduled(yearlySettlementWorkflow.workflowType, 'yearly-rec'));
    const previousYear = new Date(await env.currentTimeMs()).getUTCFullYear() - 1;
    record(
      'purgeExpired',
      'done',
      await scheduled(purgeExpiredWorkflow.workflowType, purgeExpiredWorkflow.workflowId('rec'), [
        { idempotencyKeyTtlHours: 24 },
      ]),
    );
    record(
      'deliveryRetention',
      'done',
      await scheduled(deliveryRetentionWorkflow.workflowType, deliveryRetentionWorkflow.workflowId('rec')),
    );
    record(
      'handlerDigest',
      'sent',
      await scheduled(handlerDigestWorkflow.workflowType, handlerDigestWorkflow.workflowId('rec')),
    );

    // By now the orders and cases above have booked invoices: the mailing puts them in the outbox.
    record(
      'invoiceMail',
      'mailed',
      await scheduled(invoiceMailWorkflow.workflowType, invoiceMailWorkflow.workflowId('rec')),
    );

    // A record that misses a registered type fails here, not later in CI.
    expect(new Set([...recorded.keys()].map((k) => k.split('.')[0]))).toEqual(new Set(Object.keys(WORKFLOW_CONTRACTS)));
    fs.mkdirSync(FIXTURES, { recursive: true });
    for (const [name, handle] of recorded) {
      const history = await handle.fetchHistory();
      fs.writeFileSync(`${FIXTURES}/${name}.json`, historyToJson(history));
    }
    // Nothing left waiting on a timer while the test server stops.
    const running = [...recorded.values(), client.workflow.getHandle(settlementWorkflow.workflowId(previousYear))];
    for (const handle of running) await handle.terminate('recorded').catch(() => undefined);
  }, 300_000);
});
