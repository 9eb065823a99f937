import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../cli/demo-network-owners';
import { orderTime as orderTimeOf, addWorkingDays } from '../../domain/calendar';
import { createDirectory } from '../../lib/directory';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'case-password-1';

// A 200 m square inside both Stockholm Elnät's and Fiber Öst's coverage, outside Vatten Syd's.
const E = 675_000;
const N = 6_580_000;
const workArea = { type: 'Polygon', coordinates: [[[E, N], [E + 200, N], [E + 200, N + 200], [E, N + 200], [E, N]]] };

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount({ kind: 'organisation', name: 'Gräv & Co AB', email: 'case-org@test.se', organisationNumber: '556111-2222', language: 'sv' }, actor);
  const other = await directory.createAccount({ kind: 'organisation', name: 'Annan AB', email: 'case-other@test.se', organisationNumber: '556111-3333' }, actor);
  const teen = await directory.createAccount({ kind: 'private', name: 'Young Person', email: 'case-teen@test.se', birthDate: '2010-01-01', language: 'en' }, actor);
  await directory.createUser({ email: 'case-customer@test.se', name: 'C', password, role: 'customer', accountId: org.id }, actor);
  await directory.createUser({ email: 'case-other-user@test.se', name: 'O', password, role: 'customer', accountId: other.id }, actor);
  await directory.createUser({ email: 'case-teen-user@test.se', name: 'T', password, role: 'customer', accountId: teen.id }, actor);
  await directory.createUser({ email: 'case-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  for (const [who, email] of Object.entries({ customer: 'case-customer@test.se', other: 'case-other-user@test.se', teen: 'case-teen-user@test.se', handler: 'case-handler@test.se' })) {
    token[who] = await login(office.baseUrl, email, password);
  }
});
afterAll(() => office.drop());

const register = (who: string, body: Record<string, unknown>, headers?: Record<string, string>) => call(office.baseUrl, 'POST', '/api/v1/cases', { token: token[who], body, headers });

describe('registering a locate case', () => {
  let lk: string;
  let orderTime: string;

  it('L3, L4, L10, L12: answers the LK number, order time, deadline and locate window, and confirms by e-mail at once', async () => {
    orderTime = orderTimeOf(new Date());
    const desired = addWorkingDays(orderTime, 8);
    const res = await register('customer', { kind: 'locate', workArea, digStart: addWorkingDays(orderTime, 10), desiredLocateDate: desired });
    expect(res.status).toBe(201);
    lk = res.body.lk;
    expect(lk).toMatch(new RegExp(`^LK-${orderTime.slice(0, 4)}-\\d{6}$`));
    expect(res.body).toMatchObject({
      orderTime,
      handlingDeadline: addWorkingDays(orderTime, 10 - 5), // L10: 5 working days before the dig start, later than the next working day
      earliestNormalLocateDate: addWorkingDays(orderTime, 5),
      expressWindow: { first: addWorkingDays(orderTime, 1), last: addWorkingDays(orderTime, 4) },
    });
    expect(res.body.owners.map((o: { id: string }) => o.id).sort()).toEqual(['fiber-ost', 'stockholm-el']);
    const [mail] = await mailTo('case-org@test.se');
    expect(mail!.subject).toBe(`Bekräftelse: ärende ${lk}`);
    expect(mail!.text).toContain(orderTime);
  });

  it('L4: LK numbers follow each other without gaps, also after a refused registration', async () => {
    const refused = await register('customer', { kind: 'locate', workArea: { type: 'Polygon', coordinates: [] }, digStart: '2099-01-01', desiredLocateDate: '2099-01-01' });
    expect(refused.status).toBe(422);
    const next = await register('customer', { kind: 'planning', workArea, digStart: addWorkingDays(orderTime, 20) });
    expect(next.status).toBe(201);
    expect(Number(next.body.lk.slice(-6))).toBe(Number(lk.slice(-6)) + 1);
  });

  it('L11: handlers answer per owner; the questioner gets one summary when all have answered, and the locate is scheduled (L12)', async () => {
    const first = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, { token: token.handler, body: { ownerId: 'fiber-ost', answer: 'dig_according_to_map' } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ answered: 1, of: 2 });
    const again = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, { token: token.handler, body: { ownerId: 'fiber-ost', answer: 'information' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_answered');
    const unknown = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, { token: token.handler, body: { ownerId: 'vatten-syd', answer: 'information' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_owner');
    const byCustomer = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, { token: token.customer, body: { ownerId: 'stockholm-el', answer: 'locate_needed' } });
    expect(byCustomer.status).toBe(403);

    await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, { token: token.handler, body: { ownerId: 'stockholm-el', answer: 'locate_needed', note: 'högspänning' } });
    const findSummary = async () => (await mailTo('case-org@test.se', 1)).find((m) => m.subject === `Svar i ärende ${lk}`);
    await expect.poll(findSummary, { timeout: 15_000 }).toBeDefined();
    const summary = (await findSummary())!;
    expect(summary.text).toContain('Fiber Öst AB: gräv enligt karta');
    expect(summary.text).toContain('Stockholm Elnät AB: utsättning krävs (högspänning)');
    const desired = addWorkingDays(orderTime, 8);
    expect(summary.text).toContain(`Utsättning sker ${desired}`);

    const c = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer });
    expect(c.body).toMatchObject({ status: 'locate_scheduled', locateDate: desired, express: false });
    expect(c.body.owners.find((o: { id: string }) => o.id === 'stockholm-el')).toMatchObject({ answer: 'locate_needed', note: 'högspänning' });
  });

  it('L15: moving well ahead is quoted free and confirmed; a stale quote is refused with 409', async () => {
    const newDate = addWorkingDays(orderTime, 9);
    const quote = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}/locate/quote?date=${newDate}`, { token: token.customer });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ action: 'move', locateDate: newDate, fees: { total: { minor: 0, currency: 'SEK' } } });
    const stale = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/move`, { token: token.customer, body: { date: newDate, expectedFeeMinor: 50_000 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('fee_changed');
    const moved = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/move`, { token: token.customer, body: { date: newDate, expectedFeeMinor: 0 } });
    expect(moved.status).toBe(200);
    expect(moved.body.locateDate).toBe(newDate);
  });

  it("a customer cannot see or change another account's case (404)", async () => {
    expect((await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.other })).status).toBe(404);
    expect((await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/cancel`, { token: token.other, body: { expectedFeeMinor: 0 } })).status).toBe(404);
    const list = await call(office.baseUrl, 'GET', '/api/v1/cases', { token: token.other });
    expect(list.body.total).toBe(0);
  });

  it('L16: cancelling well ahead is free; the technician can then not mark it done', async () => {
    const quote = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}/locate/quote`, { token: token.customer });
    expect(quote.body).toMatchObject({ action: 'cancel', fees: { total: { minor: 0 } } });
    const cancelled = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/cancel`, { token: token.customer, body: { expectedFeeMinor: 0 } });
    expect(cancelled.status).toBe(200);
    const done = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate-done`, { token: token.handler });
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('closed');
  });
});

describe('refusals store nothing', () => {
  it('L5: a private person under 18 is refused', async () => {
    const res = await register('teen', { kind: 'planning', workArea, digStart: '2099-01-05' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('under_age');
  });

  it('L2: a locate needs a desired locate date; an invalid work area says what is wrong', async () => {
    const before = (await office.db('cases').count('* as n').first())!.n;
    const noDate = await register('customer', { kind: 'locate', workArea, digStart: '2099-01-05' });
    expect(noDate.status).toBe(400);
    expect(noDate.body.error.details[0].field).toBe('body.desiredLocateDate');
    const open = await register('customer', { kind: 'survey', workArea: { type: 'Polygon', coordinates: [[[E, N], [E + 10, N], [E + 10, N + 10], [E, N + 10]]] }, digStart: '2099-01-05' });
    expect(open.status).toBe(422);
    expect(open.body.error.details[0].code).toBe('ring_not_closed');
    expect((await office.db('cases').count('* as n').first())!.n).toBe(before);
  });
});

describe('planning cases', () => {
  it('L18: a planning case can be withdrawn within 48 hours, once', async () => {
    const res = await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' });
    const lk = res.body.lk;
    const withdrawn = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token: token.customer });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const again = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token: token.customer });
    expect(again.status).toBe(409);
    expect((await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer })).body.status).toBe('withdrawn');
  });
});
