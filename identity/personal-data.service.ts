import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { anonymiseAccount, unpaidInvoicesOf, personalDataOf } from './personal-data.store';
import { getAccount, updateAccount } from './accounts.store';
import { hashSecret, randomToken } from './secrets';
import { LANGUAGES, type Contact } from '../domain/vocabulary';

/**
 * L8: the person behind an account may see, correct, restrict and erase what is stored about
 * them. Restriction keeps the data but takes no new business (no orders, no cases); erasure
 * anonymises the account once no business is open and nothing is owed (README, Decisions).
 */
export const correctionSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().optional(),
    language: z.enum(LANGUAGES).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: 'give at least one of name, email, language',
  });

export class PersonalDataRefused extends Error {
  constructor(
    readonly code: 'open_business' | 'debts_unpaid' | 'erased' | 'subscription_in_force',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

/**
 * Identity knows no workflows of other contexts, so they are injected: `subscriptionsInForce` names
 * the account's running subscriptions, `openBusiness` its orders, cases and complaints that still
 * run, and each of `corrected` hands a correction to the running workflows that hold the person's
 * contact.
 */
export function createPersonalData(deps: {
  db: Db;
  subscriptionsInForce: (accountId: string) => Promise<string[]>;
  openBusiness: ((accountId: string) => Promise<string[]>)[];
  corrected: ((accountId: string, contact: Contact) => Promise<void>)[];
}) {
  const { db } = deps;
  const audit = (actor: Actor, accountId: string, action: string, details?: Record<string, unknown>) =>
    appendAudit(db, {
      ...actor,
      action: `personal_data.${action}`,
      objectType: 'account',
      objectId: accountId,
      details,
    });

  return {
    /** Everything stored about the person, as one document (the right of access). */
    async export(accountId: string, actor: Actor) {
      const data = await personalDataOf(db, accountId);
      await audit(actor, accountId, 'exported');
      return { exportedAt: new Date().toISOString(), ...data };
    },

    async correct(accountId: string, changes: z.infer<typeof correctionSchema>, actor: Actor) {
      const c = correctionSchema.parse(changes);
      await updateAccount(db, accountId, c);
      await audit(actor, accountId, 'corrected', {
        fields: Object.keys(c).filter((k) => c[k as keyof typeof c] !== undefined),
      });
      const account = (await getAccount(db, accountId))!;
      // The running workflows' next e-mails go to the corrected contact.
      const contact = { name: account.name, email: account.email, language: account.language };
      for (const reach of deps.corrected) await reach(accountId, contact);
      return account;
    },

    async restrict(accountId: string, reason: string, actor: Actor) {
      await updateAccount(db, accountId, { restricted_at: db.fn.now(), restriction_reason: reason });
      await audit(actor, accountId, 'restricted', { reason });
    },

    async liftRestriction(accountId: string, actor: Actor) {
      const account = await getAccount(db, accountId);
      if (account?.erased_at)
        throw new PersonalDataRefused('erased', 'The account was erased; there is nothing to lift');
      await updateAccount(db, accountId, { restricted_at: null, restriction_reason: null });
      await audit(actor, accountId, 'restriction_lifted');
    },

    /**
     * Refused while an order or case still runs (its e-mails and deliveries need the person)
     * or an invoice is unpaid (a legal claim); the refusal names them.
     */
    async erase(accountId: string, actor: Actor) {
      // A subscription in force still delivers and invoices to the person: it must end first.
      const subscriptions = await deps.subscriptionsInForce(accountId);
      if (subscriptions.length > 0)
        throw new PersonalDataRefused(
          'subscription_in_force',
          `Erasure waits until this subscription has ended (cancel it or wait for its term's end): ${subscriptions.join(', ')}`,
          { subscriptions },
        );
      const running = (await Promise.all(deps.openBusiness.map((open) => open(accountId)))).flat();
      if (running.length > 0)
        throw new PersonalDataRefused(
          'open_business',
          `Erasure waits until this business is finished: ${running.join(', ')}`,
          { open: running },
        );
      const unpaid = await unpaidInvoicesOf(db, accountId);
      if (unpaid.length > 0) {
        throw new PersonalDataRefused(
          'debts_unpaid',
          `Erasure waits until these invoices are paid: ${unpaid.join(', ')}`,
          { invoices: unpaid },
        );
      }
      await anonymiseAccount(db, accountId, await hashSecret(randomToken()));
      await audit(actor, accountId, 'erased');
      return {
        erased: true,
        kept: 'cases, orders, agreements and invoices, pointing to the anonymised account (bookkeeping and the record of answers require them)',
      };
    },
  };
}

export type PersonalData = ReturnType<typeof createPersonalData>;
