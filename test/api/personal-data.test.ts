import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { createDirectory } from '../../identity/directory.service';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let accountId: string;
let token: string;
const password = 'person-password-1';
const E = 675_000;
const N = 6_580_000;
const workArea = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 50, N],
      [E + 50, N + 50],
      [E, N + 50],
      [E, N],
    ],
  ],
};

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  // Case workflows are named by LK number on the dev server every test file shares: start this
  // file's series far from the others'.
  const year = new Date().getUTCFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 800_000 })));
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      { kind: 'private', name: 'Pia Person', email: 'pia@test.se', birthDate: '1980-05-17', language: 'sv' },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'pia.user@test.se', name: 'Pia Person', password, role: 'customer', accountId },
    actor,
  );
  token = await login(office.baseUrl, 'pia.user@test.se', password);
});
afterAll(() => office.drop());

const me = (method: string, path = '', body?: unknown) =>
  call(office.baseUrl, method, `/api/v1/me/personal-data${path}`, { token, body });
const planningCase = () =>
  call(office.baseUrl, 'POST', '/api/v1/cases', {
    token,
    body: { kind: 'planning', acceptTerms: true, workArea, digStart: '2099-01-05' },
  });

it('L8: the person sees everything stored about them, corrects it, restricts processing (no new business) and lifts the restriction', async () => {
  const registered = await planningCase();
  expect(registered.status).toBe(201);
  const { lk } = registered.body;
  await expect.poll(async () => (await mailTo('pia.user@test.se')).length, { timeout: 15_000 }).toBeGreaterThan(0);
  const seen = await me('GET');
  expect(seen.status).toBe(200);
  expect(seen.body.account).toMatchObject({ name: 'Pia Person', email: 'pia@test.se', birth_date: '1980-05-17' });
  expect(seen.body.users).toEqual([expect.objectContaining({ email: 'pia.user@test.se', role: 'customer' })]);
  expect(seen.body.cases).toEqual([expect.objectContaining({ lk, kind: 'planning', work_area: workArea })]);
  expect(seen.body.emails[0]).toMatchObject({ to_address: 'pia.user@test.se', subject: `Bekräftelse: ärende ${lk}` });

  const corrected = await me('PATCH', '', { name: 'Pia Persson', email: 'pia.persson@test.se' });
  expect(corrected.status).toBe(200);
  expect(corrected.body).toMatchObject({ name: 'Pia Persson', email: 'pia.persson@test.se', birth_date: '1980-05-17' });
  expect((await me('PATCH', '', {})).status).toBe(400);

  expect((await me('POST', '/restriction', { reason: 'Jag bestrider uppgifternas riktighet' })).status).toBe(204);
  const refused = await planningCase();
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('processing_restricted');
  expect((await me('GET')).body.account.restriction_reason).toBe('Jag bestrider uppgifternas riktighet');
  expect((await me('DELETE', '/restriction')).status).toBe(204);
  expect((await planningCase()).status).toBe(201);
  const actions = (await office.db('audit_log').where({ object_id: accountId }).pluck('action')) as string[];
  expect(actions).toEqual(
    expect.arrayContaining([
      'personal_data.exported',
      'personal_data.corrected',
      'personal_data.restricted',
      'personal_data.restriction_lifted',
    ]),
  );
});

it('L8: erasure waits for open cases and names them; then the account is anonymised, its users signed out, its e-mails blanked, and its cases kept', async () => {
  const notConfirmed = await me('POST', '/erasure', {});
  expect(notConfirmed.status).toBe(400);
  const open = await me('POST', '/erasure', { confirm: true });
  expect(open.status).toBe(409);
  expect(open.body.error.code).toBe('open_business');
  const lks = ((await office.db('cases').where({ account_id: accountId }).pluck('lk')) as string[]).sort();
  expect(open.body.error.details.open.sort()).toEqual(lks.map((lk) => `case ${lk}`));
  expect((await office.db('accounts').where({ id: accountId }).first()).erased_at).toBeNull();

  // A planning case withdrawn within 48 hours ends its workflow (L18).
  for (const lk of lks)
    expect((await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token })).status).toBe(200);
  await expect
    .poll(async () => (await me('POST', '/erasure', { confirm: true })).status, { timeout: 15_000 })
    .toBe(200);

  const account = await office.db('accounts').where({ id: accountId }).first();
  expect(account).toMatchObject({ name: 'Raderad', email: `raderad-${accountId}@invalid`, birth_date: null });
  expect(account.erased_at).not.toBeNull();
  expect((await office.db('users').where({ account_id: accountId }).first()).email).toMatch(/^raderad-.*@invalid$/);
  expect((await me('GET')).status).toBe(401);
  expect(
    (await call(office.baseUrl, 'POST', '/api/v1/auth/login', { body: { email: 'pia.user@test.se', password } }))
      .status,
  ).toBe(401);
  const emails = await office.db('outbox').where({ account_id: accountId });
  expect(emails.length).toBeGreaterThan(0);
  expect(emails.every((m) => m.to_address === 'raderad@invalid' && m.text === '' && m.subject === '(raderat)')).toBe(
    true,
  );
  expect(await office.db('cases').where({ account_id: accountId })).toHaveLength(lks.length);
  expect(await office.db('audit_log').where({ object_id: accountId, action: 'personal_data.erased' })).toHaveLength(1);
});
