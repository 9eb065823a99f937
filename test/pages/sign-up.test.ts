import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, screenshot, signIn } from '../support/browser';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-signup-password-1';

const E = 674_000;
const N = 6_580_000;
const selection = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 1000, N],
      [E + 1000, N + 1000],
      [E, N + 1000],
      [E, N],
    ],
  ],
};

/** The single-use link to `page` in the e-mails to `to`, waiting for it, on this test's server. */
async function linkIn(to: string, page: string) {
  const pattern = new RegExp(`https?://\\S+${page}\\?token=[\\w-]+`);
  let found: RegExpExecArray | null = null;
  await expect
    .poll(
      async () =>
        (found =
          (await mailTo(to, 0, 0))
            .map((m) => pattern.exec(m.text ?? ''))
            .filter(Boolean)
            .at(-1) ?? null),
      {
        timeout: 20_000,
      },
    )
    .not.toBeNull();
  const url = new URL(found![0]);
  return `${office.baseUrl}${url.pathname}${url.search}`;
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${office.baseUrl}/app/sign-in?lang=en`);
  return page;
}

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser.close();
  await office.drop();
});

describe('A2: from sign-up to the first order, in the browser', () => {
  it('signs up, confirms the address, signs in, orders, and sees the accepted terms on the order', async () => {
    const page = await newPage();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/app\/sign-up$/);
    await expectAccessible(page);
    await page.getByLabel('Name (the organisation’s, for an organisation)').fill('Sara Signup');
    await page.getByLabel('Birth date (private persons, YYYY-MM-DD)').fill('1985-03-02');
    await page.getByLabel('E-mail address').fill('sara@test.se');
    await page.getByLabel('Password (at least 10 characters)').fill(password);
    // The terms are one click away, at their version's own address.
    const termsLink = page.getByRole('link', { name: 'Read the terms (2026-1)' });
    expect(await termsLink.getAttribute('href')).toBe('/app/terms/2026-1');
    await page.getByLabel('I accept the terms, version 2026-1').check();
    await screenshot(page, 'sign-up-form');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('we have sent a link to sara@test.se');

    // Before the link: the right password is refused with its reason.
    await page.goto(`${office.baseUrl}/app/sign-in`);
    await page.getByLabel('E-mail address').fill('sara@test.se');
    await page.getByLabel('Password').first().fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('email_unconfirmed');

    // The link's page only shows a button: opening it confirms nothing by itself.
    const link = await linkIn('sara@test.se', '/app/confirm');
    expect(link).toContain('/app/confirm?token=');
    await page.goto(link);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm my e-mail address' }).click();
    expect(await page.getByRole('status').textContent()).toContain('sara@test.se is confirmed');
    await page.getByRole('link', { name: 'Sign in' }).last().click();

    await signIn(page, office.baseUrl, 'sara@test.se', password);
    expect(new URL(page.url()).pathname).toBe('/app/orders');

    // No page places orders yet (issue 16): the first order goes through the API, as the same user.
    const token = await login(office.baseUrl, 'sara@test.se', password);
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token,
      body: { productId: 'terrangkartan', format: 'GeoJSON', selection, termsVersion: '2026-1' },
    });
    expect(placed.status).toBe(201);
    await page.goto(`${office.baseUrl}/app/orders/${placed.body.id}`);
    const acceptance = page.getByRole('link', { name: /Terms version 2026-1 accepted .* by Sara Signup/ });
    expect(await acceptance.getAttribute('href')).toBe('/app/terms/2026-1');
    await screenshot(page, 'first-order-with-terms');
    await acceptance.click();
    await page.waitForURL(/\/app\/terms\/2026-1$/);
    expect(await page.locator('h1').textContent()).toContain('General terms of Kartkontor');
    await expectAccessible(page);
  });

  it('refuses an under-age person on the page with the reason, storing nothing', async () => {
    const page = await newPage();
    await page.goto(`${office.baseUrl}/app/sign-up`);
    await page.getByLabel('Name (the organisation’s, for an organisation)').fill('Tina Teen');
    await page.getByLabel('Birth date (private persons, YYYY-MM-DD)').fill('2015-01-01');
    await page.getByLabel('E-mail address').fill('tina@test.se');
    await page.getByLabel('Password (at least 10 characters)').fill(password);
    await page.getByLabel('I accept the terms, version 2026-1').check();
    await page.getByRole('button', { name: 'Create the account' }).click();
    expect(await page.locator('main').textContent()).toContain('under_age');
    expect(await office.db('users').where({ email: 'tina@test.se' }).first()).toBeUndefined();
  });
});

describe('A3: the account admin invites a colleague on the users page', () => {
  it('lists the users and what each may do, invites by e-mail, and the invitee joins through the link', async () => {
    const page = await newPage();
    await signIn(page, office.baseUrl, 'sara@test.se', password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/app\/account\/users$/);
    await expectAccessible(page);
    const row = page.getByRole('row', { name: /sara@test\.se/ });
    expect(await row.textContent()).toContain('users, system accounts and personal data');
    await page.getByLabel('Name').fill('Olle Invoices');
    await page.getByLabel('E-mail address').fill('olle@test.se');
    await page.getByLabel('Role', { exact: true }).selectOption('invoices');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    const invited = page.getByRole('row', { name: /olle@test\.se/ });
    expect(await invited.textContent()).toContain('invited, not yet joined');
    expect(await invited.textContent()).toContain('Invoice recipient');
    expect(await invited.textContent()).not.toContain('reads orders');
    await screenshot(page, 'account-users');

    const other = await newPage();
    await other.goto(await linkIn('olle@test.se', '/app/invitation'));
    await other.getByLabel('New password (at least 10 characters)').fill('olle-password-1');
    await other.getByRole('button', { name: 'Set the password and join' }).click();
    expect(await other.getByRole('status').textContent()).toContain('olle@test.se');
    await signIn(other, office.baseUrl, 'olle@test.se', 'olle-password-1');
    // An invoice recipient lands on the invoices, and the menu offers only what the role may open.
    expect(new URL(other.url()).pathname).toBe('/app/invoices');
    expect(await other.getByRole('link', { name: 'My orders' }).count()).toBe(0);
    // It sees the list of users but no invitation form.
    await other.goto(`${office.baseUrl}/app/account/users`);
    expect(await other.getByRole('button', { name: 'Send the invitation' }).count()).toBe(0);
  });
});

describe('A4: resetting a password on the pages', () => {
  it('asks for a link, sets a new password through it, and signs in with it', async () => {
    const page = await newPage();
    await page.getByRole('link', { name: 'Forgot the password?' }).click();
    await page.getByLabel('E-mail address').fill('sara@test.se');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    expect(await page.getByRole('status').textContent()).toContain('sara@test.se');
    await page.goto(await linkIn('sara@test.se', '/app/password-reset/new'));
    await page.getByLabel('New password (at least 10 characters)').fill('sara-new-password-1');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    expect(await page.getByRole('status').textContent()).toContain('every session was signed out');
    await signIn(page, office.baseUrl, 'sara@test.se', 'sara-new-password-1');
    expect(new URL(page.url()).pathname).toBe('/app/orders');
  });
});

describe('A4: two-factor sign-in on the security page', () => {
  it('turns TOTP on with a code from the app, shows the recovery codes once, and signing in then takes a code', async () => {
    const secretPassword = 'sara-new-password-1';
    const page = await newPage();
    await signIn(page, office.baseUrl, 'sara@test.se', secretPassword);
    await page.getByRole('link', { name: 'Password and sign-in' }).click();
    await page.waitForURL(/\/app\/security$/);
    await expectAccessible(page);
    expect(await page.locator('main').textContent()).toContain('Two-factor sign-in is off.');
    await page.locator('#tf-setup-password').fill(secretPassword);
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const secret = (await page.locator('#totp-secret').textContent())!;
    await page.locator('#tf-password').fill(secretPassword);
    await page.getByLabel('Code from the app (or a recovery code)').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    expect(await page.locator('ul.codes li').count()).toBe(10);
    const recovery = (await page.locator('ul.codes li').first().textContent())!.trim();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('E-mail address').fill('sara@test.se');
    await page.getByLabel('Password', { exact: true }).fill(secretPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('two_factor_required');
    await page.getByLabel('E-mail address').fill('sara@test.se');
    await page.getByLabel('Password', { exact: true }).fill(secretPassword);
    await page.getByLabel(/Code from your authenticator app/).fill(recovery);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
    expect(new URL(page.url()).pathname).toBe('/app/orders');
  });
});
