/**
 * OCR references as Bankgirot specifies them (T6): 2–25 digits, the last one a Luhn mod-10 check
 * digit over all before it, and the one before it a length digit (the reference's full length,
 * check and length digits included, modulo 10), so a bank can refuse a mistyped reference.
 */

const MIN_LENGTH = 2;
const MAX_LENGTH = 25;

/** Luhn mod 10 of a digit string: the digit that makes the whole string's Luhn sum a multiple of 10. */
export function luhnCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new RangeError(`not digits: "${digits}"`);
  let sum = 0;
  // From the right, the digit next to the check digit is doubled, then every other one.
  for (let i = digits.length - 1, double = true; i >= 0; i -= 1, double = !double) {
    const d = Number(digits[i]) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The OCR reference of `base` (digits): base, length digit, check digit. */
export function ocrReference(base: string): string {
  const length = base.length + 2;
  if (!/^\d+$/.test(base) || length > MAX_LENGTH)
    throw new RangeError(`an OCR reference is built from 1–${MAX_LENGTH - 2} digits, not "${base}"`);
  const withLength = `${base}${length % 10}`;
  return `${withLength}${luhnCheckDigit(withLength)}`;
}

/** True when `reference` has a valid length digit and check digit. */
export function isValidOcr(reference: string): boolean {
  if (!/^\d+$/.test(reference) || reference.length < MIN_LENGTH + 1 || reference.length > MAX_LENGTH) return false;
  const body = reference.slice(0, -1);
  return Number(reference.at(-2)) === reference.length % 10 && luhnCheckDigit(body) === Number(reference.at(-1));
}

/** An invoice's OCR reference: its number's digits (year and sequence), so it is unique per invoice. */
export function invoiceOcr(year: number, sequence: number): string {
  return ocrReference(`${year}${String(sequence).padStart(6, '0')}`);
}
