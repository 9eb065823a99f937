/**
 * M6: a pool split to the cent so that the parts add up to the pool exactly, by the
 * largest-remainder (Hamilton) method.
 */
import { addF, compareF, fraction, ZERO, type Fraction } from '../../domain/fraction';
import { compareIds } from './model';

export interface Claim {
  providerId: string;
  /** Non-negative; only its ratio to the other weights matters. */
  weight: Fraction;
}

/**
 * Every provider first gets the whole cents of its exact share (floor); the cents left over
 * (fewer than there are providers) go one each to the largest remainders. Equal remainders
 * go to the lower provider id first (`compareIds`), so the result never depends on input order.
 */
export function largestRemainder(poolCents: number, claims: readonly Claim[]): Map<string, number> {
  if (!Number.isSafeInteger(poolCents) || poolCents < 0)
    throw new RangeError(`a pool to split must be a non-negative whole number of cents, not ${poolCents}`);
  const total = claims.reduce((sum, c) => addF(sum, c.weight), ZERO);
  if (total.num <= 0n || claims.some((c) => c.weight.num < 0n))
    throw new RangeError('the weights must be non-negative and add up to more than zero');
  if (new Set(claims.map((c) => c.providerId)).size !== claims.length)
    throw new RangeError('each provider may claim once');
  const pool = BigInt(poolCents);
  const parts = claims.map((c) => {
    // exact amount = pool × weight / total = numerator / denominator
    const numerator = pool * c.weight.num * total.den;
    const denominator = c.weight.den * total.num;
    return {
      providerId: c.providerId,
      cents: numerator / denominator,
      remainder: fraction(numerator % denominator, denominator),
    };
  });
  let left = pool - parts.reduce((sum, p) => sum + p.cents, 0n);
  const byRemainder = [...parts].sort(
    (a, b) => compareF(b.remainder, a.remainder) || compareIds(a.providerId, b.providerId),
  );
  for (const p of byRemainder) {
    if (left === 0n) break;
    p.cents += 1n;
    left -= 1n;
  }
  return new Map(parts.map((p) => [p.providerId, Number(p.cents)]));
}
