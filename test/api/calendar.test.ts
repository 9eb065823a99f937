import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
beforeAll(async () => {
  office = await startBackOffice();
});
afterAll(() => office.drop());

it('W1: GET /api/v1/calendar is public and marks holidays and weekends', async () => {
  const res = await call(office.baseUrl, 'GET', '/api/v1/calendar?from=2026-06-18&to=2026-06-22');
  expect(res.status).toBe(200);
  expect(res.body.days.map((d: { date: string; working: boolean }) => [d.date, d.working])).toEqual([
    ['2026-06-18', true],
    ['2026-06-19', false],
    ['2026-06-20', false],
    ['2026-06-21', false],
    ['2026-06-22', true],
  ]);
  expect(res.body.days[1].holiday).toEqual({ en: 'Midsummer Eve', sv: 'Midsommarafton' });
});

it('W2: refuses a range over 400 days, a reversed range and a date that does not exist, with 400', async () => {
  for (const [query, code] of [
    ['from=2026-01-01&to=2027-12-31', 'invalid_range'],
    ['from=2026-02-01&to=2026-01-01', 'invalid_range'],
    // One date schema for every route (platform/http/schemas.ts): an impossible date fails validation.
    ['from=2026-02-30&to=2026-03-01', 'validation_failed'],
    ['from=2026-02-01', 'validation_failed'],
  ] as const) {
    const res = await call(office.baseUrl, 'GET', `/api/v1/calendar?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  }
});
