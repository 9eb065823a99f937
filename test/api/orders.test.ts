import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { call, clientCredentialsToken, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';
import { readZip } from '../support/zip';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let systemToken: string;
let otherAccountId: string;
let handlerId: string;

// 2 km × 1.5 km near Stockholm: 3 km².
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
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const mine = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Karta AB',
      email: 'order-org@test.se',
      organisationNumber: '556333-4444',
      language: 'en',
    },
    actor,
  );
  otherAccountId = (
    await directory.createAccount(
      { kind: 'private', name: 'Other', email: 'order-other@test.se', birthDate: '1980-01-01' },
      actor,
    )
  ).id;
  const password = 'order-password-1';
  await directory.createUser(
    // A3: mail about an order goes to the user who placed it, in their language.
    { email: 'order-customer@test.se', name: 'C', password, role: 'customer', accountId: mine.id, language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'order-other-user@test.se', name: 'O', password, role: 'customer', accountId: otherAccountId },
    actor,
  );
  handlerId = (
    await directory.createUser({ email: 'order-handler@test.se', name: 'H', password, role: 'handler' }, actor)
  ).id;
  await directory.createUser({ email: 'order-finance@test.se', name: 'F', password, role: 'finance' }, actor);
  for (const who of ['customer', 'other-user', 'handler', 'finance'])
    token[who] = await login(office.baseUrl, `order-${who}@test.se`, password);
  systemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(mine.id, 'integration', actor),
  );
});
afterAll(() => office.drop());

describe('a fee-based order from quote to delivery', () => {
  let orderId: string;

  it('G2, G3: the quote shows the fee from the area and the price list', async () => {
    const quote = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', { token: token.customer, body: order });
    expect(quote.status).toBe(200);
    // 3 km² × 125.00 kr = 375.00 kr, below the 500.00 kr minimum
    expect(quote.body).toMatchObject({
      areaM2: 3_000_000,
      priceListVersion: '2026-01-01',
      net: { minor: 50_000, currency: 'SEK' },
      vat: { minor: 12_500 },
      total: { minor: 62_500 },
      minimumApplied: true,
      needsApproval: true,
    });
    // G3: an order confirming another total than today's is refused with the new fee, and nothing is stored.
    const stale = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, quotedTotal: 50_000 },
    });
    expect([stale.status, stale.body.error.code, stale.body.error.details.total]).toEqual([
      409,
      'fee_changed',
      { minor: 62_500, currency: 'SEK' },
    ]);
    expect(await office.db('orders')).toHaveLength(0);
  });

  it('G3, G6: placing it confirms by e-mail with the same fee and waits for approval', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, quotedTotal: 62_500 },
      headers: { 'Idempotency-Key': 'order-1' },
    });
    expect(placed.status).toBe(201);
    orderId = placed.body.id;
    expect(placed.body.fee.net).toEqual({ minor: 50_000, currency: 'SEK' });
    const again = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, quotedTotal: 62_500 },
      headers: { 'Idempotency-Key': 'order-1' },
    });
    expect(again.body.id).toBe(orderId);
    const reused = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, quotedTotal: 62_500, format: 'GeoPackage' },
      headers: { 'Idempotency-Key': 'order-1' },
    });
    expect(reused.status).toBe(409);
    expect(await office.db('orders')).toHaveLength(1);

    const [mail] = await mailTo('order-customer@test.se');
    expect(mail!.subject).toBe(`Order confirmation ${orderId}`);
    expect(mail!.text).toContain('SEK 500.00 excluding VAT');
    await expect
      .poll(
        async () =>
          (await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: token.customer })).body.status,
      )
      .toBe('awaiting_approval');
  });

  it("customers cannot read or cancel another account's order; only handlers approve", async () => {
    expect(
      (await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: token['other-user'] })).status,
    ).toBe(404);
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/cancel`, { token: token['other-user'] })).status,
    ).toBe(404);
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/approve`, { token: token.customer })).status,
    ).toBe(403);
  });

  it('G4: approval concludes the agreement, books the invoice, and the delivery follows (G7)', async () => {
    const approved = await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/approve`, { token: token.handler });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    const twice = await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/approve`, { token: token.handler });
    expect(twice.status).toBe(409);

    const agreements = await call(office.baseUrl, 'GET', '/api/v1/agreements', { token: token.customer });
    expect(agreements.body).toMatchObject({
      items: [{ order_id: orderId, product_id: 'fastighetskartan-vektor', area_m2: 3_000_000 }],
      next: null,
    });
    // G4: the agreement is in force; none has ended; offset paging is refused (issue 20: keyset).
    expect(
      (await call(office.baseUrl, 'GET', '/api/v1/agreements?status=valid', { token: token.customer })).body.items,
    ).toHaveLength(1);
    expect(
      (await call(office.baseUrl, 'GET', '/api/v1/agreements?status=ended', { token: token.customer })).body,
    ).toEqual({ items: [], next: null, limit: 50 });
    expect((await call(office.baseUrl, 'GET', '/api/v1/agreements?offset=1', { token: token.customer })).status).toBe(
      400,
    );
    expect((await call(office.baseUrl, 'GET', '/api/v1/agreements?status=old', { token: token.customer })).status).toBe(
      400,
    );
    const doc = await fetch(`${office.baseUrl}/api/v1/agreements/${agreements.body.items[0].id}/document`, {
      headers: { authorization: `Bearer ${token.customer}` },
    });
    expect(await doc.text()).toContain('Karta AB');
    const invoices = await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: token.customer });
    expect(invoices.body.items[0]).toMatchObject({
      reference: orderId,
      net: { minor: 50_000 },
      total: { minor: 62_500 },
    });

    const mails = await mailTo('order-customer@test.se', 3);
    expect(mails.map((m) => m.subject)).toEqual([
      `Order confirmation ${orderId}`,
      `Order ${orderId} approved`,
      `Delivery ready: ${orderId}`,
    ]);
    // Issue 16: the e-mails link to the pages a person reads, never to API routes.
    expect(mails[1]!.text).toContain(`${office.baseUrl}/app/agreements`);
    expect(mails[2]!.text).toContain(`${office.baseUrl}/app/orders/${orderId}`);
    for (const mail of mails) expect(mail.text).not.toMatch(/https?:\/\/\S+\/(api|download)\//);
    expect(mails[2]!.text).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });

  it('G6, G9: the order shows its history and deliveries; finance may read but not decide', async () => {
    const mine = await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: token.customer });
    expect(mine.body.history.map((e: { status: string }) => e.status)).toEqual([
      'submitted',
      'awaiting_approval',
      'approved',
      'in_production',
      'delivered',
    ]);
    // Issue 15: staff are shown to customers by role, never by id; staff see the id too.
    const approval = mine.body.history.find((e: { status: string }) => e.status === 'approved');
    expect(approval.by).toEqual({ role: 'handler', userId: null });
    expect(JSON.stringify(mine.body)).not.toContain(handlerId);
    const staffView = await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: token.finance });
    expect(staffView.body.history.find((e: { status: string }) => e.status === 'approved').by).toEqual({
      role: 'handler',
      userId: handlerId,
    });
    expect(mine.body.deliveries).toEqual([expect.objectContaining({ status: 'LYCKAD', typ: 'BAS' })]);
    const list = await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.finance });
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(orderId);
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${orderId}/reject`, {
          token: token.finance,
          body: { reason: 'no' },
        })
      ).status,
    ).toBe(403);
  });

  it("G7: the delivery e-mail's link opens the files without signing in, until it expires", async () => {
    const [, , delivered] = await mailTo('order-customer@test.se', 3);
    const pageUrl = /(http\S+\/app\/delivery\/[\w-]+)/.exec(delivered!.text!)![1]!;
    const linkUrl = pageUrl.replace('/app/delivery/', '/api/v1/delivery-links/');
    const linked = await call(office.baseUrl, 'GET', new URL(linkUrl).pathname);
    expect(linked.status).toBe(200);
    expect(linked.body.orderId).toBe(orderId);
    const [file] = linked.body.files;
    const download = await fetch(file.href);
    expect(download.status).toBe(200);
    expect(Number(download.headers.get('content-length'))).toBe(file.length);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    await office
      .db('delivery_links')
      .where({ order_id: orderId })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await call(office.baseUrl, 'GET', new URL(linkUrl).pathname);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('link_expired');
    expect((await fetch(file.href)).status).toBe(410);
    expect((await call(office.baseUrl, 'GET', '/api/v1/delivery-links/not-a-real-token-at-all')).status).toBe(404);
  });

  it('G10: the delivery API shows the delivery and serves a ZIP whose uttag.json lists every file with its object count', async () => {
    const latest = await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${orderId}/leverans/latest`, {
      token: systemToken,
    });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({
      status: 'LYCKAD',
      typ: 'BAS',
      objektidentitet: expect.any(String),
      skapad: expect.any(String),
    });
    expect(Object.keys(latest.body).sort()).toEqual([
      'metadata',
      'objektidentitet',
      'skapad',
      'status',
      'typ',
      'uppdaterad',
    ]);
    expect(
      (await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${orderId}`, { token: systemToken })).body.id,
    ).toBe(orderId);

    const files = await call(office.baseUrl, 'GET', `/download/${orderId}/files`, { token: systemToken });
    // The package and, since issue 14, uttag.json listed beside it.
    expect(files.body.map((f: { title: string }) => f.title)).toEqual(['fastighetskartan-vektor.zip', 'uttag.json']);
    const [file] = files.body;
    expect(Object.keys(file).sort()).toEqual(['displaySize', 'href', 'length', 'title', 'type', 'updated']);
    expect(file.type).toBe('application/zip');

    const download = await fetch(file.href, { headers: { authorization: `Bearer ${systemToken}` } });
    expect(download.status).toBe(200);
    expect(Number(download.headers.get('content-length'))).toBe(file.length);
    const zip = await readZip(Buffer.from(await download.arrayBuffer()));
    const uttag = JSON.parse(zip['uttag.json']!.toString());
    expect(uttag.type).toBe('FeatureCollection');
    expect(uttag.features.map((f: { properties: { filnamn: string } }) => f.properties.filnamn).sort()).toEqual(
      Object.keys(zip)
        .filter((n) => n !== 'uttag.json')
        .sort(),
    );
    for (const feature of uttag.features) {
      const data = JSON.parse(zip[feature.properties.filnamn]!.toString());
      expect(feature.properties.statistik).toEqual([
        { tabellnamn: feature.properties.filnamn.replace('.geojson', ''), antalObjekt: data.features.length },
      ]);
    }
    // G7: buildings of the demo source, clipped to the 2000 × 1500 m selection.
    const buildings = JSON.parse(zip['byggnader.geojson']!.toString()).features;
    expect(buildings.length).toBeGreaterThan(200);
    const positions = buildings.flatMap((f: { geometry: { type: string; coordinates: number[][][][] } }) => {
      expect(f.geometry.type).toBe('MultiPolygon');
      return f.geometry.coordinates.flat(2);
    });
    expect(positions.every(([e, n]: number[]) => e! >= E && e! <= E + 2000 && n! >= N && n! <= N + 1500)).toBe(true);

    const part = await fetch(file.href, { headers: { authorization: `Bearer ${systemToken}`, range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect((await fetch(file.href, { headers: { authorization: `Bearer ${token['other-user']}` } })).status).toBe(404);
  });

  it('G8: a new delivery is refused on an order that is not a subscription', async () => {
    const res = await call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${orderId}/leverans?typ=BAS`, {
      token: systemToken,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_a_subscription');
  });
});

describe('orders that need no approval, and refusals', () => {
  it('G1: an open-data order goes straight to delivery with no agreement and no invoice', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token['other-user'],
      body: { productId: 'terrangkartan', format: 'GeoJSON', selection },
    });
    expect(placed.status).toBe(201);
    await expect
      .poll(
        async () =>
          (await call(office.baseUrl, 'GET', `/api/v1/orders/${placed.body.id}`, { token: token['other-user'] })).body
            .status,
        { timeout: 15_000 },
      )
      .toBe('delivered');
    expect(await office.db('agreements').where({ order_id: placed.body.id })).toHaveLength(0);
    expect(await office.db('invoices').where({ reference: placed.body.id })).toHaveLength(0);
    // G10: a system account sees only its own account's orders.
    expect(
      (await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${placed.body.id}`, { token: systemToken }))
        .status,
    ).toBe(404);
    expect(
      (await call(office.baseUrl, 'GET', `/download/${placed.body.id}/files`, { token: systemToken })).status,
    ).toBe(404);
  });

  it('G5: an order inside a framework agreement goes through without approval and makes no new agreement', async () => {
    const admin = createDirectory({ db: office.db, welcome: async () => {} });
    await admin.createUser(
      { email: 'order-admin@test.se', name: 'A', password: 'order-password-1', role: 'admin' },
      { actorType: 'system' },
    );
    const adminToken = await login(office.baseUrl, 'order-admin@test.se', 'order-password-1');
    const framework = await call(office.baseUrl, 'POST', '/api/v1/framework-agreements', {
      token: adminToken,
      body: { accountId: otherAccountId, kind: 'reseller', productIds: ['byggnader'], validFrom: '2020-01-01' },
    });
    expect(framework.status).toBe(201);
    const quote = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
      token: token['other-user'],
      body: { productId: 'byggnader', format: 'GeoJSON', selection },
    });
    expect(quote.body.needsApproval).toBe(false);
    const outside = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
      token: token['other-user'],
      body: { ...order },
    });
    expect(outside.body.needsApproval).toBe(true);
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token['other-user'],
      body: { productId: 'byggnader', format: 'GeoJSON', selection },
    });
    await expect
      .poll(
        async () =>
          (await call(office.baseUrl, 'GET', `/api/v1/orders/${placed.body.id}`, { token: token['other-user'] })).body
            .status,
        { timeout: 15_000 },
      )
      .toBe('delivered');
    expect(await office.db('agreements').where({ order_id: placed.body.id })).toHaveLength(0);
    expect(await office.db('invoices').where({ reference: placed.body.id })).toHaveLength(1);
  });

  it('a customer cancels before approval; cancelling again is refused', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: token.customer, body: order });
    await expect
      .poll(
        async () =>
          (await call(office.baseUrl, 'GET', `/api/v1/orders/${placed.body.id}`, { token: token.customer })).body
            .status,
      )
      .toBe('awaiting_approval');
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${placed.body.id}/cancel`, { token: token.customer })).body
        .status,
    ).toBe('cancelled');
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/orders/${placed.body.id}/cancel`, { token: token.customer })).status,
    ).toBe(409);
  });

  it.each([
    [
      'ring_not_closed',
      {
        type: 'Polygon',
        coordinates: [
          [
            [E, N],
            [E + 1000, N],
            [E + 1000, N + 1000],
            [E, N + 1000],
          ],
        ],
      },
    ],
    [
      'ring_too_short',
      {
        type: 'Polygon',
        coordinates: [
          [
            [E, N],
            [E + 1000, N],
            [E, N],
          ],
        ],
      },
    ],
    [
      'self_intersection',
      {
        type: 'Polygon',
        coordinates: [
          [
            [E, N],
            [E + 1000, N + 1000],
            [E + 1000, N],
            [E, N + 1000],
            [E, N],
          ],
        ],
      },
    ],
    [
      'outside_sweden',
      {
        type: 'Polygon',
        coordinates: [
          [
            [18, 59],
            [18.1, 59],
            [18.1, 59.1],
            [18, 59],
          ],
        ],
      },
    ],
    [
      'zero_area',
      {
        type: 'Polygon',
        coordinates: [
          [
            [E, N],
            [E + 1000, N],
            [E + 2000, N],
            [E, N],
          ],
        ],
      },
    ],
    [
      'area_too_large',
      {
        type: 'Polygon',
        coordinates: [
          [
            [300_000, 6_200_000],
            [900_000, 6_200_000],
            [900_000, 7_600_000],
            [300_000, 7_600_000],
            [300_000, 6_200_000],
          ],
        ],
      },
    ],
    ['unsupported_type', { type: 'Point', coordinates: [E, N] }],
  ])('G2: refuses a selection with %s, saying what is wrong', async (code, geometry) => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
      token: token.customer,
      body: { ...order, selection: geometry },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_selection');
    expect(res.body.error.details.map((p: { code: string }) => p.code)).toContain(code);
    expect(res.body.error.message.length).toBeGreaterThan(30);
  });

  it('G2: refuses invalid geometry, an unknown product and a format not offered, storing nothing', async () => {
    const before = (await office.db('orders')).length;
    const bad = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: {
        ...order,
        selection: {
          type: 'Polygon',
          coordinates: [
            [
              [18, 59],
              [18.1, 59],
              [18.1, 59.1],
              [18, 59],
            ],
          ],
        },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].code).toBe('outside_sweden');
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
          token: token.customer,
          body: { ...order, productId: 'nope' },
        })
      ).body.error.code,
    ).toBe('unknown_product');
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
          token: token.customer,
          body: { ...order, format: 'DWG' },
        })
      ).body.error.code,
    ).toBe('unknown_format');
    expect((await office.db('orders')).length).toBe(before);
  });
});

describe('G8, G10: a subscription', () => {
  const subscription = { productId: 'byggnader', format: 'GeoJSON', selection, subscription: true };
  const latest = async (id: string) =>
    (await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${id}/leverans/latest`, { token: systemToken }))
      .body;

  it('G8, T2: the quote adds the annual fee as a line of its own; only subscribable products, only for download', async () => {
    const quote = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
      token: token.customer,
      body: subscription,
    });
    // 3 km² × 40.00 kr = 120.00 kr, below the 250.00 kr minimum; 4 000.00 kr a year
    expect(
      quote.body.lines.map((l: { kind: string; net: { minor: number }; vat: { minor: number } }) => [
        l.kind,
        l.net.minor,
        l.vat.minor,
      ]),
    ).toEqual([
      ['area', 25_000, 6_250],
      ['annual_subscription', 400_000, 100_000],
    ]);
    expect(quote.body.total.minor).toBe(531_250);
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
          token: token.customer,
          body: { ...subscription, deliveryMethod: 'physical_media' },
        })
      ).body.error.code,
    ).toBe('subscription_needs_download');
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/orders/quote', {
          token: token.customer,
          body: { ...subscription, productId: 'terrangkartan' },
        })
      ).body.error.code,
    ).toBe('not_subscribable');
  });

  it('G10: a system account starts a change extract (FORANDRING) on its subscription and downloads it', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: token.customer, body: subscription });
    expect(placed.body).toMatchObject({ subscription: true, fee: { net: { minor: 425_000 } } });
    const id = placed.body.id;
    await expect
      .poll(
        async () => (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status,
      )
      .toBe('awaiting_approval');
    expect((await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler })).status).toBe(
      200,
    );
    await expect.poll(() => latest(id), { timeout: 15_000 }).toMatchObject({ status: 'LYCKAD', typ: 'BAS' });
    await expect
      .poll(
        async () => (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status,
      )
      .toBe('delivered');

    const start = () =>
      call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${id}/leverans?typ=FORANDRING`, {
        token: systemToken,
        headers: { 'Idempotency-Key': `leverans-${id}` },
      });
    const started = await start();
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual([
      'metadata',
      'objektidentitet',
      'skapad',
      'status',
      'typ',
      'uppdaterad',
    ]);
    expect(started.body).toMatchObject({ typ: 'FORANDRING' });
    expect((await start()).body.objektidentitet).toBe(started.body.objektidentitet);
    await expect
      .poll(() => latest(id), { timeout: 15_000 })
      .toMatchObject({ objektidentitet: started.body.objektidentitet, status: 'LYCKAD', typ: 'FORANDRING' });

    const [file] = (await call(office.baseUrl, 'GET', `/download/${id}/files`, { token: systemToken })).body;
    const zip = await readZip(
      Buffer.from(
        await (await fetch(file.href, { headers: { authorization: `Bearer ${systemToken}` } })).arrayBuffer(),
      ),
    );
    const uttag = JSON.parse(zip['uttag.json']!.toString());
    const changes = JSON.parse(zip['byggnader.geojson']!.toString()).features;
    expect(uttag.features.map((f: { properties: unknown }) => f.properties)).toEqual([
      { filnamn: 'byggnader.geojson', statistik: [{ tabellnamn: 'byggnader', antalObjekt: changes.length }] },
    ]);
    expect(
      changes.every((f: { properties: { andring: string } }) =>
        ['tillkommen', 'andrad', 'borttagen'].includes(f.properties.andring),
      ),
    ).toBe(true);

    // "My account": the customer starts a full extract; another account cannot.
    await expect
      .poll(
        async () => (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status,
      )
      .toBe('delivered');
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/deliveries`, {
          token: token['other-user'],
          body: { typ: 'BAS' },
        })
      ).status,
    ).toBe(404);
    const bas = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/deliveries`, {
      token: token.customer,
      body: { typ: 'BAS' },
    });
    expect(bas.status).toBe(201);
    await expect
      .poll(
        async () =>
          (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.deliveries.map(
            (d: { typ: string; status: string }) => `${d.typ} ${d.status}`,
          ),
        { timeout: 15_000 },
      )
      .toEqual(['BAS LYCKAD', 'FORANDRING LYCKAD', 'BAS LYCKAD']);
  });
});

describe('G7: physical media', () => {
  it('the handler records the shipment of the produced hard drive and the customer is told', async () => {
    // G7: a hard drive needs the address it is shipped to, and nothing is stored without one.
    const before = Number((await office.db('orders').count({ n: '*' }).first())!.n);
    const noAddress = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, deliveryMethod: 'physical_media' },
    });
    expect([noAddress.status, noAddress.body.error.code]).toEqual([422, 'shipping_address_required']);
    expect(Number((await office.db('orders').count({ n: '*' }).first())!.n)).toBe(before);
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: {
        ...order,
        deliveryMethod: 'physical_media',
        shippingAddress: { name: 'Karta AB', street: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm' },
      },
    });
    const id = placed.body.id;
    expect(
      (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.shippingAddress,
    ).toEqual({ name: 'Karta AB', street: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm' });
    const status = async () =>
      (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status;
    await expect.poll(status).toBe('awaiting_approval');
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/shipment`, {
          token: token.handler,
          body: { carrier: 'PostNord', trackingNumber: 'X1' },
        })
      ).status,
    ).toBe(409);
    await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler });
    await expect.poll(status, { timeout: 15_000 }).toBe('delivered');
    const subjects = async () => (await mailTo('order-customer@test.se')).map((m) => m.subject);
    await expect.poll(subjects).toContain(`Delivery produced: ${id}`);

    const shipped = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/shipment`, {
      token: token.handler,
      body: { carrier: 'PostNord', trackingNumber: 'PN123456789SE' },
    });
    expect(shipped.body.status).toBe('shipped');
    expect((await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body).toMatchObject({
      status: 'shipped',
      shipment: { carrier: 'PostNord', trackingNumber: 'PN123456789SE' },
    });
    await expect.poll(subjects).toContain(`Delivery shipped: ${id}`);
    const mail = (await mailTo('order-customer@test.se')).find((m) => m.subject === `Delivery shipped: ${id}`)!;
    expect(mail.text).toContain('PN123456789SE');
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/shipment`, {
          token: token.handler,
          body: { carrier: 'PostNord', trackingNumber: 'X2' },
        })
      ).status,
    ).toBe(409);
  });
});
