import { describe, expect, it } from 'vitest';
import { invoiceOcr, isValidOcr, luhnCheckDigit, ocrReference } from '../../domain/ocr';

/**
 * An independent Luhn check, written the textbook way (double every second digit from the right
 * of the full number, check digit included, and the sum must end in 0), to test the domain's against.
 */
function luhnValid(full: string): boolean {
  const digits = [...full].reverse().map(Number);
  const sum = digits.reduce((acc, d, i) => acc + (i % 2 === 1 ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d]! : d), 0);
  return sum % 10 === 0;
}

describe('OCR references (T6, Bankgirot)', () => {
  it('matches the textbook Luhn example and a hand-computed reference', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the classic Luhn example 79927398713
    expect(luhnValid('79927398713')).toBe(true);
    expect(ocrReference('1234567')).toBe('123456790'); // 7 digits + 2 → length digit 9; Luhn of 12345679 is 0
    expect(luhnValid('123456790')).toBe(true);
  });

  it('every reference carries its length digit and passes an independent Luhn check', () => {
    let seed = 17;
    for (let n = 0; n < 2000; n += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const length = 1 + (seed % 23);
      const base = String(seed).padStart(length, '7').slice(0, length);
      const ocr = ocrReference(base);
      expect(ocr.startsWith(base)).toBe(true);
      expect(ocr).toHaveLength(base.length + 2);
      expect(Number(ocr.at(-2))).toBe(ocr.length % 10);
      expect(luhnValid(ocr)).toBe(true);
      expect(isValidOcr(ocr)).toBe(true);
    }
  });

  it('refuses a changed digit, a swapped pair and a wrong length digit', () => {
    const ocr = invoiceOcr(2026, 42);
    expect(ocr).toBe(`2026000042${2}${ocr.at(-1)}`);
    expect(luhnValid(ocr)).toBe(true);
    const wrongDigit = `${ocr.slice(0, 3)}${(Number(ocr[3]) + 1) % 10}${ocr.slice(4)}`;
    expect(isValidOcr(wrongDigit)).toBe(false);
    const swapped = `${ocr.slice(0, 8)}${ocr[9]}${ocr[8]}${ocr.slice(10)}`;
    expect(isValidOcr(swapped)).toBe(false);
    expect(isValidOcr(`${ocr.slice(0, 10)}3${ocr.slice(11)}`)).toBe(false);
    expect(isValidOcr('12a4')).toBe(false);
  });

  it('refuses to build what Bankgirot would not read', () => {
    expect(() => ocrReference('')).toThrow(RangeError);
    expect(() => ocrReference('1'.repeat(24))).toThrow(RangeError);
    expect(() => ocrReference('12-3')).toThrow(RangeError);
  });
});
