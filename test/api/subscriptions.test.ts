import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { editSourceObject, sourceFile } from '../../orders/product-source';
import { upsertDelivery } from '../../orders/orders.store';
import { stockholmDate } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import {
  call,
  clientCredentialsToken,
  copyOfDemoSources,
  login,
  startBackOffice,
  type TestBackOffice,
} from '../support/env';
import { readZip } from '../support/zip';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let systemToken: string;

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
const subscriptionOrder = { productId: 'byggnader', format: 'GeoJSON', selection, subscription: true };

beforeAll(async () => {
  office = await startBackOffice({ PRODUCT_SOURCE_DIR: copyOfDemoSources() });
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const mine = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Abonnera AB',
      email: 'sub-org@test.se',
      organisationNumber: '556999-0000',
      language: 'en',
    },
    actor,
  );
  const other = await directory.createAccount(
    { kind: 'private', name: 'Other', email: 'sub-other@test.se', birthDate: '1980-01-01' },
    actor,
  );
  const password = 'sub-password-1';
  await directory.createUser(
    { email: 'sub-customer@test.se', name: 'C', password, role: 'customer', accountId: mine.id },
    actor,
  );
  await directory.createUser(
    { email: 'sub-other-user@test.se', name: 'O', password, role: 'customer', accountId: other.id },
    actor,
  );
  await directory.createUser({ email: 'sub-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'sub-finance@test.se', name: 'F', password, role: 'finance' }, actor);
  await directory.createUser({ email: 'sub-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'other-user', 'handler', 'finance', 'admin'])
    token[who] = await login(office.baseUrl, `sub-${who}@test.se`, password);
  systemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(mine.id, 'integration', actor),
  );
});
afterAll(() => office.drop());

const order = async (id: string, who = token.customer) =>
  (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: who })).body;
const latest = async (id: string) =>
  (await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${id}/leverans/latest`, { token: systemToken }))
    .body;
const leverans = (id: string, typ: string, who = systemToken) =>
  call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${id}/leverans?typ=${typ}`, { token: who });
/** The latest delivery's package, unpacked. */
async function download(id: string) {
  const [file] = (await call(office.baseUrl, 'GET', `/download/${id}/files`, { token: systemToken })).body;
  return readZip(
    Buffer.from(await (await fetch(file.href, { headers: { authorization: `Bearer ${systemToken}` } })).arrayBuffer()),
  );
}

/** A subscription placed, approved and delivered (its first BAS), with the subscription running. */
async function subscribed(body: Record<string, unknown> = {}) {
  const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
    token: token.customer,
    body: { ...subscriptionOrder, ...body },
  });
  expect(placed.status).toBe(201);
  const id: string = placed.body.id;
  await expect.poll(async () => (await order(id)).status).toBe('awaiting_approval');
  expect((await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler })).status).toBe(
    200,
  );
  await expect.poll(() => latest(id), { timeout: 15_000 }).toMatchObject({ status: 'LYCKAD', typ: 'BAS' });
  await expect.poll(async () => (await order(id)).status).toBe('delivered');
  return id;
}

describe('G8, G10: change extracts', () => {
  it('G8, G10: BAS, then FORANDRING after source edits: the package holds exactly those edits, from the source history', async () => {
    const id = await subscribed();
    type Feature = { id: string; properties: Record<string, unknown> };
    const bas = JSON.parse((await download(id))['byggnader.geojson']!.toString()).features as Feature[];
    expect(bas.length).toBeGreaterThan(100);
    // The agency edits the source after the BAS: one building changes use, another is torn down.
    const [changed, removed] = [bas[3]!, bas[7]!];
    const source = sourceFile(office.config.PRODUCT_SOURCE_DIR!, 'byggnader', 'gpkg');
    editSourceObject(source, 'byggnader', changed.id, new Date(), { attributes: { andamal: 'Skola' } });
    editSourceObject(source, 'byggnader', removed.id, new Date(), { remove: true });

    const started = await leverans(id, 'FORANDRING');
    expect(started.status).toBe(201);
    await expect
      .poll(() => latest(id), { timeout: 15_000 })
      .toMatchObject({ objektidentitet: started.body.objektidentitet, status: 'LYCKAD', typ: 'FORANDRING' });
    const zip = await download(id);
    const changes = JSON.parse(zip['byggnader.geojson']!.toString()).features as Feature[];

    const [first, second] = await office.db('deliveries').where({ order_id: id }).orderBy('created_at');
    expect(second.since_version).toBe(first.data_version);
    expect(Number(second.data_version)).toBeGreaterThan(Number(first.data_version));
    expect(changes.map((f) => [f.id, f.properties.andring, f.properties.andamal])).toEqual(
      [
        [changed.id, 'andrad', 'Skola'],
        [removed.id, 'borttagen', removed.properties.andamal],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(changes.find((f) => f.id === changed.id)!.properties.objektversion).toBe(
      Number(changed.properties.objektversion) + 1,
    );
    // G10: uttag.json keeps its shape and counts the objects in the file.
    const uttag = JSON.parse(zip['uttag.json']!.toString());
    expect(uttag.features.map((f: { properties: unknown }) => f.properties)).toEqual([
      { filnamn: 'byggnader.geojson', statistik: [{ tabellnamn: 'byggnader', antalObjekt: 2 }] },
    ]);
  });

  it('G8: two delivery requests at the same moment: one is started (201), the other refused with 409 naming the running delivery', async () => {
    const id = await subscribed();
    const answers = await Promise.all([leverans(id, 'FORANDRING'), leverans(id, 'BAS')]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const started = answers.find((a) => a.status === 201)!.body;
    const refused = answers.find((a) => a.status === 409)!.body;
    expect(refused.error.code).toBe('delivery_in_progress');
    expect(refused.error.message).toContain(started.objektidentitet);
    expect(refused.error.details).toEqual({ deliveryId: started.objektidentitet });
    await expect
      .poll(() => latest(id), { timeout: 15_000 })
      .toMatchObject({ objektidentitet: started.objektidentitet, status: 'LYCKAD' });
    expect(await office.db('deliveries').where({ order_id: id })).toHaveLength(2);
  });

  it('G8: behind the workflow, the database refuses a second delivery in progress on an order', async () => {
    const id = await subscribed();
    const open = (deliveryId: string) =>
      upsertDelivery(office.db, { id: deliveryId, order_id: id, typ: 'BAS', status: 'PÅGÅENDE' });
    const first = crypto.randomUUID();
    expect(await open(first)).toBe(true);
    expect(await open(crypto.randomUUID())).toBe(false);
    await upsertDelivery(office.db, { id: first, order_id: id, typ: 'BAS', status: 'MISSLYCKAD' });
    expect(await open(crypto.randomUUID())).toBe(true);
  });
});

describe('G8: the subscription through the API', () => {
  it('refuses an unknown type, and another account’s subscription answers 404', async () => {
    const id = await subscribed();
    expect((await leverans(id, 'ALLT')).status).toBe(400);
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/deliveries`, {
          token: token.customer,
          body: { typ: 'ALLT' },
        })
      ).status,
    ).toBe(400);
    expect((await leverans(id, 'BAS', token['other-user'])).status).toBe(404);
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/cancel-subscription`, { token: token['other-user'] }))
        .status,
    ).toBe(404);
    expect(await order(id, token['other-user'])).toMatchObject({ error: { code: 'not_found' } });
  });

  it('G8, T5: approval hands over to the subscription, which books the annual invoice at the term’s start; finance marking it paid reaches it', async () => {
    const id = await subscribed();
    // Approval invoices the area fee; the subscription's workflow (started by the approval) the first year.
    const invoices = (
      await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: token.customer })
    ).body.items.filter((i: { reference: string }) => i.reference === id);
    expect(invoices.map((i: { net: { minor: number } }) => i.net.minor).sort()).toEqual([25_000, 400_000]);
    const annual = invoices.find((i: { net: { minor: number } }) => i.net.minor === 400_000);
    expect((await order(id)).subscriptionState).toMatchObject({
      status: 'active',
      term: 1,
      unpaidInvoices: [
        expect.objectContaining({ invoiceId: annual.id, number: annual.number, dueDate: annual.dueDate }),
      ],
    });
    // G4, G8: the agreement that approval concluded runs as long as the subscription's paid term.
    const { termEnd } = (await order(id)).subscriptionState;
    await expect
      .poll(async () => (await office.db('agreements').where({ order_id: id }).first()).valid_to)
      .toBe(stockholmDate(new Date(new Date(termEnd).getTime() - 1)));
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/invoices/${annual.id}/paid`, { token: token.finance })).status,
    ).toBe(200);
    await expect.poll(async () => (await order(id)).subscriptionState.unpaidInvoices).toEqual([]);
  });

  it('G4, G8: the agreement approval concludes already runs to the last day of the subscription’s first term', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: subscriptionOrder,
    });
    const id: string = placed.body.id;
    await expect.poll(async () => (await order(id)).status).toBe('awaiting_approval');
    expect((await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler })).status).toBe(
      200,
    );
    // Read at once: before the subscription's workflow has mirrored its term to the database.
    const concluded = (await office.db('agreements').where({ order_id: id }).first()).valid_to;
    await expect.poll(async () => (await order(id)).subscriptionState?.termEnd).toBeTruthy();
    const { termEnd } = (await order(id)).subscriptionState;
    expect(concluded).toBe(stockholmDate(new Date(new Date(termEnd).getTime() - 1)));
    await expect.poll(() => latest(id), { timeout: 15_000 }).toMatchObject({ status: 'LYCKAD', typ: 'BAS' });
  });

  it('G8: cancelled, the subscription takes extracts until the paid term ends; an admin’s termination ends it at once', async () => {
    const id = await subscribed();
    const cancelled = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/cancel-subscription`, {
      token: token.customer,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/cancel-subscription`, { token: token.customer })).body
        .error.code,
    ).toBe('not_active');
    expect((await leverans(id, 'FORANDRING')).status).toBe(201);
    await expect.poll(() => latest(id), { timeout: 15_000 }).toMatchObject({ status: 'LYCKAD', typ: 'FORANDRING' });
    await expect.poll(async () => (await order(id)).status).toBe('delivered');

    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/terminate`, {
          token: token.customer,
          body: { reason: 'no' },
        })
      ).status,
    ).toBe(403);
    const terminated = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/terminate`, {
      token: token.admin,
      body: { reason: 'Unpaid since last year' },
    });
    expect(terminated.status).toBe(200);
    await expect.poll(async () => (await order(id)).subscriptionState.status).toBe('terminated');
    // G4: the end-use agreement ends with the subscription.
    expect((await office.db('agreements').where({ order_id: id }).first()).valid_to).toBe(stockholmDate(new Date()));
    const refused = await leverans(id, 'FORANDRING');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('subscription_ended');
  });

  it('G8: a fixed interval is chosen when ordering, only with a subscription; its first run is recorded', async () => {
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
          token: token.customer,
          body: { ...subscriptionOrder, subscription: false, deliveryInterval: 'monthly' },
        })
      ).body.error.code,
    ).toBe('interval_needs_subscription');
    const id = await subscribed({ deliveryInterval: 'monthly' });
    const shown = await order(id);
    expect(shown.deliveryInterval).toBe('monthly');
    expect(shown.subscriptionState.runs).toEqual([
      expect.objectContaining({ run: 0, outcome: 'started', delivery_id: shown.deliveries[0].objektidentitet }),
    ]);
  });
});
