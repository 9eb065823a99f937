import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { call, clientCredentialsToken, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let accountId: string;
let otherAccountId: string;
let systemToken: string;
let otherSystemToken: string;
/** A subscription order of the account, approved and delivered: what the delivery API is tried on. */
let orderId: string;
const password = 'access-password-1';

const E = 676_000;
const N = 6_581_000;
const square = (size: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + size, N],
      [E + size, N + size],
      [E, N + size],
      [E, N],
    ],
  ],
});
const subscriptionOrder = { productId: 'byggnader', format: 'GeoJSON', selection: square(500), subscription: true };

/** Polls until `done` holds (expect.poll works only inside a test). */
async function until(done: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      { kind: 'organisation', name: 'Access AB', email: 'access-org@test.se', organisationNumber: '556777-0000' },
      actor,
    )
  ).id;
  otherAccountId = (
    await directory.createAccount(
      { kind: 'private', name: 'Other', email: 'access-other@test.se', birthDate: '1970-01-01' },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'access-customer@test.se', name: 'C', password, role: 'customer', accountId },
    actor,
  );
  await directory.createUser({ email: 'access-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'access-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'handler', 'admin'])
    token[who] = await login(office.baseUrl, `access-${who}@test.se`, password);
  systemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(accountId, 'integration', actor),
  );
  otherSystemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(otherAccountId, 'other integration', actor),
  );

  const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
    token: token.customer,
    body: subscriptionOrder,
  });
  expect(placed.status).toBe(201);
  orderId = placed.body.id;
  const status = async () =>
    (await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: token.customer })).body.status;
  await until(async () => (await status()) === 'awaiting_approval');
  expect(
    (await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/approve`, { token: token.handler })).status,
  ).toBe(200);
  await until(async () => (await status()) === 'delivered');
});
afterAll(() => office.drop());

describe('A1: a system account may use the delivery API (G10) for its own account and nothing else', () => {
  const registerCase = {
    kind: 'planning',
    acceptTerms: true,
    workArea: square(50),
    digStart: '2099-01-05',
  };
  // Every route the issue found open to a system account, and the account's own admin routes.
  const refused: [string, string, string, unknown?][] = [
    ['personal-data export', 'GET', '/api/v1/me/personal-data'],
    ['personal-data correction', 'PATCH', '/api/v1/me/personal-data', { name: 'Taken Over AB' }],
    ['personal-data restriction', 'POST', '/api/v1/me/personal-data/restriction', { reason: 'by the integration' }],
    ['lifting the restriction', 'DELETE', '/api/v1/me/personal-data/restriction'],
    ['personal-data erasure', 'POST', '/api/v1/me/personal-data/erasure', { confirm: true }],
    ['invoices list', 'GET', '/api/v1/invoices'],
    ['cases list', 'GET', '/api/v1/cases'],
    ['orders list', 'GET', '/api/v1/orders'],
    ['placing an order', 'POST', '/api/v1/orders', subscriptionOrder],
    ['registering a case', 'POST', '/api/v1/cases', registerCase],
    ['who am I', 'GET', '/api/v1/me'],
  ];

  it.each(refused)(
    'refuses %s with 403 system_account_forbidden and stores nothing',
    async (_what, method, path, body) => {
      const before = await office.db('orders').where({ account_id: accountId }).count({ n: '*' }).first();
      const res = await call(office.baseUrl, method, path, { token: systemToken, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('system_account_forbidden');
      const account = await office.db('accounts').where({ id: accountId }).first();
      expect(account).toMatchObject({ name: 'Access AB', restricted_at: null, erased_at: null });
      expect(await office.db('orders').where({ account_id: accountId }).count({ n: '*' }).first()).toEqual(before);
      expect(await office.db('cases').where({ account_id: accountId })).toHaveLength(0);
    },
  );

  it('the same calls with a user of the account still work (the refusal is the scope, not the route)', async () => {
    expect((await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: token.customer })).status).toBe(200);
    expect((await call(office.baseUrl, 'GET', '/api/v1/me/personal-data', { token: token.customer })).status).toBe(200);
  });

  it('the delivery calls still work for its own account’s order: order, latest delivery, files, download, new delivery', async () => {
    const get = (path: string, t = systemToken) => call(office.baseUrl, 'GET', path, { token: t });
    expect((await get(`/geotorget/orderhanterare/v2/${orderId}`)).status).toBe(200);
    expect((await get(`/geotorget/orderhanterare/v2/${orderId}/leverans/latest`)).body).toMatchObject({
      status: 'LYCKAD',
      typ: 'BAS',
    });
    const files = await get(`/download/${orderId}/files`);
    expect(files.status).toBe(200);
    const download = await fetch(files.body[0].href, { headers: { authorization: `Bearer ${systemToken}` } });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(files.body[0].length);
    expect((await get(`/geotorget/nedladdning/v1/${orderId}`)).status).toBe(200);
    expect((await get(`/geotorget/nedladdning/v1/${orderId}/leverans/latest`)).status).toBe(200);
    const started = await call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${orderId}/leverans?typ=BAS`, {
      token: systemToken,
    });
    expect(started.status).toBe(201);
    await expect
      .poll(async () => (await get(`/geotorget/orderhanterare/v2/${orderId}/leverans/latest`)).body.status, {
        timeout: 20_000,
      })
      .toBe('LYCKAD');
  });

  it('another account’s system account does not see the order', async () => {
    for (const path of [`/geotorget/orderhanterare/v2/${orderId}`, `/download/${orderId}/files`])
      expect((await call(office.baseUrl, 'GET', path, { token: otherSystemToken })).status).toBe(404);
  });
});
