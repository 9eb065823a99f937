import { zoneOffsetMinutes } from '../domain/calendar';
import type { Account } from '../identity/accounts.store';
import { DELIVERY_RETENTION_DAYS, orderLifecycle, type LeveransStatus } from './orders.rules';
import type { DeliveryFileRow, DeliveryRow, OrderRow, Product } from './orders.store';
import type { SubscriptionRow } from './subscriptions.store';

/** How the API shows orders and deliveries: shared by the back office's API and the delivery API (G10). */

/** An instant in ISO 8601 with Stockholm's offset, e.g. `2026-03-01T12:00:00.000+01:00` (G10). */
export function isoWithOffset(instant: Date | number): string {
  const ms = new Date(instant).getTime();
  const offset = zoneOffsetMinutes(ms, 'Europe/Stockholm');
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hours}:${minutes}`;
}

/** A size for people: bytes up to 1 kB, then one decimal. */
export function displaySize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) [size, unit] = [size / 1024, unit + 1];
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}

/** A delivery in the words of the delivery API (G10). */
export const presentDelivery = (d: DeliveryRow) => ({
  objektidentitet: d.id,
  skapad: isoWithOffset(d.created_at),
  uppdaterad: isoWithOffset(d.finished_at ?? d.created_at),
  status: d.status as LeveransStatus,
  typ: d.typ,
});

/** G10: a delivery with its `metadata`: the bytes of its files, for people too, and the days they are kept. */
export const presentLeverans = (
  d: DeliveryRow,
  files: Pick<DeliveryFileRow, 'length'>[],
  lagringstid = DELIVERY_RETENTION_DAYS,
) => {
  const size = files.reduce((sum, f) => sum + Number(f.length), 0);
  return {
    ...presentDelivery(d),
    metadata: {
      size,
      humanReadableSize: displaySize(size),
      lagringstid,
      // Past lagringstid the files are gone: the delivery says since when (its links answer 410).
      ...(d.files_removed_at ? { borttagen: isoWithOffset(d.files_removed_at) } : {}),
    },
  };
};

export const presentOrder = (o: OrderRow) => ({
  id: o.id,
  accountId: o.account_id,
  productId: o.product_id,
  format: o.format,
  deliveryMethod: o.delivery_method,
  areaM2: o.area_m2,
  priceListVersion: o.price_list_version,
  subscription: o.subscription,
  deliveryInterval: o.delivery_interval,
  fee: { lines: o.fee.lines, net: o.fee.net, vat: o.fee.vat, total: o.fee.total, minimumApplied: o.fee.minimumApplied },
  status: o.status,
  statusReason: o.status_reason,
  shipment: o.shipment,
  placedAt: o.placed_at,
  updatedAt: o.updated_at,
});

/**
 * The order as the delivery API shows it (G10): Geotorget's fields, and the back office's
 * (presentOrder) that clients of Kartkontor read. `status` is Geotorget's (AKTIV, AVSLUTAD);
 * the back office's status is `orderStatus` (docs/decisions/delivery-api.md).
 */
export function presentDeliveryApiOrder(
  o: OrderRow,
  related: {
    product: Pick<Product, 'id' | 'name_sv' | 'open_data'>;
    account: Pick<Account, 'id' | 'email'>;
    subscription: SubscriptionRow | undefined;
    latest: DeliveryRow | undefined;
  },
  now = new Date(),
) {
  const { product, account, subscription, latest } = related;
  const events = [o.updated_at, subscription?.updated_at, latest?.finished_at ?? latest?.created_at]
    .filter((d): d is Date => d != null)
    .map((d) => new Date(d).getTime());
  return {
    ...presentOrder(o),
    orderStatus: o.status,
    objektidentitet: o.id,
    produktnamn: product.name_sv,
    produktnummer: product.id,
    produktTyp: product.open_data ? 'ÖPPNA_DATA' : 'AVGIFTSBELAGD',
    status: orderLifecycle(o, subscription, now),
    abonnemang: o.subscription,
    skapad: isoWithOffset(o.placed_at),
    ordermarkning: o.ordermarkning,
    arendenummer: o.id,
    kundnummer: account.id,
    leveransepost: account.email,
    // A change extract can be asked for on a subscription (G8).
    produktinformation: { stodjerForandring: o.subscription },
    senasteHandelse: isoWithOffset(Math.max(...events)),
  };
}
