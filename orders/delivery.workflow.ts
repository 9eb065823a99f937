import { ActivityFailure, patched, proxyActivities } from '@temporalio/workflow';
import { zonedParts } from '../domain/calendar';
import type { Area } from '../domain/geometry';
import type { StaffActivities } from '../identity/staff.activities';
import type { EmailActivities, SendEmail } from '../platform/outbox/email.activities';
import { activityProxies } from '../platform/temporal/proxies';
import type { OrderParty } from './order.messages';
import type { OrderActivities } from './orders.activities';
import type { DeliveryTyp } from './orders.rules';

const { acts } = activityProxies<OrderActivities & StaffActivities & EmailActivities>();

/** Production may take long; it heartbeats, and gives up after a few attempts so a handler can look. */
const production = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/**
 * Issue 16: e-mails link to the pages a person reads (`/app/…`), not to API routes; a workflow
 * that ran before keeps its recorded links (replay).
 */
export const pageLinks = () => patched('page-links-in-mail');

export type Mail = (template: string, suffix: string, data?: Record<string, unknown>) => Promise<unknown>;
/** A message to the order's customer, sent once under `{orderId}:{suffix}`. */
export type CustomerMessage = (template: string, suffix: string, data?: Record<string, unknown>) => SendEmail;

export function customerMessage(party: OrderParty, common: Record<string, unknown> = {}): CustomerMessage {
  const { orderId } = party;
  return (template, suffix, data = {}) => ({
    key: `${orderId}:${suffix}`,
    template,
    locale: party.customer.language,
    to: party.customer.email,
    accountId: party.accountId,
    data: {
      orderId,
      name: party.customer.name,
      product: party.product.name,
      orderUrl: pageLinks()
        ? `${party.publicUrl}/app/orders/${orderId}`
        : `${party.publicUrl}/api/v1/orders/${orderId}`,
      ...common,
      ...data,
    },
  });
}

/** E-mails to the order's customer, sent one after another in the order they were asked for. */
export function customerMail(party: OrderParty, common: Record<string, unknown> = {}): Mail {
  const message = customerMessage(party, common);
  const inOrder = inSequence();
  return (template, suffix, data) => inOrder(() => acts.sendEmail(message(template, suffix, data)));
}

/** Runs recordings one after another, in the order they were asked for. */
export function inSequence() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(record: () => Promise<T>): Promise<T> => {
    const next = last.then(record);
    last = next;
    return next;
  };
}

export interface DeliveryContext extends OrderParty {
  selection: Area;
  deliveryMethod: 'download' | 'physical_media';
  /** G7: how long the delivery e-mail's link opens the files. */
  deliveryLinkTtlHours: number;
  message: CustomerMessage;
  /** Records the transition and sends the customer's e-mail about it, if any, in one step. */
  setStatus(
    status: 'in_production' | 'delivered' | 'failed',
    reason: string | null,
    notify: SendEmail | null,
  ): Promise<void>;
}

/**
 * Produces one delivery and tells the customer (G7, G10). Answers the data version it holds,
 * or null after the final failed attempt: the delivery is MISSLYCKAD, handlers are alerted
 * and the customer is told. `finished` hears the outcome as soon as the delivery's row has its
 * final status, before the e-mails.
 */
export async function deliverOnce(
  ctx: DeliveryContext,
  d: { deliveryId: string; typ: DeliveryTyp; sinceVersion: number | null },
  finished: (version: number | null) => void = () => {},
): Promise<number | null> {
  const { orderId } = ctx;
  const { deliveryId, typ } = d;
  await ctx.setStatus('in_production', null, null);
  const download = ctx.deliveryMethod === 'download';
  let produced: Awaited<ReturnType<OrderActivities['produceDelivery']>>;
  try {
    produced = await production.produceDelivery({
      orderId,
      deliveryId,
      productId: ctx.product.id,
      selection: ctx.selection,
      typ,
      asOf: Date.now(),
      sinceVersion: d.sinceVersion,
      linkExpiresAt: download ? Date.now() + ctx.deliveryLinkTtlHours * 3_600_000 : null,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await acts.markDeliveryFailed({ orderId, deliveryId, typ });
    finished(null);
    await ctx.setStatus('failed', 'production failed', ctx.message('order-failed', `failed-${deliveryId}`));
    await acts.emailStaff({
      key: `${orderId}:production-failed-${deliveryId}`,
      role: 'handler',
      template: 'order-production-failed',
      data: { orderId },
    });
    return null;
  }
  finished(produced.version);
  // Physical media get no link: the handler ships the produced drive (G7).
  if (!produced.link) {
    await ctx.setStatus('delivered', null, ctx.message('order-produced', `delivered-${deliveryId}`));
    return produced.version;
  }
  const expires = zonedParts(new Date(produced.link.expiresAt), 'Europe/Stockholm');
  await ctx.setStatus(
    'delivered',
    null,
    ctx.message('order-delivered', `delivered-${deliveryId}`, {
      linkUrl: pageLinks()
        ? `${ctx.publicUrl}/app/delivery/${produced.link.token}`
        : `${ctx.publicUrl}/api/v1/delivery-links/${produced.link.token}`,
      expires: `${expires.date} ${String(expires.hour).padStart(2, '0')}:${String(expires.minute).padStart(2, '0')}`,
      filesUrl: pageLinks() ? `${ctx.publicUrl}/app/orders/${orderId}` : `${ctx.publicUrl}/download/${orderId}/files`,
    }),
  );
  return produced.version;
}
