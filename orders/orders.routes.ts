import crypto from 'node:crypto';
import Handlebars from 'handlebars';
import { z } from 'zod';
import type { Db } from '../platform/db';
import { getAccount } from '../identity/accounts.store';
import type { Principal } from '../identity/credentials.store';
import {
  listFrameworkAgreements,
  getAgreement,
  getDelivery,
  getOrder,
  insertOrder,
  listAgreements,
  listDeliveries,
  listOrders,
  listProducts,
  orderEvents,
  type DeliveryRow,
  type OrderRow,
} from './orders.store';
import { stockholmDate } from '../domain/calendar';
import { toSvgPath, validateArea } from '../domain/geometry';
import { frameworkCovers, orderFee, priceOn } from './orders.rules';
import { DELIVERY_INTERVALS } from './subscriptions.rules';
import { getSubscription, subscriptionRuns, type SubscriptionRow } from './subscriptions.store';
import type { Config } from '../platform/config';
import { workflowIds } from '../platform/temporal/ids';
import type { DeliveryTyp } from './delivery.workflow';
import type { OrderInput } from './order.workflow';
import { accountScope, assertMayDoBusiness, assertVisible } from '../identity/auth';
import { ApiError, notFound } from '../platform/http/errors';
import type { WorkflowGateway } from '../platform/temporal/gateway';
import { defineRoute, paging } from '../platform/http/route';

const orderRequest = z.object({
  productId: z.string().min(1),
  format: z.string().min(1),
  deliveryMethod: z.enum(['download', 'physical_media']).default('download'),
  selection: z.unknown(),
  permittedUse: z.string().min(1).max(500).default('internal use within the organisation'),
  /** G8: subscribe, for new extracts at the annual fee, renewed yearly until cancelled. */
  subscription: z.boolean().default(false),
  /** G8: a subscription may also deliver by itself at a fixed interval. */
  deliveryInterval: z.enum(DELIVERY_INTERVALS).optional(),
});
const idParams = z.object({ id: z.uuid() });

/** A delivery in the words of the delivery API (G10). */
export const presentDelivery = (d: DeliveryRow) => ({ objektidentitet: d.id, skapad: d.created_at, status: d.status, typ: d.typ });

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

const presentSubscription = (s: SubscriptionRow) => ({
  status: s.status,
  term: s.term,
  termStart: s.term_start,
  termEnd: s.term_end,
  cancelledBy: s.cancelled_by,
  terminatedReason: s.terminated_reason,
  lastSuccessfulDelivery: s.last_delivery_id,
  unpaidInvoices: s.unpaid_invoices,
});

/** The subscription workflow of a visible subscription order that has started (G8). */
async function subscriptionOf(db: Db, principal: Principal, orderId: string) {
  const order = assertVisible(principal, await getOrder(db, orderId), `Order ${orderId}`);
  // Answered here, because an order that is not a subscription has no subscription workflow to ask.
  if (!order.subscription) throw new ApiError(409, 'not_a_subscription', `Order ${orderId} is not a subscription (G8)`);
  const subscription = await getSubscription(db, orderId);
  if (!subscription) throw new ApiError(409, 'subscription_not_started', `The subscription on order ${orderId} starts when the order is approved`);
  if (subscription.status === 'ended' || subscription.status === 'terminated') throw new ApiError(409, 'subscription_ended', `The subscription on order ${orderId} has ended`);
  return workflowIds.subscription(orderId);
}

/** G8, G10: a new delivery on a subscription, answered as the delivery API shows deliveries. */
export async function startDelivery(deps: { db: Db; workflows: WorkflowGateway }, principal: Principal, orderId: string, typ: DeliveryTyp) {
  const workflowId = await subscriptionOf(deps.db, principal, orderId);
  const { deliveryId } = await deps.workflows.update<{ deliveryId: string }>(workflowId, 'startDelivery', { by: principal.id, typ });
  return presentDelivery((await getDelivery(deps.db, deliveryId))!);
}

/** Geodata orders (G1–G9): catalogue, quote, order, the handler's decision, agreements. */
export function orderRoutes(deps: { db: Db; workflows: WorkflowGateway; config: Config }) {
  /** G2, G3: the fee of a request, computed the same way for the quote and the order. */
  async function price(principal: Principal, body: z.infer<typeof orderRequest>) {
    const [products, account, frameworks] = await Promise.all([listProducts(deps.db), getAccount(deps.db, principal.accountId!), listFrameworkAgreements(deps.db, principal.accountId!)]);
    const product = products.find((p) => p.id === body.productId);
    if (!product) throw new ApiError(422, 'unknown_product', `There is no product ${body.productId}; see GET /api/v1/products`);
    if (!product.formats.includes(body.format)) throw new ApiError(422, 'unknown_format', `${product.name_en} comes as ${product.formats.join(', ')}, not ${body.format}`);
    const area = validateArea(body.selection);
    if (!area.ok) throw new ApiError(422, 'invalid_selection', `The selection is not valid: ${area.problems.map((p) => p.message).join('; ')}`, area.problems);
    const today = stockholmDate(new Date());
    const version = priceOn(product.prices, today);
    if (!version) throw new ApiError(422, 'no_price', `${product.name_en} has no price valid on ${today}`);
    if (body.subscription && !version.annualFee) throw new ApiError(422, 'not_subscribable', `${product.name_en} cannot be subscribed to`);
    if (body.deliveryInterval && !body.subscription) throw new ApiError(422, 'interval_needs_subscription', 'Deliveries at a fixed interval come with a subscription (G8)');
    if (body.subscription && body.deliveryMethod !== 'download') throw new ApiError(422, 'subscription_needs_download', 'A subscription delivers its extracts for download (G8), not on physical media');
    const fee = orderFee(version, area.areaM2, account!.kind, body.subscription);
    const framework = frameworks.find((f) => frameworkCovers(f, product.id, today)) ?? null;
    return { product, area, fee, account: account!, framework };
  }

  const update = (id: string, name: string, arg: unknown) => deps.workflows.update(workflowIds.geodataOrder(id), name, arg);
  const visibleOrder = async (principal: Principal, id: string) => assertVisible(principal, await getOrder(deps.db, id), `Order ${id}`);

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/products',
      tag: 'orders',
      summary: 'The catalogue with the prices valid today (G1, T3)',
      auth: 'authenticated',
      handler: async () => {
        const today = stockholmDate(new Date());
        const products = await listProducts(deps.db);
        return {
          body: products.map((p) => {
            const price = priceOn(p.prices, today) ?? null;
            return { id: p.id, name: { sv: p.name_sv, en: p.name_en }, openData: p.open_data, formats: p.formats, subscribable: Boolean(price?.annualFee), price };
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/quote',
      tag: 'orders',
      summary: 'The fee of an order before it is placed (G2, G3); the same figure goes on the order',
      auth: ['customer'],
      body: orderRequest,
      handler: async ({ body, principal }) => {
        const { product, area, fee, framework } = await price(principal, body);
        return {
          body: {
            productId: product.id,
            areaM2: area.areaM2,
            areaKm2: area.areaKm2,
            priceListVersion: fee.priceListVersion,
            lines: fee.lines.map((l) => ({ ...l, description: l.kind === 'area' ? `${product.name_en}, ${area.areaKm2.toFixed(3)} km²` : `${product.name_en}, annual subscription` })),
            net: fee.net,
            vat: fee.vat,
            total: fee.total,
            minimumApplied: fee.minimumApplied,
            display: fee.display,
            needsApproval: !product.open_data && !framework,
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders',
      tag: 'orders',
      summary: 'Place an order; the confirmation e-mail goes out at once (G3–G6)',
      auth: ['customer'],
      body: orderRequest,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal }) => {
        const { product, area, fee, account, framework } = await price(principal, body);
        assertMayDoBusiness(account);
        const id = crypto.randomUUID();
        const placedAt = new Date();
        const order = await insertOrder(
          deps.db,
          {
            id, account_id: account.id, user_id: principal.kind === 'user' ? principal.id : null, product_id: product.id, format: body.format,
            delivery_method: body.deliveryMethod, selection: area.geometry, area_m2: area.areaM2, price_list_version: fee.priceListVersion, fee,
            framework_agreement_id: framework?.id ?? null, subscription: body.subscription, delivery_interval: body.deliveryInterval ?? null, permitted_use: body.permittedUse, status: 'submitted', placed_at: placedAt,
          },
          () =>
            deps.workflows.start<[OrderInput]>('geodataOrder', workflowIds.geodataOrder(id), [
              {
                orderId: id, accountId: account.id, customer: { name: account.name, email: account.email, language: account.language },
                product: { id: product.id, name: account.language === 'sv' ? product.name_sv : product.name_en, openData: product.open_data },
                format: body.format, selection: area.geometry, fee, deliveryMethod: body.deliveryMethod, frameworkAgreementId: framework?.id ?? null, subscription: body.subscription, deliveryInterval: body.deliveryInterval ?? null,
                placedAt: placedAt.getTime(), publicUrl: deps.config.publicUrl, deliveryLinkTtlHours: deps.config.DELIVERY_LINK_TTL_HOURS,
              },
            ]),
        );
        return { body: presentOrder(order) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/orders',
      tag: 'orders',
      summary: 'Orders, oldest first (the handlers’ queue with ?status=awaiting_approval); customers see their own (G6, G9)',
      auth: ['customer', 'handler', 'finance', 'admin'],
      query: z.object({ status: z.string().max(40).optional(), ...paging }),
      handler: async ({ query, principal }) => {
        const { items, total } = await listOrders(deps.db, { ...query, accountId: accountScope(principal) });
        return { body: { items: items.map(presentOrder), total, limit: query.limit, offset: query.offset } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/orders/:id',
      tag: 'orders',
      summary: 'One order with its history and its deliveries, newest last (G6, G9)',
      auth: ['customer', 'handler', 'finance', 'admin'],
      params: idParams,
      handler: async ({ params, principal }) => {
        const order = await visibleOrder(principal, params.id);
        const deliveries = (await listDeliveries(deps.db, order.id)).map(presentDelivery);
        const subscription = await getSubscription(deps.db, order.id);
        return {
          body: {
            ...presentOrder(order), selection: order.selection, selectionSvg: toSvgPath(order.selection, 240, 240), history: await orderEvents(deps.db, order.id), deliveries, latestDelivery: deliveries.at(-1) ?? null,
            subscriptionState: subscription ? { ...presentSubscription(subscription), runs: await subscriptionRuns(deps.db, order.id) } : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/approve',
      tag: 'orders',
      summary: 'A handler approves; for a fee-based product this concludes the end-use agreement (G4)',
      auth: ['handler'],
      params: idParams,
      handler: async ({ params, principal }) => {
        await visibleOrder(principal, params.id);
        return { body: await update(params.id, 'approve', { by: principal.id }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/reject',
      tag: 'orders',
      summary: 'A handler rejects, with a reason the customer sees',
      auth: ['handler'],
      params: idParams,
      body: z.object({ reason: z.string().trim().min(3).max(1000) }),
      handler: async ({ params, body, principal }) => {
        await visibleOrder(principal, params.id);
        return { body: await update(params.id, 'reject', { by: principal.id, reason: body.reason }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/cancel',
      tag: 'orders',
      summary: 'The customer cancels, until the order is approved',
      auth: ['customer', 'handler'],
      params: idParams,
      handler: async ({ params, principal }) => {
        await visibleOrder(principal, params.id);
        return { body: await update(params.id, 'cancel', { by: principal.id }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/deliveries',
      tag: 'orders',
      summary: 'The customer starts a new extract on a subscription (G8); as POST …/leverans of the delivery API',
      auth: ['customer'],
      params: idParams,
      body: z.object({ typ: z.enum(['BAS', 'FORANDRING']) }),
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, body, principal }) => ({ body: await startDelivery(deps, principal, params.id, body.typ) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/cancel-subscription',
      tag: 'orders',
      summary: 'Cancel a subscription: it ends when the paid term does, without refund, and is not renewed (G8)',
      auth: ['customer', 'handler'],
      params: idParams,
      handler: async ({ params, principal }) => ({ body: await deps.workflows.update(await subscriptionOf(deps.db, principal, params.id), 'cancelSubscription', { by: principal.id }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/terminate',
      tag: 'orders',
      summary: 'An admin ends a subscription at once, with a reason (G8)',
      auth: ['admin'],
      params: idParams,
      body: z.object({ reason: z.string().trim().min(3).max(1000) }),
      handler: async ({ params, body, principal }) => ({ body: await deps.workflows.update(await subscriptionOf(deps.db, principal, params.id), 'terminateSubscription', { by: principal.id, reason: body.reason }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/retry-delivery',
      tag: 'orders',
      summary: 'A handler restarts a failed production',
      auth: ['handler'],
      params: idParams,
      handler: async ({ params, principal }) => ({ body: await update(params.id, 'retryDelivery', { by: principal.id }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/shipment',
      tag: 'orders',
      summary: 'A handler records the shipment of a hard drive (G7)',
      auth: ['handler'],
      params: idParams,
      body: z.object({ carrier: z.string().trim().min(1).max(100), trackingNumber: z.string().trim().min(1).max(100) }),
      handler: async ({ params, body, principal }) => ({ body: await update(params.id, 'recordShipment', { by: principal.id, ...body }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/agreements',
      tag: 'orders',
      summary: "End-use agreements, newest first: a customer's own (G4, G9); ?status=valid|ended, paged",
      auth: ['customer', 'handler', 'admin'],
      query: z.object({ status: z.enum(['valid', 'ended']).optional(), ...paging }),
      handler: async ({ principal, query }) => ({ body: await listAgreements(deps.db, { accountId: accountScope(principal), today: stockholmDate(new Date()), ...query }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/agreements/:id/document',
      tag: 'orders',
      summary: 'The readable agreement document (HTML)',
      auth: ['customer', 'handler', 'admin'],
      params: idParams,
      handler: async ({ params, principal, res }) => {
        const agreement = assertVisible(principal, await getAgreement(deps.db, params.id), 'The agreement');
        const account = (await getAccount(deps.db, agreement.account_id))!;
        res.type('html').send(agreementDocument({ ...agreement, partyName: account.name, svg: toSvgPath(agreement.selection, 240, 240) }));
      },
    }),
  ];
}

const agreementDocument = Handlebars.compile(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Avtal för slutanvändning {{id}}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 44em; margin: 2em auto; line-height: 1.5">
<h1>Avtal för slutanvändning / End-use agreement</h1>
<dl>
<dt>Parter / Parties</dt><dd>Kartkontor och / and {{partyName}}</dd>
<dt>Produkt / Product</dt><dd>{{product_id}}</dd>
<dt>Område / Area</dt><dd>{{area_m2}} m²</dd>
<dt>Tillåten användning / Permitted use</dt><dd>{{permitted_use}}</dd>
<dt>Villkor / Terms</dt><dd>{{terms_version}}</dd>
<dt>Giltigt från / Valid from</dt><dd>{{valid_from}}{{#if valid_to}} – {{valid_to}}{{/if}}</dd>
<dt>Beställning / Order</dt><dd>{{order_id}}</dd>
</dl>
<svg width="240" height="240" viewBox="0 0 240 240" role="img" aria-label="Urval / Selection"><path d="{{svg}}" fill="#9cc3e0" stroke="#005a8c" fill-rule="evenodd"/></svg>
</body></html>`);
