import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from '../../db/migrations';
import { matchOwners } from '../../cases/network-owners.service';
import { createTestDatabase } from '../support/env';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const square = (e: number, n: number, size: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [e, n],
      [e + size, n],
      [e + size, n + size],
      [e, n + size],
      [e, n],
    ] as [number, number][],
  ],
});

it('migration 120 makes the coverage every owner had its version 1, valid since 1900, and down gives it back', async () => {
  const { db } = database;
  const migration = migrations['120_network_owner_master_data']!;
  await migration.down!(db);
  await db('network_owners').insert([
    {
      id: 'fore-el',
      name: 'Före El',
      email: 'el@test.se',
      mode: 'locates',
      coverage: square(600_000, 6_600_000, 1000),
    },
    {
      id: 'fore-karta',
      name: 'Före Karta',
      email: 'k@test.se',
      mode: 'map_only',
      coverage: square(700_000, 6_600_000, 1000),
    },
  ]);
  await migration.up(db);

  const versions = await db('network_owner_coverages').orderBy('owner_id').select('owner_id', 'version', 'valid_from');
  expect(versions).toEqual([
    { owner_id: 'fore-el', version: 1, valid_from: '1900-01-01' },
    { owner_id: 'fore-karta', version: 1, valid_from: '1900-01-01' },
  ]);
  const box = await db('network_owner_coverage_parts as p')
    .join('network_owner_coverages as c', 'c.id', 'p.coverage_id')
    .where('c.owner_id', 'fore-el')
    .select(db.raw('p.bbox::text as bbox'))
    .first();
  expect(box.bbox).toBe('(601000,6601000),(600000,6600000)');
  expect(await db('network_owners').where({ id: 'fore-karta' }).first()).toMatchObject({
    fee_class: 'mapOnlyOwnerLocate',
  });
  expect((await matchOwners(db, square(600_500, 6_600_500, 10), '2026-12-01')).map((o) => o.id)).toEqual(['fore-el']);

  await migration.down!(db);
  expect((await db('network_owners').where({ id: 'fore-el' }).first()).coverage).toEqual(
    square(600_000, 6_600_000, 1000),
  );
  await migration.up(db);
});
