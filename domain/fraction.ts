/** Exact non-negative rational numbers in bigint, for weights and shares that must never round (M6). */
export interface Fraction {
  num: bigint;
  den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y) [x, y] = [y, x % y];
  return x;
};

export function fraction(num: bigint, den: bigint = 1n): Fraction {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

export const ZERO: Fraction = { num: 0n, den: 1n };
export const addF = (a: Fraction, b: Fraction) => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const mulF = (a: Fraction, b: Fraction) => fraction(a.num * b.num, a.den * b.den);
export const divF = (a: Fraction, b: Fraction) => fraction(a.num * b.den, a.den * b.num);
export const compareF = (a: Fraction, b: Fraction) => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** "12.345" → 12345/1000, exactly; refuses anything but a plain non-negative decimal. */
export function parseDecimal(text: string): Fraction {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a non-negative decimal number`);
  const decimals = m[2] ?? '';
  return fraction(BigInt(m[1]! + decimals), 10n ** BigInt(decimals.length));
}

export const formatFraction = (f: Fraction) => (f.den === 1n ? `${f.num}` : `${f.num}/${f.den}`);

/** A fixed-point decimal string, rounded half up (display only; amounts never come from it). */
export function toDecimal(f: Fraction, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const scaled = (f.num * scale * 2n + f.den) / (2n * f.den);
  const whole = scaled / scale;
  const rest = (scaled % scale).toString().padStart(digits, '0');
  return digits > 0 ? `${whole}.${rest}` : `${whole}`;
}
