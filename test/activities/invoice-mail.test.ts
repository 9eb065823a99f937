import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../identity/accounts.store';
import { bookInvoice } from '../../invoicing/invoices.store';
import { createInvoiceMailActivities } from '../../invoicing/invoice-mail.activities';
import { ensureInvoiceMailSchedule } from '../../invoicing/invoice-mail.schedule';
import { INVOICE_MAIL_SCHEDULE_ID } from '../../invoicing/invoice-mail.messages';
import { sellerOf } from '../../invoicing/invoice-document';
import { createMailer, type Mailer } from '../../platform/outbox/email.activities';
import { createLogger } from '../../platform/logger';
import { money } from '../../domain/money';
import { TEMPLATES_DIR } from '../../app/activities';
import { createTestDatabase, mailTo, testActivities, testConfig } from '../support/env';
import nodemailer from 'nodemailer';
import { inject } from 'vitest';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const run = crypto.randomBytes(4).toString('hex');
const log = createLogger('silent', 'test');
const seller = sellerOf(testConfig());

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const mailer = (): Mailer =>
  createMailer({
    db: database.db,
    transport: nodemailer.createTransport(`smtp://127.0.0.1:${inject('smtpPort')}`),
    from: 'Kartkontor <noreply@test.se>',
    templatesDir: TEMPLATES_DIR,
    log,
  });

async function accountWithInvoice(email: string, language: 'sv' | 'en' = 'sv') {
  const account = await createAccount(database.db, {
    kind: 'organisation',
    name: `Mottagaren ${email}`,
    email,
    language,
    organisation_number: '556000-0025',
  });
  return bookInvoice(database.db, {
    idempotencyKey: `mail-${email}`,
    accountId: account.id,
    date: '2026-05-04',
    currency: 'SEK',
    reference: 'LK-2026-000555',
    lines: [{ description: 'Ledningsanvisning', quantity: 1, unitPrice: money(80_000, 'SEK') }],
  });
}

const pdfText = (pdf: Buffer) =>
  execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf })
    .toString('utf8')
    .replace(/[\s\u00a0]+/g, ' ');

describe('T6: every booked invoice is e-mailed with its PDF, once', () => {
  it('mails the invoice with its document; an SMTP refusal is retried by the next run, and nothing twice', async () => {
    const plain = await accountWithInvoice(`plain-${run}@test.se`);
    const busy = await accountWithInvoice(`reject-once+${run}@test.se`, 'en');
    const { mailWaitingInvoices } = createInvoiceMailActivities({ db: database.db, seller, send: mailer(), log });

    // The first run mails one and fails the other (451 from the receiver); the next run mails it.
    const first = await mailWaitingInvoices();
    expect(first.failed).toBeGreaterThanOrEqual(1);
    const [failed] = await database.db('invoice_mailings').where({ invoice_id: busy.id });
    expect(failed).toMatchObject({ mailed_at: null, attempts: 1 });
    expect(failed.last_error).toMatch(/451|busy/);
    await mailWaitingInvoices();
    expect(await mailWaitingInvoices()).toEqual({ mailed: 0, failed: 0 });

    const [sv] = await mailTo(`plain-${run}@test.se`, 1);
    expect(sv!.subject).toBe(`Faktura ${plain.number} från ${seller.name}`);
    expect(sv!.text).toContain(`OCR-nummer ${plain.ocr}`);
    expect(sv!.attachments).toHaveLength(1);
    expect(sv!.attachments[0]).toMatchObject({ filename: `${plain.number}.pdf`, contentType: 'application/pdf' });
    const text = pdfText(sv!.attachments[0]!.content);
    expect(text).toContain(`Faktura ${plain.number}`);
    expect(text).toContain(`OCR-nummer: ${plain.ocr}`);
    expect(text).toContain('Att betala 1 000,00 kr');

    const [en] = await mailTo(`reject-once+${run}@test.se`, 1);
    expect(en!.subject).toBe(`Invoice ${busy.number} from ${seller.name}`);
    expect(pdfText(en!.attachments[0]!.content)).toContain(`Invoice ${busy.number}`);

    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(`plain-${run}@test.se`, 2, 500)).toHaveLength(1);
    expect(await mailTo(`reject-once+${run}@test.se`, 2, 500)).toHaveLength(1);
    const outbox = await database
      .db('outbox')
      .whereIn('to_address', [`plain-${run}@test.se`, `reject-once+${run}@test.se`]);
    expect(outbox.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('a run that dies after sending, before marking the invoice mailed, does not send it again', async () => {
    const invoice = await accountWithInvoice(`crash-${run}@test.se`);
    const send = mailer();
    const dying = createInvoiceMailActivities({
      db: database.db,
      seller,
      log,
      send: async (...args) => {
        await send(...args);
        throw new Error('worker killed');
      },
    });
    expect(await dying.mailWaitingInvoices()).toMatchObject({ failed: 1 });
    const { mailWaitingInvoices } = createInvoiceMailActivities({ db: database.db, seller, send, log });
    expect(await mailWaitingInvoices()).toMatchObject({ mailed: 1 });
    const [row] = await database.db('invoice_mailings').where({ invoice_id: invoice.id });
    expect(row.mailed_at).not.toBeNull();
    expect(row.attempts).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(`crash-${run}@test.se`, 2, 500)).toHaveLength(1);
  });

  it('two runs at once mail each invoice once', async () => {
    const invoices = await Promise.all([1, 2, 3, 4].map((n) => accountWithInvoice(`both-${n}-${run}@test.se`)));
    const a = createInvoiceMailActivities({ db: database.db, seller, send: mailer(), log });
    const b = createInvoiceMailActivities({ db: database.db, seller, send: mailer(), log });
    const [ra, rb] = await Promise.all([a.mailWaitingInvoices(), b.mailWaitingInvoices()]);
    expect(ra.mailed + rb.mailed).toBe(invoices.length);
    await new Promise((r) => setTimeout(r, 500));
    for (const n of [1, 2, 3, 4]) expect(await mailTo(`both-${n}-${run}@test.se`, 2, 300)).toHaveLength(1);
  });

  it('the worker registers the mailing as an activity', () => {
    expect(typeof testActivities(database.db).mailWaitingInvoices).toBe('function');
  });

  it('a Schedule starts the mailing every minute, created once however often the back office starts', async () => {
    const config = testConfig();
    const connection = await Connection.connect({ address: config.temporalAddress });
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    try {
      await ensureInvoiceMailSchedule(temporal, config);
      await ensureInvoiceMailSchedule(temporal, config);
      const schedules = [];
      for await (const s of temporal.schedule.list()) if (s.scheduleId === INVOICE_MAIL_SCHEDULE_ID) schedules.push(s);
      expect(schedules).toHaveLength(1);
      const described = await temporal.schedule.getHandle(INVOICE_MAIL_SCHEDULE_ID).describe();
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 60_000 })]);
      expect(described.action).toMatchObject({ workflowType: 'invoiceMail', taskQueue: config.TEMPORAL_TASK_QUEUE });
    } finally {
      await temporal.schedule.getHandle(INVOICE_MAIL_SCHEDULE_ID).delete();
      await connection.close();
    }
  });
});
