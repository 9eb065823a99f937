import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { cspViolations, expectAccessible, focused, launchBrowser, screenshot, signIn } from '../support/browser';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-order-password-1';
let orderId: string;
let otherOrderId: string;
let subscriptionId: string;
let physicalId: string;

const E = 674_000;
const N = 6_580_000;
const selection = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 2000, N],
      [E + 2000, N + 1500],
      [E, N + 1500],
      [E, N],
    ],
  ],
};
const order = { productId: 'fastighetskartan-vektor', format: 'GeoJSON', deliveryMethod: 'download', selection };

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const mine = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Sidkarta AB',
      email: 'pages-org@test.se',
      organisationNumber: '556444-5555',
      language: 'en',
    },
    actor,
  );
  const other = await directory.createAccount(
    { kind: 'private', name: 'Annan Person', email: 'pages-other@test.se', birthDate: '1980-01-01' },
    actor,
  );
  await directory.createUser(
    { email: 'pages-customer@test.se', name: 'C', password, role: 'customer', accountId: mine.id, language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'pages-other-user@test.se', name: 'O', password, role: 'customer', accountId: other.id },
    actor,
  );
  await directory.createUser(
    { email: 'pages-handler@test.se', name: 'H', password, role: 'handler', language: 'en' },
    actor,
  );
  const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
    token: await login(office.baseUrl, 'pages-customer@test.se', password),
    body: order,
  });
  orderId = placed.body.id;
  const otherPlaced = await call(office.baseUrl, 'POST', '/api/v1/orders', {
    token: await login(office.baseUrl, 'pages-other-user@test.se', password),
    body: order,
  });
  otherOrderId = otherPlaced.body.id;
  const customer = await login(office.baseUrl, 'pages-customer@test.se', password);
  subscriptionId = (
    await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: customer,
      body: { ...order, productId: 'byggnader', subscription: true },
    })
  ).body.id;
  physicalId = (
    await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: customer,
      body: {
        ...order,
        deliveryMethod: 'physical_media',
        shippingAddress: { name: 'Karta AB', street: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm' },
      },
    })
  ).body.id;
  for (const id of [orderId, subscriptionId, physicalId]) {
    await vi.waitFor(
      async () => expect((await office.db('orders').where({ id }).first()).status).toBe('awaiting_approval'),
      { timeout: 20_000, interval: 200 },
    );
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

async function session(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, office.baseUrl, email, password);
  return { context, page };
}

describe('the handler approves an order and the customer downloads its files', () => {
  it('the work queue shows the order oldest first with its waiting time; the order page draws the selection', async () => {
    const { context, page } = await session('pages-handler@test.se');
    expect(new URL(page.url()).search).toBe('?status=awaiting_approval');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Orders awaiting approval');
    const ids = await page.locator('tbody tr td:first-child').allTextContents();
    expect(ids.filter((id) => [orderId, subscriptionId, physicalId].includes(id))).toEqual([
      orderId,
      subscriptionId,
      physicalId,
    ]);
    const row = page.locator('tbody tr', { hasText: orderId });
    await expect.poll(() => row.locator('td').nth(4).textContent()).toMatch(/\d+ min/);
    await expectAccessible(page);
    await screenshot(page, 'handler-queue');

    await row.getByRole('link', { name: orderId }).click();
    expect(await page.locator('svg.shape path').getAttribute('d')).toMatch(/^M[\d.,L]+Z$/);
    expect(await page.locator('dd', { hasText: 'Sidkarta AB' }).count()).toBe(1);
    expect(await page.locator('tfoot').textContent()).toContain('625.00');
    await expectAccessible(page);
    await screenshot(page, 'handler-order');

    // Keyboard only: Tab to the approve button and press Enter.
    const approve = page.getByRole('button', { name: 'Approve' });
    for (let i = 0; i < 40 && !(await focused(approve)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/notice=done/);
    expect(await page.locator('[role=status]').textContent()).toBe('Done.');
    await expect.poll(() => page.locator('dd').first().textContent()).not.toContain('Awaiting');
    await context.close();
  });

  it('the customer sees the delivered order and downloads the ZIP', async () => {
    await expect
      .poll(async () => (await office.db('orders').where({ id: orderId }).first()).status, { timeout: 30_000 })
      .toBe('delivered');
    const { context, page } = await session('pages-customer@test.se');
    await expect.poll(() => page.locator('h1').textContent()).toBe('My orders');
    await page.getByRole('link', { name: orderId }).click();
    expect(await page.locator('dd').first().textContent()).toContain('Delivered');
    await expectAccessible(page);
    await screenshot(page, 'customer-order');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.files a').first().click()]);
    expect(
      fs
        .readFileSync(await download.path())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    // The agreement concluded by the approval, and its invoice.
    await page.getByRole('link', { name: 'Agreements' }).click();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Invoices' }).click();
    expect(await page.locator('tbody').textContent()).toContain('625.00');
    await context.close();
  });
});

describe('subscriptions, shipments and the outbox', () => {
  it('G8: the customer starts a new extract on a delivered subscription', async () => {
    const handler = await login(office.baseUrl, 'pages-handler@test.se', password);
    await call(office.baseUrl, 'POST', `/api/v1/orders/${subscriptionId}/approve`, { token: handler });
    await expect
      .poll(async () => (await office.db('orders').where({ id: subscriptionId }).first()).status, { timeout: 30_000 })
      .toBe('delivered');
    const { context, page } = await session('pages-customer@test.se');
    await page.goto(`${office.baseUrl}/app/orders/${subscriptionId}`);
    expect(await page.locator('tbody').first().textContent()).toContain('Annual subscription');
    await page.getByLabel('Kind of extract').selectOption('FORANDRING');
    await page.getByRole('button', { name: 'Start the extract' }).click();
    await page.waitForURL(/notice=done/);
    await expect
      .poll(async () => (await page.reload(), await page.locator('table.deliveries tbody').textContent()), {
        timeout: 30_000,
      })
      .toMatch(/FORANDRING\s*Succeeded/);
    await context.close();
  });

  it('G7: the handler records the shipment of a produced hard drive', async () => {
    const handler = await login(office.baseUrl, 'pages-handler@test.se', password);
    await call(office.baseUrl, 'POST', `/api/v1/orders/${physicalId}/approve`, { token: handler });
    await expect
      .poll(async () => (await office.db('orders').where({ id: physicalId }).first()).status, { timeout: 30_000 })
      .toBe('delivered');
    const { context, page } = await session('pages-handler@test.se');
    await page.goto(`${office.baseUrl}/app/orders/${physicalId}`);
    await page.getByLabel('Carrier').fill('PostNord');
    await page.getByLabel('Tracking number').fill('PN123');
    await page.getByRole('button', { name: 'Record the shipment' }).click();
    await page.waitForURL(/notice=done/);
    await expect
      .poll(async () => (await page.reload(), await page.locator('dl').first().textContent()), { timeout: 15_000 })
      .toContain('PostNord PN123');
    await context.close();
  });

  it('the outbox shows each message with its status, filters by status and pages through', async () => {
    const held = Array.from({ length: 25 }, (_, i) => ({
      idempotency_key: `pages-held-${i}`,
      template: 'welcome',
      locale: 'en',
      to_address: `held-${i}@test.se`,
      subject: `Held ${i}`,
      html: '',
      text: '',
      message_id: `<held-${i}@test>`,
      status: 'held',
    }));
    await office.db('outbox').insert(held);
    const { context, page } = await session('pages-handler@test.se');
    await page.getByRole('link', { name: 'E-mail outbox' }).click();
    await page.getByLabel('Status').selectOption('sent');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody').textContent()).toMatch(/pages-customer@test.se\s*Order confirmation[\s\S]*Sent/);
    await page.getByLabel('Status').selectOption('held');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody tr').count()).toBe(20);
    expect(await page.locator('.pager span').textContent()).toBe('20 on this page');
    await expectAccessible(page);
    await screenshot(page, 'handler-outbox');
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(new URL(page.url()).searchParams.get('status')).toBe('held');
    expect(await page.locator('tbody tr').count()).toBe(5);
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'First page' }).count()).toBe(1);
    await context.close();
  });

  it('pages fit a phone: nothing is wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await signIn(page, office.baseUrl, 'pages-handler@test.se', password);
    for (const url of [`/app/orders/${orderId}`, '/app/orders', '/app/outbox']) {
      await page.goto(`${office.baseUrl}${url}`);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    }
    await page.goto(`${office.baseUrl}/app/orders/${orderId}`);
    await screenshot(page, 'phone-handler-order');
    await context.close();
  });
});

describe('the same rules as the API', () => {
  it("a customer opening another account's order by URL gets the 404 page", async () => {
    const { context, page } = await session('pages-customer@test.se');
    const response = await page.goto(`${office.baseUrl}/app/orders/${otherOrderId}`);
    expect(response!.status()).toBe(404);
    expect(await page.locator('[role=alert]').textContent()).toContain(`Order ${otherOrderId} was not found`);
    await screenshot(page, 'customer-404');
    expect((await page.goto(`${office.baseUrl}/app/no-such-page`))!.status()).toBe(404);
    // A customer may not approve, as in the API.
    const refused = await page.request.post(`${office.baseUrl}/app/orders/${orderId}/approve`, {
      form: { _csrf: await page.locator('input[name=_csrf]').first().inputValue() },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('forbidden');
    await context.close();
  });

  it('a form posted without its CSRF token is refused with 403, and the order stays as it was', async () => {
    const { context, page } = await session('pages-other-user@test.se');
    await page.goto(`${office.baseUrl}/app/orders/${otherOrderId}`);
    const form = page.locator(`form[action="/app/orders/${otherOrderId}/cancel"]`);
    await form.locator('input[name=_csrf]').evaluate((el) => el.remove());
    await form.getByRole('button').click();
    await page.waitForLoadState();
    expect(await page.locator('[role=alert]').textContent()).toContain('CSRF');
    expect((await office.db('orders').where({ id: otherOrderId }).first()).status).toBe('awaiting_approval');
    const wrong = await page.request.post(`${office.baseUrl}/app/orders/${otherOrderId}/cancel`, {
      form: { _csrf: 'forged' },
      maxRedirects: 0,
    });
    expect(wrong.status()).toBe(403);
    // The API takes the session cookie for reads only: a POST with it alone is unauthenticated.
    expect((await page.request.post(`${office.baseUrl}/api/v1/orders/${otherOrderId}/cancel`)).status()).toBe(401);
    expect((await page.request.get(`${office.baseUrl}/api/v1/orders/${otherOrderId}`)).status()).toBe(200);
    await context.close();
  });

  it('pages speak Swedish by default for a Swedish user and switch with ?lang=; signing out ends the session', async () => {
    const { context, page } = await session('pages-other-user@test.se');
    expect(await page.locator('h1').textContent()).toBe('Mina beställningar');
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    await screenshot(page, 'customer-orders-sv');
    await page.goto(`${office.baseUrl}/app/orders?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('My orders');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'kk_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/sign-in/);
    await page.goto(`${office.baseUrl}/app/orders`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await context.close();
  });
});
