/**
 * Fees of geodata orders (G2, G3, G8, T1–T3). Pure: the API quotes with it, and the same
 * figures are locked into the order.
 */
import { priceInvoice } from '../domain/invoice';
import { displayPrice, money, mulDivHalfUp, type CustomerKind, type Money } from '../domain/money';
import type { OrderInput, OrderStatus } from './order.messages';

export interface PriceVersion {
  productId: string;
  /** T3: the version is named by its valid-from date. */
  validFrom: string;
  pricePerKm2: Money;
  minimumFee: Money;
  /** G8: the annual subscription fee; null when the product cannot be subscribed to. */
  annualFee: Money | null;
}

export interface FeeLine {
  kind: 'area' | 'annual_subscription';
  net: Money;
  vat: Money;
  total: Money;
}

export interface OrderFee {
  priceListVersion: string;
  areaM2: number;
  /** The area fee before the minimum applies. */
  areaFee: Money;
  /** The invoice lines; VAT is rounded per line (T2). */
  lines: FeeLine[];
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

/**
 * G2, G3: area (m², exact) × price per km², rounded half up to whole öre, never below the
 * minimum fee; G8: a subscription adds the annual fee as a line of its own.
 */
export function orderFee(price: PriceVersion, areaM2: number, customer: CustomerKind, subscription = false): OrderFee {
  if (subscription && !price.annualFee) throw new RangeError(`${price.productId} cannot be subscribed to`);
  const areaFee = money(mulDivHalfUp(areaM2, BigInt(price.pricePerKm2.minor), 1_000_000n), 'SEK');
  const minimumApplied = areaFee.minor < price.minimumFee.minor;
  const nets: [FeeLine['kind'], Money][] = [['area', minimumApplied ? price.minimumFee : areaFee]];
  if (subscription) nets.push(['annual_subscription', price.annualFee!]);
  const invoice = priceInvoice(
    'SEK',
    nets.map(([kind, net]) => ({ description: kind, quantity: 1, unitPrice: net })),
  );
  const lines = invoice.lines.map((l, i) => ({ kind: nets[i]![0], net: l.net, vat: l.vat, total: l.total }));
  // Shown line by line, so a private person's figure is the invoice's total to the öre.
  const shown = lines.map((l) => displayPrice(l.net, customer));
  const display = {
    amount: money(
      shown.reduce((sum, d) => sum + d.amount.minor, 0),
      'SEK',
    ),
    includesVat: shown[0]!.includesVat,
  };
  return {
    priceListVersion: price.validFrom,
    areaM2,
    areaFee,
    lines,
    net: invoice.net,
    vat: invoice.vat,
    total: invoice.total,
    minimumApplied,
    display,
  };
}

/** G5: a framework agreement covers an order when it is in force and names the product. */
export function frameworkCovers(
  agreement: { productIds: string[]; validFrom: string; validTo: string | null },
  productId: string,
  date: string,
): boolean {
  return (
    agreement.productIds.includes(productId) &&
    agreement.validFrom <= date &&
    (agreement.validTo === null || date <= agreement.validTo)
  );
}

/** G10: a full extract, or the changes since the previous successful delivery. */
export const DELIVERY_TYPES = ['BAS', 'FORANDRING'] as const;
export type DeliveryTyp = (typeof DELIVERY_TYPES)[number];

/** Agreements are valid until their last day, then ended. */
export const AGREEMENT_STATUSES = ['valid', 'ended'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** What of an order decides which actions a user is offered on it (as the API shows the order). */
export interface OrderFacts {
  status: OrderStatus;
  deliveryMethod: OrderInput['deliveryMethod'];
  subscription: boolean;
  /** The order's latest delivery (G10), null before the first. */
  latestDelivery: object | null;
}

/** The actions a user may take on an order; each is one API call that the order workflow still decides. */
export interface OrderActions {
  /** G4, G6: a handler approves or rejects an order that awaits approval. */
  approve: boolean;
  reject: boolean;
  /** The customer or a handler cancels an order until it is approved. */
  cancel: boolean;
  /** A handler restarts a failed production. */
  retryDelivery: boolean;
  /** G7: a produced hard drive waits as `delivered` until the handler records its shipment. */
  recordShipment: boolean;
  /** G8: the customer starts a new extract on a subscription once it has a delivery. */
  newExtract: boolean;
}

/** The actions `role` (customer, handler, finance, admin) is offered on an order. */
export function orderActions(order: OrderFacts, role: string): OrderActions {
  const handler = role === 'handler';
  const customer = role === 'customer';
  const awaiting = order.status === 'awaiting_approval';
  const beforeApproval = order.status === 'submitted' || awaiting;
  return {
    approve: handler && awaiting,
    reject: handler && awaiting,
    cancel: (customer || handler) && beforeApproval,
    retryDelivery: handler && order.status === 'failed',
    recordShipment: handler && order.deliveryMethod === 'physical_media' && order.status === 'delivered',
    newExtract: customer && order.subscription && order.latestDelivery !== null,
  };
}

/**
 * G10: a delivery's status in the delivery API. Kartkontor records the first three;
 * MAKULERAD (a delivery withdrawn) is part of the contract but never answered today
 * (docs/decisions/delivery-api.md).
 */
export const LEVERANS_STATUSES = ['PÅGÅENDE', 'LYCKAD', 'MISSLYCKAD', 'MAKULERAD'] as const;
export type LeveransStatus = (typeof LEVERANS_STATUSES)[number];

/** G10: how many days a delivery's files are kept from when it was made (`lagringstid`); DELIVERY_RETENTION_DAYS configures it. */
export const DELIVERY_RETENTION_DAYS = 90;

/**
 * G7: the formats production makes, and the kind of source each is made from: vector formats
 * from a product's GeoPackage, GeoTIFF from its elevation grid. An order for any other format is
 * refused when placed; production never delivers a format other than the one ordered.
 */
const FORMAT_KINDS: Record<string, 'vector' | 'grid'> = { GeoPackage: 'vector', GeoJSON: 'vector', GeoTIFF: 'grid' };
export const formatKind = (format: string): 'vector' | 'grid' | null => FORMAT_KINDS[format] ?? null;

/** One-off orders that will deliver no more: refused, cancelled, or delivered for download or shipped. */
const FINAL_ORDER_STATUSES = ['rejected', 'cancelled', 'shipped'];

/**
 * G10: an order is AKTIV while it can still deliver, AVSLUTAD once it has ended
 * (docs/decisions/delivery-api.md). A one-off order ends when refused, cancelled, or delivered
 * (a hard drive: shipped); a subscription when it has ended or was terminated, or its
 * cancelled term is over; a suspended subscription is still AKTIV (it delivers again once paid).
 */
export function orderLifecycle(
  order: { status: string; subscription: boolean; delivery_method: 'download' | 'physical_media' },
  subscription: { status: string; term_end: Date } | undefined,
  now: Date,
): 'AKTIV' | 'AVSLUTAD' {
  if (order.status === 'rejected' || order.status === 'cancelled') return 'AVSLUTAD';
  if (order.subscription) {
    if (!subscription) return 'AKTIV';
    if (subscription.status === 'ended' || subscription.status === 'terminated') return 'AVSLUTAD';
    return subscription.status === 'cancelled' && subscription.term_end.getTime() <= now.getTime()
      ? 'AVSLUTAD'
      : 'AKTIV';
  }
  const delivered = order.status === 'delivered' && order.delivery_method === 'download';
  return delivered || FINAL_ORDER_STATUSES.includes(order.status) ? 'AVSLUTAD' : 'AKTIV';
}
