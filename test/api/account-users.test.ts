import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { createAccountUsers } from '../../identity/account-users.service';
import { createLinks } from '../../identity/links';
import { workflowGateway } from '../../platform/temporal/gateway';
import { call, clientCredentialsToken, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let accountId: string;
const token: Record<string, string> = {};
const password = 'correct-horse-battery';

const E = 674_000;
const N = 6_580_000;
const selection = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 1000, N],
      [E + 1000, N + 1000],
      [E, N + 1000],
      [E, N],
    ],
  ],
};
const order = { productId: 'terrangkartan', format: 'GeoJSON', selection };

/** The link in the last e-mail to `to`, and its token. */
async function linkIn(to: string, count = 1) {
  const mails = await mailTo(to, count);
  const mail = mails.at(-1)!;
  const url = /https?:\/\/\S+token=([\w-]+)/.exec(mail.text ?? '')!;
  return { url: url[0], token: url[1]!, subject: mail.subject };
}

async function invite(email: string, accountRole: string, by = token.admin) {
  return call(office.baseUrl, 'POST', '/api/v1/account/users', {
    token: by,
    body: { email, name: `${accountRole} user`, accountRole, language: 'en' },
  });
}

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    { kind: 'organisation', name: 'Roles AB', email: 'roles-ab@example.se', organisationNumber: '556000-0002' },
    actor,
  );
  accountId = account.id;
  // A3: the account's first user is its admin.
  const first = await directory.createUser(
    { email: 'roles-admin@test.se', name: 'Admin', password, role: 'customer', accountId },
    actor,
  );
  expect(first.account_role).toBe('admin');
  token.admin = await login(office.baseUrl, 'roles-admin@test.se', password);
  for (const role of ['orderer', 'viewer', 'invoices']) {
    const res = await invite(`roles-${role}@test.se`, role);
    expect(res.status).toBe(201);
    const link = await linkIn(`roles-${role}@test.se`);
    expect(link.url.startsWith(`${office.config.publicUrl}/app/invitation?token=`)).toBe(true);
    const accepted = await call(office.baseUrl, 'POST', '/api/v1/invitations/accept', {
      body: { token: link.token, password },
    });
    expect(accepted.status).toBe(200);
    token[role] = await login(office.baseUrl, `roles-${role}@test.se`, password);
  }
}, 120_000);
afterAll(() => office.drop());

describe('A3: inviting users', () => {
  it('an invited user cannot sign in before accepting, and the invitation link works once', async () => {
    expect((await invite('roles-late@test.se', 'viewer')).status).toBe(201);
    const before = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'roles-late@test.se', password },
    });
    expect(before.status).toBe(401);
    const link = await linkIn('roles-late@test.se');
    expect(link.subject).toContain('Roles AB');
    const tooShort = await call(office.baseUrl, 'POST', '/api/v1/invitations/accept', {
      body: { token: link.token, password: 'short' },
    });
    expect(tooShort.status).toBe(400);
    const first = await call(office.baseUrl, 'POST', '/api/v1/invitations/accept', {
      body: { token: link.token, password },
    });
    expect(first.status).toBe(200);
    const again = await call(office.baseUrl, 'POST', '/api/v1/invitations/accept', {
      body: { token: link.token, password: 'another-password-1' },
    });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('link_used');
    const unknown = await call(office.baseUrl, 'POST', '/api/v1/invitations/accept', {
      body: { token: 'no-such-token', password },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('link_unknown');
    await login(office.baseUrl, 'roles-late@test.se', password);
  });

  it('refuses an e-mail address that is taken, storing nothing', async () => {
    const res = await invite('roles-viewer@test.se', 'orderer');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
  });

  it('lists the users with their roles and what each may do', async () => {
    const res = await call(office.baseUrl, 'GET', '/api/v1/account/users', { token: token.viewer });
    expect(res.status).toBe(200);
    const byEmail = Object.fromEntries(res.body.items.map((u: { email: string }) => [u.email, u]));
    expect(byEmail['roles-admin@test.se']).toMatchObject({
      accountRole: 'admin',
      may: ['order', 'read', 'invoices', 'administer'],
    });
    expect(byEmail['roles-orderer@test.se']).toMatchObject({ accountRole: 'orderer', may: ['order', 'read'] });
    expect(byEmail['roles-viewer@test.se']).toMatchObject({ accountRole: 'viewer', may: ['read', 'invoices'] });
    expect(byEmail['roles-invoices@test.se']).toMatchObject({ accountRole: 'invoices', may: ['invoices'] });
  });
});

describe('A3: what each role is refused', () => {
  const refused = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await call(office.baseUrl, method, path, { token: token[who], body });
    expect(res.status, `${who} ${method} ${path}`).toBe(403);
    expect(res.body.error.code).toBe('account_role_forbidden');
  };
  const allowed = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await call(office.baseUrl, method, path, { token: token[who], body });
    expect(res.status, `${who} ${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res;
  };

  it('a viewer reads but orders nothing and administers nothing', async () => {
    await allowed('viewer', 'GET', '/api/v1/orders');
    await allowed('viewer', 'GET', '/api/v1/cases');
    await allowed('viewer', 'GET', '/api/v1/invoices');
    await allowed('viewer', 'GET', '/api/v1/agreements');
    await refused('viewer', 'POST', '/api/v1/orders', order);
    await refused('viewer', 'POST', '/api/v1/orders/quote', order);
    await refused('viewer', 'POST', '/api/v1/cases', { kind: 'planning', workArea: selection, digStart: '2099-01-05' });
    await refused('viewer', 'GET', '/api/v1/me/personal-data');
    await refused('viewer', 'POST', '/api/v1/account/users', { email: 'x@test.se', name: 'X', accountRole: 'admin' });
  });

  it('an invoice recipient reads invoices only', async () => {
    await allowed('invoices', 'GET', '/api/v1/invoices');
    await refused('invoices', 'GET', '/api/v1/orders');
    await refused('invoices', 'GET', '/api/v1/cases');
    await refused('invoices', 'GET', '/api/v1/agreements');
    await refused('invoices', 'POST', '/api/v1/orders', order);
    await refused('invoices', 'PATCH', '/api/v1/me/personal-data', { name: 'New' });
  });

  it('an orderer orders and reads, but sees no invoices, personal data or users to change', async () => {
    const placed = await allowed('orderer', 'POST', '/api/v1/orders', order);
    await allowed('orderer', 'GET', `/api/v1/orders/${placed.body.id}`);
    await refused('orderer', 'GET', '/api/v1/invoices');
    await refused('orderer', 'GET', '/api/v1/me/personal-data');
    await refused('orderer', 'POST', '/api/v1/me/personal-data/erasure', { confirm: true });
    await refused('orderer', 'POST', '/api/v1/account/users', { email: 'y@test.se', name: 'Y', accountRole: 'admin' });
  });

  it('the admin may do all of it', async () => {
    await allowed('admin', 'GET', '/api/v1/me/personal-data');
    await allowed('admin', 'GET', '/api/v1/invoices');
    await allowed('admin', 'POST', '/api/v1/orders/quote', order);
  });
});

describe('A3: only users manage users', () => {
  it("refuses the account's system account", async () => {
    const directory = createDirectory({ db: office.db, welcome: async () => {} });
    const client = await directory.createSystemAccount(accountId, 'integration', { actorType: 'system' });
    const system = await clientCredentialsToken(office.baseUrl, client);
    const list = await call(office.baseUrl, 'GET', '/api/v1/account/users', { token: system });
    expect(list.status).toBe(403);
    const invited = await call(office.baseUrl, 'POST', '/api/v1/account/users', {
      token: system,
      body: { email: 'roles-by-system@test.se', name: 'S', accountRole: 'admin' },
    });
    expect(invited.status).toBe(403);
    expect(await office.db('users').where({ email: 'roles-by-system@test.se' }).first()).toBeUndefined();
  });
});

describe('A3: changing roles', () => {
  it('takes effect on the next request, and the account keeps an admin', async () => {
    const users = (await call(office.baseUrl, 'GET', '/api/v1/account/users', { token: token.admin })).body.items;
    const id = (email: string) => users.find((u: { email: string }) => u.email === email).id;
    const promote = await call(office.baseUrl, 'POST', `/api/v1/account/users/${id('roles-viewer@test.se')}/role`, {
      token: token.admin,
      body: { accountRole: 'orderer' },
    });
    expect(promote.status).toBe(200);
    const quote = await call(office.baseUrl, 'POST', '/api/v1/orders/quote', { token: token.viewer, body: order });
    expect(quote.status).toBe(200);
    await call(office.baseUrl, 'POST', `/api/v1/account/users/${id('roles-viewer@test.se')}/role`, {
      token: token.admin,
      body: { accountRole: 'viewer' },
    });
    const demoteSelf = await call(office.baseUrl, 'POST', `/api/v1/account/users/${id('roles-admin@test.se')}/role`, {
      token: token.admin,
      body: { accountRole: 'viewer' },
    });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error.code).toBe('last_admin');
    const byOrderer = await call(office.baseUrl, 'POST', `/api/v1/account/users/${id('roles-viewer@test.se')}/role`, {
      token: token.orderer,
      body: { accountRole: 'admin' },
    });
    expect(byOrderer.status).toBe(403);
  });

  it("another account's user is not found", async () => {
    const directory = createDirectory({ db: office.db, welcome: async () => {} });
    const actor = { actorType: 'system' as const };
    const other = await directory.createAccount(
      { kind: 'private', name: 'Other', email: 'roles-other@example.se', birthDate: '1970-01-01' },
      actor,
    );
    const stranger = await directory.createUser(
      { email: 'roles-stranger@test.se', name: 'S', password, role: 'customer', accountId: other.id },
      actor,
    );
    const res = await call(office.baseUrl, 'POST', `/api/v1/account/users/${stranger.id}/role`, {
      token: token.admin,
      body: { accountRole: 'viewer' },
    });
    expect(res.status).toBe(404);
  });
});

describe('A3: who receives what', () => {
  it("mail about an order goes to the user who placed it, not the account's address", async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: token.orderer, body: order });
    expect(placed.status).toBe(201);
    const about = (m: { text?: string }) => m.text?.includes(placed.body.id);
    const deadline = Date.now() + 20_000;
    while (!(await mailTo('roles-orderer@test.se', 0, 0)).some(about) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect((await mailTo('roles-orderer@test.se', 0, 0)).some(about)).toBe(true);
    const account = await mailTo('roles-ab@example.se', 0, 0);
    expect(account.some((m) => m.text?.includes(placed.body.id))).toBe(false);
  });

  it('invoices go to the invoice recipients, or the admins when there are none', async () => {
    const accountUsers = createAccountUsers({
      db: office.db,
      links: createLinks({
        db: office.db,
        workflows: workflowGateway(office.temporal, office.config.TEMPORAL_TASK_QUEUE),
        publicUrl: office.config.publicUrl,
      }),
      linkTtlHours: 1,
    });
    expect((await accountUsers.invoiceRecipients(accountId)).map((r) => r.email)).toEqual(['roles-invoices@test.se']);
    await office.db('users').where({ email: 'roles-invoices@test.se' }).update({ account_role: 'viewer' });
    expect((await accountUsers.invoiceRecipients(accountId)).map((r) => r.email)).toEqual(['roles-admin@test.se']);
    await office.db('users').where({ email: 'roles-invoices@test.se' }).update({ account_role: 'invoices' });
  });
});
