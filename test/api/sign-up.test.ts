import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const password = 'correct-horse-battery';

const E = 674_000;
const N = 6_580_000;
const polygon = {
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
const order = { productId: 'terrangkartan', format: 'GeoJSON', selection: polygon };
const planningCase = { kind: 'planning', workArea: polygon, digStart: '2099-01-05', acceptTerms: true };

const person = (email: string, extra: Record<string, unknown> = {}) => ({
  kind: 'private',
  name: 'Pia Person',
  email,
  birthDate: '1980-05-17',
  password,
  language: 'en',
  termsVersion: '2026-1',
  ...extra,
});
const count = async (table: string) => Number((await office.db(table).count('* as n'))[0]!.n);

/** The single-use link in the newest e-mail to `to`. */
async function linkIn(to: string) {
  const mail = (await mailTo(to, 1)).at(-1)!;
  const match = /(https?:\/\/\S+)\?token=([\w-]+)/.exec(mail.text ?? '')!;
  return { page: match[1]!, token: match[2]!, subject: mail.subject };
}

beforeAll(async () => {
  office = await startBackOffice();
  // Case workflows are named by LK number on the dev server every test file shares: start this
  // file's series far from the others'.
  const year = new Date().getUTCFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 640_000 })));
}, 120_000);
afterAll(() => office.drop());

describe('A2: the terms are published, every version at its own URL', () => {
  it('answers the current version in Swedish and English', async () => {
    const current = await call(office.baseUrl, 'GET', '/api/v1/terms/current');
    expect(current.status).toBe(200);
    expect(current.body.version).toBe('2026-1');
    expect(current.body.texts.sv.title).toContain('villkor');
    expect(current.body.texts.en.body).toContain('The agreement is concluded when you accept these terms');
    const same = await call(office.baseUrl, 'GET', '/api/v1/terms/2026-1');
    expect(same.body).toEqual(current.body);
    expect((await call(office.baseUrl, 'GET', '/api/v1/terms/1999-1')).status).toBe(404);
    const page = await fetch(`${office.baseUrl}/app/terms/2026-1?lang=sv`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Avtalet ingås när du godkänner villkoren');
  });
});

describe('A2: signing up', () => {
  it('refuses a person under 18 (L5) and an organisation number with a wrong check digit, storing nothing', async () => {
    const before = [await count('accounts'), await count('users'), await count('terms_acceptances')];
    const young = await call(office.baseUrl, 'POST', '/api/v1/sign-up', {
      body: person('young@test.se', { birthDate: '2010-01-01' }),
    });
    expect(young.status).toBe(422);
    expect(young.body.error.code).toBe('under_age');
    const organisation = {
      kind: 'organisation',
      name: 'Luhn AB',
      email: 'luhn@test.se',
      password,
      termsVersion: '2026-1',
    };
    const wrong = await call(office.baseUrl, 'POST', '/api/v1/sign-up', {
      body: { ...organisation, organisationNumber: '556036-0794' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('invalid_organisation_number');
    const noTerms = await call(office.baseUrl, 'POST', '/api/v1/sign-up', {
      body: { ...person('noterms@test.se'), termsVersion: undefined },
    });
    expect(noTerms.status).toBe(400);
    expect(noTerms.body.error.details[0].field).toBe('body.termsVersion');
    const oldTerms = await call(office.baseUrl, 'POST', '/api/v1/sign-up', {
      body: person('oldterms@test.se', { termsVersion: '2025-1' }),
    });
    expect(oldTerms.status).toBe(409);
    expect(oldTerms.body.error.code).toBe('terms_version_stale');
    expect([await count('accounts'), await count('users'), await count('terms_acceptances')]).toEqual(before);

    const right = await call(office.baseUrl, 'POST', '/api/v1/sign-up', {
      body: { ...organisation, organisationNumber: '5560360793', contactName: 'Olle Org' },
    });
    expect(right.status).toBe(201);
    const account = await office.db('accounts').where({ id: right.body.accountId }).first();
    expect(account.organisation_number).toBe('556036-0793');
  });

  it('confirms the address by a single-use link, then the first user signs in as the account admin', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/sign-up', { body: person('pia@test.se') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'pia@test.se', termsVersion: '2026-1', confirmationSent: true });
    const early = await call(office.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'pia@test.se', password },
    });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('email_unconfirmed');

    const link = await linkIn('pia@test.se');
    expect(link.page).toBe(`${office.config.publicUrl}/app/confirm`);
    expect(link.subject).toBe('Confirm your e-mail address for Kartkontor');
    const confirmed = await call(office.baseUrl, 'POST', '/api/v1/sign-up/confirm', { body: { token: link.token } });
    expect(confirmed.status).toBe(200);
    const again = await call(office.baseUrl, 'POST', '/api/v1/sign-up/confirm', { body: { token: link.token } });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('link_used');

    const token = await login(office.baseUrl, 'pia@test.se', password);
    const me = await call(office.baseUrl, 'GET', '/api/v1/me', { token });
    expect(me.body).toMatchObject({ role: 'customer', accountRole: 'admin' });
    expect(me.body.account).toMatchObject({ kind: 'private', name: 'Pia Person', birth_date: '1980-05-17' });
  });

  it('refuses an address that already has a user', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/sign-up', { body: person('pia@test.se') });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
  });
});

describe('L1: every acceptance is recorded and shown on what it concluded', () => {
  let token: string;
  let orderId: string;
  let lk: string;
  beforeAll(async () => {
    token = await login(office.baseUrl, 'pia@test.se', password);
  });

  it('an order records the accepted version, time and user', async () => {
    const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token,
      body: { ...order, termsVersion: '2026-1' },
    });
    expect(placed.status).toBe(201);
    orderId = placed.body.id;
    const me = await call(office.baseUrl, 'GET', '/api/v1/me', { token });
    expect(placed.body.termsAcceptance).toMatchObject({ termsVersion: '2026-1', userId: me.body.id });
    const read = await call(office.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token });
    expect(read.body.termsAcceptance).toEqual(placed.body.termsAcceptance);
    expect(Date.now() - new Date(read.body.termsAcceptance.acceptedAt).getTime()).toBeLessThan(60_000);
  });

  it('a case records the acceptance with its LK number', async () => {
    const registered = await call(office.baseUrl, 'POST', '/api/v1/cases', {
      token,
      body: { ...planningCase, termsVersion: '2026-1' },
    });
    expect(registered.status).toBe(201);
    lk = registered.body.lk;
    expect(registered.body.termsAcceptance).toMatchObject({ termsVersion: '2026-1', lk });
    const read = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token });
    expect(read.body.termsAcceptance).toMatchObject({ termsVersion: '2026-1', lk, userName: 'Pia Person' });
  });

  it('the personal-data export holds every acceptance', async () => {
    const exported = await call(office.baseUrl, 'GET', '/api/v1/me/personal-data', { token });
    expect(exported.status).toBe(200);
    expect(
      exported.body.termsAcceptances.map((a: { concluded: string; order_id: string; lk: string }) => [
        a.concluded,
        a.order_id,
        a.lk,
      ]),
    ).toEqual([
      ['sign_up', null, null],
      ['order', orderId, null],
      ['case', null, lk],
    ]);
  });

  it('once a new version is in force, the old one is a 409 and stores nothing, and stays published', async () => {
    await office.db('terms_versions').insert({ version: '2026-2', published_at: new Date(Date.now() - 1000) });
    await office.db('terms_texts').insert([
      { version: '2026-2', language: 'sv', title: 'Villkor 2', body: 'Nya villkor.' },
      { version: '2026-2', language: 'en', title: 'Terms 2', body: 'New terms.' },
    ]);
    const orders = await count('orders');
    const stale = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token,
      body: { ...order, termsVersion: '2026-1' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'terms_version_stale', details: { current: '2026-2' } });
    const staleCase = await call(office.baseUrl, 'POST', '/api/v1/cases', {
      token,
      body: { ...planningCase, termsVersion: '2026-1' },
    });
    expect(staleCase.status).toBe(409);
    expect(await count('orders')).toBe(orders);
    const unnamed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token, body: order });
    expect(unnamed.body.termsAcceptance.termsVersion).toBe('2026-2');
    expect((await call(office.baseUrl, 'GET', '/api/v1/terms/current')).body.version).toBe('2026-2');
    expect((await call(office.baseUrl, 'GET', '/api/v1/terms/2026-1')).status).toBe(200);
    const versions = await call(office.baseUrl, 'GET', '/api/v1/terms');
    expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(['2026-2', '2026-1']);
  });
});
