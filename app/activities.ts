import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type { Db } from '../platform/db';
import { stockholmDate } from '../domain/calendar';
import { localDeliveryStore } from '../platform/file-store';
import type { Logger } from '../platform/logger';
import { createPurgeActivities } from '../identity/purge.activities';
import { createStaffActivities } from '../identity/staff.activities';
import { createAuditActivities } from '../platform/audit/audit.activities';
import { refusingBadInputEverywhere } from '../platform/temporal/refusal';
import { createCaseActivities } from '../cases/cases.activities';
import { createDigestActivities } from '../cases/digest.activities';
import { createEmailActivities, createMailer } from '../platform/outbox/email.activities';
import { createInvoiceActivities } from '../invoicing/invoices.activities';
import { createInvoiceMailActivities } from '../invoicing/invoice-mail.activities';
import type { Seller } from '../invoicing/invoice-document';
import { createOrderActivities } from '../orders/orders.activities';
import { sourceProducer } from '../orders/production';
import { createSettlementActivities } from '../settlement/settlement.activities';
import { createSubscriptionActivities } from '../orders/subscriptions.activities';

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../templates');

export interface ActivityDeps {
  db: Db;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Folder of the local delivery store (DATA_DIR/deliveries). */
  deliveryDir: string;
  /** G7: the folder of product sources production reads. */
  productSourceDir: string;
  /** G10: days a delivery's files are kept (`lagringstid`). */
  retentionDays: number;
  /** T6: the seller every invoice document names (SELLER_*). */
  seller: Seller;
  log: Logger;
}

/** Every activity the worker registers, built over injected stores and clients. */
export function createActivities(deps: ActivityDeps) {
  const transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : null;
  const emailDeps = { db: deps.db, transport, from: deps.mailFrom, templatesDir: TEMPLATES_DIR, log: deps.log };
  const email = createEmailActivities(emailDeps);
  // No step retries for ever on input the database refuses (A6).
  return refusingBadInputEverywhere({
    ...email,
    ...createCaseActivities({ db: deps.db, sendEmail: email.sendEmail, store: localDeliveryStore(deps.deliveryDir) }),
    ...createSettlementActivities({ db: deps.db, sendEmail: email.sendEmail }),
    ...createOrderActivities({
      db: deps.db,
      producer: sourceProducer(deps.productSourceDir),
      store: localDeliveryStore(deps.deliveryDir),
      sendEmail: email.sendEmail,
      retentionDays: deps.retentionDays,
    }),
    ...createInvoiceActivities({ db: deps.db, today: () => stockholmDate(new Date()) }),
    ...createInvoiceMailActivities({ db: deps.db, seller: deps.seller, send: createMailer(emailDeps), log: deps.log }),
    ...createAuditActivities({ db: deps.db }),
    ...createStaffActivities({ db: deps.db, sendEmail: email.sendEmail }),
    ...createSubscriptionActivities({ db: deps.db }),
    ...createPurgeActivities({ db: deps.db }),
    ...createDigestActivities({ db: deps.db, sendEmail: email.sendEmail }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
