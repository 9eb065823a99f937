import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { bookInvoice } from '../../invoicing/invoices.store';
import { createDirectory } from '../../identity/directory.service';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const tokens: Record<string, string> = {};
let client: { clientId: string; clientSecret: string };
let ownInvoice: string;
let otherInvoice: string;

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const mine = await directory.createAccount(
    { kind: 'organisation', name: 'Mine AB', email: 'm@example.se', organisationNumber: '556000-0002' },
    actor,
  );
  const other = await directory.createAccount(
    { kind: 'private', name: 'Other Person', email: 'o@example.se', birthDate: '1970-01-01' },
    actor,
  );
  const password = 'correct-horse-battery';
  for (const role of ['handler', 'finance', 'admin'] as const)
    await directory.createUser({ email: `${role}@test.se`, name: role, password, role }, actor);
  await directory.createUser(
    { email: 'customer@test.se', name: 'Customer', password, role: 'customer', accountId: mine.id },
    actor,
  );
  for (const role of ['handler', 'finance', 'admin', 'customer'])
    tokens[role] = await login(office.baseUrl, `${role}@test.se`, password);
  client = await directory.createSystemAccount(mine.id, 'integration', actor);
  const book = (key: string, accountId: string) =>
    bookInvoice(office.db, {
      idempotencyKey: key,
      accountId,
      date: '2026-01-05',
      currency: 'SEK',
      lines: [{ description: 'x', quantity: 1, unitPrice: { minor: 100, currency: 'SEK' } }],
    });
  ownInvoice = (await book('own', mine.id)).id;
  otherInvoice = (await book('other', other.id)).id;
});
afterAll(() => office.drop());

describe('signing in', () => {
  it('answers a bearer token that expires', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'ADMIN@test.se', password: 'correct-horse-battery' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(res.body.access_token).toMatch(/^[\w-]{40,}$/);
  });

  it('gives the same 401 for a wrong password and an unknown e-mail', async () => {
    const wrongPassword = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'admin@test.se', password: 'nope-nope-nope' },
    });
    const unknownUser = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'nobody@test.se', password: 'nope-nope-nope' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
  });

  it('rate-limits sign-in attempts', async () => {
    const limited = await startBackOffice({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await call(limited.baseUrl, 'POST', '/api/v1/auth/login', { body: { email: 'a@b.se', password: 'x' } }))
            .status,
        );
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.drop();
    }
  });
});

describe('role matrix', () => {
  const cases: [string, string, Record<string, number>][] = [
    ['GET', '/api/v1/me', { anonymous: 401, customer: 200, handler: 200, finance: 200, admin: 200 }],
    ['GET', '/api/v1/invoices', { anonymous: 401, customer: 200, handler: 403, finance: 200, admin: 200 }],
    ['GET', '/api/v1/outbox', { anonymous: 401, customer: 403, handler: 200, finance: 403, admin: 200 }],
    ['GET', '/api/v1/audit', { anonymous: 401, customer: 403, handler: 403, finance: 200, admin: 200 }],
    ['GET', '/api/v1/users', { anonymous: 401, customer: 403, handler: 403, finance: 403, admin: 200 }],
    ['GET', '/api/v1/accounts', { anonymous: 401, customer: 403, handler: 200, finance: 200, admin: 200 }],
  ];
  for (const [method, path, expected] of cases) {
    it(`${method} ${path}`, async () => {
      for (const [who, status] of Object.entries(expected)) {
        const res = await call(office.baseUrl, method, path, { token: tokens[who] });
        expect({ who, status: res.status }).toEqual({ who, status });
        if (status >= 400) expect(res.body.error.code).toMatch(/^(unauthorized|forbidden)$/);
      }
    });
  }

  it("a customer sees its own invoice and gets 404 for another account's", async () => {
    expect(
      (await call(office.baseUrl, 'GET', `/api/v1/invoices/${ownInvoice}`, { token: tokens.customer })).status,
    ).toBe(200);
    const other = await call(office.baseUrl, 'GET', `/api/v1/invoices/${otherInvoice}`, { token: tokens.customer });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    const list = await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: tokens.customer });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([ownInvoice]);
    expect(
      (await call(office.baseUrl, 'GET', `/api/v1/invoices/${otherInvoice}`, { token: tokens.finance })).status,
    ).toBe(200);
  });
});

describe('OAuth2 client credentials (G10)', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = (authorization: string, grant = 'client_credentials') =>
    fetch(`${office.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${grant}`,
    });

  it('issues a bearer token that acts for the customer account', async () => {
    const res = await token(basic(client.clientId, client.clientSecret));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    // A1: the token opens the delivery API only (an unknown order: a 404, not a 401).
    const order = await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${crypto.randomUUID()}`, {
      token: body.access_token,
    });
    expect(order.status).toBe(404);
    const invoices = await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: body.access_token });
    expect(invoices.status).toBe(403);
    expect(invoices.body.error.code).toBe('system_account_forbidden');
  });

  it('refuses a wrong secret with invalid_client', async () => {
    const res = await token(basic(client.clientId, 'wrong'));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses another grant type', async () => {
    const res = await token(basic(client.clientId, client.clientSecret), 'password');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('stops accepting a token once it has expired', async () => {
    const body = (await (await token(basic(client.clientId, client.clientSecret))).json()) as { access_token: string };
    const anOrder = `/geotorget/orderhanterare/v2/${crypto.randomUUID()}`;
    expect((await call(office.baseUrl, 'GET', anOrder, { token: body.access_token })).status).toBe(404);
    await office.db('access_tokens').update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await call(office.baseUrl, 'GET', anOrder, { token: body.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    for (const role of Object.keys(tokens))
      tokens[role] = await login(office.baseUrl, `${role}@test.se`, 'correct-horse-battery');
  });
});
