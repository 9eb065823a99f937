import { afterAll, beforeAll, expect, it } from 'vitest';
import { settlementInputs } from '../../settlement/settlement.store';
import { sumMapMaterial, type MapDataset } from '../../settlement/rules/calculate';
import { createTestDatabase } from '../support/env';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

/** mulberry32, seeded: the same datasets on every run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return (max: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * max);
  };
}

it('M2, M5: the database sums area × days in service per provider and scale exactly as the domain does dataset by dataset (leap years, both ends inclusive, clipped to the year)', async () => {
  const int = seeded(2024);
  const date = (y: number) => `${y}-${String(1 + int(12)).padStart(2, '0')}-${String(1 + int(28)).padStart(2, '0')}`;
  for (const year of [2024, 2025, 2100]) {
    const datasets: MapDataset[] = Array.from({ length: 400 }, (_, i) => {
      const leapDay = year % 4 === 0 && year % 100 !== 0 ? `${year}-02-29` : `${year}-02-28`;
      const from = int(5) === 0 ? leapDay : date(year - 1 + int(2));
      const to = int(3) === 0 ? null : int(4) === 0 ? from : date(Number(from.slice(0, 4)) + int(2));
      return {
        providerId: `p${int(7)}`,
        datasetId: `d${i}`,
        areaKm2: `${int(50_000)}.${int(1000)}`.replace(/\.0$/, ''),
        scaleDenominator: [500, 1000, 20_000][int(3)]!,
        inServiceFrom: from,
        inServiceTo: to !== null && to < from ? from : to,
      };
    });
    await database.db('settlement_providers').insert(
      Array.from({ length: 7 }, (_, p) => ({
        year,
        provider_id: `p${p}`,
        name: 'P',
        business_id: '0112038-9',
        iban: 'FI2112345600000785',
        email: 'p@test.fi',
        language: 'fi',
      })),
    );
    await database.db('settlement_map_material').insert(
      datasets.map((d, i) => ({
        year,
        line: i + 2,
        provider_id: d.providerId,
        dataset_id: d.datasetId,
        area_km2: d.areaKm2,
        scale_denominator: d.scaleDenominator,
        in_service_from: d.inServiceFrom,
        in_service_to: d.inServiceTo,
      })),
    );
    const { input } = await settlementInputs(database.db, year, 0, []);
    expect(input.mapMaterial, String(year)).toEqual(sumMapMaterial(year, datasets));
    expect(input.mapMaterial.length).toBeGreaterThan(10);
  }
});
