import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from '../../db/migrations';
import { createTestDatabase } from '../support/env';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('migration 051 fills the search box of cases registered before it, Polygon and MultiPolygon alike', async () => {
  const { db } = database;
  const [account] = await db('accounts')
    .insert({ kind: 'organisation', name: 'Före AB', email: 'fore@test.se', organisation_number: '556000-0000' })
    .returning('id');
  const ring = (e: number, n: number) => [
    [e, n],
    [e + 10, n],
    [e + 10, n + 20],
    [e, n],
  ];
  const base = {
    kind: 'locate',
    account_id: account.id,
    area_m2: 100,
    registered_at: new Date(),
    order_time: '2026-12-01',
    handling_deadline: '2026-12-02',
    dig_start: '2026-12-10',
    fees: '{}',
    status: 'registered',
  };
  await db('cases').insert([
    { ...base, lk: 'LK-2026-000001', work_area: JSON.stringify({ type: 'Polygon', coordinates: [ring(100, 200)] }) },
    {
      ...base,
      lk: 'LK-2026-000002',
      work_area: JSON.stringify({ type: 'MultiPolygon', coordinates: [[ring(100, 200)], [ring(500, 50)]] }),
    },
  ]);
  // 110 replaced some of 051's indexes: step back over it first, as a rollback would.
  await migrations['110_volume_indexes']!.down!(db);
  await migrations['051_case_search']!.down!(db);
  await migrations['051_case_search']!.up(db);
  await migrations['110_volume_indexes']!.up(db);
  const boxes = await db('cases').orderBy('lk').select('lk', 'min_e', 'min_n', 'max_e', 'max_n');
  expect(boxes).toEqual([
    { lk: 'LK-2026-000001', min_e: 100, min_n: 200, max_e: 110, max_n: 220 },
    { lk: 'LK-2026-000002', min_e: 100, min_n: 50, max_e: 510, max_n: 220 },
  ]);
});
