import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { addDays, orderTime } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { cspViolations, expectAccessible, launchBrowser, screenshot, signIn } from '../support/browser';
import { square, zippedShapefile } from '../support/coverage-files';
import { startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let browser: Browser;
const password = 'pages-owners-pass-1';

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  browser = await launchBrowser();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    { kind: 'organisation', name: 'Kund AB', email: 'pages-owners-org@test.se', organisationNumber: '556111-2222' },
    actor,
  );
  for (const [role, email] of [
    ['admin', 'pages-owners-admin@test.se'],
    ['handler', 'pages-owners-handler@test.se'],
  ] as const)
    await directory.createUser({ email, name: role, password, role, language: 'en' }, actor);
  await directory.createUser(
    {
      email: 'pages-owners-customer@test.se',
      name: 'C',
      password,
      role: 'customer',
      accountId: account.id,
      language: 'en',
    },
    actor,
  );
});
afterAll(async () => {
  await browser?.close();
  await office?.drop();
});

it("issue 21: an admin adds an owner and loads its zipped shapefile on the page; the map shows every owner's coverage on the chosen date, the history who and why", async () => {
  const validFrom = addDays(orderTime(new Date()), 1);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, office.baseUrl, 'pages-owners-admin@test.se', password);
  await page.getByRole('link', { name: 'Network owners' }).click();
  await expectAccessible(page);
  const map = page.locator('#coverage-map');
  await expect
    .poll(() => map.locator('path').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-owner'))))
    .toEqual(['fiber-ost', 'stockholm-el', 'vatten-syd']);

  const create = page.locator('#create-owner');
  await create.getByLabel('Id').fill('sida-nat');
  await create.getByLabel('Name').fill('Sidans Nät AB');
  await create.getByLabel('Organisation number').fill('556036-0793');
  await create.getByLabel('E-mail').fill('sida@nat.example.se');
  await create.getByLabel('Answers').selectOption('map_only');
  await create.getByLabel("Fee class of a maps-only owner's locate").selectOption('mapOnlyOwnerLocate');
  await create.getByLabel('Reason (kept in the history)').fill('joined at the fair');
  await create.getByRole('button', { name: 'Add a network owner' }).click();
  await page.waitForURL(/\/app\/network-owners\/sida-nat\?notice=done/);
  await expectAccessible(page);

  const load = page.locator('#load-coverage');
  await load.getByLabel(/Coverage file/).setInputFiles({
    name: 'sida.zip',
    mimeType: 'application/zip',
    buffer: await zippedShapefile([square(640_000, 6_560_000, 8_000)]),
  });
  await load.getByLabel('Valid from').fill(validFrom);
  await load.getByLabel('Reason (kept in the history)').fill('first coverage file');
  await load.getByRole('button', { name: 'Load the coverage' }).click();
  await page.waitForURL(/notice=done/);
  await expect
    .poll(() => page.locator('#coverage-versions tbody tr').first().textContent())
    .toMatch(new RegExp(`^1${validFrom}shapefile1`));
  const history = page.locator('#owner-history tbody tr');
  await expect
    .poll(() => history.allTextContents())
    .toEqual([
      expect.stringMatching(/coverage_loaded.*first coverage file$/),
      expect.stringMatching(/created.*joined at the fair$/),
    ]);

  // A bad file is refused with the feature named, and nothing is stored.
  await load.getByLabel(/Coverage file/).setInputFiles({
    name: 'bad.geojson',
    mimeType: 'application/geo+json',
    buffer: Buffer.from(
      JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: square(15, 60, 1) }] }),
    ),
  });
  await load.getByLabel('Valid from').fill(addDays(validFrom, 1));
  await load.getByLabel('Reason (kept in the history)').fill('second file');
  await load.getByRole('button', { name: 'Load the coverage' }).click();
  await expect.poll(() => page.textContent('body')).toMatch(/feature 1/);
  await page.goto(`${office.baseUrl}/app/network-owners/sida-nat`);
  await expect.poll(() => page.locator('#coverage-versions tbody tr').count()).toBe(1);

  // The map of today has not got the new owner yet; the map of its first day has.
  await page.goto(`${office.baseUrl}/app/network-owners`);
  await expect.poll(() => map.locator('path[data-owner="sida-nat"]').count()).toBe(0);
  await page.getByLabel('Coverage in force on').fill(validFrom);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect.poll(() => map.locator('path[data-owner="sida-nat"]').count()).toBe(1);
  await screenshot(page, 'network-owners-map');
  expect(cspViolations).toEqual([]);
});

it('issue 21: a handler sees the owners but no forms to change them; a customer is refused', async () => {
  const handler = await (await browser.newContext()).newPage();
  await signIn(handler, office.baseUrl, 'pages-owners-handler@test.se', password);
  await handler.goto(`${office.baseUrl}/app/network-owners/stockholm-el`);
  await expect.poll(() => handler.locator('h1').textContent()).toBe('Stockholm Elnät AB');
  expect(await handler.locator('form#change-owner, form#load-coverage, form#retire-owner').count()).toBe(0);

  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, office.baseUrl, 'pages-owners-customer@test.se', password);
  const res = await customer.goto(`${office.baseUrl}/app/network-owners`);
  expect(res?.status()).toBe(403);
});
