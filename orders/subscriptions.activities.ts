import type { Db } from '../platform/db';
import { getInvoice } from '../invoicing/invoices.store';
import { getAccount } from '../identity/accounts.store';
import { invoiceRecipients } from '../identity/account-users.service';
import {
  saveSubscription,
  saveSubscriptionRun,
  saveSubscriptionTerm,
  type SubscriptionRun,
  type SubscriptionSnapshot,
} from './subscriptions.store';

/** The subscription workflow's mirror in PostgreSQL (G8), and what it asks about invoices. */
export function createSubscriptionActivities(deps: { db: Db }) {
  return {
    async recordSubscription(snapshot: SubscriptionSnapshot): Promise<void> {
      await saveSubscription(deps.db, snapshot);
    },
    async recordSubscriptionTerm(term: {
      orderId: string;
      term: number;
      startsAt: number;
      endsAt: number;
      invoiceId: string;
    }): Promise<void> {
      await saveSubscriptionTerm(deps.db, term);
    },
    async recordSubscriptionRun(run: SubscriptionRun): Promise<void> {
      await saveSubscriptionRun(deps.db, run);
    },
    /** Dunning asks before it reminds or suspends, in case the payment's signal never arrived. */
    async invoiceIsPaid(invoiceId: string): Promise<boolean> {
      return (await getInvoice(deps.db, invoiceId))?.status === 'paid';
    },
    /** A3: the addresses the account's invoices go to, asked when each invoice e-mail is sent. */
    async invoiceRecipients(accountId: string): Promise<string> {
      return (await invoiceRecipients(deps.db, accountId)).map((r) => r.email).join(', ');
    },
    /** A5, L9: a blocked account starts no new paid work (renewals, scheduled extracts); asked each time, never cached. */
    async accountIsBlocked(accountId: string): Promise<boolean> {
      return Boolean((await getAccount(deps.db, accountId))?.blocked_at);
    },
  };
}

export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
