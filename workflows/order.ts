import { ActivityFailure, condition, defineQuery, defineUpdate, proxyActivities, setHandler, uuid4, allHandlersFinished } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { addWorkingDays, zonedInstant, zonedParts } from '../domain/calendar';
import type { Area } from '../domain/geometry';
import type { OrderFee } from '../domain/orders';
import { acts } from './activities';
import { refusal } from './refusal';

export interface OrderInput {
  orderId: string;
  accountId: string;
  customer: { name: string; email: string; language: 'sv' | 'en' };
  product: { id: string; name: string; openData: boolean };
  format: string;
  selection: Area;
  fee: OrderFee;
  deliveryMethod: 'download' | 'physical_media';
  /** G5: the framework agreement whose scope covers the order, if any. */
  frameworkAgreementId: string | null;
  placedAt: number;
  publicUrl: string;
}

export type OrderStatus = 'submitted' | 'awaiting_approval' | 'approved' | 'rejected' | 'cancelled' | 'in_production' | 'delivered' | 'shipped' | 'failed';

export interface OrderState {
  status: OrderStatus;
  agreementId: string | null;
  deliveryId: string | null;
  reason: string | null;
}

export const orderStateQuery = defineQuery<OrderState>('state');
export const approveOrderUpdate = defineUpdate<OrderState, [{ by: string }]>('approve');
export const rejectOrderUpdate = defineUpdate<OrderState, [{ by: string; reason: string }]>('reject');
export const cancelOrderUpdate = defineUpdate<OrderState, [{ by: string }]>('cancel');
export const retryDeliveryUpdate = defineUpdate<OrderState, [{ by: string }]>('retryDelivery');
export const recordShipmentUpdate = defineUpdate<OrderState, [{ by: string; carrier: string; trackingNumber: string }]>('recordShipment');

/** Production may take long; it heartbeats, and gives up after a few attempts so a handler can look. */
const production = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** A handler is reminded after one working day of waiting, a supervisor alerted after three. */
export const APPROVAL_REMINDER_WORKING_DAYS = 1;
export const APPROVAL_ALERT_WORKING_DAYS = 3;

/** The same Stockholm clock time `days` working days after the instant. */
function workingDaysAfter(instant: number, days: number): number {
  const local = zonedParts(new Date(instant), 'Europe/Stockholm');
  return zonedInstant(addWorkingDays(local.date, days), local.hour, local.minute, 'Europe/Stockholm').getTime();
}

/**
 * One workflow per geodata order; id = the order id. Confirms the order, waits for a handler's
 * approval unless the product is open data or a framework agreement covers it (G5), concludes
 * the agreement and books the invoice on approval (G4), produces and delivers (G7).
 */
export async function geodataOrder(input: OrderInput): Promise<OrderState> {
  const { orderId } = input;
  const state: OrderState = { status: 'submitted', agreementId: null, deliveryId: null, reason: null };
  const decided = () => state.status !== 'awaiting_approval' && state.status !== 'submitted';
  const mail = (template: string, suffix: string, data: Record<string, unknown> = {}) =>
    acts.sendEmail({
      key: `${orderId}:${suffix}`,
      template,
      locale: input.customer.language,
      to: input.customer.email,
      accountId: input.accountId,
      data: { orderId, name: input.customer.name, product: input.product.name, fee: input.fee.display.amount, includesVat: input.fee.display.includesVat, orderUrl: `${input.publicUrl}/api/v1/orders/${orderId}`, ...data },
    });
  const setStatus = async (status: OrderStatus, by: string | null, reason: string | null = null) => {
    state.status = status;
    state.reason = reason;
    await acts.recordOrderStatus(orderId, status, reason, by);
  };
  const approve = async (by: string): Promise<OrderState> => {
    // G4 (G5: not under a framework agreement; G1: open data needs no end-use agreement).
    if (!input.product.openData && !input.frameworkAgreementId) state.agreementId = await acts.concludeAgreement(orderId, by);
    if (input.fee.net.minor > 0) {
      await acts.bookInvoice({
        idempotencyKey: `${orderId}:invoice`,
        accountId: input.accountId,
        currency: 'SEK',
        reference: orderId,
        lines: [{ description: `${input.product.name}, ${(input.fee.areaM2 / 1e6).toFixed(3)} km² (${orderId})`, quantity: 1, unitPrice: input.fee.net }],
      });
    }
    await setStatus('approved', by);
    // The answer is the decision; production may already have moved the status on.
    const decision: OrderState = { ...state, status: 'approved' };
    await mail('order-approved', 'approved', { agreementUrl: state.agreementId ? `${input.publicUrl}/api/v1/agreements/${state.agreementId}/document` : null });
    return decision;
  };

  setHandler(orderStateQuery, () => state);
  const needsApproval = !input.product.openData && !input.frameworkAgreementId;
  // A handler may decide as soon as the order exists, even before the confirmation is out.
  const awaiting = (what: string) => (_request: unknown) => {
    if (!needsApproval || decided()) throw refusal(409, 'not_awaiting_approval', `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it cannot be ${what} now`);
  };
  setHandler(approveOrderUpdate, ({ by }) => approve(by), { validator: awaiting('approved') });
  setHandler(
    rejectOrderUpdate,
    async ({ by, reason }) => {
      await setStatus('rejected', by, reason);
      await mail('order-rejected', 'rejected', { reason });
      return state;
    },
    { validator: awaiting('rejected') },
  );
  setHandler(
    cancelOrderUpdate,
    async ({ by }) => {
      await setStatus('cancelled', by);
      await mail('order-cancelled', 'cancelled');
      return state;
    },
    { validator: (_cancel: { by: string }) => { if (decided()) throw refusal(409, 'not_cancellable', `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it can only be cancelled before approval`); } },
  );
  let retryRequested = false;
  setHandler(retryDeliveryUpdate, async (_retry: { by: string }) => { retryRequested = true; return state; }, {
    validator: (_retry: { by: string }) => { if (state.status !== 'failed') throw refusal(409, 'not_failed', `Order ${orderId} has no failed delivery to retry`); },
  });
  setHandler(
    recordShipmentUpdate,
    async ({ by, carrier, trackingNumber }) => {
      await setStatus('shipped', by);
      await mail('order-shipped', 'shipped', { carrier, trackingNumber });
      return state;
    },
    { validator: (_shipment: unknown) => { if (input.deliveryMethod !== 'physical_media' || state.status !== 'delivered') throw refusal(409, 'not_ready_to_ship', `Order ${orderId} has no produced hard drive waiting to be shipped`); } },
  );

  await mail('order-confirmation', 'confirmation', { needsApproval });
  if (!needsApproval) {
    await approve('system');
  } else {
    if (!decided()) await setStatus('awaiting_approval', null);
    const reminders: [number, 'reminder' | 'alert'][] = [
      [workingDaysAfter(input.placedAt, APPROVAL_REMINDER_WORKING_DAYS), 'reminder'],
      [workingDaysAfter(input.placedAt, APPROVAL_ALERT_WORKING_DAYS), 'alert'],
    ];
    for (const [at, kind] of reminders) {
      if (await condition(decided, Math.max(1, at - Date.now()))) break;
      await acts.emailStaff({ key: `${orderId}:approval-${kind}`, role: kind === 'reminder' ? 'handler' : 'admin', template: 'order-waiting', data: { orderId, alert: kind === 'alert', product: input.product.name } });
    }
    await condition(decided);
  }

  if (state.status === 'approved') {
    for (let attempt = 1; ; attempt++) {
      state.deliveryId = uuid4();
      await setStatus('in_production', 'system');
      try {
        await production.produceDelivery({ orderId, deliveryId: state.deliveryId, productId: input.product.id, selection: input.selection, typ: 'BAS' });
        break;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        await acts.markDeliveryFailed({ orderId, deliveryId: state.deliveryId, typ: 'BAS' });
        await setStatus('failed', 'system', 'production failed');
        await acts.emailStaff({ key: `${orderId}:production-failed-${attempt}`, role: 'handler', template: 'order-production-failed', data: { orderId } });
        await mail('order-failed', `failed-${attempt}`);
        retryRequested = false;
        await condition(() => retryRequested);
      }
    }
    await setStatus('delivered', 'system');
    await mail(input.deliveryMethod === 'download' ? 'order-delivered' : 'order-produced', 'delivered', { filesUrl: `${input.publicUrl}/download/${orderId}/files` });
    if (input.deliveryMethod === 'physical_media') await condition(() => state.status === 'shipped');
  }
  await condition(allHandlersFinished);
  return state;
}
