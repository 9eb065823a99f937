import type { IsoDate } from './calendar';

/** L5, A2: a private person must be at least 18 on the day (a 29 February birthday turns on 1 March). */
export function isAdult(birthDate: IsoDate, on: IsoDate): boolean {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by > 18 || (y - by === 18 && (m > bm || (m === bm && d >= bd)));
}

/** The Luhn (mod 10) check digit of a string of digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubled from the rightmost digit, as the check digit will follow it.
    let n = Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 2 : 1);
    if (n > 9) n -= 9;
    sum += n;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A2: a Swedish organisation number, `NNNNNN-NNNN` (the hyphen optional): ten digits whose last is
 * the Luhn check digit of the nine before it (Skatteverket). Answers the number written with the
 * hyphen, or why it is not one.
 */
export function organisationNumber(
  input: string,
): { ok: true; value: string } | { ok: false; problem: 'format' | 'check_digit' } {
  const match = /^(\d{6})-?(\d{4})$/.exec(input.trim());
  if (!match) return { ok: false, problem: 'format' };
  const digits = match[1]! + match[2]!;
  if (luhnCheckDigit(digits.slice(0, 9)) !== Number(digits[9])) return { ok: false, problem: 'check_digit' };
  return { ok: true, value: `${match[1]}-${match[2]}` };
}
