import type { DeliveryRow, OrderRow } from './orders.store';

/** How the API shows orders and deliveries: shared by the back office's API and the delivery API (G10). */
/** A delivery in the words of the delivery API (G10). */
export const presentDelivery = (d: DeliveryRow) => ({
  objektidentitet: d.id,
  skapad: d.created_at,
  status: d.status,
  typ: d.typ,
});

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
