import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { cspViolations, expectAccessible, launchBrowser, screenshot, signIn } from '../support/browser';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-case-password-1';
const orderTime = orderTimeOf(new Date());
const lks: Record<'answered' | 'split' | 'planning' | 'mapOnly', string> = {
  answered: '',
  split: '',
  planning: '',
  mapOnly: '',
};

// A 200 m square inside both Stockholm Elnät's and Fiber Öst's coverage.
const E = 675_000;
const N = 6_580_000;
const workArea = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 200, N],
      [E + 200, N + 200],
      [E, N + 200],
      [E, N],
    ],
  ],
};

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  await seedNetworkOwners(office.db);
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Sidgräv AB',
      email: 'pages-case-org@test.se',
      organisationNumber: '556777-8888',
      language: 'en',
    },
    actor,
  );
  await directory.createUser(
    { email: 'pages-case-customer@test.se', name: 'C', password, role: 'customer', accountId: org.id, language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'pages-case-handler@test.se', name: 'H', password, role: 'handler', language: 'en' },
    actor,
  );
  // Case workflows are named by LK number on the shared dev server: start this file's series far from the API test's.
  await office.db('case_series').insert({ year: Number(orderTime.slice(0, 4)), last_sequence: 900_000 });
  const token = await login(office.baseUrl, 'pages-case-customer@test.se', password);
  const register = async (body: object) =>
    (await call(office.baseUrl, 'POST', '/api/v1/cases', { token, body: { acceptTerms: true, workArea, ...body } }))
      .body.lk as string;
  lks.answered = await register({
    kind: 'locate',
    digStart: addWorkingDays(orderTime, 10),
    desiredLocateDate: addWorkingDays(orderTime, 8),
  });
  lks.split = await register({
    kind: 'locate',
    digStart: addWorkingDays(orderTime, 12),
    desiredLocateDate: addWorkingDays(orderTime, 8),
  });
  lks.planning = await register({ kind: 'planning', digStart: addWorkingDays(orderTime, 20) });
  lks.mapOnly = await register({
    kind: 'locate',
    digStart: addWorkingDays(orderTime, 15),
    desiredLocateDate: addWorkingDays(orderTime, 8),
  });
  const handler = await login(office.baseUrl, 'pages-case-handler@test.se', password);
  for (const [ownerId, answer] of [
    ['fiber-ost', 'dig_according_to_map'],
    ['stockholm-el', 'no_infrastructure'],
  ]) {
    await call(office.baseUrl, 'POST', `/api/v1/cases/${lks.mapOnly}/answers`, {
      token: handler,
      body: { ownerId, answer },
    });
  }
});
// Issue 15: the pages pass their Content Security Policy: the browser refused nothing.
afterAll(() => {
  expect(cspViolations).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await office?.drop();
});

const caseRow = (lk: string) => office.db('cases').where({ lk }).first();

async function signedIn(email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, office.baseUrl, email, password);
  return page;
}

describe('a handler answers and splits cases', () => {
  it('the case list is ordered by handling deadline; the case page draws the work area and takes an answer per owner', async () => {
    // L10: the flag the 16:00 deadline timer sets, here set by hand.
    await office.db('cases').where({ lk: lks.split }).update({ overdue: true });
    const page = await signedIn('pages-case-handler@test.se');
    await page.getByRole('link', { name: 'Cases' }).click();
    expect((await page.locator('tbody tr td:first-child').allTextContents()).sort()).toEqual(Object.values(lks).sort());
    const deadlines = await page.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(deadlines).toEqual([...deadlines].sort());
    expect(await page.locator('tr.overdue td:first-child').allTextContents()).toEqual([lks.split]);
    expect(await page.locator('tr.overdue').textContent()).toContain('Overdue');
    await expectAccessible(page);
    await screenshot(page, 'handler-cases');

    await page.getByRole('link', { name: lks.answered, exact: true }).click();
    expect(await page.locator('svg.shape path').getAttribute('d')).toMatch(/^M[\d.,L]+Z$/);
    await expectAccessible(page);
    await screenshot(page, 'handler-case');
    await page.getByLabel('Answer').first().selectOption('no_infrastructure');
    await page.getByRole('button', { name: 'Save the answer' }).first().click();
    await page.waitForURL(/notice=done/);
    await page.getByLabel('Answer').first().selectOption('locate_needed');
    await page.getByLabel('Note').first().fill('high voltage');
    await page.getByRole('button', { name: 'Save the answer' }).first().click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('tbody').first().textContent()).toContain('Locate needed – high voltage');
    expect(await page.getByRole('button', { name: 'Save the answer' }).count()).toBe(0);
    await expect.poll(async () => (await caseRow(lks.answered)).status, { timeout: 15_000 }).toBe('locate_scheduled');
  });

  it('splits a case into the halves the form suggests', async () => {
    const page = await signedIn('pages-case-handler@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.split}`);
    await page.getByRole('button', { name: 'Split the case' }).click();
    await page.waitForURL(/notice=done/);
    await expect
      .poll(async () => (await page.reload(), await page.locator('li a[href^="/app/cases/LK-"]').allTextContents()), {
        timeout: 15_000,
      })
      .toEqual([`${lks.split}-1`, `${lks.split}-2`]);
    expect(await page.locator('dd').nth(1).textContent()).toContain('Split');
    await screenshot(page, 'handler-case-split');
  });
});

describe("the customer's case pages: fees first, complaints, withdrawal", () => {
  it('moving the locate shows the fee first, then changes it on confirmation and books the fee', async () => {
    const page = await signedIn('pages-case-customer@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.answered}`);
    const before = (await caseRow(lks.answered)).locate_date;
    // Inside the express window, asked for as express: the express fee (L12, L15).
    const newDate = addWorkingDays(orderTime, 2);
    await page.getByLabel('New locate date').fill(newDate);
    await page.getByLabel('Express (for a fee)').check();
    await page.getByRole('button', { name: 'Show the fee' }).click();
    await page.waitForURL(/\/move\?/);
    expect(await page.locator('h1').textContent()).toBe('Move the locate');
    expect(await page.locator('tbody').textContent()).toContain('Express');
    expect(await page.locator('tfoot').textContent()).toMatch(
      /Net\s*SEK\s*1,500\.00\s*VAT\s*SEK\s*375\.00\s*Total\s*SEK\s*1,875\.00/,
    );
    expect(await page.locator('dd').first().textContent()).toContain(newDate);
    expect((await caseRow(lks.answered)).locate_date).toEqual(before);
    await expectAccessible(page);
    await screenshot(page, 'customer-move-fee');
    await page.getByRole('button', { name: 'Confirm the move and the fee' }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('dl').first().textContent()).toContain(newDate);
    await page.getByRole('link', { name: 'Invoices' }).click();
    await expect
      .poll(async () => (await page.reload(), await page.locator('tbody').textContent()), { timeout: 15_000 })
      .toContain('1,875.00');
  });

  it('an unknown date is refused with the API message', async () => {
    const page = await signedIn('pages-case-customer@test.se');
    const res = await page.goto(`${office.baseUrl}/app/cases/${lks.answered}/move?date=2001-01-01`);
    expect(res!.status()).toBe(422);
    expect(await page.locator('[role=alert]').textContent()).toContain('2001-01-01 cannot be the locate date');
  });

  it('cancelling the locate also shows the fee first', async () => {
    const page = await signedIn('pages-case-customer@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.answered}`);
    await page.getByRole('link', { name: 'Cancel the locate' }).click();
    expect(await page.locator('h1').textContent()).toBe('Cancel the locate');
    expect(await page.locator('tfoot').textContent()).toMatch(/Total\s*SEK/);
    expect((await caseRow(lks.answered)).status).toBe('locate_scheduled');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm the cancellation and the fee' }).click();
    await page.waitForURL(/notice=done/);
    await expect.poll(async () => (await caseRow(lks.answered)).status, { timeout: 15_000 }).toBe('cancelled');
  });

  it("L14: orders a locate of a map-only owner's lines after seeing its fee", async () => {
    await expect.poll(async () => (await caseRow(lks.mapOnly)).status, { timeout: 15_000 }).toBe('answered');
    const page = await signedIn('pages-case-customer@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.mapOnly}`);
    await page.getByRole('button', { name: 'Show the fee: Fiber Öst AB' }).click();
    expect(await page.locator('h1').textContent()).toBe("Order a locate of a map-only owner's lines");
    expect(await page.locator('tfoot').textContent()).toMatch(/Total\s*SEK\s*1,500\.00/);
    await page.getByRole('button', { name: 'Confirm the order and the fee' }).click();
    await page.waitForURL(/notice=done/);
    await expect.poll(async () => (await caseRow(lks.mapOnly)).status, { timeout: 15_000 }).toBe('locate_scheduled');
  });

  it('L17: orders add-ons to a planning case after seeing their fee', async () => {
    const page = await signedIn('pages-case-customer@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.planning}`);
    await page.getByLabel('Faster delivery (5 working days)').check();
    await page.getByLabel('DXF').check();
    await page.getByRole('button', { name: 'Show the fee' }).click();
    expect(await page.locator('tbody').textContent()).toMatch(/Faster delivery[\s\S]*Vector format/);
    expect(await page.locator('tfoot').textContent()).toMatch(/Total\s*SEK\s*2,250\.00/);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm the order and the fee' }).click();
    await page.waitForURL(/notice=done/);
    await expect.poll(async () => (await caseRow(lks.planning)).add_ons, { timeout: 15_000 }).not.toEqual([]);
  });

  it('L7: the customer files a complaint and the handler responds on the case page', async () => {
    const customer = await signedIn('pages-case-customer@test.se');
    await customer.goto(`${office.baseUrl}/app/cases/${lks.mapOnly}`);
    await customer.getByLabel('Your complaint').fill('The map was hard to read.');
    await customer.getByRole('button', { name: 'File the complaint' }).click();
    await customer.waitForURL(/notice=done/);
    expect(await customer.locator('main').textContent()).toContain('The map was hard to read.');
    const handler = await signedIn('pages-case-handler@test.se');
    await handler.goto(`${office.baseUrl}/app/cases/${lks.mapOnly}`);
    await handler.getByLabel('Response').fill('A clearer map is on its way.');
    await handler.getByRole('button', { name: 'Send the response' }).click();
    await handler.waitForURL(/notice=done/);
    await expect
      .poll(async () => (await customer.reload(), await customer.locator('main').textContent()), { timeout: 15_000 })
      .toContain('A clearer map is on its way.');
  });

  it('the case history shows every step: the questioner sees staff by role, the handler sees who', async () => {
    const customer = await signedIn('pages-case-customer@test.se');
    await customer.goto(`${office.baseUrl}/app/cases/${lks.mapOnly}`);
    const rows = async (page: Page) => (await page.locator('#history tbody tr').allTextContents()).join('\n');
    const seen = await rows(customer);
    for (const step of ['Registered', 'Terms of purchase accepted', 'Order time and handling deadline set'])
      expect(seen).toContain(step);
    expect(seen).toMatch(/Network owner answered · fiber-ost: dig_according_to_map\s*handler\n/);
    expect(seen).toContain('Every network owner answered');
    await expectAccessible(customer);
    const handler = await signedIn('pages-case-handler@test.se');
    await handler.goto(`${office.baseUrl}/app/cases/${lks.mapOnly}`);
    expect(await rows(handler)).toMatch(
      /Network owner answered · fiber-ost: dig_according_to_map\s*handler [0-9a-f-]{36}/,
    );
    await screenshot(handler, 'handler-case-history');
  });

  it('a handler searches cases by LK number or customer and opens one; customers cannot search', async () => {
    const handler = await signedIn('pages-case-handler@test.se');
    await handler.goto(`${office.baseUrl}/app/cases`);
    await handler.getByRole('link', { name: 'Search', exact: true }).click();
    await handler.getByLabel('LK or order number, name, organisation number or e-mail').fill(lks.mapOnly);
    await handler.getByRole('button', { name: 'Search' }).click();
    await handler.waitForURL(/\/app\/search\?/);
    expect(await handler.locator('#results tbody tr').allTextContents()).toEqual([
      expect.stringContaining(lks.mapOnly),
    ]);
    await expectAccessible(handler);
    await screenshot(handler, 'handler-search');
    await handler.goto(`${office.baseUrl}/app/search?q=${encodeURIComponent('556777-8888')}`);
    const byOrgNumber = await handler.locator('#results tbody').textContent();
    for (const lk of Object.values(lks)) expect(byOrgNumber).toContain(lk);
    await handler.getByRole('link', { name: lks.mapOnly }).click();
    await handler.waitForURL(new RegExp(`/app/cases/${lks.mapOnly}$`));
    const customer = await signedIn('pages-case-customer@test.se');
    const refused = await customer.goto(`${office.baseUrl}/app/search?q=x`);
    expect(refused!.status()).toBe(403);
  });

  it('withdraws a planning case within 48 hours', async () => {
    const page = await signedIn('pages-case-customer@test.se');
    await page.goto(`${office.baseUrl}/app/cases/${lks.planning}`);
    await page.getByRole('button', { name: /Withdraw/ }).click();
    await page.waitForURL(/notice=done/);
    await expect.poll(async () => (await caseRow(lks.planning)).status, { timeout: 15_000 }).toBe('withdrawn');
  });
});
