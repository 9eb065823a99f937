import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_OWNERS, seedNetworkOwner, seedNetworkOwners } from '../../dev/demo-network-owners';
import {
  addDays,
  addWorkingDays,
  noonOfWorkingDayBefore,
  orderTime as orderTimeOf,
  stockholmDate,
  zonedInstant,
} from '../../domain/calendar';
import type { Polygon } from '../../domain/geometry';
import {
  EMERGENCY_HANDLING_HOURS,
  LOCATE_VALIDITY_DAYS,
  earliestNormalLocateDate,
  handlingDeadlineDate,
  handlingSchedule,
  locateValidUntil,
  remarkOpenUntil,
  planningDueDate,
  planningFasterDueDate,
} from '../../cases/cases.rules';
import { caseFeesOn } from '../../cases/cases.store';
import type { Answer, CaseFees, CaseKind } from '../../cases/cases.rules';
import { createCaseService, type CaseService } from '../../cases/cases.service';
import type { Principal } from '../../platform/http/principal';
import { localDeliveryStore } from '../../platform/file-store';
import { workflowGateway } from '../../platform/temporal/gateway';
import { INPUT_REFUSED } from '../../platform/temporal/refusal';
import { createDirectory } from '../../identity/directory.service';
import { testActivities } from '../support/env';
import { workflowTestBed } from '../support/time-skipping';
import {
  answerUpdate,
  cancelLocateUpdate,
  caseStateQuery,
  locateCaseWorkflow,
  type CaseInput,
  deliverCaseUpdate,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  orderPlanningAddOnsUpdate,
  remarkLocateUpdate,
  splitUpdate,
  withdrawUpdate,
} from '../../cases/case.messages';

let bed: Awaited<ReturnType<typeof workflowTestBed>>;
let database: typeof bed.database;
let env: TestWorkflowEnvironment;
let accountId: string;
let cases: CaseService;
let questioner: Principal;
/** The seeded price list (T3): every case here is priced from it. */
let DEMO_FEES: CaseFees;
const taskQueue = `cases-${crypto.randomUUID()}`;
const owners = DEMO_NETWORK_OWNERS.slice(0, 2);

beforeAll(async () => {
  bed = await workflowTestBed(taskQueue, (db) => testActivities(db));
  ({ database, env } = bed);
  await seedNetworkOwners(database.db);
  DEMO_FEES = await caseFeesOn(database.db, '2026-01-01');
  const directory = createDirectory({ db: database.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      {
        kind: 'organisation',
        name: 'Tidig AB',
        email: 'tidig@test.se',
        organisationNumber: '556222-3333',
        language: 'en',
      },
      actor,
    )
  ).id;
  questioner = {
    kind: 'user',
    id: crypto.randomUUID(),
    role: 'customer',
    accountId,
    email: 'tidig@test.se',
    language: 'en',
  };
  const store = localDeliveryStore(path.join(os.tmpdir(), `cases-${crypto.randomUUID()}`));
  cases = createCaseService({
    db: database.db,
    workflows: workflowGateway(env.client, taskQueue),
    config: { publicUrl: 'http://x' },
    store,
  });
  await directory.createUser(
    { email: 'ts-handler@test.se', name: 'H', password: 'handler-pass-1', role: 'handler', language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'ts-admin@test.se', name: 'A', password: 'admin-pass-12', role: 'admin', language: 'en' },
    actor,
  );
});
afterAll(() => bed.stop());

/**
 * Registers a case through the case service, as the API does, on the test server's clock. Dates
 * are working days after the order time; a locate case wants its locate 7 working days after it by default.
 */
async function startCase(
  opts: {
    kind?: CaseKind;
    digStartDays?: number;
    desiredLocateDays?: number | null;
    express?: boolean;
    /** Another work area than the two demo owners' (its owners are not checked). */
    workArea?: unknown;
  } = {},
) {
  const kind = opts.kind ?? 'locate';
  const now = new Date(await env.currentTimeMs());
  const orderTime = orderTimeOf(now);
  const digStart = addWorkingDays(orderTime, opts.digStartDays ?? 3);
  const desiredLocateDate =
    opts.desiredLocateDays === null || kind !== 'locate'
      ? null
      : addWorkingDays(orderTime, opts.desiredLocateDays ?? 7);
  const deadline =
    kind === 'planning' ? planningDueDate(now) : handlingDeadlineDate(orderTime, digStart, desiredLocateDate);
  const registered = await cases.register(
    questioner,
    {
      kind,
      workArea: opts.workArea ?? owners[0]!.coverage,
      digStart,
      desiredLocateDate: desiredLocateDate ?? undefined,
      express: opts.express ?? false,
      acceptTerms: true,
    },
    now,
  );
  expect(registered).toMatchObject({ orderTime, handlingDeadline: deadline });
  if (!opts.workArea) expect(registered.owners.map((o) => o.id).sort()).toEqual(owners.map((o) => o.id).sort());
  const { lk } = registered;
  return { lk, orderTime, deadline, desiredLocateDate, registeredAt: now, handle: env.client.workflow.getHandle(lk) };
}

const skipTo = async (at: Date) => env.sleep(Math.max(0, at.getTime() - (await env.currentTimeMs())));
/** The error code a workflow refused an update with. */
const refusedWith = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: { cause?: { type?: string } }) => err.cause?.type,
  );
const invoice = (key: string) => database.db('invoices').where({ idempotency_key: key }).first();
const caseRow = (lk: string) => database.db('cases').where({ lk }).first();
/** Answers every owner; `stockholm-el` (locates) gets `first`, `fiber-ost` (map only) gets `second`. */
async function answerAll(handle: Awaited<ReturnType<typeof startCase>>['handle'], first: Answer, second: Answer) {
  await handle.executeUpdate(answerUpdate, { args: [{ ownerId: 'stockholm-el', answer: first, by: 'h' }] });
  await handle.executeUpdate(answerUpdate, { args: [{ ownerId: 'fiber-ost', answer: second, by: 'h' }] });
}

const outboxKeys = async (lk: string) =>
  (await database.db('outbox').where('idempotency_key', 'like', `${lk}:%`).orderBy('created_at')).map((m) =>
    m.idempotency_key.replace(`${lk}:`, '').replace(/:[0-9a-f-]{36}$/, ''),
  );

describe('L10: handling deadline', () => {
  it('L10: reminds handlers on the deadline morning and two hours before, then escalates and flags the case overdue', async () => {
    const { lk, deadline } = await startCase();
    const schedule = handlingSchedule(deadline);

    await skipTo(new Date(schedule.morningReminder.getTime() - 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation']);
    await skipTo(new Date(schedule.morningReminder.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', `reminder-morning-${deadline}`]);
    await skipTo(new Date(schedule.lastReminder.getTime() + 60_000));
    await expect
      .poll(() => outboxKeys(lk))
      .toEqual(['confirmation', `reminder-morning-${deadline}`, `reminder-two-hours-${deadline}`]);
    expect((await database.db('cases').where({ lk }).first()).overdue).toBe(false);

    await skipTo(new Date(schedule.due.getTime() + 60_000));
    await expect
      .poll(() => outboxKeys(lk))
      .toEqual([
        'confirmation',
        `reminder-morning-${deadline}`,
        `reminder-two-hours-${deadline}`,
        `escalation-${deadline}`,
      ]);
    const escalation = await database.db('outbox').where('idempotency_key', 'like', `${lk}:escalation-%`).first();
    expect(escalation.to_address).toBe('ts-admin@test.se');
    expect(escalation.subject).toBe(`Overdue case ${lk}`);
    await expect.poll(async () => (await database.db('cases').where({ lk }).first()).overdue).toBe(true);
  });

  it('L10: a case answered before the deadline gets no reminder and no escalation', async () => {
    const { lk, deadline, handle } = await startCase();
    for (const o of owners)
      await handle.executeUpdate(answerUpdate, { args: [{ ownerId: o.id, answer: 'no_infrastructure', by: 'h' }] });
    const { due } = handlingSchedule(deadline);
    await env.sleep(due.getTime() + 3_600_000 - (await env.currentTimeMs()));
    await expect.poll(() => outboxKeys(lk)).toEqual(['confirmation', 'answers']);
    await expect
      .poll(() => database.db('cases').where({ lk }).first())
      .toMatchObject({ status: 'answered', overdue: false });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('L12: physical locate', () => {
  it('L12: a desired date inside the 5 working days without express moves to the earliest normal date', async () => {
    const { lk, orderTime, handle } = await startCase({ desiredLocateDays: 2 });
    await answerAll(handle, 'locate_needed', 'information');
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: addWorkingDays(orderTime, 5), express: false });
    expect(await invoice(`${lk}:express`)).toBeUndefined();
  });

  it('L12, L6: express on working day 1–4 keeps the date and books the express fee on an invoice due in 30 days', async () => {
    const { lk, desiredLocateDate, handle } = await startCase({ desiredLocateDays: 3, express: true });
    await answerAll(handle, 'locate_needed', 'information');
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: desiredLocateDate, express: true });
    await expect
      .poll(() => invoice(`${lk}:express`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.express.minor, reference: lk });
    const { invoice_date, due_date } = await invoice(`${lk}:express`);
    expect((Date.parse(due_date) - Date.parse(invoice_date)) / 86_400_000).toBe(30);
    await handle.executeUpdate(locateDoneUpdate, { args: [{ by: 'technician' }] });
    expect((await handle.result()).status).toBe('located');
    await expect.poll(() => outboxKeys(lk)).toContain('locate-done');
  });
});

describe('L15, L16: moving and cancelling the locate', () => {
  it('L15: moving before 12:00 on the working day before is free; a new date in the express window costs the express fee', async () => {
    const { lk, orderTime, handle } = await startCase();
    await answerAll(handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('locate_scheduled');
    const free = await handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: addWorkingDays(orderTime, 8), express: false, expectedFeeMinor: 0 }],
    });
    expect(free).toMatchObject({ locateDate: addWorkingDays(orderTime, 8), fees: [] });
    // L15: the express period counts from the change: working day 4 after today is still in it.
    const express = addWorkingDays(stockholmDate(new Date(await env.currentTimeMs())), 4);
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, { args: [{ date: express, express: true, expectedFeeMinor: 0 }] }),
      ),
    ).toBe('fee_changed');
    await handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: express, express: true, expectedFeeMinor: DEMO_FEES.amounts.express.minor }],
    });
    await expect
      .poll(() => invoice(`${lk}:move-${express}`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.express.minor });
    await expect.poll(() => caseRow(lk)).toMatchObject({ locate_date: express, express: true });
  });

  it('L15: after 12:00 on the working day before the locate date, a move costs the change fee', async () => {
    const { lk, orderTime, desiredLocateDate, handle } = await startCase();
    await answerAll(handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('locate_scheduled');
    const cutOff = noonOfWorkingDayBefore(desiredLocateDate!);
    await skipTo(new Date(cutOff.getTime() - 60_000));
    // Past the express period counted from the change (L15): that is tested on its own below.
    const later = addWorkingDays(orderTime, 12);
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, {
          args: [{ date: later, express: false, expectedFeeMinor: DEMO_FEES.amounts.change.minor }],
        }),
      ),
    ).toBe('fee_changed');
    await skipTo(new Date(cutOff.getTime() + 60_000));
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, { args: [{ date: later, express: false, expectedFeeMinor: 0 }] }),
      ),
    ).toBe('fee_changed');
    await handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: later, express: false, expectedFeeMinor: DEMO_FEES.amounts.change.minor }],
    });
    await expect
      .poll(() => invoice(`${lk}:move-${later}`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.change.minor });
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, { args: [{ date: orderTime, express: false, expectedFeeMinor: 0 }] }),
      ),
    ).toBe('date_in_past');
  });

  it('L16: cancelling after 12:00 on the working day before costs the cancellation fee; before, it is free', async () => {
    const early = await startCase();
    await answerAll(early.handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(early.lk)).status).toBe('locate_scheduled');
    expect(await early.handle.executeUpdate(cancelLocateUpdate, { args: [{ expectedFeeMinor: 0 }] })).toEqual({
      fees: [],
    });
    expect((await early.handle.result()).status).toBe('cancelled');

    const late = await startCase();
    await answerAll(late.handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(late.lk)).status).toBe('locate_scheduled');
    await skipTo(new Date(noonOfWorkingDayBefore(late.desiredLocateDate!).getTime() + 60_000));
    expect(await refusedWith(late.handle.executeUpdate(cancelLocateUpdate, { args: [{ expectedFeeMinor: 0 }] }))).toBe(
      'fee_changed',
    );
    await late.handle.executeUpdate(cancelLocateUpdate, {
      args: [{ expectedFeeMinor: DEMO_FEES.amounts.cancellation.minor }],
    });
    await expect
      .poll(() => invoice(`${late.lk}:cancel`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.cancellation.minor });
    await expect.poll(() => caseRow(late.lk)).toMatchObject({ status: 'cancelled' });
  });
});

describe('L13: split', () => {
  it('L13: a split case runs each part as a child workflow numbered -1, -2; parts refuse express; the case is done when every part is', async () => {
    const { lk, orderTime, handle } = await startCase();
    const [el, fiber] = owners.map((o) => ({ id: o.id, name: o.name, mode: o.mode }));
    const area = owners[0]!.coverage;
    expect(
      await refusedWith(
        handle.executeUpdate(splitUpdate, {
          args: [{ parts: [{ workArea: area, areaM2: 1, owners: [el!] }], by: 'h' }],
        }),
      ),
    ).toBe('too_few_parts');
    const split = await handle.executeUpdate(splitUpdate, {
      args: [
        {
          parts: [
            { workArea: area, areaM2: 1, owners: [el!] },
            { workArea: area, areaM2: 1, owners: [fiber!] },
          ],
          by: 'h',
        },
      ],
    });
    expect(split).toEqual({ parts: [`${lk}-1`, `${lk}-2`] });
    await expect.poll(() => caseRow(`${lk}-2`)).toMatchObject({ parent_lk: lk, status: 'registered' });
    expect((await database.db('case_owners').where({ lk: `${lk}-1` })).map((o) => o.owner_id)).toEqual([
      'stockholm-el',
    ]);

    const part1 = env.client.workflow.getHandle(`${lk}-1`);
    const part2 = env.client.workflow.getHandle(`${lk}-2`);
    await expect.poll(async () => (await part1.describe()).status.name).toBe('RUNNING');
    await part1.executeUpdate(answerUpdate, { args: [{ ownerId: 'stockholm-el', answer: 'locate_needed', by: 'h' }] });
    await expect.poll(async () => (await caseRow(`${lk}-1`)).status).toBe('locate_scheduled');
    expect(
      await refusedWith(
        part1.executeUpdate(moveLocateUpdate, {
          args: [
            { date: addWorkingDays(orderTime, 3), express: true, expectedFeeMinor: DEMO_FEES.amounts.express.minor },
          ],
        }),
      ),
    ).toBe('express_not_allowed_for_split_case');
    // L13: through a handler, a split part can get express (issue 18).
    const partExpress = addWorkingDays(stockholmDate(new Date(await env.currentTimeMs())), 2);
    await part1.executeUpdate(moveLocateUpdate, {
      args: [
        {
          date: partExpress,
          express: true,
          expectedFeeMinor: DEMO_FEES.amounts.express.minor,
          by: 'h',
          byHandler: true,
        },
      ],
    });
    await expect.poll(() => caseRow(`${lk}-1`)).toMatchObject({ locate_date: partExpress, express: true });
    await expect
      .poll(() => invoice(`${lk}-1:move-${partExpress}`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.express.minor });
    await part1.executeUpdate(locateDoneUpdate, { args: [{ by: 't' }] });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await part2.executeUpdate(answerUpdate, { args: [{ ownerId: 'fiber-ost', answer: 'no_infrastructure', by: 'h' }] });
    expect((await handle.result()).status).toBe('completed');
    await expect.poll(() => caseRow(lk)).toMatchObject({ status: 'completed' });
  });
});

describe("L14: map-only owners' locate", () => {
  it('L14: after "dig according to map" from a map-only owner, the questioner can order its locate for the fee', async () => {
    const { lk, handle } = await startCase({ desiredLocateDays: 6 });
    await answerAll(handle, 'information', 'dig_according_to_map');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('answered');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(
      await refusedWith(
        handle.executeUpdate(orderMapOnlyLocateUpdate, {
          args: [{ ownerId: 'stockholm-el', expectedFeeMinor: DEMO_FEES.amounts.mapOnlyOwnerLocate.minor }],
        }),
      ),
    ).toBe('not_a_map_only_owner');
    const ordered = await handle.executeUpdate(orderMapOnlyLocateUpdate, {
      args: [{ ownerId: 'fiber-ost', expectedFeeMinor: DEMO_FEES.amounts.mapOnlyOwnerLocate.minor }],
    });
    expect(ordered).toMatchObject({ status: 'locate_scheduled', addOns: ['map_only_locate:fiber-ost'] });
    await expect
      .poll(() => invoice(`${lk}:map-only-locate-fiber-ost`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.mapOnlyOwnerLocate.minor });
    expect(
      await refusedWith(
        handle.executeUpdate(orderMapOnlyLocateUpdate, {
          args: [{ ownerId: 'fiber-ost', expectedFeeMinor: DEMO_FEES.amounts.mapOnlyOwnerLocate.minor }],
        }),
      ),
    ).toBe('already_ordered');
    await expect.poll(() => outboxKeys(lk)).toContain('map-only-locate-fiber-ost');
  });

  it('L14: without an order, the offer ends at the dig start and the case closes as answered', async () => {
    const { lk, handle } = await startCase({ digStartDays: 6 });
    await answerAll(handle, 'information', 'dig_according_to_map');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('answered');
    await env.sleep(20 * 24 * 3_600_000);
    expect((await handle.result()).status).toBe('answered');
  });
});

describe('L17, L18: planning cases', () => {
  it('L17: the PDF is due 10 working days after the order time; paid faster delivery moves the deadline, and a missed one escalates', async () => {
    const { lk, deadline, registeredAt, handle } = await startCase({ kind: 'planning' });
    expect(deadline).toBe(addWorkingDays(stockholmDate(registeredAt), 10));
    const fee = DEMO_FEES.amounts.planningFasterDelivery.minor + DEMO_FEES.amounts.planningVectorFormat.minor;
    expect(
      await refusedWith(
        handle.executeUpdate(orderPlanningAddOnsUpdate, {
          args: [{ fasterDelivery: true, formats: ['DXF'], expectedFeeMinor: 0 }],
        }),
      ),
    ).toBe('fee_changed');
    await handle.executeUpdate(orderPlanningAddOnsUpdate, {
      args: [{ fasterDelivery: true, formats: ['DXF'], expectedFeeMinor: fee }],
    });
    const faster = planningFasterDueDate(registeredAt);
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ handling_deadline: faster, add_ons: ['faster_delivery', 'DXF'] });
    await expect.poll(() => invoice(`${lk}:add-ons-faster_delivery-DXF`)).toMatchObject({ net_minor: fee });
    expect(
      await refusedWith(
        handle.executeUpdate(orderPlanningAddOnsUpdate, {
          args: [
            { fasterDelivery: false, formats: ['DXF'], expectedFeeMinor: DEMO_FEES.amounts.planningVectorFormat.minor },
          ],
        }),
      ),
    ).toBe('already_ordered');

    await skipTo(new Date(handlingSchedule(faster).due.getTime() + 60_000));
    await expect
      .poll(() => outboxKeys(lk))
      .toEqual(['confirmation', `reminder-morning-${faster}`, `reminder-two-hours-${faster}`, `escalation-${faster}`]);
    await expect.poll(async () => (await caseRow(lk)).overdue).toBe(true);
    await handle.executeUpdate(deliverCaseUpdate, { args: [{ by: 'h' }] });
    expect((await handle.result()).status).toBe('delivered');
  });

  it('L18: withdrawal is refused once 48 hours have passed since ordering', async () => {
    const { handle } = await startCase({ kind: 'planning' });
    await env.sleep(48 * 3_600_000 + 60_000);
    expect(await refusedWith(handle.executeUpdate(withdrawUpdate, { args: [{}] }))).toBe('withdrawal_period_over');
    expect(
      await refusedWith(
        handle.executeUpdate(answerUpdate, { args: [{ ownerId: 'fiber-ost', answer: 'information', by: 'h' }] }),
      ),
    ).toBe('not_applicable');
  });
});

/** 14:00 Stockholm time on the working day after the test clock's today: after the L3 cut-off. */
async function skipToAfternoonOfNextWorkingDay() {
  const day = addWorkingDays(stockholmDate(new Date(await env.currentTimeMs())), 1);
  await skipTo(zonedInstant(day, 14, 0, 'Europe/Stockholm'));
  return day;
}
const events = async (lk: string) =>
  (await database.db('case_events').where({ lk }).orderBy('id')).map((e) => ({
    type: e.type,
    actor: e.actor,
    data: e.data,
  }));
const square = (e: number, n: number, size: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [e, n],
      [e + size, n],
      [e + size, n + size],
      [e, n + size],
      [e, n],
    ],
  ],
});

describe('issue 18: the rules at their edges', () => {
  it('L15: a move to working day 1–4 after the change is express with its fee, however long ago the case was ordered', async () => {
    const { lk, orderTime, handle } = await startCase({ desiredLocateDays: 10 });
    await answerAll(handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('locate_scheduled');
    // Six working days after the order time, before the free-change cut-off of the locate date.
    const today = addWorkingDays(orderTime, 6);
    await skipTo(zonedInstant(today, 9, 0, 'Europe/Stockholm'));
    const tomorrow = addWorkingDays(today, 1); // past the order time's express window, inside the change's
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, { args: [{ date: tomorrow, express: false, expectedFeeMinor: 0 }] }),
      ),
    ).toBe('express_period');
    expect(
      await refusedWith(
        handle.executeUpdate(moveLocateUpdate, { args: [{ date: tomorrow, express: true, expectedFeeMinor: 0 }] }),
      ),
    ).toBe('fee_changed');
    const moved = await handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: tomorrow, express: true, expectedFeeMinor: DEMO_FEES.amounts.express.minor, by: questioner.id }],
    });
    expect(moved).toMatchObject({ locateDate: tomorrow, express: true });
    await expect
      .poll(() => invoice(`${lk}:move-${tomorrow}`))
      .toMatchObject({ net_minor: DEMO_FEES.amounts.express.minor });
    // The history: who moved it, from which date to which, with the fee.
    await expect
      .poll(() => events(lk))
      .toContainEqual({
        type: 'locate_moved',
        actor: questioner.id,
        data: expect.objectContaining({ from: addWorkingDays(orderTime, 10), to: tomorrow, express: true }),
      });
  });

  it('L12: answers that come on or after the desired locate date schedule the locate on the next working day, never in the past', async () => {
    const { lk, orderTime, handle } = await startCase({ desiredLocateDays: 6, digStartDays: 8 });
    const late = addWorkingDays(orderTime, 7);
    await skipTo(zonedInstant(late, 10, 0, 'Europe/Stockholm'));
    await answerAll(handle, 'locate_needed', 'information');
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: addWorkingDays(late, 1), express: false });
  });

  it('L10, L12: with a dig start far ahead, the case is handled at the latest the working day before the desired locate date', async () => {
    const { lk, orderTime, deadline } = await startCase({ digStartDays: 30, desiredLocateDays: 8 });
    expect(deadline).toBe(addWorkingDays(orderTime, 7));
    await expect.poll(() => caseRow(lk)).toMatchObject({ handling_deadline: deadline });
    await skipTo(new Date(handlingSchedule(deadline).due.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toContain(`escalation-${deadline}`);
  });

  it('L17 (§4.1): a planning case registered after 12:00 is due 10 working days from its registration date', async () => {
    const registrationDay = await skipToAfternoonOfNextWorkingDay();
    const { lk, orderTime, deadline } = await startCase({ kind: 'planning' });
    expect(orderTime).toBe(addWorkingDays(registrationDay, 1));
    expect(deadline).toBe(addWorkingDays(registrationDay, 10));
    await skipTo(new Date(handlingSchedule(deadline).due.getTime() + 60_000));
    await expect.poll(() => outboxKeys(lk)).toContain(`escalation-${deadline}`);
    await expect.poll(async () => (await caseRow(lk)).overdue).toBe(true);
  });

  it('Surveys: a survey whose area touches no network owner waits for its delivery and is delivered', async () => {
    const { lk, handle } = await startCase({ kind: 'survey', workArea: square(400_000, 6_300_000, 200) });
    expect(await database.db('case_owners').where({ lk })).toEqual([]);
    await env.sleep(60_000);
    expect((await caseRow(lk)).status).toBe('registered');
    await handle.executeUpdate(deliverCaseUpdate, {
      args: [{ by: 'h', surveyFile: { name: 'inmatning.dxf', bytes: 3 } }],
    });
    expect((await handle.result()).status).toBe('delivered');
    await expect.poll(() => caseRow(lk)).toMatchObject({ status: 'delivered' });
  });

  it('L14 (§3.1): an owner that primarily supplies maps answered "dig according to map": its locate is ordered free, and careful digging applies', async () => {
    const area = square(500_000, 6_400_000, 10_000);
    await seedNetworkOwner(database.db, {
      id: 'karta-forst',
      name: 'Karta Först AB',
      email: 'karta@test.se',
      mode: 'maps_primarily',
      coverage: area,
    });
    const { lk, handle } = await startCase({ workArea: square(501_000, 6_401_000, 200), desiredLocateDays: 8 });
    await handle.executeUpdate(answerUpdate, {
      args: [{ ownerId: 'karta-forst', answer: 'dig_according_to_map', by: 'h' }],
    });
    await expect.poll(async () => (await caseRow(lk)).status).toBe('answered');
    // The answers e-mail is sent after the state is mirrored: wait for it.
    await expect.poll(() => outboxKeys(lk)).toContain('answers');
    const answers = await database
      .db('outbox')
      .where({ idempotency_key: `${lk}:answers` })
      .first();
    expect(answers.text).toContain('careful digging applies in the area');
    expect(answers.text).not.toContain('No physical locate');
    const ordered = await handle.executeUpdate(orderMapOnlyLocateUpdate, {
      args: [{ ownerId: 'karta-forst', expectedFeeMinor: 0 }],
    });
    expect(ordered).toMatchObject({ status: 'locate_scheduled' });
    expect(await invoice(`${lk}:map-only-locate-karta-forst`)).toBeUndefined();
  });

  it('L18 (§4.2): a handler records a withdrawal notice that arrived by e-mail within 48 hours, judged by its arrival', async () => {
    const { lk, registeredAt, handle } = await startCase({ kind: 'planning' });
    await env.sleep(50 * 3_600_000);
    const late = registeredAt.getTime() + 49 * 3_600_000;
    expect(
      await refusedWith(handle.executeUpdate(withdrawUpdate, { args: [{ by: 'h', noticeReceivedAt: late }] })),
    ).toBe('withdrawal_period_over');
    const inTime = registeredAt.getTime() + 47 * 3_600_000;
    await handle.executeUpdate(withdrawUpdate, { args: [{ by: 'h', noticeReceivedAt: inTime }] });
    expect((await handle.result()).status).toBe('withdrawn');
    await expect
      .poll(() => events(lk))
      .toContainEqual({
        type: 'withdrawn',
        actor: 'h',
        data: { noticeReceivedAt: new Date(inTime).toISOString() },
      });
  });
});

describe('issue 18: from locate-service practice', () => {
  it('validity: marks are valid 30 days; a renewal is refused before, ordered free after, and the case closes once the renewal period ends', async () => {
    const { lk, handle } = await startCase();
    await answerAll(handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('locate_scheduled');
    await handle.executeUpdate(locateDoneUpdate, { args: [{ by: 'h' }] });
    const locatedOn = stockholmDate(new Date(await env.currentTimeMs()));
    await expect.poll(() => caseRow(lk)).toMatchObject({ status: 'located', located_on: locatedOn });
    expect(locateValidUntil(locatedOn)).toBe(addDays(locatedOn, LOCATE_VALIDITY_DAYS));
    // The case stays open for a renewal.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const renewal = (expectedFeeMinor: number) =>
      handle.executeUpdate(remarkLocateUpdate, { args: [{ reason: 'renewal', expectedFeeMinor, by: 'q' }] });
    expect(await refusedWith(renewal(0))).toBe('marks_still_valid');

    // The last valid day still refuses; the day after, the marks have expired.
    await skipTo(zonedInstant(locateValidUntil(locatedOn), 12, 0, 'Europe/Stockholm'));
    expect(await refusedWith(renewal(0))).toBe('marks_still_valid');
    await skipTo(zonedInstant(addDays(locateValidUntil(locatedOn), 1), 9, 0, 'Europe/Stockholm'));
    expect(await refusedWith(renewal(100))).toBe('fee_changed');
    const now = new Date(await env.currentTimeMs());
    const renewed = await renewal(0);
    const expected = earliestNormalLocateDate(orderTimeOf(now));
    expect(renewed).toEqual({ locateDate: expected, fees: [] });
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: expected, located_on: null });
    expect(await outboxKeys(lk)).toContain('remark-1');
    const events = await database.db('case_events').where({ lk, type: 'locate_remark_ordered' });
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ reason: 'renewal', locatedOn, locateDate: expected, fees: [] });

    // Marked again: valid anew, and the case closes when its renewal period ends.
    await handle.executeUpdate(locateDoneUpdate, { args: [{ by: 'h' }] });
    const again = stockholmDate(new Date(await env.currentTimeMs()));
    await expect.poll(() => caseRow(lk)).toMatchObject({ status: 'located', located_on: again });
    await skipTo(new Date(remarkOpenUntil(again).getTime() - 60_000));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await skipTo(new Date(remarkOpenUntil(again).getTime() + 60_000));
    await expect.poll(async () => (await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('issue 18: re-marking destroyed marks', () => {
  it('re-mark: destroyed marks of a done locate are marked again at the earliest normal date, free and confirmed; the questioner is told', async () => {
    const { lk, handle } = await startCase();
    const destroyed = (expectedFeeMinor: number) =>
      handle.executeUpdate(remarkLocateUpdate, { args: [{ reason: 'marks_destroyed', expectedFeeMinor, by: 'q' }] });
    await answerAll(handle, 'locate_needed', 'information');
    await expect.poll(async () => (await caseRow(lk)).status).toBe('locate_scheduled');
    expect(await refusedWith(destroyed(0))).toBe('locate_not_done');
    await handle.executeUpdate(locateDoneUpdate, { args: [{ by: 'h' }] });
    // Two days later the marks are gone (digging, snow, a vehicle): still valid, so no renewal, but a re-mark.
    const later = new Date((await env.currentTimeMs()) + 2 * 86_400_000);
    await skipTo(later);
    expect(await refusedWith(destroyed(100))).toBe('fee_changed');
    const now = new Date(await env.currentTimeMs());
    const remarked = await destroyed(0);
    expect(remarked).toEqual({ locateDate: earliestNormalLocateDate(orderTimeOf(now)), fees: [] });
    expect(await handle.query(caseStateQuery)).toMatchObject({
      status: 'locate_scheduled',
      remarks: 1,
      locatedOn: null,
    });
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: remarked.locateDate });
    const mail = await database
      .db('outbox')
      .where({ idempotency_key: `${lk}:remark-1` })
      .first();
    expect(mail.subject).toBe(`New locate ordered for ${lk}`);
    expect(mail.text).toContain('were destroyed');
    expect(mail.text).toContain(remarked.locateDate);
    // The re-marked locate is followed as any: moved, done again.
    await handle.executeUpdate(locateDoneUpdate, { args: [{ by: 'h' }] });
    await expect.poll(() => caseRow(lk)).toMatchObject({ status: 'located' });
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});

describe('issue 18: emergency cases', () => {
  const emergency = async () => {
    const now = new Date(await env.currentTimeMs());
    const registered = await cases.register(
      questioner,
      {
        kind: 'locate',
        workArea: owners[0]!.coverage,
        digStart: addWorkingDays(orderTimeOf(now), 1),
        emergency: true,
        express: false,
        acceptTerms: true,
      },
      now,
    );
    const dueAt = new Date(now.getTime() + EMERGENCY_HANDLING_HOURS * 3_600_000);
    expect(registered).toMatchObject({ emergency: true, handlingDueAt: dueAt.toISOString() });
    return { lk: registered.lk, dueAt, handle: env.client.workflow.getHandle(registered.lk) };
  };

  it('emergency: handlers are alerted at once, the emergency fee is booked, and it escalates when 3 hours pass unanswered', async () => {
    const { lk, dueAt, handle } = await emergency();
    await expect.poll(() => invoice(`${lk}:emergency`)).toMatchObject({ net_minor: DEMO_FEES.amounts.emergency.minor });
    await expect.poll(() => outboxKeys(lk), { timeout: 15_000 }).toContain('emergency-alert');
    await skipTo(new Date(dueAt.getTime() - 60_000));
    expect(await handle.query(caseStateQuery)).toMatchObject({ overdue: false });
    await skipTo(new Date(dueAt.getTime() + 60_000));
    await expect.poll(async () => (await handle.query(caseStateQuery)).overdue).toBe(true);
    await expect.poll(() => outboxKeys(lk)).toContain('escalation-emergency');
    // No working-day reminders or 16:00 escalation besides.
    expect((await outboxKeys(lk)).filter((k) => k.startsWith('reminder') || /^escalation-\d/.test(k))).toEqual([]);
  });

  it('emergency: answered in time, it does not escalate, and the locate is the same day', async () => {
    const { lk, dueAt, handle } = await emergency();
    await answerAll(handle, 'locate_needed', 'information');
    const today = stockholmDate(new Date(await env.currentTimeMs()));
    await expect
      .poll(() => caseRow(lk))
      .toMatchObject({ status: 'locate_scheduled', locate_date: today, express: false });
    await skipTo(new Date(dueAt.getTime() + 60_000));
    expect(await handle.query(caseStateQuery)).toMatchObject({ overdue: false });
    expect(await outboxKeys(lk)).not.toContain('escalation-emergency');
  });
});

describe('a step that fails on its input (A6, issue 15)', () => {
  it('a questioner name the database refuses stops the case visibly (state query), alerts admins once, and is not retried', async () => {
    const { handle } = await startCase();
    // The case's own input, as the service started it, with a name the API would have refused.
    const history = await handle.fetchHistory();
    const [input] = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map((p) =>
      defaultPayloadConverter.fromPayload<CaseInput>(p),
    );
    const lk = `LK-2099-${crypto.randomInt(100_000, 999_999)}`;
    const bad = await env.client.workflow.start(locateCaseWorkflow.workflowType, {
      workflowId: locateCaseWorkflow.workflowId(lk),
      taskQueue,
      args: [{ ...input!, lk, questioner: { ...input!.questioner, name: 'Nul\u0000' } }],
    });
    const failed = await bad.result().then(
      () => undefined,
      (err: { cause?: { type?: string; nonRetryable?: boolean } }) => err.cause,
    );
    expect(failed).toMatchObject({ type: INPUT_REFUSED, nonRetryable: true });
    expect((await bad.query(caseStateQuery)).failure).toMatch(/./);
    const alerts = await database.db('outbox').where('idempotency_key', 'like', `${lk}:input-refused:%`);
    expect(alerts.map((a) => a.to_address)).toEqual(['ts-admin@test.se']);
  });
});
