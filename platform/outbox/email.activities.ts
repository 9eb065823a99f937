import crypto from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Db } from '../db';
import { attachmentsOf, recordMessage, sendOnce, type OutboxAttachment } from './outbox.store';
import type { Logger } from '../logger';
import type { Locale } from '../../domain/vocabulary';
import { createEmailRenderer } from './email-render';

export interface SendEmail {
  /** One key, one message: a retried activity never sends twice. */
  key: string;
  template: string;
  locale: Locale;
  to: string;
  data: Record<string, unknown>;
  accountId?: string | null;
}

export interface EmailDeps {
  db: Db;
  /** null: no SMTP_URL configured, messages are held in the outbox. */
  transport: Transporter | null;
  from: string;
  templatesDir: string;
  log: Logger;
}

/**
 * Renders and records a message under its key (with its attachments), then sends it at most once;
 * without an SMTP server it is recorded as held. An SMTP error throws, and the caller retries.
 */
export function createMailer(deps: EmailDeps) {
  const render = createEmailRenderer(deps.templatesDir);
  return async function send(
    input: SendEmail,
    attachments: OutboxAttachment[] = [],
  ): Promise<{ messageId: string; status: string }> {
    const rendered = render(input.template, input.locale, input.data);
    const digest = crypto.createHash('sha256').update(input.key).digest('hex').slice(0, 32);
    const recorded = await recordMessage(
      deps.db,
      {
        idempotency_key: input.key,
        template: input.template,
        locale: input.locale,
        to_address: input.to,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        // A stable Message-ID lets a receiver recognise the rare resend after a crash mid-send.
        message_id: `<${digest}@kartkontor>`,
        account_id: input.accountId ?? null,
        status: deps.transport ? 'pending' : 'held',
      },
      attachments,
    );
    const result =
      recorded.status === 'sent' || recorded.status === 'held'
        ? recorded
        : await sendOnce(deps.db, recorded.id, async (m) => {
            await deps.transport!.sendMail({
              from: deps.from,
              to: m.to_address,
              subject: m.subject,
              text: m.text,
              html: m.html,
              messageId: m.message_id,
              attachments: (await attachmentsOf(deps.db, m.id)).map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            });
          });
    deps.log.info({ key: input.key, template: input.template, status: result.status }, 'e-mail');
    return { messageId: result.id, status: result.status };
  };
}

export type Mailer = ReturnType<typeof createMailer>;

export function createEmailActivities(deps: EmailDeps) {
  const send = createMailer(deps);
  return {
    /** Sends once per key (createMailer); an SMTP error fails the activity, and Temporal retries it with backoff. */
    sendEmail: (input: SendEmail): Promise<{ messageId: string; status: string }> => send(input),
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
