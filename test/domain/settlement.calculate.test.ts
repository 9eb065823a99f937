import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDays, parseIsoDate } from '../../domain/calendar';
import { fraction } from '../../domain/fraction';
import {
  calculateStatement,
  canonicalJson,
  datasetWeight,
  dayNumber,
  daysInServiceDuring,
  fingerprint,
  formatCents,
  largestRemainder,
  mapMaterialSums,
  REVENUE_CATEGORIES,
  SettlementInputError,
  sha256Hex,
  sumMapMaterial,
  validateSettlementInput,
  type MapDataset,
  type RevenueEntry,
  type SettlementInput,
  type Statement,
} from '../../settlement/rules/calculate';

const dataset = (
  providerId: string,
  datasetId: string,
  areaKm2: string,
  scaleDenominator: number,
  inServiceFrom = '2000-01-01',
  inServiceTo: string | null = null,
): MapDataset => ({
  providerId,
  datasetId,
  areaKm2,
  scaleDenominator,
  inServiceFrom,
  inServiceTo,
});
/** Inputs as finance imports them, dataset by dataset; the calculation gets their sums. */
type DatasetInput = Omit<SettlementInput, 'mapMaterial'> & { mapMaterial: MapDataset[] };
const summed = (input: DatasetInput): SettlementInput => ({
  ...input,
  mapMaterial: sumMapMaterial(input.year, input.mapMaterial),
});
const settle = (input: DatasetInput): Statement => calculateStatement(summed(input));
const usageFee = (amountCents: number): RevenueEntry => ({ category: 'usage_fee', amountCents, source: 'import' });
const linesOf = (s: Statement, pool: 'map' | 'address') => s.lines.filter((l) => l.pool === pool);

const base: DatasetInput = {
  year: 2025,
  providerIds: ['helsinki', 'espoo', 'mml'],
  mapMaterial: [
    dataset('helsinki', 'hki-500', '200', 500),
    dataset('espoo', 'esp-1000', '300', 1000),
    dataset('mml', 'topo-20000', '20000', 20000),
  ],
  addressMaterial: [
    { providerId: 'helsinki', addresses: 3000 },
    { providerId: 'espoo', addresses: 1000 },
  ],
  revenue: [
    { category: 'usage_fee', amountCents: 500_000, source: 'import' },
    { category: 'copy_permit', amountCents: 120_000, source: 'ledger' },
    { category: 'publication_permit', amountCents: 30_000, source: 'import' },
    { category: 'address_search', amountCents: 100_000, source: 'import' },
    { category: 'address_register_cost', amountCents: 20_000, source: 'import' },
  ],
};

describe('M2, M5: weights', () => {
  it('M2: 20 000 km² at 1:20 000 weighs 1; at 1:500 weighs 40', () => {
    expect(datasetWeight(2025, dataset('mml', 'topo', '20000', 20000)).weight).toEqual(fraction(1n));
    expect(datasetWeight(2025, dataset('kunta', 'kk500', '20000', 500)).weight).toEqual(fraction(40n));
    const s = settle({
      ...base,
      providerIds: ['kunta', 'mml'],
      mapMaterial: [dataset('kunta', 'kk500', '20000', 500), dataset('mml', 'topo', '20000', 20000)],
      addressMaterial: [],
    });
    expect(linesOf(s, 'map').map((l) => [l.providerId, l.basis, l.share.fraction])).toEqual([
      ['kunta', { fraction: '40', decimal: '40.000000' }, '40/41'],
      ['mml', { fraction: '1', decimal: '1.000000' }, '1/41'],
    ]);
  });

  it('M2: decimal areas stay exact fractions (0.1 km² at 1:3 weighs 1/30, shown as 0.033333)', () => {
    const { weight, trace } = datasetWeight(2025, dataset('p', 'd', '0.1', 3));
    expect(weight).toEqual(fraction(1n, 30n));
    expect(trace.weight).toBe('1/30');
  });

  it('M5: days in service count both ends, clipped to the year; a leap year has 366 days', () => {
    expect(daysInServiceDuring(2025, '2025-07-01', null)).toBe(184);
    expect(daysInServiceDuring(2025, '2025-03-01', '2025-03-01')).toBe(1);
    expect(daysInServiceDuring(2024, '2024-01-01', '2024-02-29')).toBe(60);
    expect(daysInServiceDuring(2024, '1990-01-01', null)).toBe(366);
    expect(daysInServiceDuring(2025, '2026-01-01', null)).toBe(0);
    expect(daysInServiceDuring(2025, '2020-01-01', '2024-12-31')).toBe(0);
  });

  it('M5: day numbers are plain arithmetic that agrees with the calendar on every day 1900–2200, and refuse days that do not exist', () => {
    for (let date = '1900-01-01'; ; date = addDays(date, 1)) {
      if (dayNumber(date) !== parseIsoDate(date))
        expect.unreachable(`${date}: ${dayNumber(date)} ≠ ${parseIsoDate(date)}`);
      if (date === '2200-12-31') break; // the calendar's last day
    }
    expect(['2024-02-29', '2000-02-29', '2025-04-30'].map(dayNumber).every((n) => n !== null)).toBe(true);
    expect(
      ['2025-02-29', '1900-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-1-1', ' 2025-01-01'].map(dayNumber),
    ).toEqual(Array(7).fill(null));
  });

  it('M5: material in service part of the year weighs by its share of the year’s days', () => {
    // 366 km² at 1:1 on 29 Feb 2024 only: 366 × 1/366 = 1
    expect(datasetWeight(2024, dataset('p', 'd', '366', 1, '2024-02-29', '2024-02-29')).weight).toEqual(fraction(1n));
    // in service from mid-2023 to the end of March 2024: 31 + 29 + 31 = 91 of 2024's 366 days
    const partly = datasetWeight(2024, dataset('p', 'd', '1000', 500, '2023-07-01', '2024-03-31'));
    expect(partly.weight).toEqual(fraction(2n * 91n, 366n));
    expect(partly.trace).toMatchObject({ daysInService: 91, daysInYear: 366, weight: '91/183' });
    // the same dataset weighs 0 in 2025
    expect(datasetWeight(2025, dataset('p', 'd', '1000', 500, '2023-07-01', '2024-03-31')).weight).toEqual(
      fraction(0n),
    );
  });

  it('M5: a provider whose material was not in service during the year gets no line', () => {
    const s = settle({
      ...base,
      mapMaterial: [
        ...base.mapMaterial.filter((d) => d.providerId !== 'espoo'),
        dataset('espoo', 'old', '300', 1000, '2001-01-01', '2010-12-31'),
      ],
    });
    expect(linesOf(s, 'map').map((l) => l.providerId)).toEqual(['helsinki', 'mml']);
  });
});

describe('M6: largest remainder', () => {
  it('M6: 100.00 split three ways is 33.34 / 33.33 / 33.33, the tie going to the lower provider id', () => {
    const amounts = largestRemainder(
      10_000,
      ['c', 'a', 'b'].map((providerId) => ({ providerId, weight: fraction(1n) })),
    );
    expect(Object.fromEntries(amounts)).toEqual({ a: 3334, b: 3333, c: 3333 });

    const s = settle({
      year: 2025,
      providerIds: ['c', 'a', 'b'],
      mapMaterial: ['c', 'a', 'b'].map((p) => dataset(p, `${p}-1`, '100', 1000)),
      addressMaterial: [],
      revenue: [usageFee(10_000)],
    });
    expect(
      linesOf(s, 'map').map((l) => [l.providerId, formatCents(l.amountCents), l.share.fraction, l.share.percent]),
    ).toEqual([
      ['a', '33.34', '1/3', '33.3333'],
      ['b', '33.33', '1/3', '33.3333'],
      ['c', '33.33', '1/3', '33.3333'],
    ]);
  });

  it('M6: ids are compared as strings, so on a tie "p10" comes before "p9"', () => {
    const amounts = largestRemainder(
      2,
      ['p9', 'p10', 'p8'].map((providerId) => ({ providerId, weight: fraction(1n) })),
    );
    expect(Object.fromEntries(amounts)).toEqual({ p10: 1, p8: 1, p9: 0 });
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

  it('refuses to split by weights that add up to nothing', () => {
    expect(() => largestRemainder(100, [{ providerId: 'a', weight: fraction(0n) }])).toThrow(RangeError);
  });
});

/** mulberry32: a tiny seeded PRNG, so the "random" inputs are the same on every run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  const shuffle = <T>(items: readonly T[]) => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  return { int, pick, shuffle };
}

function randomInput(r: ReturnType<typeof seeded>): DatasetInput {
  const year = r.pick([2023, 2024, 2025]);
  const providerIds = [
    ...new Set(Array.from({ length: 1 + r.int(9) }, () => `${r.pick(['kunta', 'K', 'mml', 'p'])}${r.int(30)}`)),
  ];
  const date = (y: number) =>
    `${y}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
  const mapMaterial = providerIds.flatMap((p) =>
    Array.from({ length: r.int(4) }, (_, j) => {
      const from = date(year - 1 + r.int(2));
      const to = r.int(3) === 0 ? null : date(Number(from.slice(0, 4)) + r.int(2));
      return dataset(
        p,
        `${p}-${j}`,
        `${1 + r.int(20_000)}${r.int(2) ? `.${r.int(1000)}` : ''}`,
        r.pick([500, 1000, 2000, 4000, 20_000]),
        from,
        to !== null && to < from ? from : to,
      );
    }),
  );
  return {
    year,
    providerIds,
    mapMaterial,
    addressMaterial: providerIds
      .filter(() => r.int(3) > 0)
      .map((providerId) => ({ providerId, addresses: r.int(3) ? r.int(200_000) : 0 })),
    revenue: Array.from({ length: r.int(8) }, () => ({
      category: r.pick(REVENUE_CATEGORIES),
      amountCents: r.int(r.pick([100, 10_000, 100_000_000])),
      source: r.pick(['import', 'ledger'] as const),
    })),
  };
}

describe('M6: every statement adds up and is reproducible', () => {
  it('M6: over 500 seeded random inputs, each pool’s lines add up to the pool to the cent, each line is within a cent of its exact share, and the same inputs (in any order) give the same statement', () => {
    const r = seeded(20_250_101);
    const outcomes = new Set<string>();
    for (let round = 0; round < 500; round++) {
      const input = randomInput(r);
      const statement = settle(input);
      for (const pool of ['map', 'address'] as const) {
        const summary = statement.pools[pool];
        const lines = linesOf(statement, pool);
        outcomes.add(summary.outcome);
        const paid = lines.reduce((s, l) => s + l.amountCents, 0);
        expect(paid).toBe(summary.distributedCents);
        if (summary.outcome === 'distributed') {
          expect(paid).toBe(summary.amountCents);
          for (const l of lines) {
            const [num, den] = l.share.fraction.split('/').map(BigInt) as [bigint, bigint | undefined];
            const error = BigInt(l.amountCents) * (den ?? 1n) - BigInt(summary.amountCents) * num; // (amount − exact) × den
            expect(error > -(den ?? 1n) && error < (den ?? 1n)).toBe(true);
          }
        } else {
          expect(lines).toEqual([]);
        }
        expect(lines.map((l) => l.providerId)).toEqual(lines.map((l) => l.providerId).sort());
      }
      expect(statement.lines.map((l) => l.pool)).toEqual(
        statement.lines
          .map((l) => l.pool)
          .sort()
          .reverse(),
      ); // map, then address

      expect(settle(structuredClone(input))).toEqual(statement);
      const shuffled = {
        ...input,
        providerIds: r.shuffle(input.providerIds),
        mapMaterial: r.shuffle(input.mapMaterial),
        addressMaterial: r.shuffle(input.addressMaterial),
        revenue: r.shuffle(input.revenue),
      };
      expect(canonicalJson(settle(shuffled))).toBe(canonicalJson(statement));
    }
    // the seeds reach every kind of pool, not just the easy one
    expect([...outcomes].sort()).toEqual(['deficit', 'distributed', 'empty', 'no_basis']);
  });
});

describe('M2–M4: pools', () => {
  it('M2, M4: the map pool is usage fees plus copy and publication permits, shared by weight', () => {
    const s = settle(base);
    expect(s.pools.map).toEqual({
      amountCents: 650_000,
      composition: [
        { category: 'usage_fee', sign: 1, cents: 500_000 },
        { category: 'copy_permit', sign: 1, cents: 120_000 },
        { category: 'publication_permit', sign: 1, cents: 30_000 },
      ],
      totalBasis: { fraction: '17/10', decimal: '1.700000' },
      distributedCents: 650_000,
      outcome: 'distributed',
      undistributedReason: null,
    });
    // weights: espoo 300/1000, helsinki 200/500, mml 20000/20000 → total 1.7
    expect(
      linesOf(s, 'map').map((l) => [l.providerId, l.basis.fraction, l.share.fraction, l.share.percent, l.amountCents]),
    ).toEqual([
      ['espoo', '3/10', '3/17', '17.6471', 114_706], // 114 705.88
      ['helsinki', '2/5', '4/17', '23.5294', 152_941], // 152 941.18
      ['mml', '1', '10/17', '58.8235', 382_353], // 382 352.94
    ]);
  });

  it('M6: a map line traces its weight to its material by scale', () => {
    const s = settle({
      ...base,
      mapMaterial: [
        ...base.mapMaterial,
        dataset('espoo', 'esp-500', '10', 500, '2025-07-01', null),
        dataset('espoo', 'esp-500b', '0.5', 500),
      ],
    });
    const espoo = linesOf(s, 'map').find((l) => l.providerId === 'espoo')!;
    expect(espoo.trace).toEqual([
      { scaleDenominator: 500, datasets: 2, areaKm2Days: '2022.5', daysInYear: 365, weight: '809/73000' }, // (10 × 184 + 0.5 × 365) / (500 × 365)
      { scaleDenominator: 1000, datasets: 1, areaKm2Days: '109500', daysInYear: 365, weight: '3/10' },
    ]);
    expect(espoo.basis.fraction).toBe('22709/73000'); // 3/10 + 809/73000
  });

  it('M2, M5: summing by provider and scale gives exactly the sum of the datasets’ own weights, in any order and grouping', () => {
    const r = seeded(7);
    for (let round = 0; round < 100; round++) {
      const input = randomInput(r);
      const s = settle(input);
      for (const line of linesOf(s, 'map')) {
        const own = input.mapMaterial
          .filter((d) => d.providerId === line.providerId)
          .reduce((sum, d) => {
            const w = datasetWeight(input.year, d).weight;
            return fraction(sum.num * w.den + w.num * sum.den, sum.den * w.den);
          }, fraction(0n));
        expect(line.basis.fraction).toBe(own.den === 1n ? `${own.num}` : `${own.num}/${own.den}`);
      }
      const shuffled = mapMaterialSums(input.year);
      for (const d of r.shuffle(input.mapMaterial)) shuffled.add(d);
      expect(shuffled.sums()).toEqual(sumMapMaterial(input.year, input.mapMaterial));
    }
    const mixed = mapMaterialSums(2025);
    mixed.add({
      providerId: 'p',
      areaKm2: '3.25',
      scaleDenominator: 500,
      inServiceFrom: '2020-01-01',
      inServiceTo: null,
    });
    mixed.addSum({ providerId: 'p', scaleDenominator: 500, datasets: 2, areaKm2Days: '0.125' });
    expect(mixed.sums()).toEqual([{ providerId: 'p', scaleDenominator: 500, datasets: 3, areaKm2Days: '1186.375' }]);
  });

  it('M3: the address pool is search revenue less the register centre’s cost, shared by number of addresses', () => {
    const s = settle(base);
    expect(s.pools.address).toMatchObject({
      amountCents: 80_000,
      distributedCents: 80_000,
      outcome: 'distributed',
      totalBasis: { fraction: '4000', decimal: '4000' },
    });
    expect(
      linesOf(s, 'address').map((l) => [l.providerId, l.basis.fraction, l.share.percent, l.amountCents, l.trace]),
    ).toEqual([
      ['espoo', '1000', '25.0000', 20_000, [{ addresses: 1000 }]],
      ['helsinki', '3000', '75.0000', 60_000, [{ addresses: 3000 }]],
    ]);
  });

  it('M3: a negative address pool distributes nothing and shows the deficit', () => {
    const s = settle({
      ...base,
      revenue: [...base.revenue, { category: 'address_register_cost', amountCents: 100_000, source: 'ledger' }],
    });
    expect(s.pools.address).toMatchObject({
      amountCents: -20_000,
      distributedCents: 0,
      outcome: 'deficit',
      undistributedReason: expect.stringContaining('200.00'),
    });
    expect(linesOf(s, 'address')).toEqual([]);
    expect(s.pools.map.distributedCents).toBe(650_000);
  });

  it('M3: addresses but no revenue, or revenue but no addresses, distribute nothing and say why', () => {
    const noRevenue = settle({ ...base, revenue: base.revenue.filter((r) => !r.category.startsWith('address')) });
    expect(noRevenue.pools.address).toMatchObject({
      amountCents: 0,
      outcome: 'empty',
      undistributedReason: expect.stringMatching(/no revenue/),
    });
    const noAddresses = settle({ ...base, addressMaterial: [{ providerId: 'mml', addresses: 0 }] });
    expect(noAddresses.pools.address).toMatchObject({
      amountCents: 80_000,
      distributedCents: 0,
      outcome: 'no_basis',
      undistributedReason: expect.stringMatching(/no addresses/),
    });
    expect(linesOf(noAddresses, 'address')).toEqual([]);
  });

  it('M5: a map pool with no material in service during the year stays undistributed, with the reason', () => {
    const s = settle({ ...base, mapMaterial: [dataset('mml', 'old', '100', 1000, '2000-01-01', '2010-12-31')] });
    expect(s.pools.map).toMatchObject({
      amountCents: 650_000,
      distributedCents: 0,
      outcome: 'no_basis',
      undistributedReason: expect.stringMatching(/no map material was in service during 2025/),
    });
  });

  it('M6: revenue is shown by category and by source, imported or booked in the ledger; lines of a category add up', () => {
    const s = settle({
      ...base,
      revenue: [...base.revenue, { category: 'usage_fee', amountCents: 1, source: 'ledger' }, usageFee(99)],
    });
    expect(s.revenue).toEqual([
      { category: 'usage_fee', importCents: 500_099, ledgerCents: 1, totalCents: 500_100 },
      { category: 'copy_permit', importCents: 0, ledgerCents: 120_000, totalCents: 120_000 },
      { category: 'publication_permit', importCents: 30_000, ledgerCents: 0, totalCents: 30_000 },
      { category: 'address_search', importCents: 100_000, ledgerCents: 0, totalCents: 100_000 },
      { category: 'address_register_cost', importCents: 20_000, ledgerCents: 0, totalCents: 20_000 },
    ]);
  });
});

describe('inputs that do not fit together', () => {
  it('M6: sums of unknown providers, repeated sums and unusable values are all returned as problems, and calculateStatement refuses them', () => {
    const good = summed(base);
    const bad: SettlementInput = {
      ...good,
      mapMaterial: [
        ...good.mapMaterial,
        { providerId: 'ghost', scaleDenominator: 0, datasets: 0, areaKm2Days: '1,5' },
        { providerId: 'espoo', scaleDenominator: 1000, datasets: 1, areaKm2Days: '1' },
      ],
      addressMaterial: [
        ...base.addressMaterial,
        { providerId: 'espoo', addresses: -1 },
        { providerId: 'nobody', addresses: 5 },
      ],
      revenue: [...base.revenue, { category: 'donation' as never, amountCents: 1.5, source: 'import' }],
    };
    const problems = validateSettlementInput(bad);
    expect(problems.map((p) => p.path)).toEqual([
      'mapMaterial[3].providerId',
      'mapMaterial[3].scaleDenominator',
      'mapMaterial[3].datasets',
      'mapMaterial[3].areaKm2Days',
      'mapMaterial[4].scaleDenominator',
      'addressMaterial[2].providerId',
      'addressMaterial[2].addresses',
      'addressMaterial[3].providerId',
      'revenue[5].category',
      'revenue[5].amountCents',
    ]);
    expect(problems[0]!.message).toBe('names unknown provider ghost');
    expect(problems[4]!.message).toBe('provider espoo has a second sum at 1:1000');
    expect(() => calculateStatement(bad)).toThrow(SettlementInputError);
    try {
      calculateStatement(bad);
    } catch (err) {
      expect((err as SettlementInputError).problems).toEqual(problems);
    }
    expect(validateSettlementInput(good)).toEqual([]);
  });
});

describe('M6: formatting and fingerprints', () => {
  it('formats cents as euros with a dot', () => {
    expect(formatCents(123_456)).toBe('1234.56');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(-5)).toBe('-0.05');
    expect(formatCents(0)).toBe('0.00');
  });

  it('canonical JSON sorts keys at every depth, drops undefined members and refuses what JSON cannot say exactly', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 'ä' }], u: undefined })).toBe('{"a":[{"c":"ä","d":2}],"b":1}');
    expect(canonicalJson({ x: 1, y: { q: null, p: true } })).toBe(canonicalJson({ y: { p: true, q: null }, x: 1 }));
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalJson([Number.NaN])).toThrow(TypeError);
  });

  it('SHA-256 in plain JS matches the standard vectors and node:crypto', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    for (const text of [
      'x'.repeat(55),
      'x'.repeat(56),
      'x'.repeat(64),
      'Ä€𝄞\ud800 kartta',
      canonicalJson(settle(base)),
    ]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  it('M6: the same inputs have the same fingerprint, whatever their key order', () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    const reordered = reverseKeys(base);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(base));
    expect(fingerprint(reordered)).toBe(fingerprint(base));
    expect(fingerprint({ ...base, year: 2024 })).not.toBe(fingerprint(base));
  });
});
