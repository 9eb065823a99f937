import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, zonedInstant, zonedParts } from '../../domain/calendar';
import { validateArea } from '../../domain/geometry';
import { orderFee } from '../../orders/orders.rules';
import { money } from '../../domain/money';
import { insertOrder } from '../../orders/orders.store';
import { createDirectory } from '../../identity/directory.service';
import type { OrderInput } from '../../orders/order.messages';
import { activitiesWithFailingProduction, workflowBundle } from '../support/env';
import { workflowTestBed } from '../support/time-skipping';
import {
  approveOrderUpdate,
  cancelOrderUpdate,
  geodataOrderWorkflow,
  rejectOrderUpdate,
  retryDeliveryUpdate,
} from '../../orders/order.messages';

let bed: Awaited<ReturnType<typeof workflowTestBed>>;
let database: typeof bed.database;
let env: TestWorkflowEnvironment;
let accountId: string;
let production: { failures: number };
const taskQueue = `orders-${crypto.randomUUID()}`;
const started: string[] = [];
const area = validateArea({
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
});
if (!area.ok) throw new Error('test area');

beforeAll(async () => {
  bed = await workflowTestBed(taskQueue, (db) => {
    const failing = activitiesWithFailingProduction(db);
    production = failing.production;
    return failing.activities;
  });
  ({ database, env } = bed);
  const directory = createDirectory({ db: database.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      {
        kind: 'organisation',
        name: 'Vänta AB',
        email: 'wait@test.se',
        organisationNumber: '556444-5555',
        language: 'en',
      },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'o-handler@test.se', name: 'H', password: 'handler-pass-1', role: 'handler', language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'o-admin@test.se', name: 'A', password: 'admin-pass-12', role: 'admin', language: 'en' },
    actor,
  );
});
afterAll(async () => {
  // Leave no workflow waiting on a timer while the file's test server stops.
  await Promise.all(
    started.map((id) =>
      env.client.workflow
        .getHandle(`order-${id}`)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await bed.stop();
});

async function placeOrder(openData = false, frameworkAgreementId: string | null = null) {
  const id = crypto.randomUUID();
  started.push(id);
  const placedAt = new Date(await env.currentTimeMs());
  const fee = orderFee(
    {
      productId: 'byggnader',
      validFrom: '2026-01-01',
      pricePerKm2: money(openData ? 0 : 4000, 'SEK'),
      minimumFee: money(openData ? 0 : 25_000, 'SEK'),
      annualFee: money(400_000, 'SEK'),
    },
    area.ok ? area.areaM2 : 0,
    'organisation',
  );
  const input: OrderInput = {
    orderId: id,
    accountId,
    customer: { name: 'W', email: 'wait@test.se', language: 'en' },
    product: { id: 'byggnader', name: 'Buildings', openData },
    format: 'GeoJSON',
    selection: area.ok ? area.geometry : (null as never),
    fee,
    deliveryMethod: 'download',
    frameworkAgreementId,
    subscription: false,
    placedAt: placedAt.getTime(),
    publicUrl: 'http://x',
    deliveryLinkTtlHours: 24,
  };
  await insertOrder(
    database.db,
    {
      id,
      account_id: accountId,
      user_id: null,
      product_id: 'byggnader',
      format: 'GeoJSON',
      delivery_method: 'download',
      selection: input.selection,
      area_m2: fee.areaM2,
      price_list_version: fee.priceListVersion,
      fee,
      framework_agreement_id: frameworkAgreementId,
      subscription: false,
      delivery_interval: null,
      permitted_use: 'test',
      status: 'submitted',
      placed_at: placedAt,
    },
    async () => {
      await env.client.workflow.start(geodataOrderWorkflow.workflowType, {
        workflowId: geodataOrderWorkflow.workflowId(id),
        taskQueue,
        args: [input],
      });
    },
  );
  return { id, placedAt, handle: env.client.workflow.getHandle(`order-${id}`) };
}

const keys = async (id: string) =>
  (await database.db('outbox').where('idempotency_key', 'like', `${id}:%`).orderBy('created_at')).map((m) =>
    m.idempotency_key.replace(`${id}:`, '').replace(/:[0-9a-f-]{36}$/, ''),
  );
const status = async (id: string) => (await database.db('orders').where({ id }).first()).status;

describe('waiting for approval', () => {
  it('reminds a handler after one working day and alerts a supervisor after three', async () => {
    const { id, placedAt, handle } = await placeOrder();
    const local = zonedParts(placedAt, 'Europe/Stockholm');
    const after = (days: number) =>
      zonedInstant(addWorkingDays(local.date, days), local.hour, local.minute, 'Europe/Stockholm').getTime();
    const skipTo = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));

    await skipTo(after(1) - 60_000);
    await expect.poll(() => keys(id)).toEqual(['confirmation']);
    await skipTo(after(1) + 60_000);
    await expect.poll(() => keys(id)).toEqual(['confirmation', 'approval-reminder']);
    await skipTo(after(3) + 60_000);
    await expect.poll(() => keys(id)).toEqual(['confirmation', 'approval-reminder', 'approval-alert']);
    const alert = await database.db('outbox').where('idempotency_key', 'like', `${id}:approval-alert:%`).first();
    expect(alert.to_address).toBe('o-admin@test.se');

    await handle.executeUpdate(rejectOrderUpdate, {
      args: [{ by: 'h', reason: 'The area is not covered by the licence' }],
    });
    expect(await handle.result()).toMatchObject({
      status: 'rejected',
      reason: 'The area is not covered by the licence',
    });
    expect(await status(id)).toBe('rejected');
    const rejection = await database
      .db('outbox')
      .where({ idempotency_key: `${id}:rejected` })
      .first();
    expect(rejection.text).toContain('The area is not covered by the licence');
  });
});

/** The refusal a validator answered with (workflows/refusal.ts): its code and HTTP status. */
const refusedWith = async (update: Promise<unknown>) => {
  const err = (await update.then(
    () => null,
    (e: unknown) => e,
  )) as { cause?: { type?: string; details?: unknown[] } } | null;
  return { code: err?.cause?.type, status: err?.cause?.details?.[0] };
};

describe('deciding', () => {
  it('the customer cancels before approval; afterwards approval and cancelling are refused with 409', async () => {
    const { id, handle } = await placeOrder();
    await expect.poll(() => status(id)).toBe('awaiting_approval');
    await handle.executeUpdate(cancelOrderUpdate, { args: [{ by: 'c' }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled' });
    expect(await status(id)).toBe('cancelled');
    await expect.poll(() => keys(id)).toEqual(['confirmation', 'cancelled']);
  });

  it('cancelling is refused once approved, and approving twice is refused', async () => {
    const { id, handle } = await placeOrder();
    await expect.poll(() => status(id)).toBe('awaiting_approval');
    await handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] });
    expect(await refusedWith(handle.executeUpdate(cancelOrderUpdate, { args: [{ by: 'c' }] }))).toEqual({
      code: 'not_cancellable',
      status: 409,
    });
    expect(await refusedWith(handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] }))).toEqual({
      code: 'not_awaiting_approval',
      status: 409,
    });
    expect(await handle.result()).toMatchObject({ status: 'delivered' });
    expect((await database.db('order_events').where({ order_id: id }).orderBy('id')).map((e) => e.status)).toEqual([
      'submitted',
      'awaiting_approval',
      'approved',
      'in_production',
      'delivered',
    ]);
  });

  it('a decision racing another is refused: approve and cancel at once leave one decision', async () => {
    const { id, handle } = await placeOrder();
    const outcomes = await Promise.allSettled([
      handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] }),
      handle.executeUpdate(cancelOrderUpdate, { args: [{ by: 'c' }] }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const final = (await handle.result()).status;
    expect(['delivered', 'cancelled']).toContain(final);
    expect(await status(id)).toBe(final);
  });

  it('G5: an order under a framework agreement needs no approval and makes no agreement, but is invoiced', async () => {
    const [framework] = await database
      .db('framework_agreements')
      .insert({ account_id: accountId, kind: 'reseller', product_ids: ['byggnader'], valid_from: '2020-01-01' })
      .returning('id');
    const { id, handle } = await placeOrder(false, framework.id);
    expect(await handle.result()).toMatchObject({ status: 'delivered', agreementId: null });
    expect(await database.db('agreements').where({ order_id: id })).toHaveLength(0);
    expect(await database.db('invoices').where({ reference: id })).toHaveLength(1);
  });
});

describe('a step that fails on its input (A6)', () => {
  it('a reject reason the database refuses is not retried for ever: the order is failed, admins are alerted, the decision is refused and undone, and the order can still be approved', async () => {
    const { id, handle } = await placeOrder();
    await expect.poll(() => status(id)).toBe('awaiting_approval');
    // The API refuses U+0000 at validation; here the update reaches the workflow as if it had not.
    expect(
      await refusedWith(handle.executeUpdate(rejectOrderUpdate, { args: [{ by: 'h', reason: 'Nej\u0000' }] })),
    ).toEqual({ code: 'decision_not_recorded', status: 422 });
    const order = await database.db('orders').where({ id }).first();
    expect(order.status).toBe('failed');
    expect(order.status_reason).toMatch(/status rejected failed on its input/);
    await expect.poll(() => keys(id)).toEqual(['confirmation', 'input-refused-1']);
    const alert = await database.db('outbox').where('idempotency_key', 'like', `${id}:input-refused-1:%`).first();
    expect(alert.to_address).toBe('o-admin@test.se');
    expect(await refusedWith(handle.executeUpdate(retryDeliveryUpdate, { args: [{ by: 'h' }] }))).toEqual({
      code: 'not_failed',
      status: 409,
    });

    await handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] });
    expect(await handle.result()).toMatchObject({ status: 'delivered' });
    expect((await database.db('order_events').where({ order_id: id }).orderBy('id')).map((e) => e.status)).toEqual([
      'submitted',
      'awaiting_approval',
      'failed',
      'approved',
      'in_production',
      'delivered',
    ]);
  });
});

describe('production', () => {
  it('a final production failure sets MISSLYCKAD and alerts handlers; a handler retry delivers', async () => {
    production.failures = 3; // every attempt of the first delivery fails
    const { id, handle } = await placeOrder();
    await handle.executeUpdate(approveOrderUpdate, { args: [{ by: 'h' }] });
    await env.sleep('5 minutes');
    await expect.poll(() => status(id)).toBe('failed');
    const failed = await database.db('deliveries').where({ order_id: id });
    expect(failed.map((d) => d.status)).toEqual(['MISSLYCKAD']);
    const failedId = failed[0]!.id;
    await expect
      .poll(() => keys(id))
      .toEqual(expect.arrayContaining([`production-failed-${failedId}`, `failed-${failedId}`]));

    await handle.executeUpdate(retryDeliveryUpdate, { args: [{ by: 'h' }] });
    await expect.poll(() => status(id)).toBe('delivered');
    const deliveries = await database.db('deliveries').where({ order_id: id }).orderBy('created_at');
    expect(deliveries.map((d) => d.status)).toEqual(['MISSLYCKAD', 'LYCKAD']);
    expect(await handle.result()).toMatchObject({ status: 'delivered' });
  });

  it('G1: an open-data order needs no approval and makes no agreement', async () => {
    const { id, handle } = await placeOrder(true);
    expect(await handle.result()).toMatchObject({ status: 'delivered', agreementId: null });
    expect((await database.db('order_events').where({ order_id: id }).orderBy('id')).map((e) => e.status)).toEqual([
      'submitted',
      'approved',
      'in_production',
      'delivered',
    ]);
  });
});

describe('replay', () => {
  it('every order of this file replays from its history with today’s code: local activities and updates meet in the order they ran', async () => {
    expect(started.length).toBeGreaterThan(5);
    const histories = await Promise.all(
      started.map((id) => env.client.workflow.getHandle(`order-${id}`).fetchHistory()),
    );
    for (const [i, history] of histories.entries()) {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `order-${started[i]}`);
    }
  });
});
