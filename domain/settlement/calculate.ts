/**
 * The yearly royalty settlement (M2–M6): pools from the year's revenue, shares by the
 * material each provider supplied, and payouts to the cent that add up to each pool.
 * Pure and deterministic: the same inputs always give the same statement (M6).
 */
import { parseIsoDate, type IsoDate } from '../calendar';
import { addF, compareF, divF, formatFraction, fraction, mulF, parseDecimal, toDecimal, ZERO, type Fraction } from '../fraction';

export const REVENUE_CATEGORIES = ['usage_fee', 'copy_permit', 'publication_permit', 'address_search', 'address_register_cost'] as const;
export type RevenueCategory = (typeof REVENUE_CATEGORIES)[number];
/** M2, M4: these categories are shared by map material; M3: the other two make the address pool. */
const MAP_CATEGORIES: readonly RevenueCategory[] = ['usage_fee', 'copy_permit', 'publication_permit'];

export interface MapDataset {
  providerId: string;
  datasetId: string;
  /** Decimal text, kept exact: "1234.5". */
  areaKm2: string;
  scaleDenominator: number;
  inServiceFrom: IsoDate;
  /** Inclusive; null = still in service. */
  inServiceTo: IsoDate | null;
}

export interface AddressMaterial {
  providerId: string;
  addresses: number;
}

export interface RevenueEntry {
  category: RevenueCategory;
  /** EUR cents (T1). */
  amountCents: number;
  /** Imported from a CSV file, or booked by this system's own invoicing. */
  source: 'import' | 'ledger';
}

export interface SettlementInput {
  year: number;
  providerIds: string[];
  mapMaterial: MapDataset[];
  addressMaterial: AddressMaterial[];
  revenue: RevenueEntry[];
}

export interface DatasetTrace {
  datasetId: string;
  areaKm2: string;
  scaleDenominator: number;
  daysInService: number;
  daysInYear: number;
  weight: string;
}

export interface StatementLine {
  providerId: string;
  pool: 'map' | 'address';
  /** The provider's weight (map) or number of addresses (address), exact and as a decimal. */
  basis: { fraction: string; decimal: string };
  share: { fraction: string; percent: string };
  amountCents: number;
  /** M6: the inputs behind the figure. */
  trace: DatasetTrace[];
}

export interface PoolSummary {
  amountCents: number;
  distributedCents: number;
  /** Why a pool was not distributed (a deficit, or no material to share it by). */
  undistributedReason: string | null;
}

export interface Statement {
  year: number;
  currency: 'EUR';
  revenue: { category: RevenueCategory; importCents: number; ledgerCents: number; totalCents: number }[];
  pools: { map: PoolSummary; address: PoolSummary };
  lines: StatementLine[];
}

export class SettlementInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`The settlement inputs do not fit together: ${problems.join('; ')}`);
  }
}

const daysInYear = (year: number) => parseIsoDate(`${year + 1}-01-01`) - parseIsoDate(`${year}-01-01`);

/** M2, M5: days in service during the year, both ends inclusive, clipped to the year. */
export function daysInServiceDuring(year: number, from: IsoDate, to: IsoDate | null): number {
  const first = Math.max(parseIsoDate(from), parseIsoDate(`${year}-01-01`));
  const last = Math.min(to ? parseIsoDate(to) : Infinity, parseIsoDate(`${year}-12-31`));
  return Math.max(0, last - first + 1);
}

/** M2: weight = area km² / scale denominator × (days in service / days in the year). */
export function datasetWeight(year: number, d: MapDataset): { weight: Fraction; trace: DatasetTrace } {
  const days = daysInServiceDuring(year, d.inServiceFrom, d.inServiceTo);
  const total = daysInYear(year);
  const weight = mulF(divF(parseDecimal(d.areaKm2), fraction(BigInt(d.scaleDenominator))), fraction(BigInt(days), BigInt(total)));
  return {
    weight,
    trace: { datasetId: d.datasetId, areaKm2: d.areaKm2, scaleDenominator: d.scaleDenominator, daysInService: days, daysInYear: total, weight: formatFraction(weight) },
  };
}

/**
 * M6: splits `poolCents` by `weights` to the cent with the largest-remainder method: every
 * provider gets the whole cents of its exact share, then the cents left over go one each to
 * the largest remainders; equal remainders go to the lower provider id (string order).
 */
export function largestRemainder(poolCents: number, weights: { providerId: string; weight: Fraction }[]): Map<string, number> {
  const total = weights.reduce((sum, w) => addF(sum, w.weight), ZERO);
  const pool = BigInt(poolCents);
  const parts = weights.map((w) => {
    const share = divF(w.weight, total);
    const exactNum = pool * share.num;
    return { providerId: w.providerId, cents: exactNum / share.den, remainder: fraction(exactNum % share.den, share.den) };
  });
  let left = pool - parts.reduce((sum, p) => sum + p.cents, 0n);
  const order = [...parts].sort((a, b) => compareF(b.remainder, a.remainder) || (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0));
  for (const p of order) {
    if (left === 0n) break;
    p.cents += 1n;
    left -= 1n;
  }
  return new Map(parts.map((p) => [p.providerId, Number(p.cents)]));
}

function revenueSummary(revenue: RevenueEntry[]) {
  return REVENUE_CATEGORIES.map((category) => {
    const of = (source: RevenueEntry['source']) => revenue.filter((r) => r.category === category && r.source === source).reduce((s, r) => s + r.amountCents, 0);
    const importCents = of('import');
    const ledgerCents = of('ledger');
    return { category, importCents, ledgerCents, totalCents: importCents + ledgerCents };
  });
}

function poolLines(pool: 'map' | 'address', poolCents: number, bases: Map<string, { weight: Fraction; trace: DatasetTrace[] }>): { lines: StatementLine[]; summary: PoolSummary } {
  const entries = [...bases.entries()].filter(([, b]) => b.weight.num > 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (poolCents < 0) return { lines: [], summary: { amountCents: poolCents, distributedCents: 0, undistributedReason: 'deficit: costs exceed revenue, nothing to distribute' } };
  if (poolCents === 0) return { lines: [], summary: { amountCents: 0, distributedCents: 0, undistributedReason: null } };
  if (entries.length === 0) return { lines: [], summary: { amountCents: poolCents, distributedCents: 0, undistributedReason: 'no material in service to share the pool by' } };
  const total = entries.reduce((sum, [, b]) => addF(sum, b.weight), ZERO);
  const amounts = largestRemainder(poolCents, entries.map(([providerId, b]) => ({ providerId, weight: b.weight })));
  const lines = entries.map(([providerId, b]) => {
    const share = divF(b.weight, total);
    return {
      providerId,
      pool,
      basis: { fraction: formatFraction(b.weight), decimal: toDecimal(b.weight, 6) },
      share: { fraction: formatFraction(share), percent: toDecimal(mulF(share, fraction(100n)), 4) },
      amountCents: amounts.get(providerId)!,
      trace: b.trace,
    };
  });
  return { lines, summary: { amountCents: poolCents, distributedCents: poolCents, undistributedReason: null } };
}

/** M2–M6: the statement of a year from its inputs. */
export function calculateStatement(input: SettlementInput): Statement {
  const known = new Set(input.providerIds);
  const problems = [
    ...input.mapMaterial.filter((d) => !known.has(d.providerId)).map((d) => `map dataset ${d.datasetId} names unknown provider ${d.providerId}`),
    ...input.addressMaterial.filter((a) => !known.has(a.providerId)).map((a) => `address material names unknown provider ${a.providerId}`),
  ];
  if (problems.length > 0) throw new SettlementInputError(problems);

  const revenue = revenueSummary(input.revenue);
  const total = (cats: readonly RevenueCategory[]) => revenue.filter((r) => cats.includes(r.category)).reduce((s, r) => s + r.totalCents, 0);
  const mapPool = total(MAP_CATEGORIES);
  const addressPool = total(['address_search']) - total(['address_register_cost']);

  const mapBases = new Map<string, { weight: Fraction; trace: DatasetTrace[] }>();
  for (const d of [...input.mapMaterial].sort((a, b) => (a.datasetId < b.datasetId ? -1 : 1))) {
    const { weight, trace } = datasetWeight(input.year, d);
    const basis = mapBases.get(d.providerId) ?? { weight: ZERO, trace: [] };
    mapBases.set(d.providerId, { weight: addF(basis.weight, weight), trace: [...basis.trace, trace] });
  }
  const addressBases = new Map<string, { weight: Fraction; trace: DatasetTrace[] }>();
  for (const a of input.addressMaterial) {
    const basis = addressBases.get(a.providerId) ?? { weight: ZERO, trace: [] };
    addressBases.set(a.providerId, { weight: addF(basis.weight, fraction(BigInt(a.addresses))), trace: [] });
  }

  const map = poolLines('map', mapPool, mapBases);
  const address = poolLines('address', addressPool, addressBases);
  return { year: input.year, currency: 'EUR', revenue, pools: { map: map.summary, address: address.summary }, lines: [...map.lines, ...address.lines] };
}

/** Canonical JSON (sorted keys) of the inputs, so a frozen statement can prove what it was computed from. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** "1234.56" from 123456 cents. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
