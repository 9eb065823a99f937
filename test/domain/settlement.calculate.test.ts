import { describe, expect, it } from 'vitest';
import {
  calculateStatement,
  canonicalJson,
  datasetWeight,
  daysInServiceDuring,
  formatCents,
  largestRemainder,
  SettlementInputError,
  type SettlementInput,
} from '../../domain/settlement/calculate';
import { fraction } from '../../domain/fraction';

const dataset = (providerId: string, datasetId: string, areaKm2: string, scale: number, from = '2000-01-01', to: string | null = null) => ({
  providerId, datasetId, areaKm2, scaleDenominator: scale, inServiceFrom: from, inServiceTo: to,
});

describe('M2: weights', () => {
  it('M2: 20 000 km² at 1:20 000 weighs 1; the same area at 1:500 weighs 40', () => {
    expect(datasetWeight(2025, dataset('p', 'd1', '20000', 20000)).weight).toEqual(fraction(1n));
    expect(datasetWeight(2025, dataset('p', 'd2', '20000', 500)).weight).toEqual(fraction(40n));
  });

  it('M2, M5: material in service part of the year weighs by its days in service, both ends inclusive', () => {
    expect(daysInServiceDuring(2025, '2025-07-01', null)).toBe(184);
    expect(daysInServiceDuring(2024, '2024-01-01', '2024-02-29')).toBe(60); // leap year
    expect(daysInServiceDuring(2025, '2026-01-01', null)).toBe(0);
    expect(daysInServiceDuring(2025, '2020-01-01', '2024-12-31')).toBe(0);
    // 365 km² at 1:1 for 73 of 365 days weighs 73
    expect(datasetWeight(2025, dataset('p', 'd', '365', 1, '2025-10-20', null)).weight).toEqual(fraction(73n));
    // a leap year has 366 days: 366 km² for one day weighs 1
    expect(datasetWeight(2024, dataset('p', 'd', '366', 1, '2024-02-29', '2024-02-29')).weight).toEqual(fraction(1n));
  });

  it('M2: keeps decimal areas exact', () => {
    expect(datasetWeight(2025, dataset('p', 'd', '0.1', 3)).weight).toEqual(fraction(1n, 30n));
  });
});

describe('M6: largest remainder', () => {
  it('M6: 100.00 split three ways is 33.34 / 33.33 / 33.33, the tie going to the lower provider id', () => {
    const amounts = largestRemainder(10_000, ['c', 'a', 'b'].map((providerId) => ({ providerId, weight: fraction(1n) })));
    expect(Object.fromEntries(amounts)).toEqual({ a: 3334, b: 3333, c: 3333 });
  });

  it('M6: the leftover cents go to the largest remainders first', () => {
    // shares 1/6, 2/6, 3/6 of 1.01 € = 16.83, 33.67, 50.5 cents
    const amounts = largestRemainder(101, [
      { providerId: 'x', weight: fraction(1n) },
      { providerId: 'y', weight: fraction(2n) },
      { providerId: 'z', weight: fraction(3n) },
    ]);
    expect(Object.fromEntries(amounts)).toEqual({ x: 17, y: 34, z: 50 });
  });

  it('M6: every pool adds up to the cent and the same inputs give the same statement, over many seeded inputs', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const providers = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => `P${String(i).padStart(3, '0')}`);
      const input: SettlementInput = {
        year: 2024 + Math.floor(random() * 3),
        providerIds: providers,
        mapMaterial: providers.flatMap((p, i) =>
          Array.from({ length: Math.floor(random() * 4) }, (_, j) =>
            dataset(p, `${p}-${j}`, `${Math.floor(random() * 5000)}.${Math.floor(random() * 100)}`, [500, 1000, 2000, 4000, 20000][i % 5]!, `2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`),
          ),
        ),
        addressMaterial: providers.map((p) => ({ providerId: p, addresses: Math.floor(random() * 100_000) })),
        revenue: [
          { category: 'usage_fee', amountCents: Math.floor(random() * 10_000_000), source: 'import' },
          { category: 'copy_permit', amountCents: Math.floor(random() * 1_000_000), source: 'ledger' },
          { category: 'address_search', amountCents: Math.floor(random() * 1_000_000), source: 'import' },
          { category: 'address_register_cost', amountCents: Math.floor(random() * 500_000), source: 'import' },
        ],
      };
      const statement = calculateStatement(input);
      for (const pool of ['map', 'address'] as const) {
        const summary = statement.pools[pool];
        const paid = statement.lines.filter((l) => l.pool === pool).reduce((s, l) => s + l.amountCents, 0);
        expect(paid).toBe(summary.distributedCents);
        if (summary.undistributedReason === null) expect(paid).toBe(summary.amountCents);
      }
      expect(calculateStatement(structuredClone(input))).toEqual(statement);
    }
  });
});

describe('M3, M4: pools', () => {
  const base: SettlementInput = {
    year: 2025,
    providerIds: ['helsinki', 'espoo', 'mml'],
    mapMaterial: [dataset('helsinki', 'hki-500', '200', 500), dataset('espoo', 'esp-1000', '300', 1000), dataset('mml', 'topo-20000', '20000', 20000)],
    addressMaterial: [{ providerId: 'helsinki', addresses: 3000 }, { providerId: 'espoo', addresses: 1000 }],
    revenue: [
      { category: 'usage_fee', amountCents: 500_000, source: 'import' },
      { category: 'copy_permit', amountCents: 120_000, source: 'ledger' },
      { category: 'publication_permit', amountCents: 30_000, source: 'import' },
      { category: 'address_search', amountCents: 100_000, source: 'import' },
      { category: 'address_register_cost', amountCents: 20_000, source: 'import' },
    ],
  };

  it('M2, M4: the map pool is usage, copy-permit and publication-permit revenue, shared by weight', () => {
    const s = calculateStatement(base);
    expect(s.pools.map).toEqual({ amountCents: 650_000, distributedCents: 650_000, undistributedReason: null });
    // weights: helsinki 200/500 = 0.4, espoo 300/1000 = 0.3, mml 1 → total 1.7
    const map = s.lines.filter((l) => l.pool === 'map');
    expect(map.map((l) => [l.providerId, l.basis.fraction, l.share.fraction, l.amountCents])).toEqual([
      ['espoo', '3/10', '3/17', 114_706], // 650000 × 3/17 = 114705.88
      ['helsinki', '2/5', '4/17', 152_941], // 152941.18
      ['mml', '1', '10/17', 382_353], // 382352.94
    ]);
    expect(map[0]!.trace).toEqual([{ datasetId: 'esp-1000', areaKm2: '300', scaleDenominator: 1000, daysInService: 365, daysInYear: 365, weight: '3/10' }]);
  });

  it('M3: the address pool is search revenue minus the register cost, shared by number of addresses', () => {
    const s = calculateStatement(base);
    expect(s.pools.address.amountCents).toBe(80_000);
    expect(s.lines.filter((l) => l.pool === 'address').map((l) => [l.providerId, l.amountCents, l.share.percent])).toEqual([
      ['espoo', 20_000, '25.0000'],
      ['helsinki', 60_000, '75.0000'],
    ]);
  });

  it('M3: a negative address pool distributes nothing and shows the deficit', () => {
    const s = calculateStatement({ ...base, revenue: [...base.revenue, { category: 'address_register_cost', amountCents: 100_000, source: 'import' }] });
    expect(s.pools.address).toEqual({ amountCents: -20_000, distributedCents: 0, undistributedReason: expect.stringMatching(/deficit/) });
    expect(s.lines.filter((l) => l.pool === 'address')).toEqual([]);
  });

  it('M6: shows which revenue came from imports and which from the ledger', () => {
    const s = calculateStatement({ ...base, revenue: [...base.revenue, { category: 'usage_fee', amountCents: 1, source: 'ledger' }] });
    expect(s.revenue.find((r) => r.category === 'usage_fee')).toEqual({ category: 'usage_fee', importCents: 500_000, ledgerCents: 1, totalCents: 500_001 });
  });

  it('M5: a pool with no material in service is not distributed, with the reason', () => {
    const s = calculateStatement({ ...base, mapMaterial: [dataset('mml', 'old', '100', 1000, '2000-01-01', '2010-12-31')] });
    expect(s.pools.map).toMatchObject({ distributedCents: 0, undistributedReason: expect.stringMatching(/no material/) });
  });

  it('refuses material of an unknown provider', () => {
    expect(() => calculateStatement({ ...base, addressMaterial: [{ providerId: 'ghost', addresses: 1 }] })).toThrow(SettlementInputError);
  });
});

describe('formatting', () => {
  it('formats cents and canonical JSON', () => {
    expect(formatCents(123_456)).toBe('1234.56');
    expect(formatCents(-5)).toBe('-0.05');
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
