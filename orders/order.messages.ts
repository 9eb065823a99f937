import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Area } from '../domain/geometry';
import type { Contact } from '../domain/vocabulary';
import { defineWorkflow } from '../platform/temporal/contract';
import type { OrderFee } from './orders.rules';
import type { DeliveryInterval } from './subscriptions.rules';

export interface OrderInput {
  orderId: string;
  accountId: string;
  customer: Contact;
  product: { id: string; name: string; openData: boolean };
  format: string;
  selection: Area;
  fee: OrderFee;
  deliveryMethod: 'download' | 'physical_media';
  /** G5: the framework agreement whose scope covers the order, if any. */
  frameworkAgreementId: string | null;
  /** G8: approval starts the subscription's own workflow, which takes it from there. */
  subscription: boolean;
  /** G8: a fixed-interval subscription's interval, if any. */
  deliveryInterval?: DeliveryInterval | null;
  placedAt: number;
  publicUrl: string;
  /** G7: how long the delivery e-mail's link opens the files. */
  deliveryLinkTtlHours: number;
}

export const ORDER_STATUSES = [
  'submitted',
  'awaiting_approval',
  'approved',
  'rejected',
  'cancelled',
  'in_production',
  'delivered',
  'shipped',
  'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderState {
  status: OrderStatus;
  agreementId: string | null;
  deliveryId: string | null;
  reason: string | null;
}

export const orderStateQuery = defineQuery<OrderState>('state');
/** L8: the person corrected their name, e-mail address or language; the order's next e-mail goes to the new contact. */
export const orderCustomerCorrectedSignal = defineSignal<[Contact]>('customerCorrected');
export const approveOrderUpdate = defineUpdate<OrderState, [{ by: string }]>('approve');
export const rejectOrderUpdate = defineUpdate<OrderState, [{ by: string; reason: string }]>('reject');
export const cancelOrderUpdate = defineUpdate<OrderState, [{ by: string }]>('cancel');
export const retryDeliveryUpdate = defineUpdate<OrderState, [{ by: string }]>('retryDelivery');
export const recordShipmentUpdate = defineUpdate<OrderState, [{ by: string; carrier: string; trackingNumber: string }]>(
  'recordShipment',
);

/** Whom an order's e-mails go to, and what every one of them names. */
export interface OrderParty {
  orderId: string;
  accountId: string;
  customer: Contact;
  product: { id: string; name: string };
  publicUrl: string;
}

/** One workflow per geodata order, from placing to delivery; approval of a subscription order starts its subscription workflow. */
export const geodataOrderWorkflow = defineWorkflow<[OrderInput], OrderState>()(
  'geodataOrder',
  (orderId: string) => `order-${orderId}`,
);
