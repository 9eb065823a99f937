import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockholmDate } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { checkPage, cspViolations, expectNoAxeViolations, launchBrowser, signIn } from '../support/browser';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
let handlerToken: string;
const password = 'order-map-password-1';

/** What the page's script shows after a round trip to the server: given time on a loaded machine. */
const uiPoll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 200 });

beforeAll(async () => {
  office = await startBackOffice();
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Kartbolaget AB', email: 'map-org@test.se', organisationNumber: '556555-6666' },
    actor,
  );
  await directory.createUser(
    { email: 'map-org-user@test.se', name: 'Olga Org', password, role: 'customer', accountId: org.id, language: 'en' },
    actor,
  );
  await directory.createUser({ email: 'map-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  handlerToken = await login(office.baseUrl, 'map-handler@test.se', password);
}, 120_000);
afterAll(async () => {
  await browser.close();
  await office.drop();
  // Issue 15: the map's bundled script and styles pass the strict CSP.
  expect(cspViolations).toEqual([]);
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } });
  return context.newPage();
}

/** The link in the newest e-mail to `to` that matches `pattern`, on this test's server. */
async function linkIn(to: string, pattern: RegExp) {
  let found: RegExpExecArray | null = null;
  await expect
    .poll(
      async () =>
        (found =
          (await mailTo(to, 0, 0))
            .map((m) => pattern.exec(m.text ?? ''))
            .filter(Boolean)
            .at(-1) ?? null),
      { timeout: 30_000 },
    )
    .not.toBeNull();
  const url = new URL(found![0]);
  return `${office.baseUrl}${url.pathname}${url.search}`;
}

/** Zooms the map in from all of Sweden to a few kilometres across, with its own + button. */
async function zoomIn(page: Page, times: number) {
  for (let i = 0; i < times; i++) {
    await page.locator('#map button.ol-zoom-in').click();
    await page.waitForTimeout(350);
  }
}

/** Draws a polygon through the given points (pixels from the map's top left), closing it on the first. */
async function drawPolygon(page: Page, points: [number, number][]) {
  const box = (await page.locator('#map').boundingBox())!;
  for (const [x, y] of [...points, points[0]!]) {
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForTimeout(120);
  }
}

const feeRow = (page: Page, label: string) => page.locator('#fee tfoot tr', { hasText: label }).locator('td');

describe('G1–G3: a private person orders on the map', () => {
  it('signs up, draws, sees the fee with VAT change, orders GeoPackage, is approved and downloads through the e-mail', async () => {
    const page = await newPage();
    await page.goto(`${office.baseUrl}/app/sign-up?lang=en`);
    await page.getByLabel('Name (the organisation’s, for an organisation)').fill('Petra Privat');
    await page.getByLabel('Birth date (private persons, YYYY-MM-DD)').fill('1979-05-06');
    await page.getByLabel('E-mail address').fill('petra@test.se');
    await page.getByLabel('Password (at least 10 characters)').fill(password);
    await page.getByLabel('I accept the terms, version 2026-1').check();
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.goto(await linkIn('petra@test.se', /https?:\/\/\S+\/app\/confirm\?token=[\w-]+/));
    await page.getByRole('button', { name: 'Confirm my e-mail address' }).click();
    await signIn(page, office.baseUrl, 'petra@test.se', password);

    await page.getByRole('link', { name: 'Catalogue' }).click();
    await page.waitForURL(/\/app\/catalogue$/);
    expect(await page.getByRole('row', { name: /Property map, vector/ }).textContent()).toContain('125.00');
    await checkPage(page, 'catalogue');
    await page.getByRole('link', { name: 'Order Property map, vector' }).click();
    await page.waitForURL(/\/app\/orders\/new\?product=fastighetskartan-vektor$/);
    await page.locator('#map canvas').first().waitFor();
    await checkPage(page, 'order-new');

    // Near Stockholm, about 31 m a pixel: a small triangle costs the minimum fee, 500.00 + 125.00 VAT.
    await zoomIn(page, 6);
    await drawPolygon(page, [
      [300, 150],
      [360, 150],
      [360, 210],
    ]);
    await uiPoll(() => feeRow(page, 'VAT').textContent()).toContain('125.00');
    expect(await page.locator('#fee').textContent()).toMatch(/You pay SEK\s625\.00 including 25 % VAT/);
    const small = JSON.parse(await page.getByLabel(/Or type the area/).inputValue());
    expect(small.type).toBe('Polygon');
    // A larger area (drawn anew, the first one goes): the VAT follows the area fee.
    await drawPolygon(page, [
      [150, 260],
      [350, 260],
      [350, 390],
      [150, 390],
    ]);
    await uiPoll(() => feeRow(page, 'VAT').textContent()).not.toContain('125.00');
    const quoted = (await page.locator('#fee tfoot tr', { hasText: 'Total' }).locator('td').textContent())!;
    await page.getByLabel('Format').selectOption('GeoPackage');
    await uiPoll(() => page.locator('#order-next').isEnabled()).toBe(true);
    await checkPage(page, 'order-map-drawn', { bothLanguages: false });
    await page.locator('#order-next').click();

    await page.waitForURL(/\/app\/orders\/new$/);
    expect(await page.locator('h1').textContent()).toBe('Confirm the order');
    expect(await page.locator('tfoot').textContent()).toContain(quoted);
    await checkPage(page, 'order-confirm', { bothLanguages: false });
    await page.getByRole('button', { name: `Order for ${quoted}` }).click();
    await page.waitForURL(/\/app\/orders\/[\w-]+\?notice=done$/);
    const orderId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(await page.locator('main').textContent()).toContain('Property map, vector, GeoPackage');
    expect(await page.locator('tfoot').textContent()).toContain(quoted);
    const stored = await office.db('orders').where({ id: orderId }).first();
    expect(stored.format).toBe('GeoPackage');
    await checkPage(page, 'order-placed');

    // A case handler approves (G4), and the delivery e-mail's link opens the files without signing in (G7).
    await expect
      .poll(async () => (await office.db('orders').where({ id: orderId }).first()).status, { timeout: 45_000 })
      .toBe('awaiting_approval');
    const approved = await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/approve`, { token: handlerToken });
    expect(approved.status).toBe(200);
    // Issue 16: the e-mail links to a page, not to an API route.
    const link = await linkIn('petra@test.se', /https?:\/\/\S+\/app\/delivery\/[\w-]+/);
    const anonymous = await newPage();
    await anonymous.goto(link);
    await checkPage(anonymous, 'delivery');
    const zip = anonymous.locator('ul.files a', { hasText: '.zip' }).first();
    const download = await fetch((await zip.getAttribute('href'))!);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('refuses an area outside SWEREF 99 TM before submitting, with the API’s message', async () => {
    const page = await newPage();
    await signIn(page, office.baseUrl, 'petra@test.se', password);
    await page.goto(`${office.baseUrl}/app/orders/new?product=fastighetskartan-vektor`);
    await page.getByLabel(/Or type the area/).fill('10000 6000000\n12000 6000000\n12000 6002000');
    await page.getByLabel(/Or type the area/).blur();
    await uiPoll(() => page.locator('#fee [role=alert]').textContent()).toContain('The selection is not valid');
    expect(await page.locator('#order-next').isDisabled()).toBe(true);
  });
});

describe('G2, G3, G8: an organisation uploads a GeoJSON, subscribes, and confirms a changed price', () => {
  it('uploads, subscribes at an interval, and re-confirms the fee when the price changes before submitting', async () => {
    const page = await newPage();
    await signIn(page, office.baseUrl, 'map-org-user@test.se', password);
    await page.goto(`${office.baseUrl}/app/orders/new?product=fastighetskartan-vektor`);
    await page.locator('#map canvas').first().waitFor();
    const E = 674_000;
    const N = 6_580_000;
    const upload = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: {},
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [E, N],
                [E + 4000, N],
                [E + 4000, N + 2000],
                [E, N + 2000],
                [E, N],
              ],
            ],
          },
        },
      ],
    };
    await page.getByLabel('Or upload the area: GeoJSON or a zipped shapefile').setInputFiles({
      name: 'area.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(upload)),
    });
    await uiPoll(() => page.locator('#fee').textContent()).toContain('8 km²');
    await page.getByLabel(/Subscribe: new extracts for a year/).check();
    await page.getByLabel('Deliveries of a subscription').selectOption('quarterly');
    // 8 km² × 125.00 = 1 000.00, and the annual fee 12 000.00; an organisation sees prices excluding VAT.
    await uiPoll(() => page.locator('#fee tfoot').textContent()).toContain('13,000.00');
    expect(await page.locator('#fee').textContent()).toContain('excluding VAT');
    await checkPage(page, 'order-uploaded', { bothLanguages: false });
    await page.locator('#order-next').click();
    await page.waitForURL(/\/app\/orders\/new$/);
    expect(await page.locator('main').textContent()).toContain('Quarterly');

    // T3: a new price becomes valid between the quote and the submit: the new fee is shown, not kept silently.
    await office.db('price_list').insert({
      product_id: 'fastighetskartan-vektor',
      valid_from: stockholmDate(new Date()),
      price_per_km2_minor: 25_000,
      minimum_fee_minor: 50_000,
      annual_fee_minor: 1_200_000,
    });
    await page.getByRole('button', { name: /^Order for/ }).click();
    expect(await page.getByRole('alert').textContent()).toContain('The price has changed');
    expect(await page.locator('tfoot').textContent()).toContain('14,000.00');
    expect(await office.db('orders').where({ subscription: true })).toHaveLength(0);
    await checkPage(page, 'order-fee-changed', { bothLanguages: false });
    await page.getByRole('button', { name: /^Order for SEK\s?14,000\.00/ }).click();
    await page.waitForURL(/\/app\/orders\/[\w-]+\?notice=done$/);
    const [placed] = await office.db('orders').where({ subscription: true });
    expect([placed.fee.net.minor, placed.delivery_interval]).toEqual([1_400_000, 'quarterly']);

    // G8, G9: approved, the subscription is on "my account" with its term and state, and is cancelled there.
    await expect
      .poll(async () => (await office.db('orders').where({ id: placed.id }).first()).status, { timeout: 45_000 })
      .toBe('awaiting_approval');
    await call(office.baseUrl, 'POST', `/api/v1/orders/${placed.id}/approve`, { token: handlerToken });
    await expect
      .poll(async () => (await office.db('subscriptions').where({ order_id: placed.id }).first())?.status, {
        timeout: 45_000,
      })
      .toBe('active');
    await page.getByRole('link', { name: 'My account' }).click();
    await page.waitForURL(/\/app\/account$/);
    const row = page.locator('#subscriptions ~ table tbody tr', { hasText: 'Property map, vector' });
    expect(await row.textContent()).toMatch(/active.*Quarterly/is);
    expect(await page.locator('main').textContent()).not.toContain(placed.id.slice(0, 8) + ' ');
    expect(await page.getByRole('link', { name: /Terms version 2026-1 accepted .* by Olga Org/ }).count()).toBe(1);
    await checkPage(page, 'account');
    await row.getByRole('button', { name: 'Cancel the subscription: Property map, vector' }).click();
    await page.waitForURL(/\/app\/account\?notice=done$/);
    await expect
      .poll(async () => (await office.db('subscriptions').where({ order_id: placed.id }).first()).status, {
        timeout: 45_000,
      })
      .toBe('cancelled');
  });
});

describe('A2, G9: the account’s accepted terms through the API', () => {
  it('lists the account’s own acceptances a page at a time; staff and strangers are refused', async () => {
    const token = await login(office.baseUrl, 'map-org-user@test.se', password);
    const first = await call(office.baseUrl, 'GET', '/api/v1/me/terms-acceptances?limit=1', { token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ termsVersion: '2026-1', userName: 'Olga Org', concluded: 'order' });
    const rest = await call(office.baseUrl, 'GET', `/api/v1/me/terms-acceptances?before=${first.body.next}`, { token });
    expect(rest.body.items.map((a: { orderId: string }) => a.orderId)).not.toContain(first.body.items[0].orderId);
    const bad = await call(office.baseUrl, 'GET', '/api/v1/me/terms-acceptances?before=x', { token });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
    expect((await call(office.baseUrl, 'GET', '/api/v1/me/terms-acceptances', { token: handlerToken })).status).toBe(
      403,
    );
    expect((await call(office.baseUrl, 'GET', '/api/v1/me/terms-acceptances')).status).toBe(401);
  });
});

describe('issue 16: the accessibility check itself', () => {
  it('fails on a page with a critical violation, so a clean result means something', async () => {
    const page = await newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><body><main><img src="/x.png"><h1>x</h1></main></body></html>',
    );
    await expect(expectNoAxeViolations(page)).rejects.toThrow(/image-alt \(critical\)/);
  });
});
