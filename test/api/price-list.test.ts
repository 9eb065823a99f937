import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, stockholmDate } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'prices-password-1';
const today = stockholmDate(new Date());
const tomorrow = addDays(today, 1);

const selection = {
  type: 'Polygon',
  coordinates: [
    [
      [600_000, 6_600_000],
      [602_000, 6_600_000],
      [602_000, 6_601_500],
      [600_000, 6_601_500],
      [600_000, 6_600_000],
    ],
  ],
};

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Pris AB', email: 'prices-org@test.se', organisationNumber: '556111-5555' },
    actor,
  );
  await directory.createUser(
    { email: 'prices-customer@test.se', name: 'C', password, role: 'customer', accountId: org.id },
    actor,
  );
  await directory.createUser({ email: 'prices-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'prices-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'handler', 'admin'])
    token[who] = await login(office.baseUrl, `prices-${who}@test.se`, password);
});
afterAll(() => office.drop());

const api = (who: string, method: string, path: string, body?: unknown) =>
  call(office.baseUrl, method, path, { token: token[who], body });
const version = (extra: Record<string, unknown> = {}) => ({
  validFrom: tomorrow,
  pricePerKm2Minor: 20_000,
  minimumFeeMinor: 80_000,
  annualFeeMinor: 1_500_000,
  reason: 'yearly price review',
  ...extra,
});

it('issue 21 (T3): a new geodata price version applies only from its date; today is quoted from the old one', async () => {
  const added = await api('admin', 'POST', '/api/v1/products/fastighetskartan-vektor/prices', version());
  expect(added.status).toBe(201);
  expect(added.body).toMatchObject({ validFrom: tomorrow, pricePerKm2: { minor: 20_000, currency: 'SEK' } });

  const inForce = async (on: string) =>
    (await api('handler', 'GET', `/api/v1/prices?on=${on}`)).body.items.find(
      (p: { productId: string }) => p.productId === 'fastighetskartan-vektor',
    ).price;
  expect(await inForce(today)).toMatchObject({ validFrom: '2026-01-01', pricePerKm2: { minor: 12_500 } });
  expect(await inForce(tomorrow)).toMatchObject({ validFrom: tomorrow, pricePerKm2: { minor: 20_000 } });
  expect(await inForce(addDays(tomorrow, 400))).toMatchObject({ validFrom: tomorrow });

  // An order quoted today keeps today's version (3 km² × 125 kr below the 500 kr minimum).
  const quote = await api('customer', 'POST', '/api/v1/orders/quote', {
    productId: 'fastighetskartan-vektor',
    format: 'GeoJSON',
    deliveryMethod: 'download',
    selection,
  });
  expect(quote.status).toBe(200);
  expect(quote.body).toMatchObject({ priceListVersion: '2026-01-01', net: { minor: 50_000 } });

  const versions = await api('customer', 'GET', '/api/v1/products/fastighetskartan-vektor/prices');
  expect(versions.body.items.map((v: { validFrom: string }) => v.validFrom)).toEqual([tomorrow, '2026-01-01']);
  const history = await api('handler', 'GET', '/api/v1/products/fastighetskartan-vektor/history');
  expect(history.body.items).toEqual([
    expect.objectContaining({ action: 'price_version_added', actorType: 'user', reason: 'yearly price review' }),
  ]);
});

it('issue 21 (T3): a stored version never changes; refusals store nothing', async () => {
  const again = await api(
    'admin',
    'POST',
    '/api/v1/products/byggnader/prices',
    version({ validFrom: addDays(today, 2) }),
  );
  expect(again.status).toBe(201);
  const duplicate = await api(
    'admin',
    'POST',
    '/api/v1/products/byggnader/prices',
    version({ validFrom: addDays(today, 2), pricePerKm2Minor: 1 }),
  );
  expect(duplicate.status).toBe(409);
  expect(duplicate.body.error.code).toBe('version_exists');
  await expect(
    office
      .db('price_list')
      .where({ product_id: 'byggnader', valid_from: addDays(today, 2) })
      .update({ price_per_km2_minor: 1 }),
  ).rejects.toThrow(/never changes/);
  await expect(office.db('price_list').where({ product_id: 'byggnader' }).delete()).rejects.toThrow(/never changes/);

  const fromToday = await api('admin', 'POST', '/api/v1/products/byggnader/prices', version({ validFrom: today }));
  expect(fromToday.status).toBe(422);
  expect(fromToday.body.error.code).toBe('valid_from_not_in_future');
  expect(
    (await api('admin', 'POST', '/api/v1/products/byggnader/prices', version({ minimumFeeMinor: -1 }))).status,
  ).toBe(400);
  expect((await api('admin', 'POST', '/api/v1/products/byggnader/prices', version({ reason: '' }))).status).toBe(400);
  expect((await api('admin', 'POST', '/api/v1/products/finns-inte/prices', version())).status).toBe(404);
  expect((await api('customer', 'POST', '/api/v1/products/byggnader/prices', version())).status).toBe(403);
  expect((await api('handler', 'POST', '/api/v1/products/byggnader/prices', version())).status).toBe(403);
  expect((await api('customer', 'GET', '/api/v1/products/byggnader/history')).status).toBe(403);

  const stored = await api('handler', 'GET', '/api/v1/products/byggnader/prices');
  expect(
    stored.body.items.map((v: { validFrom: string; pricePerKm2: { minor: number } }) => [
      v.validFrom,
      v.pricePerKm2.minor,
    ]),
  ).toEqual([
    [addDays(today, 2), 20_000],
    ['2026-01-01', 4_000],
  ]);
});
