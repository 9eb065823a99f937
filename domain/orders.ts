/**
 * Fees of geodata orders (G2, G3, T1–T3). Pure: the API quotes with it, and the same
 * figures are locked into the order.
 */
import { displayPrice, money, mulDivHalfUp, vatOn, type CustomerKind, type Money } from './money';

export interface PriceVersion {
  productId: string;
  /** T3: the version is named by its valid-from date. */
  validFrom: string;
  pricePerKm2: Money;
  minimumFee: Money;
}

export interface OrderFee {
  priceListVersion: string;
  areaM2: number;
  /** The area fee before the minimum applies. */
  areaFee: Money;
  net: Money;
  vat: Money;
  total: Money;
  minimumApplied: boolean;
  /** What the customer is shown: with VAT for a private person, without for an organisation (T2). */
  display: { amount: Money; includesVat: boolean };
}

/** T3: the version valid on `date` is the latest whose valid-from is not after it. */
export function priceOn(versions: PriceVersion[], date: string): PriceVersion | undefined {
  return versions.filter((v) => v.validFrom <= date).sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1))[0];
}

/** G2, G3: area (m², exact) × price per km², rounded half up to whole öre, never below the minimum fee. */
export function orderFee(price: PriceVersion, areaM2: number, customer: CustomerKind): OrderFee {
  const areaFee = money(mulDivHalfUp(areaM2, BigInt(price.pricePerKm2.minor), 1_000_000n), 'SEK');
  const minimumApplied = areaFee.minor < price.minimumFee.minor;
  const net = minimumApplied ? price.minimumFee : areaFee;
  const vat = vatOn(net);
  return { priceListVersion: price.validFrom, areaM2, areaFee, net, vat, total: money(net.minor + vat.minor, 'SEK'), minimumApplied, display: displayPrice(net, customer) };
}

/** G5: a framework agreement covers an order when it is in force and names the product. */
export function frameworkCovers(agreement: { productIds: string[]; validFrom: string; validTo: string | null }, productId: string, date: string): boolean {
  return agreement.productIds.includes(productId) && agreement.validFrom <= date && (agreement.validTo === null || date <= agreement.validTo);
}
