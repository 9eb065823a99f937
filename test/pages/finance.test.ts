import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../identity/accounts.store';
import { bookInvoice } from '../../invoicing/invoices.store';
import { createDirectory } from '../../identity/directory.service';
import { cspViolations, expectAccessible, launchBrowser, screenshot, signIn } from '../support/browser';
import { startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-finance-pass-1';
const year = 2024;

const inputs: Record<string, string> = {
  providers: [
    'provider_id,name,business_id,iban,email,language',
    'espoo,Espoon kaupunki,0112038-9,FI2112345600000785,pages-kartat@espoo.test,fi',
    'hki,"Helsinki, kaupunkimittaus",0112038-9,FI2112345600000785,pages-kartta@hki.test,sv',
  ].join('\n'),
  'map-material': [
    'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to',
    'hki,hki-500,200,500,2010-01-01,',
    'espoo,esp-1000,300,1000,2010-01-01,',
  ].join('\n'),
  'address-material': 'provider_id,addresses\nhki,3000\nespoo,1000\n',
  revenue:
    'category,amount\nusage_fee,5000.00\ncopy_permit,1200.00\npublication_permit,300.00\naddress_search,1000.00\naddress_register_cost,200.00\n',
};

beforeAll(async () => {
  office = await startBackOffice({ SETTLEMENT_PAYER_IBAN: 'FI2112345600000785' });
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  for (const who of ['fin1', 'fin2']) {
    await directory.createUser(
      { email: `pages-${who}@test.se`, name: who, password, role: 'finance', language: 'en' },
      { actorType: 'system' },
    );
  }
  const account = await createAccount(office.db, {
    kind: 'organisation',
    name: 'Betalar AB',
    email: 'pages-payer@test.se',
    organisation_number: '556999-0000',
    language: 'sv',
  });
  await bookInvoice(office.db, {
    idempotencyKey: 'pages-invoice-1',
    accountId: account.id,
    date: '2026-01-10',
    currency: 'SEK',
    lines: [{ description: 'Avgift', quantity: 1, unitPrice: { minor: 10_000, currency: 'SEK' } }],
  });
});
// Issue 15: the pages pass their Content Security Policy: the browser refused nothing.
afterAll(() => {
  expect(cspViolations).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await office?.drop();
});

async function signedIn(who: string): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await signIn(page, office.baseUrl, `pages-${who}@test.se`, password);
  return page;
}

const upload = async (page: Page, type: string, csv: string) => {
  await page
    .getByLabel(`${type} – CSV file`)
    .setInputFiles({ name: `${type}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: `Upload ${type}`, exact: true }).click();
  await page.waitForLoadState();
};

describe('finance settles a year with four eyes', () => {
  it('starts the year, sees every bad row of a refused file, and uploads the inputs', async () => {
    const page = await signedIn('fin1');
    expect(await page.locator('h1').textContent()).toBe('Settlements');
    await page.getByLabel('Year').fill(String(year));
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(new RegExp(`/app/settlements/${year}`));
    await expectAccessible(page);
    await screenshot(page, 'finance-settlement-start');

    await upload(page, 'providers', inputs.providers!);
    await upload(
      page,
      'map-material',
      `${inputs['map-material']}\nespoo,x,-1,1000,2010-01-01,\nespoo,y,1,abc,2025-02-30,`,
    );
    const alert = page.locator('[role=alert]');
    expect(await alert.textContent()).toContain('invalid_rows');
    expect(await alert.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^Line 4/),
      expect.stringMatching(/^Line 5/),
      expect.stringMatching(/^Line 5/),
    ]);
    await screenshot(page, 'finance-row-errors');
    await page.getByRole('link', { name: 'Back' }).click();
    for (const type of ['map-material', 'address-material', 'revenue']) {
      await upload(page, type, inputs[type]!);
      expect(await page.locator('[role=status]').textContent()).toBe('Done.');
    }
  });

  it('closing the books computes the draft; who ran it is shown and may not approve', async () => {
    const page = await signedIn('fin1');
    await page.goto(`${office.baseUrl}/app/settlements/${year}`);
    await page.getByRole('button', { name: 'Close the books' }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('dl').first().textContent()).toMatch(/Draft[\s\S]*pages-fin1@test.se/);
    expect(await page.getByRole('note').textContent()).toContain('you cannot approve it');
    expect(await page.getByRole('button', { name: 'Approve the statement' }).count()).toBe(0);
    expect(await page.locator('table').nth(1).locator('tbody tr').count()).toBe(4);
    await expectAccessible(page);
    await screenshot(page, 'finance-draft');
  });

  it('a second finance user approves; the statement and the payout files download', async () => {
    const page = await signedIn('fin2');
    await page.goto(`${office.baseUrl}/app/settlements/${year}`);
    await page.getByRole('button', { name: 'Approve the statement' }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('dd').first().textContent()).toContain('Approved · v1');
    await screenshot(page, 'finance-approved');
    for (const [name, content] of [
      ['Statement (CSV)', /hki/],
      ['Payouts (CSV)', /FI2112345600000785/],
      ['Payouts (pain.001 XML)', /<Document/],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
      expect(fs.readFileSync(await download.path(), 'utf8')).toMatch(content);
    }
    await page.getByRole('link', { name: 'Statement (HTML)' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Royalty settlement ${year}`);
  });

  it('a correction drafts the next version with its reason; the approved version stays readable', async () => {
    const page = await signedIn('fin1');
    await page.goto(`${office.baseUrl}/app/settlements/${year}`);
    await page.getByLabel('Reason for the correction').fill('Espoo reported its area wrong');
    await page.getByRole('button', { name: /^Correct the approved statement/ }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('dd').first().textContent()).toContain('Draft');
    expect(await page.locator('main').textContent()).toContain('Espoo reported its area wrong');
    await page.getByRole('link', { name: 'v1', exact: true }).click();
    expect(await page.locator('dd').first().textContent()).toContain('Approved · v1');
    expect(await page.getByRole('link', { name: 'Payouts (CSV)' }).getAttribute('href')).toBe(
      `/api/v1/settlements/${year}/payouts.csv?version=1`,
    );
  });

  it('the settlements list filters by status and pages', async () => {
    const page = await signedIn('fin1');
    await page.getByLabel('Status').selectOption('draft');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining(String(year))]);
    expect(await page.locator('nav.pager').textContent()).toContain('1');
    await page.getByLabel('Status').selectOption('approved');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody tr').count()).toBe(0);
    await expectAccessible(page);
  });

  it('finance marks an unpaid invoice paid', async () => {
    const page = await signedIn('fin1');
    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.getByLabel('Status').selectOption('unpaid');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: /^Mark paid/ }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('tbody').textContent()).toContain('Paid');
    await expectAccessible(page);
  });

  it('T7, T9: finance enters a reference rate, sees the unmatched queue and downloads the SIE file', async () => {
    const page = await signedIn('fin1');
    await page.getByRole('link', { name: 'Payments' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Unmatched payments' }).count()).toBe(1);
    await page.getByLabel('Valid from').fill('2026-07-01');
    await page.getByLabel('Reference rate').fill('1.75');
    await page.getByRole('button', { name: 'Add the rate' }).click();
    await page.waitForURL(/notice=done/);
    expect(await page.locator('table').last().textContent()).toContain('9.75 %');
    await expectAccessible(page);
    await page.getByLabel('From', { exact: true }).fill('2026-01-01');
    await page.getByLabel('To', { exact: true }).fill('2026-12-31');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the SIE file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('kartkontor-2026-01-01-2026-12-31.se');
    const sie = fs.readFileSync(await download.path(), 'latin1');
    expect(sie).toMatch(/^#FLAGGA 0\r\n#FORMAT PC8/);
    expect(sie).toContain('#VER F 1 20260110');
  });

  it("T6: the invoice's PDF downloads from the invoices page", async () => {
    const page = await signedIn('fin1');
    await page.getByRole('link', { name: 'Invoices' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /^PDF 2026-/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^2026-\d{6}\.pdf$/);
    const text = execFileSync('pdftotext', [await download.path(), '-']).toString('utf8');
    expect(text).toContain('Faktura 2026-');
    expect(text).toContain('Betalar AB');
  });
});
