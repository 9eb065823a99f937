/**
 * Checks that the settlement inputs fit together before anything is computed: every
 * material row names a known provider, ids are unique, numbers and dates are usable.
 * All problems are listed at once, so finance can fix them in one round.
 */
import { REVENUE_CATEGORIES, type SettlementInput } from './model';

export interface SettlementProblem {
  /** Where in the input, e.g. `mapMaterial[3].providerId`. */
  path: string;
  message: string;
}

export class SettlementInputError extends Error {
  constructor(readonly problems: SettlementProblem[]) {
    super(`The settlement inputs do not fit together: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

export function validateSettlementInput(input: SettlementInput): SettlementProblem[] {
  const problems: SettlementProblem[] = [];
  const fail = (path: string, message: string) => void problems.push({ path, message });

  if (!Number.isInteger(input.year) || input.year < 1000 || input.year > 9999)
    fail('year', `must be a four-digit year, not ${input.year}`);

  const known = new Set<string>();
  input.providerIds.forEach((id, i) => {
    if (id === '') fail(`providerIds[${i}]`, 'is empty');
    else if (known.has(id)) fail(`providerIds[${i}]`, `provider ${id} is listed twice`);
    known.add(id);
  });

  // Dataset ids and dates were checked row by row at import; here each sum must be usable.
  const sums = new Set<string>();
  input.mapMaterial.forEach((m, i) => {
    const at = (field: string) => `mapMaterial[${i}].${field}`;
    if (!known.has(m.providerId)) fail(at('providerId'), `names unknown provider ${m.providerId}`);
    if (!isCount(m.scaleDenominator) || m.scaleDenominator === 0)
      fail(at('scaleDenominator'), `must be a positive whole number, not ${m.scaleDenominator}`);
    else if (sums.has(`${m.providerId}:${m.scaleDenominator}`))
      fail(at('scaleDenominator'), `provider ${m.providerId} has a second sum at 1:${m.scaleDenominator}`);
    sums.add(`${m.providerId}:${m.scaleDenominator}`);
    if (!isCount(m.datasets) || m.datasets === 0)
      fail(at('datasets'), `must be a positive whole number, not ${m.datasets}`);
    if (!/^\d+(\.\d+)?$/.test(m.areaKm2Days))
      fail(at('areaKm2Days'), `"${m.areaKm2Days}" is not a non-negative decimal number`);
  });

  // One row per provider, as in the import: a second row is more likely a mistake than an addition.
  const addressProviders = new Set<string>();
  input.addressMaterial.forEach((a, i) => {
    const at = (field: string) => `addressMaterial[${i}].${field}`;
    if (!known.has(a.providerId)) fail(at('providerId'), `names unknown provider ${a.providerId}`);
    if (addressProviders.has(a.providerId))
      fail(at('providerId'), `provider ${a.providerId} has a second row of addresses`);
    addressProviders.add(a.providerId);
    if (!isCount(a.addresses)) fail(at('addresses'), `must be a whole number of addresses, not ${a.addresses}`);
  });

  // Ledger corrections may be negative. If the absolute amounts add up to a safe integer,
  // so does every category and pool total computed from them.
  let volume = 0n;
  input.revenue.forEach((r, i) => {
    const at = (field: string) => `revenue[${i}].${field}`;
    if (!REVENUE_CATEGORIES.includes(r.category))
      fail(at('category'), `must be one of ${REVENUE_CATEGORIES.join(', ')}, not ${r.category}`);
    if (r.source !== 'import' && r.source !== 'ledger')
      fail(at('source'), `must be import or ledger, not ${String(r.source)}`);
    if (!Number.isSafeInteger(r.amountCents))
      fail(at('amountCents'), `must be a whole number of cents, not ${r.amountCents}`);
    else volume += BigInt(Math.abs(r.amountCents));
  });
  if (volume > BigInt(Number.MAX_SAFE_INTEGER))
    fail('revenue', 'the amounts add up to more cents than can be counted exactly');
  return problems;
}
