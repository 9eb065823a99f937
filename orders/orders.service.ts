import crypto from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { stockholmDate } from '../domain/calendar';
import { validateArea } from '../domain/geometry';
import type { Contact } from '../domain/vocabulary';
import { getAccount } from '../identity/accounts.store';
import { assertMayDoBusiness, assertVisible } from '../identity/auth';
import { placedBy } from '../identity/account-users.service';
import { acceptFor, termsToAccept } from '../identity/terms';
import type { Principal } from '../platform/http/principal';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import type { WorkflowGateway } from '../platform/temporal/gateway';
import {
  approveOrderUpdate,
  cancelOrderUpdate,
  geodataOrderWorkflow,
  orderCustomerCorrectedSignal,
  recordShipmentUpdate,
  rejectOrderUpdate,
  retryDeliveryUpdate,
  type OrderState,
} from './order.messages';
import { formatKind, frameworkCovers, orderFee, priceOn, type DeliveryTyp } from './orders.rules';
import {
  getDelivery,
  getOrder,
  insertOrder,
  listFrameworkAgreements,
  listProducts,
  openOrdersOfAccount,
  ordersOfAccount,
} from './orders.store';
import {
  cancelSubscriptionUpdate,
  customerCorrectedSignal,
  invoicePaidSignal,
  startDeliveryUpdate,
  subscriptionWorkflow,
  terminateSubscriptionUpdate,
} from './subscription.messages';
import { DELIVERY_INTERVALS } from './subscriptions.rules';
import { getSubscription, subscriptionOfInvoice, subscriptionOrdersOfAccount } from './subscriptions.store';

/** What a customer asks for, for a quote or an order (G2, G3, G7, G8). */
export const orderRequest = z.object({
  productId: z.string().min(1),
  format: z.string().min(1),
  deliveryMethod: z.enum(['download', 'physical_media']).default('download'),
  selection: z.unknown(),
  permittedUse: z.string().min(1).max(500).default('internal use within the organisation'),
  /** G8: subscribe, for new extracts at the annual fee, renewed yearly until cancelled. */
  subscription: z.boolean().default(false),
  /** G8: a subscription may also deliver by itself at a fixed interval. */
  deliveryInterval: z.enum(DELIVERY_INTERVALS).optional(),
  /** G10: the customer's own marking (a reference of theirs), shown back as `ordermarkning`. */
  ordermarkning: z.string().trim().min(1).max(100).optional(),
  /** L1, A2: the terms version the customer accepts by ordering; it must be the one in force. */
  termsVersion: z.string().min(1).max(40).optional(),
  /** G7: where a hard drive is shipped; required for physical media, refused for a download. */
  shippingAddress: z
    .object({
      name: z.string().trim().min(1).max(200),
      street: z.string().trim().min(1).max(200),
      postalCode: z
        .string()
        .trim()
        .regex(/^\d{3} ?\d{2}$/, 'a Swedish postal code, e.g. 123 45'),
      city: z.string().trim().min(1).max(100),
    })
    .optional(),
  /**
   * G3: the total (minor units) the customer was shown and confirms; when the price has changed
   * since, the order is refused with the new fee (409 fee_changed) instead of keeping another figure.
   */
  quotedTotal: z.number().int().nonnegative().optional(),
});
export type OrderRequest = z.infer<typeof orderRequest>;

/** A handler's or customer's decision on an order, carried out by the order workflow. */
const DECISIONS = {
  approve: approveOrderUpdate,
  reject: rejectOrderUpdate,
  cancel: cancelOrderUpdate,
  retryDelivery: retryDeliveryUpdate,
  recordShipment: recordShipmentUpdate,
} as const;
type Decisions = typeof DECISIONS;
/** What a decision takes besides who made it. */
export type DecisionDetails<D extends keyof Decisions> =
  Decisions[D] extends UpdateDefinition<OrderState, [infer A]> ? Omit<A, 'by'> : never;

export type OrderService = ReturnType<typeof createOrderService>;

/** The geodata-order use cases (G1–G10): what routes, pages, the CLI, tests and benchmarks call. */
export function createOrderService(deps: { db: Db; workflows: WorkflowGateway; config: Config }) {
  const { db, workflows } = deps;
  const visibleOrder = async (principal: Principal, id: string) =>
    assertVisible(principal, await getOrder(db, id), `Order ${id}`);

  /** G2, G3: the fee of a request, computed the same way for the quote and the order. */
  async function price(principal: Principal, body: OrderRequest) {
    const [products, account, frameworks] = await Promise.all([
      listProducts(db),
      getAccount(db, principal.accountId!),
      listFrameworkAgreements(db, principal.accountId!),
    ]);
    const product = products.find((p) => p.id === body.productId);
    if (!product)
      throw new ApiError(422, 'unknown_product', `There is no product ${body.productId}; see GET /api/v1/products`);
    if (!product.formats.includes(body.format))
      throw new ApiError(
        422,
        'unknown_format',
        `${product.name_en} comes as ${product.formats.join(', ')}, not ${body.format}`,
      );
    if (formatKind(body.format) === null)
      throw new ApiError(
        422,
        'format_not_producible',
        `${product.name_en} is listed as ${body.format}, but production cannot make ${body.format} yet; choose another format`,
      );
    const area = validateArea(body.selection);
    if (!area.ok)
      throw new ApiError(
        422,
        'invalid_selection',
        `The selection is not valid: ${area.problems.map((p) => p.message).join('; ')}`,
        area.problems,
      );
    const today = stockholmDate(new Date());
    const version = priceOn(product.prices, today);
    if (!version) throw new ApiError(422, 'no_price', `${product.name_en} has no price valid on ${today}`);
    if (body.subscription && !version.annualFee)
      throw new ApiError(422, 'not_subscribable', `${product.name_en} cannot be subscribed to`);
    if (body.deliveryInterval && !body.subscription)
      throw new ApiError(
        422,
        'interval_needs_subscription',
        'Deliveries at a fixed interval come with a subscription (G8)',
      );
    if (body.subscription && body.deliveryMethod !== 'download')
      throw new ApiError(
        422,
        'subscription_needs_download',
        'A subscription delivers its extracts for download (G8), not on physical media',
      );
    if (body.deliveryMethod === 'physical_media' && !body.shippingAddress)
      throw new ApiError(
        422,
        'shipping_address_required',
        'A hard drive is shipped to an address (G7): give shippingAddress',
      );
    if (body.deliveryMethod === 'download' && body.shippingAddress)
      throw new ApiError(422, 'shipping_address_not_used', 'A download is not shipped (G7): leave shippingAddress out');
    const fee = orderFee(version, area.areaM2, account!.kind, body.subscription);
    const framework = frameworks.find((f) => frameworkCovers(f, product.id, today)) ?? null;
    return { product, area, fee, account: account!, framework };
  }

  /** The subscription workflow of a visible subscription order that has started (G8). */
  async function subscriptionOf(principal: Principal, orderId: string) {
    const order = await visibleOrder(principal, orderId);
    // Answered here, because an order that is not a subscription has no subscription workflow to ask.
    if (!order.subscription)
      throw new ApiError(409, 'not_a_subscription', `Order ${orderId} is not a subscription (G8)`);
    const subscription = await getSubscription(db, orderId);
    if (!subscription)
      throw new ApiError(
        409,
        'subscription_not_started',
        `The subscription on order ${orderId} starts when the order is approved`,
      );
    if (subscription.status === 'ended' || subscription.status === 'terminated')
      throw new ApiError(409, 'subscription_ended', `The subscription on order ${orderId} has ended`);
    return subscriptionWorkflow.workflowId(orderId);
  }

  return {
    visibleOrder,

    /** G2, G3: the fee before the order is placed; `needsApproval` per G4, G5. */
    async quote(principal: Principal, body: OrderRequest) {
      const { product, area, fee, framework } = await price(principal, body);
      return { product, area, fee, needsApproval: !product.open_data && !framework };
    },

    /** G3–G6: places the order at the quoted fee and starts its workflow, which confirms by e-mail. */
    async place(principal: Principal, body: OrderRequest) {
      const { product, area, fee, account, framework } = await price(principal, body);
      // G3: the order keeps exactly the fee the customer confirmed, or is not placed.
      if (body.quotedTotal !== undefined && body.quotedTotal !== fee.total.minor)
        throw new ApiError(
          409,
          'fee_changed',
          `The fee has changed since the quote: it is now ${(fee.total.minor / 100).toFixed(2)} ${fee.total.currency}; confirm the new fee`,
          { total: fee.total, net: fee.net, vat: fee.vat, priceListVersion: fee.priceListVersion },
        );
      assertMayDoBusiness(account);
      const id = crypto.randomUUID();
      const placedAt = new Date();
      // A3: mail about the order goes to the user who placed it.
      const contact = await placedBy(db, principal, account);
      const termsVersion = await termsToAccept(db, body.termsVersion, placedAt);
      return insertOrder(
        db,
        {
          id,
          account_id: account.id,
          user_id: principal.kind === 'user' ? principal.id : null,
          product_id: product.id,
          format: body.format,
          delivery_method: body.deliveryMethod,
          selection: area.geometry,
          area_m2: area.areaM2,
          price_list_version: fee.priceListVersion,
          fee,
          framework_agreement_id: framework?.id ?? null,
          subscription: body.subscription,
          delivery_interval: body.deliveryInterval ?? null,
          permitted_use: body.permittedUse,
          shipping_address: body.shippingAddress ?? null,
          ordermarkning: body.ordermarkning ?? null,
          status: 'submitted',
          placed_at: placedAt,
        },
        async (trx) => {
          // L1: ordering accepts the terms; the acceptance is stored with the order.
          await acceptFor(trx, contact.userId, termsVersion, { accountId: account.id, orderId: id });
          await workflows.start(geodataOrderWorkflow, id, {
            orderId: id,
            accountId: account.id,
            customer: { name: contact.name, email: contact.email, language: contact.language },
            product: {
              id: product.id,
              name: account.language === 'sv' ? product.name_sv : product.name_en,
              openData: product.open_data,
            },
            format: body.format,
            selection: area.geometry,
            fee,
            deliveryMethod: body.deliveryMethod,
            frameworkAgreementId: framework?.id ?? null,
            subscription: body.subscription,
            deliveryInterval: body.deliveryInterval ?? null,
            placedAt: placedAt.getTime(),
            publicUrl: deps.config.publicUrl,
            deliveryLinkTtlHours: deps.config.DELIVERY_LINK_TTL_HOURS,
          });
        },
      );
    },

    /** A decision on a visible order; the order workflow refuses what its state does not allow. */
    async decide<D extends keyof Decisions>(
      principal: Principal,
      orderId: string,
      decision: D,
      details: DecisionDetails<D>,
    ): Promise<OrderState> {
      const order = await visibleOrder(principal, orderId);
      // A5, L9: approving starts the paid production; a blocked account's order waits for the unblock.
      if (decision === 'approve') {
        const account = await getAccount(db, order.account_id);
        if (account?.blocked_at)
          throw new ApiError(
            409,
            'account_blocked',
            `The account of order ${orderId} is blocked; approve it once unblocked`,
          );
      }
      const update = DECISIONS[decision] as UpdateDefinition<OrderState, [DecisionDetails<D> & { by: string }]>;
      return workflows.update(geodataOrderWorkflow.workflowId(orderId), update, { ...details, by: principal.id });
    },

    /** G8, G10: a new delivery on a subscription; answers its row. */
    async startDelivery(principal: Principal, orderId: string, typ: DeliveryTyp) {
      const workflowId = await subscriptionOf(principal, orderId);
      const { deliveryId } = await workflows.update(workflowId, startDeliveryUpdate, { by: principal.id, typ });
      return (await getDelivery(db, deliveryId))!;
    },

    /** G8: the subscription ends when the paid term does, without refund. */
    async cancelSubscription(principal: Principal, orderId: string) {
      return workflows.update(await subscriptionOf(principal, orderId), cancelSubscriptionUpdate, { by: principal.id });
    },

    /** G8: an admin ends a subscription at once. */
    async terminateSubscription(principal: Principal, orderId: string, reason: string) {
      return workflows.update(await subscriptionOf(principal, orderId), terminateSubscriptionUpdate, {
        by: principal.id,
        reason,
      });
    },

    /** An invoice was paid: an annual subscription invoice tells its subscription (G8 dunning). */
    async invoicePaid(invoiceId: string) {
      const orderId = await subscriptionOfInvoice(db, invoiceId);
      if (orderId) await workflows.signal(subscriptionWorkflow.workflowId(orderId), invoicePaidSignal, { invoiceId });
    },

    /** L8: the account's subscriptions still in force (their workflow runs): erasure is refused while one is. */
    async subscriptionsInForce(accountId: string) {
      const running: string[] = [];
      for (const id of await subscriptionOrdersOfAccount(db, accountId))
        if (await workflows.isRunning(subscriptionWorkflow.workflowId(id))) running.push(`subscription ${id}`);
      return running;
    },

    /** L8: a correction reaches the account's running orders and subscriptions (a closed one answers not found, and is skipped). */
    async customerCorrected(accountId: string, contact: Contact) {
      for (const id of await openOrdersOfAccount(db, accountId))
        await workflows.signal(geodataOrderWorkflow.workflowId(id), orderCustomerCorrectedSignal, contact);
      for (const id of await subscriptionOrdersOfAccount(db, accountId))
        await workflows.signal(subscriptionWorkflow.workflowId(id), customerCorrectedSignal, contact);
    },

    /** L8: the account's orders whose workflows still run (erasure waits for them). */
    async openBusiness(accountId: string) {
      const running: string[] = [];
      for (const id of await ordersOfAccount(db, accountId))
        if (await workflows.isRunning(geodataOrderWorkflow.workflowId(id))) running.push(`order ${id}`);
      return running;
    },
  };
}
