import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { createDirectory } from '../../identity/directory.service';
import { call, clientCredentialsToken, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let accountId: string;
let otherAccountId: string;
let ownClient: { clientId: string; clientSecret: string };
let systemToken: string;
let otherSystemToken: string;
/** A subscription order of the account, approved and delivered: what the delivery API is tried on. */
let orderId: string;
const password = 'access-password-1';
/** An id no system account has: the scope refuses before any lookup. */
const someId = '00000000-0000-4000-8000-000000000001';

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

/** Polls until `done` holds (expect.poll works only inside a test); generous, as order workflows share a loaded worker. */
async function until(done: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  // Case workflows are named by LK number on the dev server every test file shares: start this
  // file's series far from the others'.
  const year = new Date().getUTCFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 600_000 })));
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
  await directory.createUser(
    { email: 'access-other@test.se', name: 'O', password, role: 'customer', accountId: otherAccountId },
    actor,
  );
  await directory.createUser({ email: 'access-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'access-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'other', 'handler', 'admin'])
    token[who] = await login(office.baseUrl, `access-${who}@test.se`, password);
  ownClient = await directory.createSystemAccount(accountId, 'integration', actor);
  systemToken = await clientCredentialsToken(office.baseUrl, ownClient);
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
    // The account admin's routes (A1): a system account cannot mint, rotate or revoke credentials.
    ['listing system accounts', 'GET', '/api/v1/me/system-accounts'],
    ['creating a system account', 'POST', '/api/v1/me/system-accounts', { name: 'second integration' }],
    ['renaming a system account', 'PATCH', `/api/v1/me/system-accounts/${someId}`, { name: 'renamed' }],
    ['revoking a system account', 'DELETE', `/api/v1/me/system-accounts/${someId}`],
    ['rotating a secret', 'POST', `/api/v1/me/system-accounts/${someId}/secret`, { graceHours: 1 }],
  ];

  it.each(refused)(
    'refuses %s with 403 system_account_forbidden and stores nothing',
    async (_what, method, path, body) => {
      const before = await office.db('orders').where({ account_id: accountId }).count({ n: '*' }).first();
      const clients = await office.db('system_accounts').orderBy('id');
      const res = await call(office.baseUrl, method, path, { token: systemToken, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('system_account_forbidden');
      const account = await office.db('accounts').where({ id: accountId }).first();
      expect(account).toMatchObject({ name: 'Access AB', restricted_at: null, erased_at: null });
      expect(await office.db('orders').where({ account_id: accountId }).count({ n: '*' }).first()).toEqual(before);
      expect(await office.db('cases').where({ account_id: accountId })).toHaveLength(0);
      expect(await office.db('system_accounts').orderBy('id')).toEqual(clients);
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

describe('A5, L9: staff block and unblock an account or a user, at once', () => {
  const block = (what: 'accounts' | 'users', id: string, action: 'block' | 'unblock', who = token.handler) =>
    call(office.baseUrl, 'POST', `/api/v1/${what}/${id}/${action}`, {
      token: who,
      body: { reason: 'unpaid since May' },
    });
  const delivery = () => call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${orderId}`, { token: systemToken });

  it('only admins and handlers block, with a reason, a known id; a system account never', async () => {
    const customer = await block('accounts', accountId, 'block', token.customer);
    expect(customer.status).toBe(403);
    expect(customer.body.error.code).toBe('forbidden');
    expect((await block('accounts', accountId, 'block', systemToken)).body.error.code).toBe('system_account_forbidden');
    const noReason = await call(office.baseUrl, 'POST', `/api/v1/accounts/${accountId}/block`, {
      token: token.handler,
      body: { reason: ' ' },
    });
    expect(noReason.status).toBe(400);
    const unknown = await block('accounts', '00000000-0000-4000-8000-000000000000', 'block');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await office.db('accounts').where({ id: accountId }).first()).blocked_at).toBeNull();
    expect(await office.db('audit_log').where({ action: 'account.blocked' })).toHaveLength(0);
  });

  it('blocking an account cuts its live session and its integration token at once; nothing new is ordered or extracted; unblocking restores the same credentials', async () => {
    expect((await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.customer })).status).toBe(200);
    expect((await delivery()).status).toBe(200);

    const blocked = await block('accounts', accountId, 'block');
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ id: accountId, blockedReason: 'unpaid since May' });

    const session = await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.customer });
    expect(session.status).toBe(403);
    expect(session.body.error.code).toBe('account_blocked');
    const integration = await delivery();
    expect(integration.status).toBe(403);
    expect(integration.body.error.code).toBe('account_blocked');
    // The pages' session cookie opens nothing either: back to the sign-in form.
    const page = await fetch(`${office.baseUrl}/app/orders`, {
      headers: { cookie: `kk_session=${token.customer}` },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/app\/sign-in/);
    // No new sign-in, no new client token, no new order, no new extract.
    const signIn = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'access-customer@test.se', password },
    });
    expect(signIn.status).toBe(403);
    expect(signIn.body.error.code).toBe('account_blocked');
    await expect(clientCredentialsToken(office.baseUrl, ownClient)).rejects.toThrow(/: 401$/);
    const ordered = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: subscriptionOrder,
    });
    expect(ordered.body.error.code).toBe('account_blocked');
    const extract = await call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${orderId}/leverans?typ=BAS`, {
      token: systemToken,
    });
    expect(extract.status).toBe(403);
    expect(extract.body.error.code).toBe('account_blocked');
    expect(await office.db('orders').where({ account_id: accountId })).toHaveLength(1);
    // What is owed goes on: staff still read the account's invoices and orders.
    expect((await call(office.baseUrl, 'GET', '/api/v1/invoices', { token: token.admin })).status).toBe(200);

    const unblocked = await block('accounts', accountId, 'unblock');
    expect(unblocked.status).toBe(200);
    expect(unblocked.body).toMatchObject({ blockedAt: null, blockedReason: null });
    expect((await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.customer })).status).toBe(200);
    expect((await delivery()).status).toBe(200);
    expect(await clientCredentialsToken(office.baseUrl, ownClient)).toBeTruthy();

    const audit = await office
      .db('audit_log')
      .where({ object_id: accountId })
      .whereIn('action', ['account.blocked', 'account.unblocked'])
      .orderBy('id');
    expect(audit.map((a) => [a.action, a.actor_type, a.details.reason])).toEqual([
      ['account.blocked', 'user', 'unpaid since May'],
      ['account.unblocked', 'user', 'unpaid since May'],
    ]);
  });

  it('a handler cannot approve an order of a blocked account (approval starts paid production)', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...subscriptionOrder, selection: square(300) },
    });
    expect(placed.status).toBe(201);
    const id = placed.body.id;
    await until(
      async () =>
        (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body.status ===
        'awaiting_approval',
    );
    expect((await block('accounts', accountId, 'block')).status).toBe(200);
    const refused = await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('account_blocked');
    expect((await block('accounts', accountId, 'unblock')).status).toBe(200);
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/reject`, {
          token: token.handler,
          body: { reason: 'test over' },
        })
      ).status,
    ).toBe(200);
  });

  it('blocking one user cuts that user only; the account’s integration goes on', async () => {
    const user = await office.db('users').where({ email: 'access-customer@test.se' }).first();
    expect((await block('users', user.id, 'block', token.admin)).status).toBe(200);
    const refused = await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.customer });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('user_blocked');
    expect((await delivery()).status).toBe(200);
    expect((await block('users', user.id, 'unblock', token.admin)).status).toBe(200);
    expect((await call(office.baseUrl, 'GET', '/api/v1/orders', { token: token.customer })).status).toBe(200);
    const self = await block(
      'users',
      (await office.db('users').where({ email: 'access-admin@test.se' }).first()).id,
      'block',
      token.admin,
    );
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('cannot_block_self');
  });
});

describe('A1: the account admin creates, lists, names, rotates and revokes its system accounts', () => {
  const mine = (method: string, path = '', body?: unknown, who = token.customer) =>
    call(office.baseUrl, method, `/api/v1/me/system-accounts${path}`, { token: who, body });
  const tokenFor = (clientId: string, clientSecret: string) =>
    fetch(`${office.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  const opens = async (bearer: string) =>
    (await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${orderId}`, { token: bearer })).status;

  it('creates one (the secret shown once), lists and renames it; staff and other accounts are refused', async () => {
    const created = await mine('POST', '', { name: 'GIS server' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ accountId, name: 'GIS server', clientId: expect.stringMatching(/^kk_/) });
    expect(await opens(await clientCredentialsToken(office.baseUrl, created.body))).toBe(200);

    const listed = await mine('GET');
    expect(listed.status).toBe(200);
    const entry = listed.body.items.find((i: { id: string }) => i.id === created.body.id);
    expect(entry).toMatchObject({ name: 'GIS server', clientId: created.body.clientId, revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toMatch(/secret_hash|clientSecret|\$argon|\$scrypt/);
    expect(listed.body.items.every((i: { accountId: string }) => i.accountId === accountId)).toBe(true);

    const renamed = await mine('PATCH', `/${created.body.id}`, { name: 'GIS server (prod)' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('GIS server (prod)');
    expect((await mine('PATCH', `/${created.body.id}`, { name: '' })).status).toBe(400);

    // Another account's admin neither sees, renames nor revokes it; staff have their own routes.
    const others = await mine('GET', '', undefined, token.other);
    expect(others.body.items.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
    expect((await mine('PATCH', `/${created.body.id}`, { name: 'taken' }, token.other)).status).toBe(404);
    expect((await mine('DELETE', `/${created.body.id}`, undefined, token.other)).status).toBe(404);
    const staff = await mine('GET', '', undefined, token.handler);
    expect(staff.status).toBe(403);
    expect(staff.body.error.code).toBe('forbidden');
    const audit = await office.db('audit_log').where({ object_id: created.body.id }).orderBy('id').pluck('action');
    expect(audit).toEqual(['system_account.created', 'system_account.renamed']);
  });

  it('rotation with a grace period: both secrets work until it ends, then only the new one; at most 24 hours', async () => {
    const created = (await mine('POST', '', { name: 'rotating' })).body;
    for (const graceHours of [25, -1, '1'])
      expect((await mine('POST', `/${created.id}/secret`, { graceHours })).status).toBe(400);
    const rotated = await mine('POST', `/${created.id}/secret`, { graceHours: 2 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientSecret).not.toBe(created.clientSecret);
    const until = new Date(rotated.body.previousSecretValidUntil).getTime();
    expect(until).toBeGreaterThan(Date.now() + 2 * 3_600_000 - 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    expect((await tokenFor(created.clientId, created.clientSecret)).status).toBe(200);
    expect((await tokenFor(created.clientId, rotated.body.clientSecret)).status).toBe(200);

    // The grace period ends (moved into the past rather than waited for).
    await office
      .db('system_accounts')
      .where({ id: created.id })
      .update({ previous_secret_expires_at: new Date(Date.now() - 1000) });
    expect((await tokenFor(created.clientId, created.clientSecret)).status).toBe(401);
    expect((await tokenFor(created.clientId, rotated.body.clientSecret)).status).toBe(200);
    const rotations = await office
      .db('audit_log')
      .where({ object_id: created.id, action: 'system_account.secret_rotated' });
    expect(rotations.map((r) => r.details)).toEqual([{ graceHours: 2 }]);
  });

  it('rotation without a grace period ends the old secret and its tokens at once', async () => {
    const created = (await mine('POST', '', { name: 'leaked' })).body;
    const oldToken = await clientCredentialsToken(office.baseUrl, created);
    expect(await opens(oldToken)).toBe(200);
    const rotated = await mine('POST', `/${created.id}/secret`, { graceHours: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretValidUntil).toBeNull();
    expect(await opens(oldToken)).toBe(401);
    expect((await tokenFor(created.clientId, created.clientSecret)).status).toBe(401);
    const fresh = await clientCredentialsToken(office.baseUrl, { ...created, clientSecret: rotated.body.clientSecret });
    expect(await opens(fresh)).toBe(200);
  });

  it('revoking ends its secret and every token at once; a revoked one cannot be rotated or renamed', async () => {
    const created = (await mine('POST', '', { name: 'to revoke' })).body;
    const live = await clientCredentialsToken(office.baseUrl, created);
    expect(await opens(live)).toBe(200);
    expect((await mine('DELETE', `/${created.id}`)).status).toBe(204);
    expect(await opens(live)).toBe(401);
    expect((await tokenFor(created.clientId, created.clientSecret)).status).toBe(401);
    expect(await office.db('access_tokens').where({ system_account_id: created.id })).toHaveLength(0);
    expect((await mine('DELETE', `/${created.id}`)).status).toBe(404);
    expect((await mine('POST', `/${created.id}/secret`, { graceHours: 1 })).status).toBe(404);
    expect((await mine('PATCH', `/${created.id}`, { name: 'back' })).status).toBe(404);
    const listed = (await mine('GET')).body.items.find((i: { id: string }) => i.id === created.id);
    expect(listed.revokedAt).not.toBeNull();
    expect(await office.db('audit_log').where({ object_id: created.id }).orderBy('id').pluck('action')).toEqual([
      'system_account.created',
      'system_account.revoked',
    ]);
  });
});

describe('L8: erasure and correction reach the running workflows', () => {
  it('erasure is refused with 409 subscription_in_force naming the subscription, and nothing is erased', async () => {
    const refused = await call(office.baseUrl, 'POST', '/api/v1/me/personal-data/erasure', {
      token: token.customer,
      body: { confirm: true },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('subscription_in_force');
    expect(refused.body.error.message).toContain(orderId);
    expect(refused.body.error.details).toEqual({ subscriptions: [`subscription ${orderId}`] });
    expect((await office.db('accounts').where({ id: accountId }).first()).erased_at).toBeNull();
    expect(await office.db('audit_log').where({ object_id: accountId, action: 'personal_data.erased' })).toHaveLength(
      0,
    );
  });

  it('a correction of the e-mail address reaches the running subscription: its next e-mail goes to the new address', async () => {
    // A3: the order's e-mails go to the user who placed it; the correction of the account's contact reaches them too.
    expect((await mailTo('access-customer@test.se', 1)).length).toBeGreaterThan(0);
    const corrected = await call(office.baseUrl, 'PATCH', '/api/v1/me/personal-data', {
      token: token.customer,
      body: { email: 'access-new@test.se', name: 'Access Nya AB' },
    });
    expect(corrected.status).toBe(200);
    const started = await call(office.baseUrl, 'POST', `/geotorget/orderhanterare/v2/${orderId}/leverans?typ=BAS`, {
      token: systemToken,
    });
    expect(started.status).toBe(201);
    const [mail] = await mailTo('access-new@test.se', 1, 30_000);
    expect(mail).toBeDefined();
    expect(mail!.text).toContain('Access Nya AB');
    const sent = await office
      .db('outbox')
      .where('idempotency_key', 'like', `%${started.body.objektidentitet}%`)
      .pluck('to_address');
    expect(sent).toEqual(['access-new@test.se']);
  });

  it('a correction reaches a running case and an unanswered complaint: their next e-mails go to the new address', async () => {
    const registered = await call(office.baseUrl, 'POST', '/api/v1/cases', {
      token: token.customer,
      body: { kind: 'planning', acceptTerms: true, workArea: square(50), digStart: '2099-01-05' },
    });
    expect(registered.status).toBe(201);
    const { lk } = registered.body;
    const filed = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints`, {
      token: token.customer,
      body: { text: 'The work area is wrong' },
    });
    expect(filed.status).toBe(201);
    await expect
      .poll(
        async () =>
          (
            await office
              .db('outbox')
              .where({ idempotency_key: `${lk}:confirmation` })
              .first()
          )?.to_address,
      )
      .toBeDefined();

    expect(
      (
        await call(office.baseUrl, 'PATCH', '/api/v1/me/personal-data', {
          token: token.customer,
          body: { email: 'access-newest@test.se' },
        })
      ).status,
    ).toBe(200);
    expect((await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token: token.customer })).status).toBe(
      200,
    );
    const responded = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints/${filed.body.id}/response`, {
      token: token.handler,
      body: { response: 'Corrected' },
    });
    expect(responded.status).toBe(200);
    const sentTo = async (key: string) =>
      (await office.db('outbox').where({ idempotency_key: key }).first())?.to_address;
    await expect.poll(() => sentTo(`${lk}:withdrawn`), { timeout: 15_000 }).toBe('access-newest@test.se');
    await expect
      .poll(() => sentTo(`complaint-${filed.body.id}:response`), { timeout: 15_000 })
      .toBe('access-newest@test.se');
  });

  it('a correction reaches an order awaiting approval: its approval e-mail goes to the new address', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { ...subscriptionOrder, subscription: false, deliveryMethod: 'download', selection: square(200) },
    });
    expect(placed.status).toBe(201);
    const id: string = placed.body.id;
    await expect
      .poll(async () => (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body, {
        timeout: 60_000,
      })
      .toMatchObject({ status: 'awaiting_approval' });
    expect(
      (
        await call(office.baseUrl, 'PATCH', '/api/v1/me/personal-data', {
          token: token.customer,
          body: { email: 'access-order@test.se' },
        })
      ).status,
    ).toBe(200);
    expect((await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler })).status).toBe(
      200,
    );
    const sentTo = async (key: string) =>
      (await office.db('outbox').where({ idempotency_key: key }).first())?.to_address;
    await expect.poll(() => sentTo(`${id}:approved`), { timeout: 15_000 }).toBe('access-order@test.se');
  });
});
