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
  /** G8: new extracts may be asked for during a year after the first delivery. */
  subscription: boolean;
  placedAt: number;
  publicUrl: string;
  /** G7: how long the delivery e-mail's link opens the files. */
  deliveryLinkTtlHours: number;
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
export type DeliveryTyp = 'BAS' | 'FORANDRING';
/** G8, G10: a new delivery on a subscription; answers the new delivery's id once it exists. */
export const startDeliveryUpdate = defineUpdate<{ deliveryId: string }, [{ by: string; typ: DeliveryTyp }]>('startDelivery');

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
  // The decision is taken the moment an update is accepted, before its activities run, so a
  // second decision arriving meanwhile is refused by the validators; the order goes on once
  // the decision's effects (agreement, invoice, status, e-mail) are done.
  let decision = null as 'approved' | 'rejected' | 'cancelled' | null;
  let decisionDone = false;
  const decided = () => decision !== null;
  const mail = (template: string, suffix: string, data: Record<string, unknown> = {}) =>
    acts.sendEmail({
      key: `${orderId}:${suffix}`,
      template,
      locale: input.customer.language,
      to: input.customer.email,
      accountId: input.accountId,
      data: { orderId, name: input.customer.name, product: input.product.name, fee: input.fee.display.amount, includesVat: input.fee.display.includesVat, orderUrl: `${input.publicUrl}/api/v1/orders/${orderId}`, ...data },
    });
  // Transitions are recorded one after another, in the order they happen.
  let recorded = Promise.resolve();
  const setStatus = (status: OrderStatus, by: string | null, reason: string | null = null) => {
    state.status = status;
    state.reason = reason;
    recorded = recorded.then(() => acts.recordOrderStatus(orderId, status, reason, by));
    return recorded;
  };
  const decide = async (status: NonNullable<typeof decision>, effects: () => Promise<void>): Promise<OrderState> => {
    decision = status;
    await effects();
    decisionDone = true;
    // The answer is the decision; production may already have moved the status on.
    return { ...state, status };
  };
  const approve = (by: string) => decide('approved', async () => {
    // G4 (G5: not under a framework agreement; G1: open data needs no end-use agreement).
    if (!input.product.openData && !input.frameworkAgreementId) state.agreementId = await acts.concludeAgreement(orderId, by);
    const lines = input.fee.lines.filter((l) => l.net.minor > 0);
    if (lines.length > 0) {
      const what = { area: `${(input.fee.areaM2 / 1e6).toFixed(3)} km²`, annual_subscription: input.customer.language === 'sv' ? 'årsabonnemang' : 'annual subscription' };
      await acts.bookInvoice({
        idempotencyKey: `${orderId}:invoice`,
        accountId: input.accountId,
        currency: 'SEK',
        reference: orderId,
        lines: lines.map((l) => ({ description: `${input.product.name}, ${what[l.kind]} (${orderId})`, quantity: 1, unitPrice: l.net })),
      });
    }
    await setStatus('approved', by);
    await mail('order-approved', 'approved', { agreementUrl: state.agreementId ? `${input.publicUrl}/api/v1/agreements/${state.agreementId}/document` : null });
  });

  setHandler(orderStateQuery, () => state);
  const needsApproval = !input.product.openData && !input.frameworkAgreementId;
  // A handler may decide as soon as the order exists, even before the confirmation is out.
  const awaiting = (what: string) => (_request: unknown) => {
    if (!needsApproval || decided()) throw refusal(409, 'not_awaiting_approval', `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it cannot be ${what} now`);
  };
  setHandler(approveOrderUpdate, ({ by }) => approve(by), { validator: awaiting('approved') });
  setHandler(
    rejectOrderUpdate,
    ({ by, reason }) =>
      decide('rejected', async () => {
        await setStatus('rejected', by, reason);
        await mail('order-rejected', 'rejected', { reason });
      }),
    { validator: awaiting('rejected') },
  );
  setHandler(
    cancelOrderUpdate,
    ({ by }) =>
      decide('cancelled', async () => {
        await setStatus('cancelled', by);
        await mail('order-cancelled', 'cancelled');
      }),
    { validator: (_cancel: { by: string }) => { if (decided()) throw refusal(409, 'not_cancellable', `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it can only be cancelled before approval`); } },
  );
  let retryRequested = false;
  setHandler(retryDeliveryUpdate, async (_retry: { by: string }) => { retryRequested = true; return state; }, {
    validator: (_retry: { by: string }) => { if (state.status !== 'failed') throw refusal(409, 'not_failed', `Order ${orderId} has no failed delivery to retry`); },
  });
  setHandler(
    recordShipmentUpdate,
    async ({ by, carrier, trackingNumber }) => {
      await acts.recordShipment(orderId, { carrier, trackingNumber });
      await setStatus('shipped', by);
      await mail('order-shipped', 'shipped', { carrier, trackingNumber });
      return state;
    },
    { validator: (_shipment: unknown) => { if (input.deliveryMethod !== 'physical_media' || state.status !== 'delivered') throw refusal(409, 'not_ready_to_ship', `Order ${orderId} has no produced hard drive waiting to be shipped`); } },
  );

  /** Produces one delivery (G7, G10); after a final failure it waits for a handler's retry under a new delivery id. */
  const deliver = async (firstDeliveryId: string, typ: DeliveryTyp) => {
    let deliveryId = firstDeliveryId;
    for (; ; deliveryId = uuid4()) {
      state.deliveryId = deliveryId;
      await setStatus('in_production', 'system');
      try {
        await production.produceDelivery({ orderId, deliveryId, productId: input.product.id, selection: input.selection, typ });
        break;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        await acts.markDeliveryFailed({ orderId, deliveryId, typ });
        await setStatus('failed', 'system', 'production failed');
        await acts.emailStaff({ key: `${orderId}:production-failed-${deliveryId}`, role: 'handler', template: 'order-production-failed', data: { orderId } });
        await mail('order-failed', `failed-${deliveryId}`);
        retryRequested = false;
        await condition(() => retryRequested);
      }
    }
    await setStatus('delivered', 'system');
    if (input.deliveryMethod === 'physical_media') return mail('order-produced', `delivered-${deliveryId}`);
    const link = await acts.createDeliveryLink({ orderId, deliveryId, expiresAt: Date.now() + input.deliveryLinkTtlHours * 3_600_000 });
    const expires = zonedParts(new Date(link.expiresAt), 'Europe/Stockholm');
    await mail('order-delivered', `delivered-${deliveryId}`, {
      linkUrl: `${input.publicUrl}/api/v1/delivery-links/${link.token}`,
      expires: `${expires.date} ${String(expires.hour).padStart(2, '0')}:${String(expires.minute).padStart(2, '0')}`,
      filesUrl: `${input.publicUrl}/download/${orderId}/files`,
    });
  };

  // A requested delivery is produced once its row exists, so production never overtakes it.
  let requested: { deliveryId: string; typ: DeliveryTyp; opened: boolean } | null = null;
  setHandler(
    startDeliveryUpdate,
    async ({ typ }) => {
      const request = { deliveryId: uuid4(), typ, opened: false };
      requested = request;
      await acts.openDelivery({ orderId, deliveryId: request.deliveryId, typ });
      request.opened = true;
      return { deliveryId: request.deliveryId };
    },
    {
      validator: (_request: { by: string; typ: DeliveryTyp }) => {
        if (!input.subscription) throw refusal(409, 'not_a_subscription', `Order ${orderId} is not a subscription; new deliveries can only be started on a subscription (G8)`);
        if (state.status !== 'delivered' || requested !== null) throw refusal(409, 'delivery_in_progress', `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; a new delivery can be started once the current one is delivered`);
      },
    },
  );

  await mail('order-confirmation', 'confirmation', { needsApproval });
  if (!needsApproval) {
    if (!decided()) await approve('system');
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
  }
  await condition(() => decisionDone);

  if (decision === 'approved') {
    // G8: a subscription runs a year from its approval, as its agreement does.
    const end = new Date(Date.now());
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    const endsAt = end.getTime();
    await deliver(uuid4(), 'BAS');
    if (input.deliveryMethod === 'physical_media') await condition(() => state.status === 'shipped');
    // G8: new extracts on request until the year is over.
    while (input.subscription && (await condition(() => requested?.opened === true, Math.max(1, endsAt - Date.now())))) {
      const { deliveryId, typ } = requested!;
      requested = null;
      await deliver(deliveryId, typ);
    }
  }
  await condition(allHandlersFinished);
  return state;
}
