import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { checkPage, cspViolations, launchBrowser, signIn } from '../support/browser';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
let handlerToken: string;
const password = 'case-map-password-1';
const orderTime = orderTimeOf(new Date());

/** What the page's script shows after a round trip to the server: given time on a loaded machine. */
const uiPoll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 200 });

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  await seedNetworkOwners(office.db);
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Grävkarta AB', email: 'case-map-org@test.se', organisationNumber: '556888-9999' },
    actor,
  );
  await directory.createUser(
    {
      email: 'case-map-user@test.se',
      name: 'Gunnar Grav',
      password,
      role: 'customer',
      accountId: org.id,
      language: 'en',
    },
    actor,
  );
  await directory.createUser({ email: 'case-map-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  handlerToken = await login(office.baseUrl, 'case-map-handler@test.se', password);
  // Case workflows are named by LK number on the shared dev server: this file's series starts far from the others'.
  const year = Number(orderTime.slice(0, 4));
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 960_000 })));
}, 120_000);
afterAll(async () => {
  await browser.close();
  await office.drop();
  expect(cspViolations).toEqual([]);
});

async function signedIn(): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } })).newPage();
  await signIn(page, office.baseUrl, 'case-map-user@test.se', password);
  return page;
}

// Inside Stockholm Elnät's and Fiber Öst's coverage (dev/demo-network-owners.ts).
const typedArea = '675000 6580000\n675200 6580000\n675200 6580200\n675000 6580200';

/** Fills the registration form: the area typed, then drawn anew on the map around its middle (L2). */
async function fillCase(page: Page, kind: 'locate' | 'planning') {
  await page.getByRole('link', { name: 'Register a case' }).click();
  await page.waitForURL(/\/app\/cases\/new$/);
  await page.locator('#map canvas').first().waitFor();
  await page.getByLabel(kind === 'locate' ? /Locate instruction \(call/ : /Planning case \(PDF/).check();
  await page.getByLabel('Dig start').fill(addWorkingDays(orderTime, 10));
  if (kind === 'locate') await page.getByLabel(/^Desired locate date/).fill(addWorkingDays(orderTime, 8));
  const area = page.getByLabel(/Or type the area/);
  await area.fill(typedArea);
  await area.blur();
  await uiPoll(() => page.locator('#fee [data-deadline]').count()).toBe(1);
  const box = (await page.locator('#map').boundingBox())!;
  const [cx, cy] = [box.width / 2, box.height / 2];
  for (const [x, y] of [
    [cx - 40, cy - 40],
    [cx + 40, cy - 40],
    [cx + 40, cy + 40],
    [cx - 40, cy - 40],
  ] as const) {
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForTimeout(120);
  }
  await uiPoll(async () => JSON.parse(await area.inputValue()).type).toBe('Polygon');
  expect(await area.inputValue()).not.toContain('675200');
}

describe('L1–L4, L15: a questioner registers a locate case on the map', () => {
  it('sees the deadline and owners before confirming, accepts the terms, gets the LK number, and moves the locate seeing the fee first', async () => {
    const page = await signedIn();
    await fillCase(page, 'locate');
    const quote = (await page.locator('#fee').textContent())!;
    expect(quote).toContain('Stockholm Elnät');
    expect(quote).toContain(`Order time${orderTime}`);
    await checkPage(page, 'case-new');
    await page.locator('#case-next').click();
    await page.waitForURL(/\/app\/cases\/new$/);
    expect(await page.locator('h1').textContent()).toBe('Confirm the case');
    await checkPage(page, 'case-confirm', { bothLanguages: false });
    // L1: without accepting the terms the browser does not send the form; accepted, the case is registered.
    await page.getByLabel(/I accept the terms of purchase, version 2026-1/).check();
    await page.getByRole('button', { name: 'Register the case' }).click();
    await page.waitForURL(/\/app\/cases\/LK-[\d-]+\?notice=done$/);
    const lk = /LK-[\d-]+/.exec(page.url())![0];
    expect(await page.locator('h1').textContent()).toContain(lk);
    const acceptance = await office.db('terms_acceptances').where({ lk }).first();
    expect(acceptance.terms_version).toBe('2026-1');

    // A handler answers that a locate is needed; then the questioner moves it and sees the fee first (L15).
    const c = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: handlerToken });
    for (const owner of c.body.owners as { id: string }[])
      await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
        token: handlerToken,
        body: { ownerId: owner.id, answer: 'locate_needed' },
      });
    await expect
      .poll(async () => (await office.db('cases').where({ lk }).first()).status, { timeout: 45_000 })
      .toBe('locate_scheduled');
    await page.reload();
    const newDate = addWorkingDays(orderTime, 2);
    await page.getByLabel('New locate date').fill(newDate);
    await page.getByLabel('Express (for a fee)').check();
    await page.getByRole('button', { name: 'Show the fee' }).click();
    await page.waitForURL(/\/move\?/);
    expect(await page.locator('tfoot').textContent()).toMatch(/Total\s*SEK\s*1,875\.00/);
    await page.getByRole('button', { name: 'Confirm the move and the fee' }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('dl').first().textContent()).toContain(newDate);
    await checkPage(page, 'case-moved');
  });

  it('L18: a planning case registered on the map is withdrawn inside 48 hours', async () => {
    const page = await signedIn();
    await fillCase(page, 'planning');
    await page.locator('#case-next').click();
    await page.waitForURL(/\/app\/cases\/new$/);
    await page.getByLabel(/I accept the terms of purchase/).check();
    await page.getByRole('button', { name: 'Register the case' }).click();
    await page.waitForURL(/\/app\/cases\/LK-[\d-]+\?notice=done$/);
    const lk = /LK-[\d-]+/.exec(page.url())![0];
    // L18: the time left of the 48 hours is shown beside the button.
    expect(await page.locator('#withdraw-left').textContent()).toMatch(/^4[67] h \d+ min left to withdraw$/);
    await page.getByRole('button', { name: /Withdraw/ }).click();
    await page.waitForURL(/notice=done/);
    await expect
      .poll(async () => (await office.db('cases').where({ lk }).first()).status, { timeout: 45_000 })
      .toBe('withdrawn');
  });

  it('the quote route refuses staff and stores nothing', async () => {
    const before = Number((await office.db('cases').count({ n: '*' }).first())!.n);
    const refused = await call(office.baseUrl, 'POST', '/api/v1/cases/quote', {
      token: handlerToken,
      body: { kind: 'planning', workArea: {}, digStart: orderTime, acceptTerms: false },
    });
    expect(refused.status).toBe(403);
    const token = await login(office.baseUrl, 'case-map-user@test.se', password);
    const bad = await call(office.baseUrl, 'POST', '/api/v1/cases/quote', {
      token,
      body: {
        kind: 'planning',
        workArea: { type: 'Polygon', coordinates: [] },
        digStart: orderTime,
        acceptTerms: false,
      },
    });
    expect([bad.status, bad.body.error.code]).toEqual([422, 'invalid_work_area']);
    expect(Number((await office.db('cases').count({ n: '*' }).first())!.n)).toBe(before);
  });
});
