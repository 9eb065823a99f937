import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, addWorkingDays, orderTime, stockholmDate } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { createTermsPublishing } from '../../identity/terms-publishing.service';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'terms-password-1';
const today = stockholmDate(new Date());

beforeAll(async () => {
  office = await startBackOffice();
  // LK numbers are the case workflows' ids on the shared Temporal server: a range of this file's own.
  const year = new Date().getFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 680_000 })));
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Villkor AB', email: 'terms-org@test.se', organisationNumber: '556111-6666' },
    actor,
  );
  await directory.createUser(
    { email: 'terms-customer@test.se', name: 'Kund Kundsson', password, role: 'customer', accountId: org.id },
    actor,
  );
  await directory.createUser({ email: 'terms-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'admin']) token[who] = await login(office.baseUrl, `terms-${who}@test.se`, password);
});
afterAll(() => office.drop());

const api = (who: string | undefined, method: string, path: string, body?: unknown) =>
  call(office.baseUrl, method, path, { token: who ? token[who] : undefined, body });
const terms = (version: string, validFrom: string) => ({
  version,
  validFrom,
  texts: { sv: { title: 'Villkor', body: `Villkor ${version}` }, en: { title: 'Terms', body: `Terms ${version}` } },
  reason: 'new liability clause',
});

it('issue 21 (A2, L1): an admin publishes a terms version from a future date; it is not in force, nor public, before it', async () => {
  const published = await api('admin', 'POST', '/api/v1/terms', terms('2099-1', addDays(today, 1)));
  expect(published.status).toBe(201);
  expect(published.body).toMatchObject({ version: '2099-1', url: '/api/v1/terms/2099-1' });
  expect((await api(undefined, 'GET', '/api/v1/terms/current')).body.version).toBe('2026-1');
  expect((await api(undefined, 'GET', '/api/v1/terms/2099-1')).status).toBe(404);
  const upcoming = await api('admin', 'GET', '/api/v1/terms/upcoming');
  expect(upcoming.body.items.map((t: { version: string }) => t.version)).toEqual(['2099-1']);

  expect((await api('customer', 'POST', '/api/v1/terms', terms('kund-1', addDays(today, 1)))).status).toBe(403);
  expect((await api('customer', 'GET', '/api/v1/terms/upcoming')).status).toBe(403);
  const fromToday = await api('admin', 'POST', '/api/v1/terms', terms('idag-1', today));
  expect(fromToday.status).toBe(422);
  expect(fromToday.body.error.code).toBe('valid_from_not_in_future');
  const again = await api('admin', 'POST', '/api/v1/terms', terms('2099-1', addDays(today, 5)));
  expect(again.status).toBe(409);
  expect(
    (
      await api('admin', 'POST', '/api/v1/terms', {
        ...terms('utan-en', addDays(today, 1)),
        texts: { sv: { title: 'V', body: 'V' } },
      })
    ).status,
  ).toBe(400);
  const audit = await office.db('audit_log').where({ object_type: 'terms' });
  expect(audit.map((a) => [a.object_id, a.details.reason])).toEqual([['2099-1', 'new liability clause']]);
});

it('issue 21 (L1): once in force, a version is the one customers accept, shown on what it concluded; the old one stays readable', async () => {
  // Published yesterday to come into force today: the clock of the publication is the service's.
  await createTermsPublishing({ db: office.db }).publish(
    terms('2026-2', today),
    { actorType: 'system' },
    new Date(Date.now() - 86_400_000),
  );
  const current = await api(undefined, 'GET', '/api/v1/terms/current');
  expect(current.body).toMatchObject({ version: '2026-2', texts: { sv: { body: 'Villkor 2026-2' } } });
  expect((await api(undefined, 'GET', '/api/v1/terms/2026-1')).status).toBe(200);

  const body = {
    kind: 'planning',
    acceptTerms: true,
    workArea: {
      type: 'Polygon',
      coordinates: [
        [
          [675_000, 6_580_000],
          [675_200, 6_580_000],
          [675_200, 6_580_200],
          [675_000, 6_580_000],
        ],
      ],
    },
    digStart: addWorkingDays(orderTime(new Date()), 20),
  };
  const stale = await api('customer', 'POST', '/api/v1/cases', { ...body, termsVersion: '2026-1' });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('terms_version_stale');
  const registered = await api('customer', 'POST', '/api/v1/cases', { ...body, termsVersion: '2026-2' });
  expect(registered.status).toBe(201);
  const shown = await api('customer', 'GET', `/api/v1/cases/${registered.body.lk}`);
  expect(shown.body.termsAcceptance).toMatchObject({
    termsVersion: '2026-2',
    userName: 'Kund Kundsson',
    termsUrl: '/api/v1/terms/2026-2',
  });
});
