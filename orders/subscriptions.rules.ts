/** G8: subscription terms, fixed-interval deliveries and dunning of the annual invoice. */
import { stockholmDate } from '../domain/calendar';

export type DeliveryInterval = 'monthly' | 'quarterly' | 'yearly';
export const DELIVERY_INTERVALS: DeliveryInterval[] = ['monthly', 'quarterly', 'yearly'];

export type SubscriptionStatus = 'active' | 'cancelled' | 'suspended' | 'ended' | 'terminated';

/** An annual invoice not paid yet, and how far its dunning has come. */
export interface UnpaidInvoice {
  invoiceId: string;
  number: string;
  /** YYYY-MM-DD (T5). */
  dueDate: string;
  reminded: boolean;
  suspended: boolean;
}

/** The renewal notice goes out this long before a term ends. */
export const RENEWAL_NOTICE_DAYS = 30;
/** Dunning: a reminder this many days after the due date, new extracts suspended after this many. */
export const REMINDER_DAYS_AFTER_DUE = 7;
export const SUSPENSION_DAYS_AFTER_DUE = 30;

/** The same UTC clock time `months` calendar months later (a term is 12 of them); the 31st falls back to a shorter month's last day. */
export function addMonths(instant: number, months: number): number {
  const d = new Date(instant);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(Math.min(day, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()));
  return d.getTime();
}

/** When a term that starts at `termStart` ends: twelve calendar months later. */
export const termEndAfter = (termStart: number) => addMonths(termStart, 12);

/** The last Stockholm day of a term that ends at `termEnd`: the day the subscription's agreement runs to (G4, G8). */
export const lastDayOfTerm = (termEnd: number) => stockholmDate(termEnd - 1);

/** The instants of a term's scheduled deliveries; a subscription on request only gets its first BAS. */
export function scheduledRuns(interval: DeliveryInterval | null, term: number, termStart: number): number[] {
  if (interval === null) return term === 1 ? [termStart] : [];
  const step = { monthly: 1, quarterly: 3, yearly: 12 }[interval];
  return Array.from({ length: 12 / step }, (_, k) => addMonths(termStart, k * step));
}
