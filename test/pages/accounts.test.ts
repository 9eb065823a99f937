import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { expectAccessible, launchBrowser, screenshot, signIn } from '../support/browser';
import { startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
let accountId: string;
const password = 'pages-accounts-pass-1';

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      {
        kind: 'organisation',
        name: 'Spärrbar AB',
        email: 'pages-blockable@test.se',
        organisationNumber: '556111-2222',
      },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'pages-blocked-customer@test.se', name: 'C', password, role: 'customer', accountId, language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'pages-blocking-handler@test.se', name: 'H', password, role: 'handler', language: 'en' },
    actor,
  );
});
afterAll(async () => {
  await browser?.close();
  await office?.drop();
});

it('A5, L9: a handler blocks an account with a reason on the accounts page, its customer’s open session ends at once, and unblocking restores it', async () => {
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, office.baseUrl, 'pages-blocked-customer@test.se', password);
  await customer.goto(`${office.baseUrl}/app/orders`);
  expect(new URL(customer.url()).pathname).toBe('/app/orders');

  const handler = await (await browser.newContext()).newPage();
  await signIn(handler, office.baseUrl, 'pages-blocking-handler@test.se', password);
  await handler.getByRole('link', { name: 'Customer accounts' }).click();
  await expectAccessible(handler);
  const row = handler.getByRole('row', { name: /Spärrbar AB/ });
  await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe('Open');
  await row.getByLabel('Reason').fill('Suspected misuse of the delivery API');
  await row.getByRole('button', { name: 'Block Spärrbar AB' }).click();
  await handler.waitForURL(/notice=done/);
  await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toMatch(/^Blocked .*Suspected misuse/);
  await screenshot(handler, 'accounts-blocked');

  await customer.goto(`${office.baseUrl}/app/orders`);
  expect(new URL(customer.url()).pathname).toBe('/app/sign-in');
  await customer.getByLabel(/E-mail|E-post/).fill('pages-blocked-customer@test.se');
  await customer.getByLabel(/Password|Lösenord/).fill(password);
  await customer.getByRole('button', { name: /Sign in|Logga in/ }).click();
  await expect.poll(() => customer.textContent('body')).toMatch(/This account is blocked/);

  await row.getByLabel('Reason').fill('Cleared after a call');
  await row.getByRole('button', { name: 'Unblock Spärrbar AB' }).click();
  await handler.waitForURL(/notice=done/);
  await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe('Open');
  // The same session cookie opens the pages again.
  await customer.goto(`${office.baseUrl}/app/orders`);
  expect(new URL(customer.url()).pathname).toBe('/app/orders');

  const audit = await office.db('audit_log').where({ object_id: accountId }).whereNot({ action: 'account.created' });
  expect(audit.map((a) => [a.action, a.details.reason])).toEqual([
    ['account.blocked', 'Suspected misuse of the delivery API'],
    ['account.unblocked', 'Cleared after a call'],
  ]);
});
