/**
 * Issue 14, G10: the delivery API as public clients use it, one test per point of the contract,
 * over real HTTP. Raw `fetch` where the client's exact bytes matter.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { subscriptionStateQuery, subscriptionWorkflow } from '../../orders/subscription.messages';
import { call, clientCredentialsToken, login, startBackOffice, type TestBackOffice } from '../support/env';
import { readZip } from '../support/zip';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let client: { clientId: string; clientSecret: string };
let systemToken: string;
let otherSystemToken: string;
const password = 'contract-password-1';
const ids = { feeBased: '', openData: '', subscription: '', pending: '' };

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
const feeBased = { productId: 'fastighetskartan-vektor', format: 'GeoJSON', selection };

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;
const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const v2 = (id: string, rest = '') => `/geotorget/orderhanterare/v2/${id}${rest}`;
const v1 = (id: string, rest = '') => `/geotorget/nedladdning/v1/${id}${rest}`;
const get = (path: string, t = systemToken) => call(office.baseUrl, 'GET', path, { token: t });
const latest = async (id: string) => (await get(v2(id, '/leverans/latest'))).body;
/** Polls until `read` answers `expected` (also outside a test, where expect.poll cannot run). */
async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value === expected) return;
    if (Date.now() > deadline)
      throw new Error(`still ${String(value)}, not ${String(expected)}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** Waits until the order's latest delivery has finished; answers it. */
const finished = async (id: string) => {
  await until(async () => (await latest(id))?.status, 'LYCKAD');
  if (id === ids.subscription) await subscriptionIdle(id);
  return latest(id);
};
/** The subscription's workflow has heard its delivery finished (the row is written first), so it takes the next. */
const subscriptionIdle = (id: string) =>
  until(
    async () =>
      (await office.temporal.workflow.getHandle(subscriptionWorkflow.workflowId(id)).query(subscriptionStateQuery))
        .current,
    null,
  );
const orderStatus = async (id: string) =>
  (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status;

async function place(body: Record<string, unknown>, who = token.customer) {
  const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: who, body });
  if (placed.status !== 201) throw new Error(`place: ${placed.status} ${JSON.stringify(placed.body)}`);
  return placed.body.id as string;
}
async function approve(id: string) {
  await until(() => orderStatus(id), 'awaiting_approval');
  const approved = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler });
  if (approved.status !== 200) throw new Error(`approve ${id}: ${approved.status}`);
}

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const mine = await directory.createAccount(
    { kind: 'organisation', name: 'Kontrakt AB', email: 'contract-org@test.se', organisationNumber: '556777-1111' },
    actor,
  );
  const other = await directory.createAccount(
    { kind: 'organisation', name: 'Annan AB', email: 'contract-other@test.se', organisationNumber: '556777-2222' },
    actor,
  );
  const users: [string, string, string | undefined][] = [
    ['customer', 'customer', mine.id],
    ['other-user', 'customer', other.id],
    ['handler', 'handler', undefined],
    ['finance', 'finance', undefined],
    ['admin', 'admin', undefined],
  ];
  for (const [who, role, accountId] of users)
    await directory.createUser(
      { email: `contract-${who}@test.se`, name: who, password, role: role as 'customer', accountId },
      actor,
    );
  for (const [who] of users) token[who] = await login(office.baseUrl, `contract-${who}@test.se`, password);
  client = await directory.createSystemAccount(mine.id, 'integration', actor);
  systemToken = await clientCredentialsToken(office.baseUrl, client);
  otherSystemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(other.id, 'integration', actor),
  );

  ids.feeBased = await place(feeBased);
  ids.openData = await place({ productId: 'terrangkartan', format: 'GeoJSON', selection });
  ids.subscription = await place({ productId: 'byggnader', format: 'GeoJSON', selection, subscription: true });
  ids.pending = await place(feeBased);
  await approve(ids.feeBased);
  await approve(ids.subscription);
  for (const id of [ids.feeBased, ids.openData, ids.subscription]) await finished(id);
  for (const id of [ids.feeBased, ids.subscription]) await until(() => orderStatus(id), 'delivered');
  await until(() => orderStatus(ids.pending), 'awaiting_approval');
});
afterAll(() => office.drop());

describe('G10: the token endpoint, at POST /oauth2/token and POST /token', () => {
  const paths = ['/oauth2/token', '/token'];
  const accepted = async (res: Response) => {
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    // The token opens the delivery API (A1: and only it).
    expect((await get(`/geotorget/orderhanterare/v2/${ids.feeBased}`, body.access_token)).status).toBe(200);
  };

  it('takes grant_type in the query string with an empty body (no Content-Type, or text/plain), or in a form body; an empty scope= is fine', async () => {
    const auth = basic(client.clientId, client.clientSecret);
    for (const path of paths) {
      await accepted(
        await fetch(`${office.baseUrl}${path}?grant_type=client_credentials`, {
          method: 'POST',
          headers: { authorization: auth },
        }),
      );
      await accepted(
        await fetch(`${office.baseUrl}${path}?grant_type=client_credentials&scope=`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'text/plain' },
          body: '',
        }),
      );
      await accepted(
        await fetch(`${office.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&scope=',
        }),
      );
    }
  });

  it('takes the credentials as HTTP Basic or as client_id and client_secret form fields, and refuses wrong ones', async () => {
    const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${office.baseUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...fields }).toString(),
      });
    await accepted(await form({}, { authorization: basic(client.clientId, client.clientSecret) }));
    await accepted(await form({ client_id: client.clientId, client_secret: client.clientSecret }));
    const wrong = await form({ client_id: client.clientId, client_secret: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect((await form({})).status).toBe(401);
  });

  it('answers {access_token, token_type: "Bearer", expires_in ≥ 1800, scope}', async () => {
    for (const path of paths) {
      const res = await fetch(`${office.baseUrl}${path}?grant_type=client_credentials`, {
        method: 'POST',
        headers: { authorization: basic(client.clientId, client.clientSecret) },
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), scope: expect.any(String) });
      expect(body.expires_in).toBeGreaterThanOrEqual(1800);
    }
  });

  it('POST /revoke?token=… with HTTP Basic revokes a token (2xx); the revoked token then answers 401', async () => {
    const revoked = await clientCredentialsToken(office.baseUrl, client);
    expect((await get(v2(ids.feeBased), revoked)).status).toBe(200);
    const res = await fetch(`${office.baseUrl}/revoke?token=${encodeURIComponent(revoked)}`, {
      method: 'POST',
      headers: { authorization: basic(client.clientId, client.clientSecret) },
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect((await get(v2(ids.feeBased), revoked)).status).toBe(401);
    expect((await get(`/download/${ids.feeBased}/files`, revoked)).status).toBe(401);
    // Only the client's own tokens: another client cannot end them, and a wrong secret is refused.
    const wrong = await fetch(`${office.baseUrl}/revoke?token=${encodeURIComponent(systemToken)}`, {
      method: 'POST',
      headers: { authorization: basic(client.clientId, 'wrong') },
    });
    expect(wrong.status).toBe(401);
    expect((await get(v2(ids.feeBased))).status).toBe(200);
  });
});

describe('G10: /geotorget/orderhanterare/v2/{orderId}', () => {
  it("the order: Geotorget's fields, and the back office's fields that today's clients read", async () => {
    const res = await get(v2(ids.subscription));
    expect(res.status).toBe(200);
    const order = res.body;
    expect(order).toMatchObject({
      objektidentitet: ids.subscription,
      produktnamn: 'Byggnader',
      produktnummer: 'byggnader',
      produktTyp: expect.any(String),
      status: 'AKTIV',
      abonnemang: true,
      arendenummer: expect.any(String),
      kundnummer: expect.any(String),
      leveransepost: 'contract-org@test.se',
      produktinformation: { stodjerForandring: true },
    });
    expect(order).toHaveProperty('ordermarkning');
    expect(order.skapad).toMatch(ISO_WITH_OFFSET);
    expect(order.senasteHandelse).toMatch(ISO_WITH_OFFSET);
    // presentOrder's fields stay, the back office's status as orderStatus.
    expect(order).toMatchObject({
      id: ids.subscription,
      productId: 'byggnader',
      subscription: true,
      orderStatus: 'delivered',
      fee: expect.any(Object),
    });
    for (const key of ['accountId', 'format', 'deliveryMethod', 'areaM2', 'priceListVersion', 'placedAt', 'updatedAt'])
      expect(order).toHaveProperty(key);
    const oneOff = (await get(v2(ids.feeBased))).body;
    expect(oneOff).toMatchObject({ abonnemang: false, produktinformation: { stodjerForandring: false } });
    expect(typeof oneOff.abonnemang).toBe('boolean');
  });

  it('ordermarkning: the marking the customer gave when ordering is stored on the order and shown back; one too long is refused', async () => {
    const marked = await place({ ...feeBased, ordermarkning: '  Projekt Norra länken 42 ' });
    expect((await get(v2(marked))).body.ordermarkning).toBe('Projekt Norra länken 42');
    expect((await office.db('orders').where({ id: marked }).first()).ordermarkning).toBe('Projekt Norra länken 42');
    expect((await get(v2(ids.feeBased))).body.ordermarkning).toBeNull();
    const before = await office.db('orders').count({ n: '*' }).first();
    const refused = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...feeBased, ordermarkning: 'x'.repeat(101) },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toEqual(expect.any(String));
    expect(await office.db('orders').count({ n: '*' }).first()).toEqual(before);
  });

  it('status is AKTIV while the order can deliver and AVSLUTAD once it has ended', async () => {
    expect((await get(v2(ids.pending))).body.status).toBe('AKTIV');
    expect((await get(v2(ids.subscription))).body.status).toBe('AKTIV');
    // A one-off order ends with its delivery.
    expect((await get(v2(ids.feeBased))).body.status).toBe('AVSLUTAD');
    // A subscription ends when it is terminated; a refused order has ended too.
    const ending = await place({ productId: 'byggnader', format: 'GeoJSON', selection, subscription: true });
    await approve(ending);
    await finished(ending);
    expect((await get(v2(ending))).body.status).toBe('AKTIV');
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${ending}/terminate`, {
          token: token.admin,
          body: { reason: 'contract test' },
        })
      ).status,
    ).toBe(200);
    await expect.poll(async () => (await get(v2(ending))).body.status).toBe('AVSLUTAD');
    const refused = await place(feeBased);
    await expect.poll(() => orderStatus(refused)).toBe('awaiting_approval');
    await call(office.baseUrl, 'POST', `/api/v1/orders/${refused}/reject`, {
      token: token.handler,
      body: { reason: 'not this time' },
    });
    await expect.poll(async () => (await get(v2(refused))).body.status).toBe('AVSLUTAD');
  });

  it('…/leverans/latest: objektidentitet, status, typ, skapad and uppdaterad with offset, metadata {size, humanReadableSize, lagringstid}', async () => {
    const res = await get(v2(ids.feeBased, '/leverans/latest'));
    expect(res.status).toBe(200);
    const delivery = res.body;
    expect(delivery).toMatchObject({ objektidentitet: expect.any(String), status: 'LYCKAD', typ: 'BAS' });
    expect(['PÅGÅENDE', 'LYCKAD', 'MISSLYCKAD', 'MAKULERAD']).toContain(delivery.status);
    expect(delivery.skapad).toMatch(ISO_WITH_OFFSET);
    expect(delivery.uppdaterad).toMatch(ISO_WITH_OFFSET);
    expect(Date.parse(delivery.uppdaterad)).toBeGreaterThanOrEqual(Date.parse(delivery.skapad));
    const files = (await get(`/download/${ids.feeBased}/files`)).body as { length: number }[];
    expect(delivery.metadata).toEqual({
      size: files.reduce((sum, f) => sum + f.length, 0),
      humanReadableSize: expect.stringMatching(/^\d+(\.\d)? (B|kB|MB|GB|TB)$/),
      lagringstid: expect.any(Number),
    });
    expect(delivery.metadata.lagringstid).toBeGreaterThan(0);
  });

  it('…/leverans/latest answers 404 while the order has no delivery', async () => {
    const res = await get(v2(ids.pending, '/leverans/latest'));
    expect(res.status).toBe(404);
    expect((await get(v1(ids.pending, '/leverans/latest'))).status).toBe(404);
  });

  it('POST …/leverans starts a delivery (PÅGÅENDE, the latest at once): ?typ=BAS|FORANDRING, no typ (= BAS), an empty JSON body, any JSON body', async () => {
    const requests: [string, RequestInit, string][] = [
      ['?typ=FORANDRING', {}, 'FORANDRING'],
      ['', {}, 'BAS'],
      ['?typ=BAS', { headers: { 'content-type': 'application/json' }, body: '' }, 'BAS'],
      ['', { headers: { 'content-type': 'application/json' }, body: '{"anything": [1, 2]}' }, 'BAS'],
      ['?typ=FORANDRING', { headers: { 'content-type': 'application/json' }, body: 'null' }, 'FORANDRING'],
    ];
    for (const [query, init, typ] of requests) {
      const res = await fetch(`${office.baseUrl}${v2(ids.subscription, `/leverans${query}`)}`, {
        method: 'POST',
        ...init,
        headers: { ...bearer(systemToken), ...(init.headers as Record<string, string>) },
      });
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      const started = (await res.json()) as { objektidentitet: string; status: string; typ: string };
      expect(started).toMatchObject({ status: 'PÅGÅENDE', typ });
      expect((await latest(ids.subscription)).objektidentitet).toBe(started.objektidentitet);
      expect((await finished(ids.subscription)).objektidentitet).toBe(started.objektidentitet);
    }
  });

  it('every GET answers exactly 200 on success', async () => {
    const files = (await get(`/download/${ids.subscription}/files`)).body as { href: string }[];
    const tree = (await get(v1(ids.subscription, '/leverans/latest/files'))).body as { path: string }[];
    const paths = [
      v2(ids.subscription),
      v2(ids.subscription, '/leverans/latest'),
      `/download/${ids.subscription}/files`,
      ...files.map((f) => new URL(f.href).pathname),
      v1(ids.subscription),
      v1(ids.subscription, '/leverans/latest'),
      v1(ids.subscription, '/leverans/latest/files'),
      ...tree.map((f) => v1(ids.subscription, f.path)),
    ];
    for (const path of paths) {
      const res = await fetch(`${office.baseUrl}${path}`, { headers: bearer(systemToken) });
      expect([path, res.status]).toEqual([path, 200]);
      await res.arrayBuffer();
    }
  });
});

describe('G10: /download/{orderId}/files and each href', () => {
  it('is a bare JSON array of {href, title, type, length, displaySize, updated}: href absolute, updated ISO 8601', async () => {
    // Issue 15: links come from PUBLIC_URL, whatever Host the request names.
    const res = await call(office.baseUrl, 'GET', `/download/${ids.feeBased}/files`, {
      token: systemToken,
      headers: { host: 'evil.example' },
    });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.length).toBeGreaterThanOrEqual(2);
    for (const file of res.body) {
      expect(Object.keys(file).sort()).toEqual(['displaySize', 'href', 'length', 'title', 'type', 'updated']);
      expect(new URL(file.href).href).toBe(file.href);
      expect(file.href.startsWith(`${office.baseUrl}/download/${ids.feeBased}/files/`)).toBe(true);
      expect(file.updated).toMatch(ISO_WITH_OFFSET);
      expect(Number.isInteger(file.length)).toBe(true);
      expect(file.displaySize).toEqual(expect.any(String));
    }
  });

  it('titles are safe, unique file names that stay the same from delivery to delivery of the same product', async () => {
    const titles = async (id: string) =>
      ((await get(`/download/${id}/files`)).body as { title: string }[]).map((f) => f.title);
    const before = await titles(ids.subscription);
    for (const title of before) expect(title).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(new Set(before).size).toBe(before.length);
    const started = await call(office.baseUrl, 'POST', v2(ids.subscription, '/leverans?typ=FORANDRING'), {
      token: systemToken,
    });
    expect(started.status).toBe(201);
    await finished(ids.subscription);
    expect(await titles(ids.subscription)).toEqual(before);
  });

  it('uttag.json is a listed file: one feature per data file (filnamn = its title) with statistik, the delivered area in EPSG:3006', async () => {
    const files = (await get(`/download/${ids.feeBased}/files`)).body as { title: string; href: string }[];
    const fetched = async (href: string) =>
      Buffer.from(await (await fetch(href, { headers: bearer(systemToken) })).arrayBuffer());
    const uttagFile = files.find((f) => f.title === 'uttag.json');
    expect(uttagFile).toBeDefined();
    const uttag = JSON.parse((await fetched(uttagFile!.href)).toString());
    expect(uttag.type).toBe('FeatureCollection');
    expect(JSON.stringify(uttag.crs)).toContain('3006');
    const dataFiles = files.filter((f) => f.title !== 'uttag.json');
    expect(uttag.features.map((f: { properties: { filnamn: string } }) => f.properties.filnamn).sort()).toEqual(
      dataFiles.map((f) => f.title).sort(),
    );
    const area = (await call(office.baseUrl, 'GET', `/api/v1/orders/${ids.feeBased}`, { token: token.customer })).body
      .selection;
    for (const feature of uttag.features) {
      expect(['Polygon', 'MultiPolygon']).toContain(feature.geometry.type);
      expect(feature.geometry).toEqual(area);
      // The counts are the objects in the data file: here a ZIP of one GeoJSON file per table.
      const zip = await readZip(await fetched(dataFiles.find((f) => f.title === feature.properties.filnamn)!.href));
      const counts = Object.entries(zip)
        .filter(([name]) => name.endsWith('.geojson'))
        .map(([name, data]) => ({
          tabellnamn: name.replace('.geojson', ''),
          antalObjekt: JSON.parse(data.toString()).features.length,
        }));
      expect(feature.properties.statistik).toEqual(counts);
      expect(counts.length).toBeGreaterThan(0);
    }
  });

  it('downloads with a bearer token, also with Accept: application/json: the bytes, no Content-Encoding, Content-Length = length', async () => {
    const files = (await get(`/download/${ids.feeBased}/files`)).body as { href: string; length: number }[];
    for (const file of files) {
      for (const accept of [undefined, 'application/json']) {
        const res = await fetch(file.href, {
          headers: { ...bearer(systemToken), ...(accept ? { accept } : {}), 'accept-encoding': 'gzip, deflate, br' },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-encoding')).toBeNull();
        expect(Number(res.headers.get('content-length'))).toBe(file.length);
        expect((await res.arrayBuffer()).byteLength).toBe(file.length);
      }
    }
  });

  it("an open-data order's file list and downloads answer without credentials; a fee-based order's answer 401", async () => {
    const open = await fetch(`${office.baseUrl}/download/${ids.openData}/files`);
    expect(open.status).toBe(200);
    const files = (await open.json()) as { href: string; length: number }[];
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const res = await fetch(file.href);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(file.length);
    }
    const closed = await fetch(`${office.baseUrl}/download/${ids.feeBased}/files`);
    expect(closed.status).toBe(401);
    const closedFiles = (await get(`/download/${ids.feeBased}/files`)).body as { href: string }[];
    for (const file of closedFiles) expect((await fetch(file.href)).status).toBe(401);
    // An id that names no order answers as a fee-based one does, and a wrong token is not "none".
    expect((await fetch(`${office.baseUrl}/download/${crypto.randomUUID()}/files`)).status).toBe(401);
    expect((await fetch(`${office.baseUrl}/download/${ids.openData}/files`, { headers: bearer('nope') })).status).toBe(
      401,
    );
  });
});

describe('G10: /geotorget/nedladdning/v1/{orderId}', () => {
  const userBasic = { authorization: basic('contract-customer@test.se', password) };
  const fetchV1 = (path: string, init: RequestInit = {}) => fetch(`${office.baseUrl}${path}`, init);

  it("answers the order (the same fields) to HTTP Basic with the user's e-mail and password, or to a bearer token", async () => {
    const byBasic = await fetchV1(v1(ids.subscription), { headers: userBasic });
    expect(byBasic.status).toBe(200);
    const byBearer = await get(v1(ids.subscription));
    expect(byBearer.status).toBe(200);
    const sameFields = { ...(await get(v2(ids.subscription))).body, senasteHandelse: expect.any(String) };
    expect(byBearer.body).toEqual(sameFields);
    expect(await byBasic.json()).toEqual(sameFields);
    const wrong = await fetchV1(v1(ids.subscription), {
      headers: { authorization: basic('contract-customer@test.se', 'wrong') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('POST …/leverans?typ= starts a delivery; …/leverans/latest shows it with its metadata', async () => {
    const res = await fetchV1(v1(ids.subscription, '/leverans?typ=BAS'), { method: 'POST', headers: userBasic });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const started = (await res.json()) as { objektidentitet: string };
    expect(started).toMatchObject({ status: 'PÅGÅENDE', typ: 'BAS' });
    await finished(ids.subscription);
    const shown = await fetchV1(v1(ids.subscription, '/leverans/latest'), { headers: userBasic });
    expect(shown.status).toBe(200);
    const delivery = (await shown.json()) as Record<string, unknown>;
    expect(delivery).toMatchObject({
      objektidentitet: started.objektidentitet,
      status: 'LYCKAD',
      typ: 'BAS',
      metadata: { size: expect.any(Number), humanReadableSize: expect.any(String), lagringstid: expect.any(Number) },
    });
    expect(delivery).toEqual((await get(v2(ids.subscription, '/leverans/latest'))).body);
  });

  it('…/leverans/latest/files is a tree of {path, title, type, length, displaySize, updated}; each path is fetched under the order', async () => {
    /** Walks the tree as a client does: a level (application/json) is listed, a file fetched. */
    const walk = async (path: string): Promise<{ title: string; length: number; bytes: number }[]> => {
      const res = await fetchV1(v1(ids.subscription, path), { headers: userBasic });
      expect(res.status).toBe(200);
      const entries = (await res.json()) as Record<string, unknown>[];
      const found = [];
      for (const entry of entries) {
        expect(Object.keys(entry).sort()).toEqual(['displaySize', 'length', 'path', 'title', 'type', 'updated']);
        expect(entry.path).toMatch(/^\//);
        expect(entry.updated).toMatch(ISO_WITH_OFFSET);
        expect(['application/octet-stream', 'application/json']).toContain(entry.type);
        if (entry.type === 'application/json') found.push(...(await walk(entry.path as string)));
        else {
          const file = await fetchV1(v1(ids.subscription, entry.path as string), { headers: userBasic });
          expect(file.status).toBe(200);
          const bytes = (await file.arrayBuffer()).byteLength;
          expect(Number(file.headers.get('content-length'))).toBe(bytes);
          found.push({ title: entry.title as string, length: entry.length as number, bytes });
        }
      }
      return found;
    };
    const files = await walk('/leverans/latest/files');
    for (const f of files) expect(f.bytes).toBe(f.length);
    const listed = (await get(`/download/${ids.subscription}/files`)).body as { title: string; length: number }[];
    expect(files.map(({ title, length }) => ({ title, length }))).toEqual(
      listed.map(({ title, length }) => ({ title, length })),
    );
  });
});

describe('A1: who may call the new routes', () => {
  it("another account's token answers 404, no credentials on a fee-based order 401; staff read, finance is refused", async () => {
    const reads = [
      v2(ids.feeBased),
      v2(ids.feeBased, '/leverans/latest'),
      `/download/${ids.feeBased}/files`,
      v1(ids.feeBased),
      v1(ids.feeBased, '/leverans/latest'),
      v1(ids.feeBased, '/leverans/latest/files'),
    ];
    const files = (await get(`/download/${ids.feeBased}/files`)).body as { href: string; title: string }[];
    const downloads = files.flatMap((f) => [
      new URL(f.href).pathname,
      v1(ids.feeBased, `/leverans/latest/files/${f.title}`),
    ]);
    const status = async (path: string, t?: string) => {
      const res = await fetch(`${office.baseUrl}${path}`, { headers: t ? bearer(t) : {} });
      await res.arrayBuffer();
      return [path, res.status];
    };
    for (const path of [...reads, ...downloads]) {
      expect(await status(path, otherSystemToken)).toEqual([path, 404]);
      expect(await status(path, token['other-user'])).toEqual([path, 404]);
      expect(await status(path)).toEqual([path, 401]);
      expect(await status(path, token.finance)).toEqual([path, 403]);
      expect(await status(path, token.handler)).toEqual([path, 200]);
    }
    const basicOther = { authorization: basic('contract-other-user@test.se', password) };
    expect((await fetch(`${office.baseUrl}${v1(ids.feeBased)}`, { headers: basicOther })).status).toBe(404);
    // An open-data order is open without credentials, but another account's token still sees nothing of it.
    expect((await get(`/download/${ids.openData}/files`, otherSystemToken)).status).toBe(404);

    for (const path of [v2(ids.subscription, '/leverans?typ=BAS'), v1(ids.subscription, '/leverans?typ=BAS')]) {
      const post = (t?: string) => call(office.baseUrl, 'POST', path, t ? { token: t } : {});
      expect([path, (await post(otherSystemToken)).status]).toEqual([path, 404]);
      expect([path, (await post()).status]).toEqual([path, 401]);
      expect([path, (await post(token.handler)).status]).toEqual([path, 403]);
    }
  });
});
