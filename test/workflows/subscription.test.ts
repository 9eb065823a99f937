import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, stockholmDate, zonedInstant } from '../../domain/calendar';
import { validateArea } from '../../domain/geometry';
import { money } from '../../domain/money';
import { orderFee } from '../../orders/orders.rules';
import { addMonths, scheduledRuns, type DeliveryInterval } from '../../orders/subscriptions.rules';
import { markInvoicePaid } from '../../invoicing/invoices.store';
import { insertOrder } from '../../orders/orders.store';
import { createDirectory } from '../../identity/directory.service';
import type { SubscriptionInput } from '../../orders/subscription.messages';
import { activitiesWithFailingProduction } from '../support/env';
import { workflowTestBed } from '../support/time-skipping';
import {
  cancelSubscriptionUpdate,
  invoicePaidSignal,
  startDeliveryUpdate,
  subscriptionStateQuery,
  subscriptionWorkflow,
  terminateSubscriptionUpdate,
} from '../../orders/subscription.messages';

let bed: Awaited<ReturnType<typeof workflowTestBed>>;
let database: typeof bed.database;
let env: TestWorkflowEnvironment;
let accountId: string;
let production: { failures: number };
const taskQueue = `subscriptions-${crypto.randomUUID()}`;
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
const DAY = 86_400_000;

beforeAll(async () => {
  bed = await workflowTestBed(taskQueue, (db) => {
    const failing = activitiesWithFailingProduction(db);
    production = failing.production;
    return failing.activities;
  });
  ({ database, env } = bed);
  const directory = createDirectory({ db: database.db, welcome: async () => {} });
  accountId = (
    await directory.createAccount(
      {
        kind: 'organisation',
        name: 'Abonnent AB',
        email: 'subscriber@test.se',
        organisationNumber: '556777-8888',
        language: 'sv',
      },
      { actorType: 'system' },
    )
  ).id;
  await directory.createUser(
    { email: 's-handler@test.se', name: 'H', password: 'handler-pass-1', role: 'handler', language: 'en' },
    { actorType: 'system' },
  );
});
afterAll(() => bed.stop());

/** A subscription order's row and its subscription workflow, as the order's approval starts it. */
async function subscribe(interval: DeliveryInterval | null = null, account = accountId) {
  const id = crypto.randomUUID();
  const fee = orderFee(
    {
      productId: 'byggnader',
      validFrom: '2026-01-01',
      pricePerKm2: money(4000, 'SEK'),
      minimumFee: money(25_000, 'SEK'),
      annualFee: money(400_000, 'SEK'),
    },
    area.ok ? area.areaM2 : 0,
    'organisation',
    true,
  );
  const selection = area.ok ? area.geometry : (null as never);
  await insertOrder(
    database.db,
    {
      id,
      account_id: account,
      user_id: null,
      product_id: 'byggnader',
      format: 'GeoJSON',
      delivery_method: 'download',
      selection,
      area_m2: fee.areaM2,
      price_list_version: fee.priceListVersion,
      fee,
      framework_agreement_id: null,
      subscription: true,
      delivery_interval: interval,
      permitted_use: 'test',
      status: 'approved',
      placed_at: new Date(await env.currentTimeMs()),
    },
    async () => {},
  );
  const input: SubscriptionInput = {
    orderId: id,
    accountId: account,
    customer: { name: 'A', email: 'subscriber@test.se', language: 'sv' },
    product: { id: 'byggnader', name: 'Byggnader' },
    publicUrl: 'http://x',
    selection,
    deliveryLinkTtlHours: 24,
    interval,
    annualFee: money(400_000, 'SEK'),
    state: null,
  };
  const first = await env.client.workflow.start(subscriptionWorkflow.workflowType, {
    workflowId: subscriptionWorkflow.workflowId(id),
    taskQueue,
    args: [input],
  });
  const handle = env.client.workflow.getHandle(`subscription-${id}`);
  await expect.poll(async () => (await state(id)).invoiceId).not.toBeNull();
  return { id, handle, firstRunId: first.firstExecutionRunId, ...(await state(id)) };
}

const state = (id: string) => env.client.workflow.getHandle(`subscription-${id}`).query(subscriptionStateQuery);
const skipTo = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));
/** The subscription's e-mails by key, without the order id and with delivery ids shortened to `delivered`. */
const mails = async (id: string) =>
  (await database.db('outbox').where('idempotency_key', 'like', `${id}:%`).orderBy('created_at')).map((m) =>
    m.idempotency_key.replace(`${id}:`, '').replace(/-[0-9a-f-]{36}$/, ''),
  );
const row = (id: string) => database.db('subscriptions').where({ order_id: id }).first();
const deliveries = (id: string) => database.db('deliveries').where({ order_id: id }).orderBy('created_at');
const finished = async (id: string) => (await deliveries(id)).filter((d) => d.status !== 'PÅGÅENDE').length;
const termInvoice = async (id: string, term: number) =>
  database
    .db('invoices')
    .where({ idempotency_key: `${id}:term-${term}` })
    .first();
/** Finance marks the term's invoice paid, and the API tells the workflow. */
async function pay(id: string, term: number) {
  const invoice = await termInvoice(id, term);
  await markInvoicePaid(database.db, invoice.id, new Date());
  await env.client.workflow.getHandle(`subscription-${id}`).signal(invoicePaidSignal, { invoiceId: invoice.id });
}
const refusedWith = async (update: Promise<unknown>) => {
  const err = (await update.then(
    () => null,
    (e: unknown) => e,
  )) as { cause?: { type?: string; details?: unknown[]; message?: string } } | null;
  return { code: err?.cause?.type, status: err?.cause?.details?.[0], message: err?.cause?.message };
};
/** Ends a test's subscription and waits until its workflow has closed, its last activities included. */
async function end(id: string) {
  const handle = env.client.workflow.getHandle(`subscription-${id}`);
  await handle.executeUpdate(terminateSubscriptionUpdate, { args: [{ by: 'a', reason: 'test over' }] });
  await handle.result();
}
const startDelivery = (id: string, typ: 'BAS' | 'FORANDRING') =>
  env.client.workflow.getHandle(`subscription-${id}`).executeUpdate(startDeliveryUpdate, { args: [{ by: 'c', typ }] });

describe('G8: terms', () => {
  it('G8, T5: a full term: the annual invoice at its start, the renewal notice 30 days before its end, then the renewal invoice and a second term', async () => {
    const { id, termStart, termEnd, firstRunId } = await subscribe();
    expect(termEnd).toBe(addMonths(termStart, 12));
    const first = await termInvoice(id, 1);
    // T5: dated the term's first day, due 30 days later; the annual fee with 25 % VAT.
    expect(first).toMatchObject({
      invoice_date: stockholmDate(termStart),
      due_date: addDays(stockholmDate(termStart), 30),
      net_minor: 400_000,
      total_minor: 500_000,
    });
    await expect.poll(() => finished(id)).toBe(1);
    await pay(id, 1);
    await expect.poll(() => mails(id)).toEqual(['invoice-term-1', 'delivered']);

    await skipTo(termEnd - 30 * DAY - 60_000);
    await expect.poll(() => mails(id)).toEqual(['invoice-term-1', 'delivered']);
    await skipTo(termEnd - 30 * DAY + 60_000);
    await expect.poll(() => mails(id)).toEqual(['invoice-term-1', 'delivered', 'renewal-notice-term-1']);
    const notice = await database
      .db('outbox')
      .where({ idempotency_key: `${id}:renewal-notice-term-1` })
      .first();
    expect(notice.text).toContain(stockholmDate(termEnd - 1));

    await skipTo(termEnd + 60_000);
    await expect
      .poll(() => mails(id))
      .toEqual(['invoice-term-1', 'delivered', 'renewal-notice-term-1', 'invoice-term-2']);
    const second = await termInvoice(id, 2);
    expect(second).toMatchObject({ invoice_date: stockholmDate(termEnd), net_minor: 400_000 });
    expect(await state(id)).toMatchObject({
      term: 2,
      termStart: termEnd,
      termEnd: addMonths(termEnd, 12),
      status: 'active',
    });
    await expect.poll(async () => (await row(id)).term).toBe(2);
    expect(
      (await database.db('subscription_terms').where({ order_id: id }).orderBy('term')).map((t) => t.invoice_id),
    ).toEqual([first.id, second.id]);
    // Each term is a run of its own (continue-as-new).
    expect((await env.client.workflow.getHandle(`subscription-${id}`).describe()).runId).not.toBe(firstRunId);
    await end(id);
  });

  it('G8: continue-as-new keeps the delivery history and the last successful delivery; the next FORANDRING counts from it', async () => {
    const { id, termEnd } = await subscribe('quarterly');
    await pay(id, 1);
    await expect.poll(() => finished(id)).toBe(1);
    const runs = scheduledRuns('quarterly', 1, (await state(id)).termStart);
    for (let k = 1; k < runs.length; k++) {
      await skipTo(runs[k]! + 60_000);
      await expect.poll(() => finished(id)).toBe(k + 1);
    }
    const before = await state(id);
    expect(before.deliveries).toBe(4);
    const last = (await deliveries(id)).at(-1);
    expect(before.lastSuccessful).toEqual({ deliveryId: last.id, version: last.data_version });

    await skipTo(termEnd + 60_000);
    await expect.poll(() => finished(id)).toBe(5);
    const after = await state(id);
    expect(after).toMatchObject({ term: 2, deliveries: 5 });
    const all = await deliveries(id);
    expect(all.map((d) => `${d.typ} ${d.status}`)).toEqual([
      'BAS LYCKAD',
      'FORANDRING LYCKAD',
      'FORANDRING LYCKAD',
      'FORANDRING LYCKAD',
      'FORANDRING LYCKAD',
    ]);
    // Every FORANDRING counts from the delivery before it, across the term's end too.
    for (let i = 1; i < all.length; i++) expect(all[i].since_version).toBe(all[i - 1].data_version);
    expect(after.lastSuccessful).toEqual({ deliveryId: all[4].id, version: all[4].data_version });
    await expect.poll(async () => (await row(id)).last_delivery_id).toBe(all[4].id);
    await end(id);
  });
});

describe('G8: cancellation and termination', () => {
  it('G8: cancelled in month 5, the subscription runs to the end of the paid term, is not renewed and nothing is refunded', async () => {
    const { id, handle, termStart, termEnd } = await subscribe();
    await pay(id, 1);
    await expect.poll(() => finished(id)).toBe(1);
    await skipTo(addMonths(termStart, 4) + 10 * DAY);
    const cancelled = await handle.executeUpdate(cancelSubscriptionUpdate, { args: [{ by: 'c' }] });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledBy: 'c', termEnd });
    expect(await refusedWith(handle.executeUpdate(cancelSubscriptionUpdate, { args: [{ by: 'c' }] }))).toMatchObject({
      code: 'not_active',
      status: 409,
    });
    await expect.poll(async () => (await row(id)).status).toBe('cancelled');
    const confirmation = await database
      .db('outbox')
      .where({ idempotency_key: `${id}:cancelled-term-1` })
      .first();
    expect(confirmation.subject).toBe('Abonnemanget på Byggnader är uppsagt');
    expect(confirmation.text).toContain(stockholmDate(termEnd - 1));

    // The paid term still takes extracts.
    await startDelivery(id, 'FORANDRING');
    await expect.poll(() => finished(id)).toBe(2);
    await skipTo(termEnd + 60_000);
    expect(await handle.result()).toMatchObject({ status: 'ended', term: 1 });
    expect(await row(id)).toMatchObject({ status: 'ended', cancelled_by: 'c' });
    expect(await mails(id)).toEqual(['invoice-term-1', 'delivered', 'cancelled-term-1', 'delivered']);
    expect(await termInvoice(id, 2)).toBeUndefined();
    expect((await database.db('invoices').where({ reference: id })).map((i) => i.total_minor)).toEqual([500_000]);
  });

  it('G8: an admin terminates at once with a reason; no more extracts', async () => {
    const { id, handle } = await subscribe();
    await expect.poll(() => finished(id)).toBe(1);
    await skipTo((await env.currentTimeMs()) + 40 * DAY);
    const terminated = await handle.executeUpdate(terminateSubscriptionUpdate, {
      args: [{ by: 'admin', reason: 'Breach of the end-use terms' }],
    });
    expect(terminated).toMatchObject({
      status: 'terminated',
      terminated: { by: 'admin', reason: 'Breach of the end-use terms', at: expect.any(Number) },
    });
    expect(await handle.result()).toMatchObject({ status: 'terminated' });
    expect(await row(id)).toMatchObject({
      status: 'terminated',
      terminated_by: 'admin',
      terminated_reason: 'Breach of the end-use terms',
    });
    const mail = await database
      .db('outbox')
      .where({ idempotency_key: `${id}:terminated` })
      .first();
    expect(mail.text).toContain('Breach of the end-use terms');
  });
});

describe('G8: deliveries', () => {
  it('G8, G10: FORANDRING with no earlier successful delivery is refused: order BAS first', async () => {
    production.failures = 3; // the first BAS fails every attempt
    const { id } = await subscribe();
    await env.sleep('5 minutes'); // the retries' backoff
    await expect.poll(async () => (await deliveries(id)).map((d) => d.status)).toEqual(['MISSLYCKAD']);
    await expect.poll(async () => (await state(id)).current).toBeNull();
    const refused = await refusedWith(startDelivery(id, 'FORANDRING'));
    expect(refused).toMatchObject({ code: 'bas_required', status: 409 });
    expect(refused.message).toContain('BAS');
    await startDelivery(id, 'BAS');
    await expect.poll(async () => (await deliveries(id)).map((d) => d.status)).toEqual(['MISSLYCKAD', 'LYCKAD']);
    await startDelivery(id, 'FORANDRING');
    await expect.poll(() => finished(id)).toBe(3);
    await end(id);
  });

  it('G8: two requests at the same moment start one delivery; the other is refused with 409 naming it', async () => {
    const { id } = await subscribe();
    await expect.poll(() => finished(id)).toBe(1);
    // The row is final before the workflow hears so; the slot frees once it has.
    await expect.poll(async () => (await state(id)).current).toBeNull();
    const outcomes = await Promise.allSettled([startDelivery(id, 'FORANDRING'), startDelivery(id, 'BAS')]);
    const started = outcomes.filter((o) => o.status === 'fulfilled');
    expect(started).toHaveLength(1);
    const refused = await refusedWith(
      Promise.reject((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as Error),
    );
    expect(refused).toMatchObject({ code: 'delivery_in_progress', status: 409 });
    expect(refused.message).toContain((started[0] as PromiseFulfilledResult<{ deliveryId: string }>).value.deliveryId);
    await expect.poll(() => finished(id)).toBe(2);
    await end(id);
  });

  it('G8: a monthly subscription over a year delivers 12 times; the run that finds a delivery in progress is skipped and recorded', async () => {
    const { id, termStart } = await subscribe('monthly');
    await pay(id, 1);
    const runs = scheduledRuns('monthly', 1, termStart);
    expect(runs).toHaveLength(12);
    await expect.poll(() => finished(id)).toBe(1);
    for (let k = 1; k < 12; k++) {
      if (k === 6) {
        // A customer's extract is still in production (its first attempt failed, the retry is 5 s away) when the sixth run comes.
        await skipTo(runs[k]! - 2_000);
        production.failures = 1;
        const { deliveryId } = await startDelivery(id, 'FORANDRING');
        await expect.poll(() => production.failures).toBe(0);
        await skipTo(runs[k]! + 1_000);
        await expect
          .poll(async () => (await database.db('subscription_runs').where({ order_id: id, run: k }).first())?.outcome)
          .toBe('skipped');
        expect((await database.db('subscription_runs').where({ order_id: id, run: k }).first()).delivery_id).toBe(
          deliveryId,
        );
        await env.sleep('1 minute');
      } else {
        await skipTo(runs[k]! + 60_000);
      }
      await expect.poll(() => finished(id)).toBe(k + 1);
    }
    const all = await deliveries(id);
    expect(all).toHaveLength(12);
    expect(all.every((d) => d.status === 'LYCKAD')).toBe(true);
    const recorded = await database.db('subscription_runs').where({ order_id: id }).orderBy('run');
    expect(recorded.map((r) => r.outcome)).toEqual([
      'started',
      'started',
      'started',
      'started',
      'started',
      'started',
      'skipped',
      'started',
      'started',
      'started',
      'started',
      'started',
    ]);
    expect(recorded[6].reason).toMatch(/still in progress/);
    expect(recorded.map((r) => r.scheduled_at.getTime())).toEqual(runs);
    await end(id);
  });
});

describe('G8, T5: dunning', () => {
  it('G8, T5: a scheduled run while the subscription is suspended is skipped and recorded', async () => {
    const { id, termStart } = await subscribe('quarterly');
    await expect.poll(() => finished(id)).toBe(1);
    const second = scheduledRuns('quarterly', 1, termStart)[1]!;
    await skipTo(second + 60_000);
    await expect
      .poll(async () => (await database.db('subscription_runs').where({ order_id: id, run: 1 }).first())?.outcome)
      .toBe('skipped');
    const invoice = await termInvoice(id, 1);
    expect(await database.db('subscription_runs').where({ order_id: id, run: 1 }).first()).toMatchObject({
      delivery_id: null,
      reason: `suspended: invoice ${invoice.number} is not paid`,
    });
    expect(await deliveries(id)).toHaveLength(1);
    await end(id);
  });

  it('an unpaid annual invoice: a reminder 7 days after its due date, new extracts refused after 30, and payment lifts it', async () => {
    const { id } = await subscribe();
    await expect.poll(() => finished(id)).toBe(1);
    const invoice = await termInvoice(id, 1);
    const dayStart = (days: number) =>
      zonedInstant(addDays(invoice.due_date, days), 0, 0, 'Europe/Stockholm').getTime();

    await skipTo(dayStart(7) - 60_000);
    await expect.poll(() => mails(id)).toEqual(['invoice-term-1', 'delivered']);
    await skipTo(dayStart(7) + 60_000);
    await expect.poll(() => mails(id)).toEqual(['invoice-term-1', 'delivered', `reminder`]);
    const reminder = await database
      .db('outbox')
      .where({ idempotency_key: `${id}:reminder-${invoice.id}` })
      .first();
    expect(reminder.subject).toBe(`Påminnelse: faktura ${invoice.number} är förfallen`);

    await skipTo(dayStart(30) - 60_000);
    await startDelivery(id, 'FORANDRING');
    await expect.poll(() => finished(id)).toBe(2);
    await skipTo(dayStart(30) + 60_000);
    await expect.poll(async () => (await row(id)).status).toBe('suspended');
    const refused = await refusedWith(startDelivery(id, 'FORANDRING'));
    expect(refused).toMatchObject({ code: 'subscription_suspended', status: 409 });
    expect(refused.message).toContain(invoice.number);

    await pay(id, 1);
    await expect.poll(async () => (await row(id)).status).toBe('active');
    await startDelivery(id, 'FORANDRING');
    await expect.poll(() => finished(id)).toBe(3);
    await end(id);
  });
});

describe('A5, L9: a blocked account starts no new paid work', () => {
  let blockedAccount: string;
  const block = (blocked: boolean) =>
    database
      .db('accounts')
      .where({ id: blockedAccount })
      .update({ blocked_at: blocked ? new Date() : null, blocked_reason: blocked ? 'test' : null });
  beforeAll(async () => {
    const directory = createDirectory({ db: database.db, welcome: async () => {} });
    blockedAccount = (
      await directory.createAccount(
        { kind: 'private', name: 'Spärrad', email: 'blocked-subscriber@test.se', birthDate: '1970-01-01' },
        { actorType: 'system' },
      )
    ).id;
  });

  it('the renewal waits while the account is blocked (no invoice, no extract), and unblocking renews from that day', async () => {
    const { id, handle, termEnd } = await subscribe(null, blockedAccount);
    await pay(id, 1);
    await expect.poll(() => finished(id)).toBe(1);
    await block(true);
    await skipTo(termEnd + 3 * DAY);
    await expect.poll(async () => (await state(id)).renewalBlockedSince).toBeGreaterThanOrEqual(termEnd);
    expect(await state(id)).toMatchObject({ term: 1, status: 'active' });
    expect(await termInvoice(id, 2)).toBeUndefined();
    expect(await refusedWith(startDelivery(id, 'FORANDRING'))).toMatchObject({ code: 'account_blocked', status: 409 });
    expect(await mails(id)).not.toContain('invoice-term-2');

    await block(false);
    const unblockedAt = await env.currentTimeMs();
    await skipTo(unblockedAt + DAY + 60_000);
    await expect.poll(async () => (await state(id)).term).toBe(2);
    const renewed = await state(id);
    expect(renewed.renewalBlockedSince).toBeUndefined();
    // The blocked days are not paid for: the new term starts when the account was found unblocked.
    expect(renewed.termStart).toBeGreaterThan(unblockedAt);
    expect(renewed.termEnd).toBe(addMonths(renewed.termStart, 12));
    await expect.poll(async () => (await termInvoice(id, 2))?.invoice_date).toBe(stockholmDate(renewed.termStart));
    await handle.executeUpdate(terminateSubscriptionUpdate, { args: [{ by: 'a', reason: 'test over' }] });
    await handle.result();
  });

  it('a scheduled run while the account is blocked is skipped and recorded; after the unblock the next run delivers', async () => {
    const { id, termStart } = await subscribe('quarterly', blockedAccount);
    await pay(id, 1);
    await expect.poll(() => finished(id)).toBe(1);
    const runs = scheduledRuns('quarterly', 1, termStart);
    await block(true);
    await skipTo(runs[1]! + 60_000);
    await expect
      .poll(async () => (await database.db('subscription_runs').where({ order_id: id, run: 1 }).first())?.outcome)
      .toBe('skipped');
    expect(await database.db('subscription_runs').where({ order_id: id, run: 1 }).first()).toMatchObject({
      delivery_id: null,
      reason: 'the account is blocked',
    });
    expect(await deliveries(id)).toHaveLength(1);
    await block(false);
    await skipTo(runs[2]! + 60_000);
    await expect
      .poll(async () => (await database.db('subscription_runs').where({ order_id: id, run: 2 }).first())?.outcome)
      .toBe('started');
    await expect.poll(() => finished(id)).toBe(2);
    await end(id);
  });
});

describe('A3: invoice recipients', () => {
  it("the annual invoice and its reminder go to the account's users with the invoices role, not to the customer who ordered", async () => {
    const directory = createDirectory({ db: database.db, welcome: async () => {} });
    const account = (
      await directory.createAccount(
        {
          kind: 'organisation',
          name: 'Fakturamottagare AB',
          email: 'recipients-account@test.se',
          organisationNumber: '556123-4567',
          language: 'sv',
        },
        { actorType: 'system' },
      )
    ).id;
    for (const [email, accountRole] of [
      ['recipients-admin@test.se', 'admin'],
      ['recipients-invoices@test.se', 'invoices'],
      ['recipients-invoices-2@test.se', 'invoices'],
    ] as const) {
      const user = await directory.createUser(
        { email, name: email, password: 'recipient-pass-1', role: 'customer', accountId: account, accountRole },
        { actorType: 'system' },
      );
      await database.db('users').where({ id: user.id }).update({ email_confirmed_at: new Date() });
    }
    const { id, unpaid } = await subscribe(null, account);
    const to = async (suffix: string) =>
      String((await database.db('outbox').where('idempotency_key', `${id}:${suffix}`).first())?.to_address)
        .split(', ')
        .sort()
        .join(', ');
    await expect.poll(() => to('invoice-term-1')).toBe('recipients-invoices-2@test.se, recipients-invoices@test.se');
    await skipTo(Date.parse(`${unpaid[0]!.dueDate}T12:00:00Z`) + 8 * DAY);
    await expect
      .poll(() => to(`reminder-${unpaid[0]!.invoiceId}`))
      .toBe('recipients-invoices-2@test.se, recipients-invoices@test.se');
    await end(id);
  });
});
