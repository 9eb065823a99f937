import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Area } from '../domain/geometry';
import type { Contact } from '../domain/vocabulary';
import type { Money } from '../domain/money';
import { defineWorkflow } from '../platform/temporal/contract';
import type { OrderParty } from './order.messages';
import type { DeliveryTyp } from './orders.rules';
import type { DeliveryInterval, UnpaidInvoice } from './subscriptions.rules';

/** Everything a term hands to the next (continue-as-new): nothing is lost between runs. */
export interface SubscriptionState {
  /** Set when a step failed on its input and the process stopped (A6); admins are alerted. */
  failure?: string;
  status: 'active' | 'cancelled' | 'ended' | 'terminated';
  term: number;
  termStart: number;
  termEnd: number;
  /** This term's annual invoice, once booked. */
  invoiceId: string | null;
  renewalNoticeSent: boolean;
  /** The next scheduled run of this term (fixed-interval subscriptions). */
  nextRun: number;
  /** What a FORANDRING is computed against. */
  lastSuccessful: { deliveryId: string; version: number } | null;
  current: { deliveryId: string; typ: DeliveryTyp } | null;
  deliveries: number;
  cancelledBy: string | null;
  terminated: { by: string; reason: string; at: number } | null;
  /** Dunning: annual invoices not paid yet. */
  unpaid: UnpaidInvoice[];
  /** A5, L9: since when the renewal waits for the blocked account to be unblocked. */
  renewalBlockedSince?: number;
}

export interface SubscriptionInput extends OrderParty {
  selection: Area;
  deliveryLinkTtlHours: number;
  /** G8: fixed-interval deliveries, or null for extracts on request only. */
  interval: DeliveryInterval | null;
  /** T3: the annual fee locked into the order; every term is invoiced at it. */
  annualFee: Money;
  /** When the first term starts: the order's approval, whose agreement ends with the term (G4). Now, if not given. */
  firstTermStart?: number;
  /** null on the first run; the previous run's state after continue-as-new. */
  state: SubscriptionState | null;
}

export const subscriptionStateQuery = defineQuery<SubscriptionState>('state');
/** G8, G10: a new extract; answers the new delivery's id once its row exists. */
export const startDeliveryUpdate = defineUpdate<{ deliveryId: string }, [{ by: string; typ: DeliveryTyp }]>(
  'startDelivery',
);
/** The customer (or a handler) cancels: the subscription ends when the paid term does, without refund. */
export const cancelSubscriptionUpdate = defineUpdate<SubscriptionState, [{ by: string }]>('cancelSubscription');
/** An admin ends the subscription at once. */
export const terminateSubscriptionUpdate = defineUpdate<SubscriptionState, [{ by: string; reason: string }]>(
  'terminateSubscription',
);
/** L8: the person corrected their name, e-mail address or language; the next e-mail goes to the new contact. */
export const customerCorrectedSignal = defineSignal<[Contact]>('customerCorrected');
/** Finance marked an annual invoice paid (POST /api/v1/invoices/{id}/paid). */
export const invoicePaidSignal = defineSignal<[{ invoiceId: string }]>('invoicePaid');

/** G8: one workflow per subscription order, continued as new each term. */
export const subscriptionWorkflow = defineWorkflow<[SubscriptionInput], SubscriptionState>()(
  'subscription',
  (orderId: string) => `subscription-${orderId}`,
);
