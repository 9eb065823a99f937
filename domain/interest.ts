import { addDays } from './calendar';
import { mulDivHalfUp } from './money';

/**
 * T7, L6: late-payment interest under the Swedish Interest Act (räntelagen 6 §): the reference
 * rate in force each day plus 8 percentage points, a year counted as 365 days, on what is
 * still owed that day. Rates are in basis points (hundredths of a percent), so every figure is an
 * integer and the sum over the days is exact; it is rounded once, half up, to whole öre.
 */

/** The reference rate from `validFrom` (YYYY-MM-DD; Riksbanken sets it for 1 January and 1 July). */
export interface ReferenceRate {
  validFrom: string;
  basisPoints: number;
}

/** The Interest Act's 8 percentage points above the reference rate. */
export const LATE_INTEREST_MARGIN_BASIS_POINTS = 800;
const DAYS_PER_YEAR = 365n;

export interface InterestPeriod {
  /** First and last day (inclusive) of a stretch with one rate and one debt. */
  from: string;
  to: string;
  days: number;
  /** The interest rate of the stretch, reference rate plus margin, in basis points. */
  basisPoints: number;
  debtMinor: number;
}

export class MissingReferenceRate extends Error {}

/** The reference rate in force on `date`: the latest valid on or before it. */
export function rateOn(rates: ReferenceRate[], date: string): ReferenceRate {
  let found: ReferenceRate | undefined;
  for (const r of rates) if (r.validFrom <= date && (!found || r.validFrom > found.validFrom)) found = r;
  if (!found) throw new MissingReferenceRate(`no reference rate is in force on ${date}`);
  return found;
}

/**
 * Interest on a debt due on `dueDate`, paid by `payments`: each day after the due date, up to and
 * including the day the last of it is paid, accrues on what was owed at the start of that day (a
 * payment made on a day stops interest from the next). Paid on or before the due date: none.
 */
export function lateInterest(input: {
  debtMinor: number;
  dueDate: string;
  payments: { paidOn: string; amountMinor: number }[];
  rates: ReferenceRate[];
}): { interestMinor: number; days: number; periods: InterestPeriod[] } {
  const payments = [...input.payments].sort((a, b) => (a.paidOn < b.paidOn ? -1 : a.paidOn > b.paidOn ? 1 : 0));
  const periods: InterestPeriod[] = [];
  let sum = 0n; // Σ debt × basis points over the days
  let days = 0;
  let owed = input.debtMinor;
  let next = 0;
  // Payments up to the due date are on time.
  while (next < payments.length && payments[next]!.paidOn <= input.dueDate) owed -= payments[next++]!.amountMinor;
  for (let day = addDays(input.dueDate, 1); owed > 0 && next < payments.length; day = addDays(day, 1)) {
    const basisPoints = rateOn(input.rates, day).basisPoints + LATE_INTEREST_MARGIN_BASIS_POINTS;
    sum += BigInt(owed) * BigInt(basisPoints);
    days += 1;
    const last = periods.at(-1);
    if (last && last.basisPoints === basisPoints && last.debtMinor === owed) {
      last.to = day;
      last.days += 1;
    } else periods.push({ from: day, to: day, days: 1, basisPoints, debtMinor: owed });
    while (next < payments.length && payments[next]!.paidOn <= day) owed -= payments[next++]!.amountMinor;
  }
  return { interestMinor: mulDivHalfUp(1, sum, 10_000n * DAYS_PER_YEAR), days, periods };
}
