/**
 * Day arithmetic for M5's proration, in plain integers (no Date): it runs for every dataset
 * of every provider, and must give the same day counts on every machine.
 */

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
export const daysInYear = (year: number): number => (isLeapYear(year) ? 366 : 365);
const daysInMonth = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Days since 1970-01-01 of an ISO date "YYYY-MM-DD", or null if there is no such day (2025-02-29). */
export function dayNumber(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || d < 1 || d > daysInMonth(y, month)) return null;
  // H. Hinnant's days_from_civil: years start in March, so the leap day ends the year.
  const yy = month <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yearOfEra = yy - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + d - 1;
  return (
    era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468
  );
}

function day(iso: string): number {
  const n = dayNumber(iso);
  if (n === null) throw new RangeError(`"${iso}" is not a date of the form YYYY-MM-DD`);
  return n;
}

/** M5: days in service during the year, both ends inclusive, clipped to the year; 0 if not in service. */
export function daysInServiceDuring(year: number, from: string, to: string | null): number {
  const first = Math.max(day(from), day(`${year}-01-01`));
  const last = Math.min(to === null ? Infinity : day(to), day(`${year}-12-31`));
  return Math.max(0, last - first + 1);
}
