import Handlebars from 'handlebars';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import { z } from 'zod';
import type { Db } from '../platform/db';
import { getAccount } from '../identity/accounts.store';
import {
  getAgreement,
  listAgreements,
  AGREEMENT_LIST_KEYS,
  ORDER_LIST_KEYS,
  listDeliveries,
  listOrders,
  listProducts,
  orderEvents,
  rolesOf,
} from './orders.store';
import { stockholmDate } from '../domain/calendar';
import { toSvgPath } from '../domain/geometry';
import { AGREEMENT_STATUSES, DELIVERY_TYPES, priceOn } from './orders.rules';
import { getSubscription, subscriptionRuns, type SubscriptionRow } from './subscriptions.store';
import { accountScope, assertVisible } from '../identity/auth';
import { presentAcceptance } from '../identity/terms';
import type { Principal } from '../platform/http/principal';
import { defineRoute, paging, readCursor, writeCursor } from '../platform/http/route';
import { orderRequest, type OrderService } from './orders.service';
import { presentDelivery, presentOrder } from './present';

const idParams = z.object({ id: z.uuid() });

/**
 * Who did something, as the viewer may see it: staff by role only to customers (issue 15), the
 * user's id besides to staff. A step without a user (the system, a system account) is `system`.
 */
const actorSeenBy = (viewer: Principal, id: string | null, role: string | null | undefined) =>
  id === null ? null : { role: role ?? 'system', userId: viewer.role === 'customer' ? null : id };

const presentSubscription = (s: SubscriptionRow, cancelledBy: ReturnType<typeof actorSeenBy>) => ({
  status: s.status,
  term: s.term,
  termStart: s.term_start,
  termEnd: s.term_end,
  cancelledBy,
  terminatedReason: s.terminated_reason,
  lastSuccessfulDelivery: s.last_delivery_id,
  unpaidInvoices: s.unpaid_invoices,
});

/** Geodata orders (G1–G9): catalogue, quote, order, the handler's decision, agreements. */
export function orderRoutes(deps: { db: Db; orders: OrderService }) {
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
            return {
              id: p.id,
              name: { sv: p.name_sv, en: p.name_en },
              openData: p.open_data,
              formats: p.formats,
              subscribable: Boolean(price?.annualFee),
              price,
            };
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
      accountRoles: ACCOUNT_ACCESS.order,
      body: orderRequest,
      handler: async ({ body, principal }) => {
        const { product, area, fee, needsApproval } = await deps.orders.quote(principal, body);
        return {
          body: {
            productId: product.id,
            areaM2: area.areaM2,
            areaKm2: area.areaKm2,
            priceListVersion: fee.priceListVersion,
            lines: fee.lines.map((l) => ({
              ...l,
              description:
                l.kind === 'area'
                  ? `${product.name_en}, ${area.areaKm2.toFixed(3)} km²`
                  : `${product.name_en}, annual subscription`,
            })),
            net: fee.net,
            vat: fee.vat,
            total: fee.total,
            minimumApplied: fee.minimumApplied,
            display: fee.display,
            needsApproval,
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
      accountRoles: ACCOUNT_ACCESS.order,
      body: orderRequest,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal }) => {
        const order = await deps.orders.place(principal, body);
        return {
          body: { ...presentOrder(order), termsAcceptance: await presentAcceptance(deps.db, { orderId: order.id }) },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/orders',
      tag: 'orders',
      summary:
        'Orders, oldest first (the handlers’ queue with ?status=awaiting_approval); customers see their own (G6, G9)',
      auth: ['customer', 'handler', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      query: z.object({ status: z.string().max(40).optional(), ...paging }),
      handler: async ({ query, principal }) => {
        const { items, next } = await listOrders(deps.db, {
          ...query,
          after: readCursor(query.cursor, ORDER_LIST_KEYS),
          accountId: accountScope(principal),
        });
        return { body: { items: items.map(presentOrder), next: writeCursor(next), limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/orders/:id',
      tag: 'orders',
      summary: 'One order with its history and its deliveries, newest last (G6, G9)',
      auth: ['customer', 'handler', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      params: idParams,
      handler: async ({ params, principal }) => {
        const order = await deps.orders.visibleOrder(principal, params.id);
        const deliveries = (await listDeliveries(deps.db, order.id)).map(presentDelivery);
        const subscription = await getSubscription(deps.db, order.id);
        const cancelledBy = subscription?.cancelled_by ?? null;
        const roles = await rolesOf(deps.db, [cancelledBy]);
        return {
          body: {
            ...presentOrder(order),
            // L1: the terms accepted by placing the order.
            termsAcceptance: await presentAcceptance(deps.db, { orderId: order.id }),
            shippingAddress: order.shipping_address,
            selection: order.selection,
            selectionSvg: toSvgPath(order.selection, 240, 240),
            history: (await orderEvents(deps.db, order.id)).map((e) => ({
              status: e.status,
              reason: e.reason,
              by: actorSeenBy(principal, e.by, e.by_role),
              at: e.at,
            })),
            deliveries,
            latestDelivery: deliveries.at(-1) ?? null,
            subscriptionState: subscription
              ? {
                  ...presentSubscription(subscription, actorSeenBy(principal, cancelledBy, roles.get(cancelledBy!))),
                  runs: await subscriptionRuns(deps.db, order.id),
                }
              : null,
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
        return { body: await deps.orders.decide(principal, params.id, 'approve', {}) };
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
        return { body: await deps.orders.decide(principal, params.id, 'reject', { reason: body.reason }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/cancel',
      tag: 'orders',
      summary: 'The customer cancels, until the order is approved',
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: idParams,
      handler: async ({ params, principal }) => {
        return { body: await deps.orders.decide(principal, params.id, 'cancel', {}) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/deliveries',
      tag: 'orders',
      summary: 'The customer starts a new extract on a subscription (G8); as POST …/leverans of the delivery API',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: idParams,
      body: z.object({ typ: z.enum(DELIVERY_TYPES) }),
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, body, principal }) => ({
        body: presentDelivery(await deps.orders.startDelivery(principal, params.id, body.typ)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/cancel-subscription',
      tag: 'orders',
      summary: 'Cancel a subscription: it ends when the paid term does, without refund, and is not renewed (G8)',
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: idParams,
      handler: async ({ params, principal }) => ({ body: await deps.orders.cancelSubscription(principal, params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/terminate',
      tag: 'orders',
      summary: 'An admin ends a subscription at once, with a reason (G8)',
      auth: ['admin'],
      params: idParams,
      body: z.object({ reason: z.string().trim().min(3).max(1000) }),
      handler: async ({ params, body, principal }) => ({
        body: await deps.orders.terminateSubscription(principal, params.id, body.reason),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/retry-delivery',
      tag: 'orders',
      summary: 'A handler restarts a failed production',
      auth: ['handler'],
      params: idParams,
      handler: async ({ params, principal }) => ({
        body: await deps.orders.decide(principal, params.id, 'retryDelivery', {}),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/orders/:id/shipment',
      tag: 'orders',
      summary: 'A handler records the shipment of a hard drive (G7)',
      auth: ['handler'],
      params: idParams,
      body: z.object({ carrier: z.string().trim().min(1).max(100), trackingNumber: z.string().trim().min(1).max(100) }),
      handler: async ({ params, body, principal }) => ({
        body: await deps.orders.decide(principal, params.id, 'recordShipment', body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/agreements',
      tag: 'orders',
      summary: "End-use agreements, newest first: a customer's own (G4, G9); ?status=valid|ended, paged",
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      query: z.object({ status: z.enum(AGREEMENT_STATUSES).optional(), ...paging }),
      handler: async ({ principal, query }) => {
        const { items, next } = await listAgreements(deps.db, {
          ...query,
          accountId: accountScope(principal),
          today: stockholmDate(new Date()),
          after: readCursor(query.cursor, AGREEMENT_LIST_KEYS),
        });
        return { body: { items, next: writeCursor(next), limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/agreements/:id/document',
      tag: 'orders',
      summary: 'The readable agreement document (HTML)',
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      params: idParams,
      handler: async ({ params, principal, res }) => {
        const agreement = assertVisible(principal, await getAgreement(deps.db, params.id), 'The agreement');
        const account = (await getAccount(deps.db, agreement.account_id))!;
        res
          .type('html')
          .send(
            agreementDocument({ ...agreement, partyName: account.name, svg: toSvgPath(agreement.selection, 240, 240) }),
          );
      },
    }),
  ];
}

const agreementDocument = Handlebars.compile(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Avtal för slutanvändning {{id}}</title>
<link rel="stylesheet" href="/app/assets/documents.css"></head>
<body class="agreement">
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
