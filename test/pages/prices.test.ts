import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, stockholmDate } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { cspViolations, expectAccessible, launchBrowser, signIn } from '../support/browser';
import { startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-prices-pass-1';

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  await directory.createUser(
    { email: 'pages-prices-admin@test.se', name: 'A', password, role: 'admin', language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'pages-prices-finance@test.se', name: 'F', password, role: 'finance', language: 'en' },
    actor,
  );
});
afterAll(async () => {
  await browser?.close();
  await office?.drop();
});

it('issue 21 (T3): an admin adds a geodata price version on the page; the page shows what is in force on a chosen date, the product its history', async () => {
  const today = stockholmDate(new Date());
  const from = addDays(today, 3);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, office.baseUrl, 'pages-prices-admin@test.se', password);
  await page.getByRole('link', { name: 'Geodata prices' }).click();
  await expectAccessible(page);
  const row = page.locator('#prices').getByRole('row', { name: /Buildings/ });
  await expect.poll(() => row.textContent()).toMatch(/2026-01-01.*40\.00/);

  const form = page.locator('#add-price');
  await form.getByLabel('Product').selectOption('byggnader');
  await form.getByLabel('Valid from').fill(from);
  await form.getByLabel(/Per km²/).fill('55,50');
  await form.getByLabel(/Minimum fee/).fill('300');
  await form.getByLabel(/Annual fee/).fill('');
  await form.getByLabel('Reason (kept in the history)').fill('new survey costs');
  await form.getByRole('button', { name: 'Add a price version' }).click();
  await page.waitForURL(/notice=done/);
  // Today still the old version; from its date the new one.
  await expect.poll(() => row.textContent()).toMatch(/2026-01-01.*40\.00/);
  await page.getByLabel('Prices in force on').fill(from);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect.poll(() => row.textContent()).toMatch(new RegExp(`${from}.*55\\.50.*300\\.00.*–`));

  await row.getByRole('link').click();
  await expect.poll(() => page.locator('#price-versions tbody tr').count()).toBe(2);
  await expect
    .poll(() => page.locator('#product-history tbody tr').first().textContent())
    .toMatch(/price_version_added.*new survey costs/);
  expect(cspViolations).toEqual([]);
});

it('issue 21: finance reads the prices but has no form to add one', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, office.baseUrl, 'pages-prices-finance@test.se', password);
  await page.goto(`${office.baseUrl}/app/prices`);
  await expect.poll(() => page.locator('#prices tbody tr').count()).toBeGreaterThan(0);
  expect(await page.locator('#add-price').count()).toBe(0);
});
