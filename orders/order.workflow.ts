import {
  allHandlersFinished,
  condition,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import { addWorkingDays, zonedInstant, zonedParts } from '../domain/calendar';
import { lastDayOfTerm, termEndAfter } from './subscriptions.rules';
import { activityProxies } from '../platform/temporal/proxies';
import type { StaffActivities } from '../identity/staff.activities';
import type { EmailActivities } from '../platform/outbox/email.activities';
import type { OrderActivities } from './orders.activities';
import type { SendEmail } from '../platform/outbox/email.activities';
import { customerMessage, deliverOnce, pageLinks, type DeliveryContext } from './delivery.workflow';
import { inputRefusal, refusal } from '../platform/temporal/refusal';
import { subscription } from './subscription.workflow';
import { subscriptionWorkflow } from './subscription.messages';
import {
  approveOrderUpdate,
  cancelOrderUpdate,
  orderCustomerCorrectedSignal,
  orderStateQuery,
  recordShipmentUpdate,
  rejectOrderUpdate,
  retryDeliveryUpdate,
  type OrderInput,
  type OrderState,
  type OrderStatus,
} from './order.messages';

const { steps } = activityProxies<OrderActivities & StaffActivities & EmailActivities>();

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
  const needsApproval = !input.product.openData && !input.frameworkAgreementId;
  // Update handlers only take decisions; the main flow carries them out, step by step, as local
  // activities (workflows/activities.ts says why not side by side), and each update answers once
  // its decision is carried out. A second decision is refused by the validators from the moment
  // the first is taken.
  let decision: { status: 'approved' | 'rejected' | 'cancelled'; by: string; reason: string | null } | null = null;
  let decisionDone = false;
  let shipment: { by: string; carrier: string; trackingNumber: string } | null = null;
  let shipped = false;
  let retryRequested = false;
  /** G8: a subscription's first term starts at its approval. */
  let firstTermStart: number | null = null;
  const decided = () => decision !== null;
  const message = customerMessage(input, { fee: input.fee.display.amount, includesVat: input.fee.display.includesVat });
  /** How many steps failed on their input so far: each failure alerts once, under its own key. */
  let inputFailures = 0;
  /**
   * A6: runs a recording step. One whose input the database refuses is not retried (the
   * activity fails it at once): the order is recorded as failed, visibly, admins are alerted,
   * and the failure goes on to the caller.
   */
  const recording = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      const refused = inputRefusal(err);
      if (refused) {
        inputFailures += 1;
        state.status = 'failed';
        state.reason = `Recording the ${what} failed on its input; staff are alerted`;
        await steps.recordOrderStatus(orderId, 'failed', state.reason, 'system', null);
        await steps.emailStaff({
          key: `${orderId}:input-refused-${inputFailures}`,
          role: 'admin',
          template: 'order-input-refused',
          data: { orderId, step: what, error: refused.message },
        });
      }
      throw err;
    }
  };
  /** Records a transition and sends the customer's e-mail about it, if any, in one step. */
  const setStatus = (
    status: OrderStatus,
    by: string | null,
    reason: string | null = null,
    notify: SendEmail | null = null,
  ) => {
    state.status = status;
    state.reason = reason;
    return recording(`status ${status}`, () => steps.recordOrderStatus(orderId, status, reason, by, notify));
  };
  const decide =
    (status: NonNullable<typeof decision>['status']) =>
    async (request: { by: string; reason?: string }): Promise<OrderState> => {
      const mine = { status, by: request.by, reason: request.reason ?? null };
      decision = mine;
      await condition(() => decisionDone || decision !== mine);
      // Undone: the decision could not be recorded (A6); the order waits for another.
      if (!decisionDone)
        throw refusal(
          422,
          'decision_not_recorded',
          `The decision on order ${orderId} could not be recorded (${state.reason}); it is undone and the order awaits a decision again`,
        );
      // The answer is the decision; production may already have moved the status on.
      return { ...state, status };
    };

  setHandler(orderStateQuery, () => state);
  // L8: e-mails read the contact when they are sent, and a subscription starts with it. A history
  // recorded before this handler existed replays without the marker and ignores the signal, as it did.
  setHandler(orderCustomerCorrectedSignal, (contact) => {
    if (patched('order-customer-corrected-signal')) Object.assign(input.customer, contact);
  });
  const awaiting = (what: string) => (_request: unknown) => {
    if (!needsApproval || decided())
      throw refusal(
        409,
        'not_awaiting_approval',
        `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it cannot be ${what} now`,
      );
  };
  // A handler may decide as soon as the order exists, even before the confirmation is out.
  setHandler(approveOrderUpdate, decide('approved'), { validator: awaiting('approved') });
  setHandler(rejectOrderUpdate, decide('rejected'), { validator: awaiting('rejected') });
  setHandler(cancelOrderUpdate, decide('cancelled'), {
    validator: (_cancel: { by: string }) => {
      if (decided())
        throw refusal(
          409,
          'not_cancellable',
          `Order ${orderId} is ${state.status.replace(/_/g, ' ')}; it can only be cancelled before approval`,
        );
    },
  });
  setHandler(
    retryDeliveryUpdate,
    async (_retry: { by: string }) => {
      retryRequested = true;
      return state;
    },
    {
      validator: (_retry: { by: string }) => {
        // A decision that could not be recorded also leaves the order failed; only a delivery is retried.
        if (state.status !== 'failed' || !decisionDone)
          throw refusal(409, 'not_failed', `Order ${orderId} has no failed delivery to retry`);
      },
    },
  );
  setHandler(
    recordShipmentUpdate,
    async (request) => {
      shipment = request;
      await condition(() => shipped);
      return state;
    },
    {
      validator: (_shipment: unknown) => {
        if (input.deliveryMethod !== 'physical_media' || state.status !== 'delivered' || shipment)
          throw refusal(409, 'not_ready_to_ship', `Order ${orderId} has no produced hard drive waiting to be shipped`);
      },
    },
  );

  /** G4 (G5: none under a framework agreement; G1: open data needs none): agreement, invoice and status at once. */
  const recordApproval = async (by: string) => {
    state.status = 'approved';
    state.reason = null;
    // G8: a subscription's annual fee is invoiced by its own workflow at the start of each term.
    const area = input.fee.lines.find((l) => l.kind === 'area' && l.net.minor > 0);
    const invoice = area
      ? {
          idempotencyKey: `${orderId}:invoice`,
          accountId: input.accountId,
          currency: 'SEK' as const,
          reference: orderId,
          lines: [
            {
              description: `${input.product.name}, ${(input.fee.areaM2 / 1e6).toFixed(3)} km² (${orderId})`,
              quantity: 1,
              unitPrice: area.net,
            },
          ],
        }
      : null;
    // G4, G8: a subscription's agreement runs to the last day of the term its approval starts.
    firstTermStart = input.subscription ? Date.now() : null;
    const agreementValidTo = firstTermStart === null ? null : lastDayOfTerm(termEndAfter(firstTermStart));
    state.agreementId = await recording('approval', () =>
      steps.recordApproval({ orderId, by, concludeAgreement: needsApproval, agreementValidTo, invoice }),
    );
    await steps.sendEmail(
      message('order-approved', 'approved', {
        agreementUrl: !state.agreementId
          ? null
          : pageLinks()
            ? `${input.publicUrl}/app/agreements`
            : `${input.publicUrl}/api/v1/agreements/${state.agreementId}/document`,
      }),
    );
  };
  /** Carries out the decision; false when a handler's decision could not be recorded and is undone (A6). */
  const carryOut = async ({ status, by, reason }: NonNullable<typeof decision>): Promise<boolean> => {
    try {
      if (status === 'approved') await recordApproval(by);
      else
        await setStatus(
          status,
          by,
          reason,
          message(status === 'rejected' ? 'order-rejected' : 'order-cancelled', status, { reason }),
        );
    } catch (err) {
      // The order is recorded as failed and admins are alerted (recording); a person's decision is
      // undone, so its update is refused and another may be taken. The system's own approval fails the workflow.
      if (!inputRefusal(err) || !needsApproval) throw err;
      return false;
    }
    decisionDone = true;
    return true;
  };

  const delivery: DeliveryContext = {
    ...input,
    message,
    setStatus: (status, reason, notify) => setStatus(status, 'system', reason, notify),
  };
  /** Produces the order's delivery; after a final failure it waits for a handler's retry under a new delivery id. */
  const deliver = async () => {
    for (;;) {
      const deliveryId = uuid4();
      state.deliveryId = deliveryId;
      if ((await deliverOnce(delivery, { deliveryId, typ: 'BAS', sinceVersion: null })) !== null) return;
      retryRequested = false;
      await condition(() => retryRequested);
    }
  };

  const confirmation = message('order-confirmation', 'confirmation', { needsApproval });
  if (!needsApproval || decided()) await steps.sendEmail(confirmation);
  if (!needsApproval) {
    decision ??= { status: 'approved', by: 'system', reason: null };
  } else {
    if (!decided()) await setStatus('awaiting_approval', null, null, confirmation);
    const reminders: [number, 'reminder' | 'alert'][] = [
      [workingDaysAfter(input.placedAt, APPROVAL_REMINDER_WORKING_DAYS), 'reminder'],
      [workingDaysAfter(input.placedAt, APPROVAL_ALERT_WORKING_DAYS), 'alert'],
    ];
    for (const [at, kind] of reminders) {
      if (await condition(decided, Math.max(1, at - Date.now()))) break;
      await steps.emailStaff({
        key: `${orderId}:approval-${kind}`,
        role: kind === 'reminder' ? 'handler' : 'admin',
        template: 'order-waiting',
        data: { orderId, alert: kind === 'alert', product: input.product.name },
      });
    }
  }
  for (;;) {
    await condition(decided);
    if (await carryOut(decision!)) break;
    decision = null;
  }

  if (decision!.status === 'approved' && input.subscription) {
    // G8: the subscription lives on in its own workflow (terms, invoices, deliveries) after this one ends.
    await startChild(subscription, {
      workflowId: subscriptionWorkflow.workflowId(orderId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          orderId,
          accountId: input.accountId,
          customer: input.customer,
          product: input.product,
          selection: input.selection,
          publicUrl: input.publicUrl,
          deliveryLinkTtlHours: input.deliveryLinkTtlHours,
          interval: input.deliveryInterval ?? null,
          annualFee: input.fee.lines.find((l) => l.kind === 'annual_subscription')!.net,
          firstTermStart: firstTermStart ?? undefined,
          state: null,
        },
      ],
    });
  } else if (decision!.status === 'approved') {
    await deliver();
    if (input.deliveryMethod === 'physical_media') {
      await condition(() => shipment !== null);
      const { by, carrier, trackingNumber } = shipment!;
      await recording('shipment', () => steps.recordShipment(orderId, { carrier, trackingNumber }));
      await setStatus('shipped', by, null, message('order-shipped', 'shipped', { carrier, trackingNumber }));
      shipped = true;
    }
  }
  await condition(allHandlersFinished);
  return state;
}
