import type { Area } from '../domain/geometry';
import type { OrderFee, PriceVersion } from './orders.rules';
import type { DeliveryInterval } from './subscriptions.rules';
import { keysetPage, UNIQUE_VIOLATION, type Db, type KeysetKey } from '../platform/db';

export interface Product {
  id: string;
  name_sv: string;
  name_en: string;
  open_data: boolean;
  formats: string[];
}

export interface ShippingAddress {
  name: string;
  street: string;
  postalCode: string;
  city: string;
}

export interface OrderRow {
  id: string;
  account_id: string;
  user_id: string | null;
  product_id: string;
  format: string;
  delivery_method: 'download' | 'physical_media';
  selection: Area;
  area_m2: number;
  price_list_version: string;
  fee: OrderFee;
  framework_agreement_id: string | null;
  /** G8: a subscription gives the right to new extracts while its terms run. */
  subscription: boolean;
  /** G8: a fixed-interval subscription's interval; null: extracts on request only. */
  delivery_interval: DeliveryInterval | null;
  permitted_use: string;
  /** G10: the customer's own marking of the order, if any. */
  ordermarkning: string | null;
  status: string;
  status_reason: string | null;
  shipment: { carrier: string; trackingNumber: string } | null;
  /** G7: where a hard drive is shipped; null for a download. */
  shipping_address: ShippingAddress | null;
  placed_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  order_id: string;
  typ: 'BAS' | 'FORANDRING';
  status: 'PÅGÅENDE' | 'LYCKAD' | 'MISSLYCKAD';
  /** The data version the delivery holds; FORANDRING holds the changes since `since_version`. */
  data_version: number | null;
  since_version: number | null;
  created_at: Date;
  finished_at: Date | null;
  /** G10: when its files were removed, `lagringstid` days after it was made. */
  files_removed_at: Date | null;
}

export interface DeliveryFileRow {
  delivery_id: string;
  name: string;
  type: string;
  length: number;
  storage_key: string;
  updated_at: Date;
}

export async function listProducts(db: Db): Promise<(Product & { prices: PriceVersion[] })[]> {
  const [products, prices] = await Promise.all([
    db('products').orderBy('id'),
    db('price_list').orderBy(['product_id', 'valid_from']),
  ]);
  return products.map((p: Product) => ({
    ...p,
    prices: prices
      .filter((v) => v.product_id === p.id)
      .map((v) => ({
        productId: v.product_id,
        validFrom: v.valid_from,
        pricePerKm2: { minor: v.price_per_km2_minor, currency: 'SEK' as const },
        minimumFee: { minor: v.minimum_fee_minor, currency: 'SEK' as const },
        annualFee: v.annual_fee_minor === null ? null : { minor: v.annual_fee_minor, currency: 'SEK' as const },
      })),
  }));
}

export async function getProduct(db: Db, id: string): Promise<Product | undefined> {
  return db('products').where({ id }).first();
}

/** G5: framework agreements, of one account or (for admins) all, oldest first. */
export async function listFrameworkAgreements(db: Db, accountId?: string) {
  const query = db('framework_agreements').orderBy(['valid_from', 'id']);
  const rows: Record<string, unknown>[] = await (accountId ? query.where({ account_id: accountId }) : query);
  return rows.map((r) => ({
    id: r.id as string,
    accountId: r.account_id as string,
    kind: r.kind as string,
    productIds: r.product_ids as string[],
    validFrom: r.valid_from as string,
    validTo: r.valid_to as string | null,
  }));
}

export async function createFrameworkAgreement(
  db: Db,
  input: { accountId: string; kind: string; productIds: string[]; validFrom: string; validTo: string | null },
) {
  const [row] = await db('framework_agreements')
    .insert({
      account_id: input.accountId,
      kind: input.kind,
      product_ids: input.productIds,
      valid_from: input.validFrom,
      valid_to: input.validTo,
    })
    .returning('*');
  return row;
}

/** Stores the order and its first event, and runs `start` (its workflow) before committing: no order without its workflow. */
export async function insertOrder(
  db: Db,
  order: Omit<OrderRow, 'updated_at' | 'status_reason' | 'shipment' | 'ordermarkning' | 'shipping_address'> & {
    ordermarkning?: string | null;
    shipping_address?: ShippingAddress | null;
  },
  start: (trx: Db) => Promise<unknown>,
): Promise<OrderRow> {
  return db.transaction(async (trx) => {
    // The order and its first event in one statement.
    const insert = trx('orders')
      .insert({
        ...order,
        selection: JSON.stringify(order.selection),
        fee: JSON.stringify(order.fee),
        shipping_address: order.shipping_address ? JSON.stringify(order.shipping_address) : null,
      })
      .returning('*')
      .toSQL();
    const {
      rows: [row],
    } = await trx.raw(
      `WITH inserted AS (${insert.sql}), event AS (INSERT INTO order_events (order_id, status, "by") SELECT id, status, user_id FROM inserted) SELECT * FROM inserted`,
      insert.bindings,
    );
    await start(trx);
    return row as OrderRow;
  });
}

export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return db('orders').where({ id }).first();
}

/** Oldest first: the handlers' queue in the order the orders came (keyset, issue 20). */
export const ORDER_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'placed_at', kind: 'timestamp' },
  { column: 'id', kind: 'uuid' },
];

export async function listOrders(
  db: Db,
  filter: { accountId?: string; status?: string; limit: number; after?: unknown[] },
) {
  const query = db('orders').modify((q) => {
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.status) q.where({ status: filter.status });
  });
  return keysetPage<OrderRow>(db, query, ORDER_LIST_KEYS, 'asc', filter.limit, filter.after);
}

/** Every transition is stored, so lists and reports read the database, not the workflows (G6). */
export async function setOrderStatus(
  db: Db,
  id: string,
  status: string,
  reason: string | null,
  by: string | null,
): Promise<void> {
  // One statement, so atomic without a transaction of its own. A retried activity records a
  // transition once: an order already in the status is not updated, so no event is added.
  await db.raw(
    `WITH changed AS (
       UPDATE orders SET status = :status, status_reason = :reason, updated_at = now() WHERE id = :id AND status <> :status RETURNING id
     )
     INSERT INTO order_events (order_id, status, reason, "by") SELECT id, :status, :reason, :by FROM changed`,
    { id, status, reason, by },
  );
}

/** G7: the handler's record of a shipped hard drive. */
export async function setOrderShipment(
  db: Db,
  id: string,
  shipment: { carrier: string; trackingNumber: string },
): Promise<void> {
  await db('orders')
    .where({ id })
    .update({ shipment: JSON.stringify(shipment), updated_at: db.fn.now() });
}

/** An order's history; `by_role` is the role of the user who did it (null: the system, or a system account). */
export async function orderEvents(
  db: Db,
  id: string,
): Promise<{ status: string; reason: string | null; by: string | null; by_role: string | null; at: Date }[]> {
  const { rows } = await db.raw(
    `SELECT e.status, e.reason, e.by, u.role AS by_role, e.at
       FROM order_events e LEFT JOIN users u ON u.id::text = e.by
      WHERE e.order_id = ? ORDER BY e.id`,
    [id],
  );
  return rows;
}

/** The role of each of these users (for showing staff to customers by role, never by id). */
export async function rolesOf(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const known = ids.filter((id): id is string => id !== null && /^[0-9a-f-]{36}$/i.test(id));
  const rows: { id: string; role: string }[] = known.length
    ? await db('users').whereIn('id', known).select('id', 'role')
    : [];
  return new Map(rows.map((r) => [r.id, r.role]));
}

/**
 * G4: the order's end-use agreement, once per order, copied from the order in one statement; it
 * ends on `validTo` (a subscription's, G8) or runs on (null). Answers the agreement's id.
 */
export async function concludeAgreement(
  db: Db,
  orderId: string,
  approvedBy: string,
  period: { validFrom: string; validTo: string | null },
  termsVersion: string,
): Promise<string> {
  const { rows } = await db.raw(
    `INSERT INTO agreements (order_id, account_id, product_id, selection, area_m2, permitted_use, terms_version, valid_from, valid_to, approved_by)
     SELECT id, account_id, product_id, selection, area_m2, permitted_use, :termsVersion, CAST(:validFrom AS date), CAST(:validTo AS date), :approvedBy
     FROM orders WHERE id = :orderId
     ON CONFLICT (order_id) DO NOTHING RETURNING id`,
    { orderId, approvedBy, termsVersion, ...period },
  );
  return (rows[0] ?? (await db('agreements').where({ order_id: orderId }).first('id'))).id;
}

export async function getAgreement(db: Db, id: string) {
  return db('agreements').where({ id }).first();
}

/** Newest first (keyset, issue 20). */
export const AGREEMENT_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'created_at', kind: 'timestamp' },
  { column: 'id', kind: 'uuid' },
];

/** Agreements, newest first; `valid` ones have not ended by `today`, `ended` ones have. */
export async function listAgreements(
  db: Db,
  filter: { accountId?: string; status?: 'valid' | 'ended'; today: string; limit: number; after?: unknown[] },
) {
  const query = db('agreements').modify((q) => {
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.status === 'valid') q.where((w) => w.whereNull('valid_to').orWhere('valid_to', '>=', filter.today));
    if (filter.status === 'ended') q.where('valid_to', '<', filter.today);
  });
  return keysetPage<Record<string, unknown>>(db, query, AGREEMENT_LIST_KEYS, 'desc', filter.limit, filter.after);
}

/**
 * Creates or moves on a delivery. Returns false when the order already has another delivery
 * in progress (the partial unique index of migration 006 refused it).
 */
export async function upsertDelivery(
  db: Db,
  delivery: Pick<DeliveryRow, 'id' | 'order_id' | 'typ' | 'status'> &
    Partial<Pick<DeliveryRow, 'data_version' | 'since_version'>>,
): Promise<boolean> {
  try {
    await db('deliveries')
      .insert(delivery)
      .onConflict('id')
      .merge({
        status: delivery.status,
        finished_at: delivery.status === 'PÅGÅENDE' ? null : db.fn.now(),
        ...(delivery.data_version !== undefined ? { data_version: delivery.data_version } : {}),
      });
    return true;
  } catch (err) {
    const { code, constraint } = err as { code?: string; constraint?: string };
    if (code === UNIQUE_VIOLATION && constraint === 'deliveries_one_in_progress') return false;
    throw err;
  }
}

/** The delivery in progress on an order, if any. */
export async function deliveryInProgress(db: Db, orderId: string): Promise<DeliveryRow | undefined> {
  return db('deliveries').where({ order_id: orderId, status: 'PÅGÅENDE' }).first();
}

export async function addDeliveryFiles(db: Db, files: Omit<DeliveryFileRow, 'updated_at'>[]): Promise<void> {
  if (files.length > 0) await db('delivery_files').insert(files).onConflict(['delivery_id', 'name']).merge();
}

export async function latestDelivery(db: Db, orderId: string): Promise<DeliveryRow | undefined> {
  return db('deliveries').where({ order_id: orderId }).orderBy('created_at', 'desc').first();
}

export async function deliveryFiles(db: Db, deliveryId: string): Promise<DeliveryFileRow[]> {
  return db('delivery_files').where({ delivery_id: deliveryId }).orderBy('name');
}

/** G10: successful deliveries finished by `cutoff` whose files are still kept. */
export async function deliveriesToPurge(db: Db, cutoff: Date): Promise<Pick<DeliveryRow, 'id'>[]> {
  return db('deliveries')
    .where({ status: 'LYCKAD' })
    .whereNull('files_removed_at')
    .where('finished_at', '<=', cutoff)
    .select('id');
}

export async function markDeliveryFilesRemoved(db: Db, id: string, at: Date): Promise<void> {
  await db('deliveries').where({ id }).update({ files_removed_at: at });
}

export async function getDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  return db('deliveries').where({ id }).first();
}

export async function listDeliveries(db: Db, orderId: string): Promise<DeliveryRow[]> {
  return db('deliveries').where({ order_id: orderId }).orderBy('created_at');
}

/** The delivery's link; a retried activity finds the one made before instead of making another. */
export async function deliveryLink(
  db: Db,
  link: { token: string; deliveryId: string; orderId: string; expiresAt: Date },
): Promise<{ token: string; expires_at: Date }> {
  const [created] = await db('delivery_links')
    .insert({ token: link.token, delivery_id: link.deliveryId, order_id: link.orderId, expires_at: link.expiresAt })
    .onConflict('delivery_id')
    .ignore()
    .returning(['token', 'expires_at']);
  return created ?? db('delivery_links').where({ delivery_id: link.deliveryId }).first('token', 'expires_at');
}

export async function findDeliveryLink(
  db: Db,
  token: string,
): Promise<{ token: string; delivery_id: string; order_id: string; expires_at: Date } | undefined> {
  return db('delivery_links').where({ token }).first();
}

/** L8: the account's orders, whose workflows erasure asks about. */
export async function ordersOfAccount(db: Db, accountId: string): Promise<string[]> {
  return db('orders').where({ account_id: accountId }).pluck('id');
}

/** L8: the account's orders not in a final state (their workflows may still mail the customer). */
export async function openOrdersOfAccount(db: Db, accountId: string): Promise<string[]> {
  return db('orders')
    .where({ account_id: accountId })
    .whereNotIn('status', ['rejected', 'cancelled', 'shipped'])
    .pluck('id');
}

/** The ids among `ids` that name products in the catalogue. */
export async function productsExisting(db: Db, ids: string[]): Promise<string[]> {
  return db('products').whereIn('id', ids).pluck('id');
}
