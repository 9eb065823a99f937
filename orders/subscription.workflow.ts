import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { addDays, stockholmDate, zonedInstant } from '../domain/calendar';
import { money } from '../domain/money';
import {
  lastDayOfTerm,
  REMINDER_DAYS_AFTER_DUE,
  RENEWAL_NOTICE_DAYS,
  scheduledRuns,
  SUSPENSION_DAYS_AFTER_DUE,
  termEndAfter,
  type SubscriptionStatus,
} from './subscriptions.rules';
import { activityProxies } from '../platform/temporal/proxies';
import type { InvoiceActivities } from '../invoicing/invoices.activities';
import type { OrderActivities } from './orders.activities';
import type { SubscriptionActivities } from './subscriptions.activities';
import type { EmailActivities } from '../platform/outbox/email.activities';
import type { DeliveryTyp } from './orders.rules';
import { customerMail, customerMessage, deliverOnce, inSequence, type DeliveryContext } from './delivery.workflow';
import { failingVisiblyOnBadInput, refusal } from '../platform/temporal/refusal';
import {
  cancelSubscriptionUpdate,
  customerCorrectedSignal,
  invoicePaidSignal,
  startDeliveryUpdate,
  subscriptionStateQuery,
  terminateSubscriptionUpdate,
  type SubscriptionInput,
  type SubscriptionState,
} from './subscription.messages';

const { acts } = activityProxies<SubscriptionActivities & OrderActivities & InvoiceActivities & EmailActivities>();

const DAY = 86_400_000;

/** Dunning days count from the start of the Stockholm day. */
const dayAfterDue = (dueDate: string, days: number) =>
  zonedInstant(addDays(dueDate, days), 0, 0, 'Europe/Stockholm').getTime();

/**
 * One workflow per subscription, id `subscription-{orderId}`, started by the order's approval (G8).
 * A run is one term (a year): it books the annual invoice, delivers on request and on schedule,
 * sends the renewal notice, dunns unpaid invoices, and at the term's end either ends (cancelled)
 * or continues as new with the next term.
 */
export async function subscription(input: SubscriptionInput): Promise<SubscriptionState> {
  const { orderId } = input;
  const start = input.firstTermStart ?? Date.now();
  const state: SubscriptionState = input.state ?? {
    status: 'active',
    term: 1,
    termStart: start,
    termEnd: termEndAfter(start),
    invoiceId: null,
    renewalNoticeSent: false,
    nextRun: 0,
    lastSuccessful: null,
    current: null,
    deliveries: 0,
    cancelledBy: null,
    terminated: null,
    unpaid: [],
  };
  const sv = input.customer.language === 'sv';
  const mail = customerMail(input);
  const message = customerMessage(input);
  /**
   * A3: an invoice and its reminder go to the account's invoice recipients, asked when it is sent.
   * A history recorded before this existed replays without the marker and mails the customer, as it did.
   */
  const invoiceMail = async (template: string, suffix: string, data: Record<string, unknown>) => {
    if (!patched('invoice-recipients')) return mail(template, suffix, data);
    const to = await acts.invoiceRecipients(input.accountId);
    return acts.sendEmail({ ...message(template, suffix, data), to: to || input.customer.email });
  };
  const record = inSequence();
  const suspendedBy = () => state.unpaid.find((i) => i.suspended);
  const dbStatus = (): SubscriptionStatus => (state.status === 'active' && suspendedBy() ? 'suspended' : state.status);
  /** Mirrors the state to PostgreSQL, one snapshot after another. */
  const save = () => {
    const snapshot = {
      order_id: orderId,
      status: dbStatus(),
      term: state.term,
      term_start: state.termStart,
      term_end: state.termEnd,
      cancelled_by: state.cancelledBy,
      terminated_by: state.terminated?.by ?? null,
      terminated_reason: state.terminated?.reason ?? null,
      last_delivery_id: state.lastSuccessful?.deliveryId ?? null,
      last_data_version: state.lastSuccessful?.version ?? null,
      unpaid_invoices: [...state.unpaid],
      agreement_valid_to: state.terminated ? stockholmDate(state.terminated.at) : endDate(),
    };
    return record(() => acts.recordSubscription(snapshot));
  };
  const endDate = () => lastDayOfTerm(state.termEnd);
  let changed = 0;
  const wake = () => void (changed += 1);

  const delivery: DeliveryContext = {
    ...input,
    deliveryMethod: 'download',
    message: customerMessage(input),
    setStatus: (status, reason, notify) =>
      record(() => acts.recordOrderStatus(orderId, status, reason, 'system', notify)),
  };
  /** Claims the one delivery slot (G8) and opens the delivery's row; the database may still know of another one running. */
  const open = async (
    typ: DeliveryTyp,
  ): Promise<{ deliveryId: string; sinceVersion: number | null } | { running: string }> => {
    const deliveryId = uuid4();
    const sinceVersion = typ === 'FORANDRING' ? state.lastSuccessful!.version : null;
    state.current = { deliveryId, typ };
    const running = await acts.openDelivery({ orderId, deliveryId, typ, sinceVersion });
    if (running !== null) {
      state.current = null;
      return { running };
    }
    return { deliveryId, sinceVersion };
  };
  // Deliveries run beside the main loop; a term ends or renews only once none is pending (its e-mails and mirror included).
  let pending = 0;
  const settled = () => condition(() => pending === 0 && allHandlersFinished());
  const produce = (deliveryId: string, typ: DeliveryTyp, sinceVersion: number | null) => {
    pending += 1;
    void (async () => {
      // The slot frees the moment the delivery's row is final, so a client that sees it finished may start the next.
      await deliverOnce(delivery, { deliveryId, typ, sinceVersion }, (version) => {
        if (version !== null) state.lastSuccessful = { deliveryId, version };
        state.deliveries += 1;
        state.current = null;
      });
      await save();
      pending -= 1;
    })();
  };
  const inProgress = (running: string) =>
    refusal(
      409,
      'delivery_in_progress',
      `Delivery ${running} on order ${orderId} is still in progress (PÅGÅENDE); start a new one when it has finished`,
      { deliveryId: running },
    );

  setHandler(subscriptionStateQuery, () => state);
  setHandler(
    startDeliveryUpdate,
    async ({ typ }) => {
      const opened = await open(typ);
      if ('running' in opened) throw inProgress(opened.running);
      produce(opened.deliveryId, typ, opened.sinceVersion);
      return { deliveryId: opened.deliveryId };
    },
    {
      validator: ({ typ }: { by: string; typ: DeliveryTyp }) => {
        // A cancelled subscription takes extracts until its paid term is over.
        if (
          state.status === 'ended' ||
          state.status === 'terminated' ||
          (state.status === 'cancelled' && Date.now() >= state.termEnd)
        ) {
          throw refusal(409, 'subscription_ended', `The subscription on order ${orderId} has ended`);
        }
        const unpaid = suspendedBy();
        if (unpaid)
          throw refusal(
            409,
            'subscription_suspended',
            `The subscription on order ${orderId} is suspended: invoice ${unpaid.number} was due on ${unpaid.dueDate} and is not paid; new extracts can be started again once it is paid`,
            { invoiceId: unpaid.invoiceId },
          );
        if (state.renewalBlockedSince !== undefined)
          throw refusal(
            409,
            'account_blocked',
            `The account of order ${orderId} is blocked; its term has ended unrenewed`,
          );
        if (state.current) throw inProgress(state.current.deliveryId);
        if (typ === 'FORANDRING' && !state.lastSuccessful)
          throw refusal(
            409,
            'bas_required',
            `Order ${orderId} has no successful delivery to compute changes against; order a full extract (BAS) first`,
          );
      },
    },
  );
  setHandler(
    cancelSubscriptionUpdate,
    async ({ by }) => {
      state.status = 'cancelled';
      state.cancelledBy = by;
      wake();
      await save();
      await mail('subscription-cancelled', `cancelled-term-${state.term}`, { endDate: endDate() });
      return state;
    },
    {
      validator: (_cancel: { by: string }) => {
        if (state.status !== 'active')
          throw refusal(
            409,
            'not_active',
            `The subscription on order ${orderId} is ${state.status}; only an active subscription can be cancelled`,
          );
      },
    },
  );
  setHandler(
    terminateSubscriptionUpdate,
    async ({ by, reason }) => {
      state.status = 'terminated';
      state.terminated = { by, reason, at: Date.now() };
      wake();
      await save();
      await mail('subscription-terminated', 'terminated', { reason });
      return state;
    },
    {
      validator: (_terminate: { by: string; reason: string }) => {
        if (state.status === 'ended' || state.status === 'terminated')
          throw refusal(409, 'subscription_ended', `The subscription on order ${orderId} has already ended`);
      },
    },
  );
  const invoicePaid = (invoiceId: string) => {
    state.unpaid = state.unpaid.filter((i) => i.invoiceId !== invoiceId);
    wake();
    return save();
  };
  setHandler(invoicePaidSignal, ({ invoiceId }) => invoicePaid(invoiceId));
  // L8: every e-mail reads the contact when it is sent, and the next term inherits it. A history
  // recorded before this handler existed replays without the marker and ignores the signal, as it did.
  setHandler(customerCorrectedSignal, (contact) => {
    if (patched('customer-corrected-signal')) Object.assign(input.customer, contact);
  });

  // A step that fails on its input stops the process visibly and alerts admins (A6).
  await failingVisiblyOnBadInput(
    { workflow: 'subscription', id: workflowInfo().workflowId },
    async () => {
      // The term's annual invoice (T5: due 30 days after its date, the term's first day).
      if (state.invoiceId === null) {
        const date = stockholmDate(state.termStart);
        const invoice = await acts.bookInvoice({
          idempotencyKey: `${orderId}:term-${state.term}`,
          accountId: input.accountId,
          currency: input.annualFee.currency,
          reference: orderId,
          date,
          lines: [
            {
              description: `${input.product.name}, ${sv ? 'årsabonnemang' : 'annual subscription'} ${date} – ${endDate()} (${orderId})`,
              quantity: 1,
              unitPrice: input.annualFee,
            },
          ],
        });
        state.invoiceId = invoice.id;
        state.unpaid.push({
          invoiceId: invoice.id,
          number: invoice.number,
          dueDate: invoice.dueDate,
          reminded: false,
          suspended: false,
        });
        await acts.recordSubscriptionTerm({
          orderId,
          term: state.term,
          startsAt: state.termStart,
          endsAt: state.termEnd,
          invoiceId: invoice.id,
        });
        await save();
        await invoiceMail('subscription-invoice', `invoice-term-${state.term}`, {
          number: invoice.number,
          total: money(invoice.totalMinor, input.annualFee.currency),
          dueDate: invoice.dueDate,
          term: state.term,
          startDate: date,
          endDate: endDate(),
        });
      }

      const runs = scheduledRuns(input.interval, state.term, state.termStart);
      /** A scheduled delivery: skipped and recorded when another delivery runs or the subscription is suspended. */
      const scheduledRun = async (run: number) => {
        const at = { orderId, term: state.term, run, scheduledAt: runs[run]! };
        const unpaid = suspendedBy();
        const running = (id: string) => ({ deliveryId: id, reason: `delivery ${id} was still in progress` });
        let skipped: { deliveryId: string | null; reason: string };
        if (state.current) skipped = running(state.current.deliveryId);
        else if (unpaid) skipped = { deliveryId: null, reason: `suspended: invoice ${unpaid.number} is not paid` };
        // A5, L9: a blocked account starts no new extract; the run is skipped, as for a suspension.
        else if (patched('blocked-account-skips-scheduled-runs') && (await acts.accountIsBlocked(input.accountId)))
          skipped = { deliveryId: null, reason: 'the account is blocked' };
        else {
          const typ = state.lastSuccessful ? 'FORANDRING' : 'BAS';
          const opened = await open(typ);
          if (!('running' in opened)) {
            produce(opened.deliveryId, typ, opened.sinceVersion);
            return acts.recordSubscriptionRun({
              ...at,
              outcome: 'started',
              deliveryId: opened.deliveryId,
              reason: null,
            });
          }
          skipped = running(opened.running);
        }
        await acts.recordSubscriptionRun({ ...at, outcome: 'skipped', ...skipped });
      };

      while (state.status === 'active' || state.status === 'cancelled') {
        const now = Date.now();
        if (now >= state.termEnd) break;
        const due: [number, () => Promise<void>][] = [];
        if (state.nextRun < runs.length) due.push([runs[state.nextRun]!, () => scheduledRun(state.nextRun++)]);
        if (state.status === 'active' && !state.renewalNoticeSent) {
          due.push([
            state.termEnd - RENEWAL_NOTICE_DAYS * DAY,
            async () => {
              state.renewalNoticeSent = true;
              await mail('subscription-renewal-notice', `renewal-notice-term-${state.term}`, {
                endDate: endDate(),
                nextEndDate: lastDayOfTerm(termEndAfter(state.termEnd)),
                fee: input.annualFee,
              });
            },
          ]);
        }
        for (const invoice of state.unpaid) {
          if (!invoice.reminded) {
            due.push([
              dayAfterDue(invoice.dueDate, REMINDER_DAYS_AFTER_DUE),
              async () => {
                invoice.reminded = true;
                if (await acts.invoiceIsPaid(invoice.invoiceId)) return invoicePaid(invoice.invoiceId);
                await invoiceMail('subscription-reminder', `reminder-${invoice.invoiceId}`, {
                  number: invoice.number,
                  dueDate: invoice.dueDate,
                  suspensionDate: addDays(invoice.dueDate, SUSPENSION_DAYS_AFTER_DUE),
                });
                await save();
              },
            ]);
          } else if (!invoice.suspended) {
            due.push([
              dayAfterDue(invoice.dueDate, SUSPENSION_DAYS_AFTER_DUE),
              async () => {
                if (await acts.invoiceIsPaid(invoice.invoiceId)) return invoicePaid(invoice.invoiceId);
                invoice.suspended = true;
                await save();
              },
            ]);
          }
        }
        const [at, handle] = due.reduce((a, b) => (b[0] < a[0] ? b : a), [state.termEnd, async () => {}] as [
          number,
          () => Promise<void>,
        ]);
        if (at > now) {
          const seen = changed;
          await condition(() => changed !== seen, at - now);
          continue;
        }
        await handle();
        // Long terms with many extracts would grow the history without bound; carry on in a fresh run.
        if (workflowInfo().continueAsNewSuggested) {
          await settled();
          await continueAsNew<typeof subscription>({ ...input, state });
        }
      }

      await settled();
      let nextTermStart = state.termEnd;
      // A5, L9: a blocked account is not renewed (a renewal is paid work). The subscription waits at
      // its term's end, asking daily, until the account is unblocked (then the next term starts that
      // day, so no blocked time is paid for) or the subscription is cancelled or terminated meanwhile.
      if (state.status === 'active' && patched('blocked-account-renewal-waits')) {
        while (state.status === 'active' && (await acts.accountIsBlocked(input.accountId))) {
          state.renewalBlockedSince ??= Date.now();
          const seen = changed;
          await condition(() => changed !== seen, DAY);
        }
        if (state.renewalBlockedSince !== undefined) nextTermStart = Date.now();
        delete state.renewalBlockedSince;
      }
      if (state.status === 'active') {
        // G8: renewal; the next run books the next term's invoice.
        Object.assign(state, {
          term: state.term + 1,
          termStart: nextTermStart,
          termEnd: termEndAfter(nextTermStart),
          invoiceId: null,
          renewalNoticeSent: false,
          nextRun: 0,
        });
        await continueAsNew<typeof subscription>({ ...input, state });
      }
      if (state.status === 'cancelled') state.status = 'ended';
      await save();
    },
    (message) => {
      state.failure = message;
    },
  );
  await condition(allHandlersFinished);
  return state;
}
