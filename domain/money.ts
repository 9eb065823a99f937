import type { Language } from './vocabulary';
/**
 * Money (T1, T2): integer minor units (öre, cents) with an ISO 4217 currency, never floats.
 * Pure: used by workflows, activities and the API alike.
 */
export type Currency = 'SEK' | 'EUR';

export interface Money {
  minor: number;
  currency: Currency;
}

export type CustomerKind = 'private' | 'organisation';

/** Swedish standard VAT rate, in percent (T2, L5). */
export const VAT_PERCENT = 25;

export function money(minor: number, currency: Currency): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`money must be a whole number of minor units, got ${minor}`);
  return { minor, currency };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`cannot combine ${a.currency} and ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.minor + b.minor, a.currency);
}

export function multiply(m: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be a whole number, got ${quantity}`);
  return money(m.minor * quantity, m.currency);
}

/**
 * `minor × numerator / denominator`, rounded half up (half away from zero) to a whole
 * minor unit, computed in bigint so no float ever touches an amount.
 */
export function mulDivHalfUp(minor: number, numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const product = BigInt(minor) * numerator;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs * 2n + denominator) / (2n * denominator);
  return Number(negative ? -rounded : rounded);
}

/** VAT on one invoice line's net amount, rounded half up to whole öre (T2). */
export function vatOn(net: Money, percent: number = VAT_PERCENT): Money {
  return money(mulDivHalfUp(net.minor, BigInt(percent), 100n), net.currency);
}

/**
 * Decision (T2, L5): every domestic sale carries 25 % VAT. Prices are stated excluding VAT;
 * a private person is shown the price including VAT, an organisation the price excluding
 * VAT with the VAT beside it. Both are invoiced net + VAT per line.
 */
export function displayPrice(net: Money, kind: CustomerKind): { amount: Money; includesVat: boolean } {
  return kind === 'private' ? { amount: add(net, vatOn(net)), includesVat: true } : { amount: net, includesVat: false };
}

/** "1 234,50 kr" / "SEK 1,234.50" for e-mails and pages. */
export function formatMoney(m: Money, locale: Language): string {
  const negative = m.minor < 0;
  const abs = Math.abs(m.minor);
  const whole = Math.floor(abs / 100).toString();
  const cents = (abs % 100).toString().padStart(2, '0');
  const group = locale === 'sv' ? '\u00a0' : ',';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const sign = negative ? '-' : '';
  return locale === 'sv'
    ? `${sign}${grouped},${cents} ${m.currency === 'SEK' ? 'kr' : '€'}`
    : `${sign}${m.currency} ${grouped}.${cents}`;
}
