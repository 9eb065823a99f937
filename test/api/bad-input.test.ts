/**
 * Issue 15, "Bad input, once for all" (A6): every class of bad input the issue lists is refused
 * with a 4xx and a machine-readable code, through real HTTP, and stores nothing.
 */
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { createDirectory } from '../../identity/directory.service';
import { ApiError, errorHandler } from '../../platform/http/errors';
import { jsonBody } from '../../platform/http/input';
import { defineRoute, mountRoutes } from '../../platform/http/route';
import { call, log, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let accountId: string;
const password = 'bad-input-password-1';

const E = 675_000;
const N = 6_580_000;
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
const order = {
  productId: 'fastighetskartan-vektor',
  format: 'GeoJSON',
  deliveryMethod: 'download',
  selection: square(1000),
};

const rows = async (table: string) => Number((await office.db(table).count('* as n').first())!.n);

const registerCase = async (kind: string) => {
  const res = await call(office.baseUrl, 'POST', '/api/v1/cases', {
    token: token.customer,
    body: { kind, workArea: square(200), digStart: '2099-01-05', acceptTerms: true },
  });
  expect(res.status).toBe(201);
  return res.body.lk as string;
};

/** A 400 `validation_failed` naming the field. */
const refusedField = (res: { status: number; body: { error?: { code: string; details: { field: string }[] } } }) => {
  expect(res.status).toBe(400);
  expect(res.body.error?.code).toBe('validation_failed');
  return res.body.error!.details.map((d) => d.field);
};

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  // Case workflows are named by LK number on the dev server every test file shares: start this
  // file's series far from the others'.
  const year = new Date().getUTCFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 700_000 })));
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      {
        kind: 'organisation',
        name: 'Felindata AB',
        email: 'bad-org@test.se',
        organisationNumber: '556777-8888',
        language: 'en',
      },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'bad-customer@test.se', name: 'C', password, role: 'customer', accountId },
    actor,
  );
  for (const role of ['handler', 'finance', 'admin'] as const)
    await directory.createUser({ email: `bad-${role}@test.se`, name: role, password, role }, actor);
  for (const who of ['customer', 'handler', 'finance', 'admin'])
    token[who] = await login(office.baseUrl, `bad-${who}@test.se`, password);
});
afterAll(() => office.drop());

describe('U+0000 and lone surrogates are refused at validation, with the field', () => {
  it('a NUL in a body string: 400, nothing stored', async () => {
    const before = await rows('accounts');
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: token.admin,
      body: { kind: 'organisation', name: 'Nul\u0000 AB', email: 'nul@test.se', organisationNumber: '556000-0001' },
    });
    expect(refusedField(res)).toEqual(['body.name']);
    expect(await rows('accounts')).toBe(before);
  });

  it('a NUL in a key of a free-form body object is refused too', async () => {
    const before = await rows('orders');
    const res = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...order, selection: { ...order.selection, 'x\u0000': 1 } },
    });
    expect(refusedField(res)).toEqual(['body.selection']);
    expect(await rows('orders')).toBe(before);
  });

  it('a NUL in a query filter: 400', async () => {
    const res = await call(office.baseUrl, 'GET', '/api/v1/orders?status=%00', { token: token.handler });
    expect(refusedField(res)).toEqual(['query.status']);
  });

  it('a NUL in a path parameter: 400', async () => {
    const res = await call(office.baseUrl, 'GET', '/api/v1/settlements/2026/providers/a%00b', { token: token.finance });
    expect(refusedField(res)).toEqual(['params.providerId']);
  });

  it('a NUL in an uploaded text file: 400 file_not_text, nothing imported', async () => {
    const before = await rows('settlement_address_material');
    const res = await fetch(`${office.baseUrl}/api/v1/settlements/2026/imports/address-material`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.finance}`, 'content-type': 'text/csv' },
      body: 'provider_id,addresses\nhk\u0000i,5\n',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('file_not_text');
    expect(await rows('settlement_address_material')).toBe(before);
  });

  it('a lone surrogate in a complaint text, sent three times under one Idempotency-Key: refused each time, no complaint stored; the key still takes the clean text once', async () => {
    const lk = await registerCase('planning');
    const before = await rows('case_complaints');
    const complain = (text: string) =>
      call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints`, {
        token: token.customer,
        body: { text },
        headers: { 'Idempotency-Key': `complaint-${lk}` },
      });
    for (let i = 0; i < 3; i++)
      expect(refusedField(await complain('Markeringen \ud800saknades'))).toEqual(['body.text']);
    expect(await rows('case_complaints')).toBe(before);
    const clean = await complain('Markeringen saknades');
    expect(clean.status).toBe(201);
    expect((await complain('Markeringen saknades')).body).toEqual(clean.body);
    expect(await rows('case_complaints')).toBe(before + 1);
  });

  it('a NUL in a product id does not wedge its Idempotency-Key: the same request is refused again, a clean retry places the order once', async () => {
    const before = await rows('orders');
    const place = (productId: string) =>
      call(office.baseUrl, 'POST', '/api/v1/orders', {
        token: token.customer,
        body: { ...order, productId },
        headers: { 'Idempotency-Key': 'nul-product' },
      });
    expect(refusedField(await place('fastighetskartan\u0000'))).toEqual(['body.productId']);
    expect(refusedField(await place('fastighetskartan\u0000'))).toEqual(['body.productId']);
    expect(await rows('orders')).toBe(before);
    const placed = await place(order.productId);
    expect(placed.status).toBe(201);
    expect((await place(order.productId)).body.id).toBe(placed.body.id);
    expect(await rows('orders')).toBe(before + 1);
  });

  it("a NUL in a handler's reject reason is refused; the order still awaits approval and is approved", async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: token.customer, body: order });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    await expect
      .poll(async () => (await office.db('orders').where({ id }).first()).status, { timeout: 15_000 })
      .toBe('awaiting_approval');
    const events = await office.db('order_events').where({ order_id: id });
    const reject = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/reject`, {
      token: token.handler,
      body: { reason: 'Utanför\u0000 licensen' },
    });
    expect(refusedField(reject)).toEqual(['body.reason']);
    expect(await office.db('order_events').where({ order_id: id })).toEqual(events);
    const approved = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
  });
});

describe('dates', () => {
  const impossible = ['2027-02-30', '2027-13-01', '2027-00-10', '0000-01-01', '1899-12-31', '2201-01-01', '9999-12-31'];

  it.each(impossible)('%s as a body date: 400 with the field, nothing stored', async (date) => {
    const before = await rows('accounts');
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: token.admin,
      body: { kind: 'private', name: 'P', email: `p-${date}@test.se`, birthDate: date },
    });
    expect(refusedField(res)).toEqual(['body.birthDate']);
    expect(await rows('accounts')).toBe(before);
  });

  it.each(impossible)('%s as a query date: 400 with the field', async (date) => {
    const res = await call(office.baseUrl, 'GET', `/api/v1/calendar?from=${date}&to=2027-03-01`);
    expect(refusedField(res)).toEqual(['query.from']);
  });

  it.each(impossible)('%s as a dig start: 400 with the field, no case', async (date) => {
    const before = await rows('cases');
    const res = await call(office.baseUrl, 'POST', '/api/v1/cases', {
      token: token.customer,
      body: { kind: 'planning', workArea: square(200), digStart: date, acceptTerms: true },
    });
    expect(refusedField(res)).toEqual(['body.digStart']);
    expect(await rows('cases')).toBe(before);
  });
});

describe('credentials that cannot be read', () => {
  it('a malformed session cookie is no session: 401', async () => {
    const res = await call(office.baseUrl, 'GET', '/api/v1/me', { headers: { cookie: 'kk_session=%E0%A4%A' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    const page = await fetch(`${office.baseUrl}/app`, {
      headers: { cookie: 'kk_session=%E0%A4%A; lang=%ZZ' },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
  });

  it.each([
    ['a malformed %-escape', 'client%zz:secret'],
    ['a NUL', 'client%00:secret'],
    ['a lone surrogate', 'client%ED%A0%80:secret'],
  ])('Basic credentials with %s: 401 invalid_client', async (_what, credentials) => {
    const before = await rows('access_tokens');
    const res = await fetch(`${office.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
    expect(await rows('access_tokens')).toBe(before);
  });
});

describe('bodies', () => {
  it('JSON nested 5000 deep: 400 json_too_deep, nothing stored', async () => {
    const before = await rows('orders');
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await fetch(`${office.baseUrl}/api/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token.customer}`,
        'content-type': 'application/json',
        'Idempotency-Key': 'deep',
      },
      body: `{"productId":"fastighetskartan-vektor","format":"GeoJSON","selection":${deep}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('json_too_deep');
    expect(await rows('orders')).toBe(before);
  });

  it('an oversized body: 413 body_too_large, nothing stored', async () => {
    const before = await rows('accounts');
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: token.admin,
      body: {
        kind: 'organisation',
        name: 'x'.repeat(3_000_000),
        email: 'big@test.se',
        organisationNumber: '556000-0002',
      },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
    expect(await rows('accounts')).toBe(before);
  });
});

describe('survey file names', () => {
  it.each(['a..csv', '..', '../../etc/passwd', 'x/../../y.csv'])(
    'a survey file named %s is stored under a safe name, never a 500',
    async (filename) => {
      const lk = await registerCase('survey');
      const bytes = Buffer.from('E,N\n675010,6580010\n');
      const res = await fetch(`${office.baseUrl}/api/v1/cases/${lk}/deliver?filename=${encodeURIComponent(filename)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.handler}`, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(res.status).toBe(200);
      const c = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer });
      const [file] = c.body.files as { name: string; href: string }[];
      expect(file!.name).not.toContain('..');
      expect(file!.name).not.toContain('/');
      const download = await fetch(`${office.baseUrl}${file!.href}`, {
        headers: { authorization: `Bearer ${token.customer}` },
      });
      expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    },
  );
});

describe('unique keys', () => {
  it('two concurrent POST /users with one e-mail: one 201, one 409 already_exists, one user', async () => {
    const before = await rows('users');
    const create = () =>
      call(office.baseUrl, 'POST', '/api/v1/users', {
        token: token.admin,
        body: { email: 'bad-twice@test.se', name: 'Twice', password: 'twice-password-1', role: 'handler' },
      });
    const answers = await Promise.all([create(), create()]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('already_exists');
    expect(await rows('users')).toBe(before + 1);
  });
});

describe('an idempotent request settles its key on every path', () => {
  // Answers the API's validation now keeps out can still come from a handler: a route kit of its own shows what the key does then.
  const runs: Record<string, number> = {};
  let baseUrl: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const route = (path: string, handler: () => Promise<unknown>) =>
      defineRoute({
        method: 'post',
        path,
        summary: path,
        tag: 'test',
        auth: 'public',
        idempotent: true,
        successStatus: 201,
        handler: async () => {
          runs[path] = (runs[path] ?? 0) + 1;
          return { body: await handler() };
        },
      });
    const router = Router();
    mountRoutes(
      router,
      [
        route('/unstorable-answer', async () => ({ text: 'stored \ud800 once' })),
        route('/unstorable-refusal', async () => {
          throw new ApiError(422, 'unknown_product', 'There is no product x\u0000');
        }),
        route('/unique-race', async () => {
          throw Object.assign(new Error('duplicate key value violates unique constraint'), {
            code: '23505',
            severity: 'ERROR',
          });
        }),
        route('/fault', async () => {
          throw new Error('the database is down');
        }),
      ],
      { db: office.db, authenticate: async () => undefined, idempotencyLeaseSeconds: 300 },
    );
    const app = express();
    app.use(pinoHttp({ logger: log }));
    app.use(jsonBody());
    app.use(router);
    app.use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  const post = (path: string, key: string) =>
    call(baseUrl, 'POST', path, { body: {}, headers: { 'Idempotency-Key': key } });

  it('an answer holding a lone surrogate is stored (U+FFFD in its place): three sends apply once', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post('/unstorable-answer', 'k1'));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers[2]!.body).toEqual({ text: 'stored \uFFFD once' });
    expect(runs['/unstorable-answer']).toBe(1);
  });

  it('a refusal holding U+0000 is stored: the retry gets the refusal, never 409 in progress', async () => {
    const answers = [await post('/unstorable-refusal', 'k2'), await post('/unstorable-refusal', 'k2')];
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [422, 'unknown_product'],
      [422, 'unknown_product'],
    ]);
    expect(runs['/unstorable-refusal']).toBe(1);
  });

  it('a lost unique race is a 409 already_exists, stored as the answer', async () => {
    const answers = [await post('/unique-race', 'k3'), await post('/unique-race', 'k3')];
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [409, 'already_exists'],
      [409, 'already_exists'],
    ]);
    expect(runs['/unique-race']).toBe(1);
  });

  it('a fault frees the key: each retry runs again and answers 500', async () => {
    const answers = [await post('/fault', 'k4'), await post('/fault', 'k4')];
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [500, 'internal_error'],
      [500, 'internal_error'],
    ]);
    expect(runs['/fault']).toBe(2);
  });
});
