/**
 * The yearly royalty settlement (M2–M6): pools from the year's revenue, shares by the
 * material each provider supplied, and payouts to the cent that add up to each pool.
 * Pure and deterministic: the same inputs always give the same statement (M6), so it may
 * run inside a workflow and be recomputed by an auditor.
 */
import {
  addF,
  divF,
  formatFraction,
  fraction,
  mulF,
  parseDecimal,
  toDecimal,
  ZERO,
  type Fraction,
} from '../../domain/fraction';
import { largestRemainder } from './apportion';
import { daysInServiceDuring, daysInYear } from './days';
import {
  compareIds,
  REVENUE_CATEGORIES,
  type MapDataset,
  type MapMaterialSum,
  type RevenueCategory,
  type RevenueEntry,
  type SettlementInput,
} from './model';
import { SettlementInputError, validateSettlementInput } from './validate';

export * from './model';
export * from './validate';
export { largestRemainder, type Claim } from './apportion';
export { canonicalJson, fingerprint, sha256Hex } from './canonical';
export { daysInServiceDuring, daysInYear, dayNumber } from './days';

export type Pool = 'map' | 'address';

/** M2, M4: map material shares usage fees and copy and publication permits; M3: address searches less the register centre's cost. */
const POOL_REVENUE: Record<Pool, readonly { category: RevenueCategory; sign: 1 | -1 }[]> = {
  map: [
    { category: 'usage_fee', sign: 1 },
    { category: 'copy_permit', sign: 1 },
    { category: 'publication_permit', sign: 1 },
  ],
  address: [
    { category: 'address_search', sign: 1 },
    { category: 'address_register_cost', sign: -1 },
  ],
};

/** Digits of the weight's decimal form; the exact fraction is shown beside it. */
const WEIGHT_DIGITS = 6;
const PERCENT_DIGITS = 4;

export interface DatasetTrace {
  datasetId: string;
  areaKm2: string;
  scaleDenominator: number;
  inServiceFrom: string;
  inServiceTo: string | null;
  daysInService: number;
  daysInYear: number;
  /** area / scale × days in service / days in year, exact. */
  weight: string;
}

/** A map line's weight by scale (M6): the sums behind it; the datasets are the year's input rows. */
export interface MaterialTrace {
  scaleDenominator: number;
  datasets: number;
  areaKm2Days: string;
  daysInYear: number;
  /** areaKm2Days / (scale × days in year), exact. */
  weight: string;
}

export interface AddressTrace {
  addresses: number;
}

interface LineFigures {
  providerId: string;
  /** The provider's weight (map) or number of addresses (address): exact, and as a decimal. */
  basis: { fraction: string; decimal: string };
  /** basis / the pool's total basis, reduced, and as a percentage (display only). */
  share: { fraction: string; percent: string };
  amountCents: number;
}
export interface MapLine extends LineFigures {
  pool: 'map';
  /** M6: the material behind the weight, by scale. */
  trace: MaterialTrace[];
}
export interface AddressLine extends LineFigures {
  pool: 'address';
  trace: AddressTrace[];
}
export type StatementLine = MapLine | AddressLine;

/** `empty`: no revenue; `deficit`: costs exceed revenue; `no_basis`: revenue but no material to share it by. */
export type PoolOutcome = 'distributed' | 'empty' | 'deficit' | 'no_basis';

export interface PoolSummary {
  /** The pool: the sum of its composition; negative for a deficit. */
  amountCents: number;
  composition: { category: RevenueCategory; sign: 1 | -1; cents: number }[];
  /** The sum of the lines' bases, which the shares are taken of. */
  totalBasis: { fraction: string; decimal: string };
  /** Equals amountCents when distributed, else 0. */
  distributedCents: number;
  outcome: PoolOutcome;
  undistributedReason: string | null;
}

export interface RevenueSummary {
  category: RevenueCategory;
  importCents: number;
  ledgerCents: number;
  totalCents: number;
}

export interface Statement {
  year: number;
  currency: 'EUR';
  revenue: RevenueSummary[];
  pools: Record<Pool, PoolSummary>;
  /** Map lines, then address lines; each by provider id. */
  lines: StatementLine[];
}

/** M2, M5: weight = area km² / scale denominator × days in service / days in the year. */
export function datasetWeight(year: number, d: MapDataset): { weight: Fraction; trace: DatasetTrace } {
  const days = daysInServiceDuring(year, d.inServiceFrom, d.inServiceTo);
  const yearDays = daysInYear(year);
  const weight = mulF(parseDecimal(d.areaKm2), fraction(BigInt(days), BigInt(d.scaleDenominator) * BigInt(yearDays)));
  const { datasetId, areaKm2, scaleDenominator, inServiceFrom, inServiceTo } = d;
  return {
    weight,
    trace: {
      datasetId,
      areaKm2,
      scaleDenominator,
      inServiceFrom,
      inServiceTo,
      daysInService: days,
      daysInYear: yearDays,
      weight: formatFraction(weight),
    },
  };
}

function revenueSummary(revenue: readonly RevenueEntry[]): RevenueSummary[] {
  return REVENUE_CATEGORIES.map((category) => {
    const sum = (source: RevenueEntry['source']) =>
      revenue.reduce((s, r) => (r.category === category && r.source === source ? s + r.amountCents : s), 0);
    const importCents = sum('import');
    const ledgerCents = sum('ledger');
    return { category, importCents, ledgerCents, totalCents: importCents + ledgerCents };
  });
}

interface Basis<T> {
  providerId: string;
  weight: Fraction;
  basis: { fraction: string; decimal: string };
  trace: T[];
}

function undistributed(
  outcome: Exclude<PoolOutcome, 'distributed'>,
  pool: Pool,
  year: number,
  amountCents: number,
): string {
  if (outcome === 'empty') return 'there is no revenue in this pool';
  if (outcome === 'deficit')
    return `the costs exceed the revenue by ${formatCents(-amountCents)}: a deficit, nothing is distributed`;
  // Decision: with nothing to share by, the money is not paid out rather than divided by zero; finance decides what happens to it.
  return pool === 'map'
    ? `no map material was in service during ${year}, so there is nothing to share the pool by; it stays undistributed`
    : `no addresses were supplied, so there is nothing to share the pool by; it stays undistributed`;
}

/** One pool's summary and lines: every provider with a positive basis, split by the largest remainders (M6). */
function settlePool<P extends Pool, T>(pool: P, year: number, revenue: RevenueSummary[], bases: Basis<T>[]) {
  const composition = POOL_REVENUE[pool].map(({ category, sign }) => ({
    category,
    sign,
    cents: revenue.find((r) => r.category === category)!.totalCents,
  }));
  const amountCents = composition.reduce((s, c) => s + c.sign * c.cents, 0);
  const claims = bases.filter((b) => b.weight.num > 0n).sort((a, b) => compareIds(a.providerId, b.providerId));
  const total = claims.reduce((sum, b) => addF(sum, b.weight), ZERO);
  const outcome: PoolOutcome =
    amountCents === 0 ? 'empty' : amountCents < 0 ? 'deficit' : claims.length === 0 ? 'no_basis' : 'distributed';
  const summary: PoolSummary = {
    amountCents,
    composition,
    totalBasis: { fraction: formatFraction(total), decimal: toDecimal(total, pool === 'map' ? WEIGHT_DIGITS : 0) },
    distributedCents: outcome === 'distributed' ? amountCents : 0,
    outcome,
    undistributedReason: outcome === 'distributed' ? null : undistributed(outcome, pool, year, amountCents),
  };
  if (outcome !== 'distributed') return { summary, lines: [] };
  const amounts = largestRemainder(amountCents, claims);
  const lines = claims.map((b) => {
    const share = divF(b.weight, total);
    return {
      providerId: b.providerId,
      pool,
      basis: b.basis,
      share: { fraction: formatFraction(share), percent: toDecimal(mulF(share, fraction(100n)), PERCENT_DIGITS) },
      amountCents: amounts.get(b.providerId)!,
      trace: b.trace,
    };
  });
  return { summary, lines };
}

function mapBases(input: SettlementInput): Basis<MaterialTrace>[] {
  const yearDays = daysInYear(input.year);
  const byProvider = new Map<string, { weight: Fraction; trace: MaterialTrace[] }>();
  const sums = [...input.mapMaterial].sort(
    (a, b) => compareIds(a.providerId, b.providerId) || a.scaleDenominator - b.scaleDenominator,
  );
  for (const m of sums) {
    const weight = divF(parseDecimal(m.areaKm2Days), fraction(BigInt(m.scaleDenominator) * BigInt(yearDays)));
    const acc = byProvider.get(m.providerId) ?? { weight: ZERO, trace: [] };
    acc.weight = addF(acc.weight, weight);
    acc.trace.push({
      scaleDenominator: m.scaleDenominator,
      datasets: m.datasets,
      areaKm2Days: m.areaKm2Days,
      daysInYear: yearDays,
      weight: formatFraction(weight),
    });
    byProvider.set(m.providerId, acc);
  }
  return [...byProvider].map(([providerId, { weight, trace }]) => ({
    providerId,
    weight,
    basis: { fraction: formatFraction(weight), decimal: toDecimal(weight, WEIGHT_DIGITS) },
    trace,
  }));
}

/**
 * M2, M5: sums datasets by provider and scale, for the calculation. Exact: an area × days is a
 * decimal, kept as an integer at the most decimals seen so far. Datasets not in service during
 * the year weigh nothing and are left out. It holds only the sums, so datasets may be fed one at
 * a time, or as sums already made elsewhere (the database adds them up the same way).
 */
export function mapMaterialSums(year: number) {
  const groups = new Map<
    string,
    { providerId: string; scaleDenominator: number; datasets: number; units: bigint; decimals: number }
  >();
  const addSum = (s: MapMaterialSum): void => {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(s.areaKm2Days.trim());
    if (!m) throw new RangeError(`"${s.areaKm2Days}" is not a non-negative decimal number`);
    if (s.datasets === 0) return;
    const decimals = (m[2] ?? '').length;
    const key = `${s.providerId}\u0000${s.scaleDenominator}`;
    const g = groups.get(key) ?? {
      providerId: s.providerId,
      scaleDenominator: s.scaleDenominator,
      datasets: 0,
      units: 0n,
      decimals,
    };
    const to = Math.max(g.decimals, decimals);
    g.units = g.units * 10n ** BigInt(to - g.decimals) + BigInt(m[1]! + (m[2] ?? '')) * 10n ** BigInt(to - decimals);
    g.decimals = to;
    g.datasets += s.datasets;
    groups.set(key, g);
  };
  return {
    addSum,
    add(d: Omit<MapDataset, 'datasetId'>): void {
      const days = daysInServiceDuring(year, d.inServiceFrom, d.inServiceTo);
      if (days === 0) return;
      addSum({
        providerId: d.providerId,
        scaleDenominator: d.scaleDenominator,
        datasets: 1,
        areaKm2Days: toDecimal(mulF(parseDecimal(d.areaKm2), fraction(BigInt(days))), decimalsOf(d.areaKm2)),
      });
    },
    sums(): MapMaterialSum[] {
      return [...groups.values()]
        .sort((a, b) => compareIds(a.providerId, b.providerId) || a.scaleDenominator - b.scaleDenominator)
        .map((g) => ({
          providerId: g.providerId,
          scaleDenominator: g.scaleDenominator,
          datasets: g.datasets,
          areaKm2Days: toDecimal(fraction(g.units, 10n ** BigInt(g.decimals)), g.decimals),
        }));
    },
  };
}

const decimalsOf = (decimal: string) => decimal.trim().split('.')[1]?.length ?? 0;

/** The sums of a list of datasets (tests, and small inputs held in memory). */
export function sumMapMaterial(year: number, datasets: readonly MapDataset[]): MapMaterialSum[] {
  const sums = mapMaterialSums(year);
  for (const d of datasets) sums.add(d);
  return sums.sums();
}

function addressBases(input: SettlementInput): Basis<AddressTrace>[] {
  return input.addressMaterial.map((a) => ({
    providerId: a.providerId,
    weight: fraction(BigInt(a.addresses)),
    basis: { fraction: String(a.addresses), decimal: String(a.addresses) },
    trace: [{ addresses: a.addresses }],
  }));
}

/**
 * M2–M6: the statement of a year. Inputs that do not fit together (unknown providers,
 * duplicate ids, unusable numbers or dates) are refused with every problem listed:
 * `validateSettlementInput` returns them, this throws them as a SettlementInputError.
 */
export function calculateStatement(input: SettlementInput): Statement {
  const problems = validateSettlementInput(input);
  if (problems.length > 0) throw new SettlementInputError(problems);
  const revenue = revenueSummary(input.revenue);
  const map = settlePool('map', input.year, revenue, mapBases(input));
  const address = settlePool('address', input.year, revenue, addressBases(input));
  return {
    year: input.year,
    currency: 'EUR',
    revenue,
    pools: { map: map.summary, address: address.summary },
    lines: [...map.lines, ...address.lines],
  };
}

/** "1234.56" from 123456 cents; "-0.05" from -5. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${cents} is not a whole number of cents`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
