import { keysetPage, type Db, type KeysetKey } from '../db';
import type { Locale } from '../../domain/vocabulary';

export type OutboxStatus = 'pending' | 'sent' | 'held' | 'failed';

export interface OutboxMessage {
  id: string;
  idempotency_key: string;
  template: string;
  locale: Locale;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  message_id: string;
  account_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'idempotency_key' | 'template' | 'locale' | 'to_address' | 'subject' | 'html' | 'text' | 'message_id' | 'account_id'
> & {
  /** held: there is no SMTP server to send it to; it stays in the outbox. */
  status: 'pending' | 'held';
};

/** A file sent with a message (an invoice's PDF, T6), kept with it in the outbox. */
export interface OutboxAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * Records the message with its attachments once per key; a repeated call returns the row already
 * there and adds nothing.
 */
export async function recordMessage(
  db: Db,
  message: NewOutboxMessage,
  attachments: OutboxAttachment[] = [],
): Promise<OutboxMessage> {
  return db.transaction(async (trx) => {
    const [inserted] = await trx('outbox').insert(message).onConflict('idempotency_key').ignore().returning('*');
    if (!inserted) return trx('outbox').where({ idempotency_key: message.idempotency_key }).first();
    if (attachments.length > 0)
      await trx('outbox_attachments').insert(
        attachments.map((a, i) => ({
          outbox_id: inserted.id,
          position: i + 1,
          filename: a.filename,
          content_type: a.contentType,
          content: a.content,
        })),
      );
    return inserted as OutboxMessage;
  });
}

export async function attachmentsOf(db: Db, outboxId: string): Promise<OutboxAttachment[]> {
  const rows: { filename: string; content_type: string; content: Buffer }[] = await db('outbox_attachments')
    .where({ outbox_id: outboxId })
    .orderBy('position');
  return rows.map((r) => ({ filename: r.filename, contentType: r.content_type, content: r.content }));
}

/**
 * Runs `send` while holding the message's row lock, so two workers retrying the same
 * message cannot both send it; a message already sent or held is left alone.
 */
export async function sendOnce(db: Db, id: string, send: (m: OutboxMessage) => Promise<void>): Promise<OutboxMessage> {
  try {
    return await db.transaction(async (trx) => {
      const message: OutboxMessage = await trx('outbox').where({ id }).forUpdate().first();
      if (message.status === 'sent' || message.status === 'held') return message;
      await send(message);
      const [row] = await trx('outbox')
        .where({ id })
        .update({ status: 'sent', attempts: message.attempts + 1, last_error: null, sent_at: trx.fn.now() })
        .returning('*');
      return row as OutboxMessage;
    });
  } catch (err) {
    // Recorded after the rollback, so the outbox shows every failed attempt and its error.
    await db('outbox')
      .where({ id })
      .whereNotIn('status', ['sent', 'held'])
      .update({
        status: 'failed',
        attempts: db.raw('attempts + 1'),
        last_error: String((err as Error).message ?? err),
      });
    throw err;
  }
}

/** Newest first (keyset, issue 20). */
export const OUTBOX_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'created_at', kind: 'timestamp' },
  { column: 'id', kind: 'uuid' },
];

export async function listMessages(
  db: Db,
  filter: { status?: OutboxStatus; accountId?: string; to?: string; limit: number; after?: unknown[] },
): Promise<{ items: OutboxMessage[]; next: unknown[] | null }> {
  const query = db('outbox').modify((q) => {
    if (filter.status) q.where({ status: filter.status });
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.to) q.where({ to_address: filter.to });
  });
  return keysetPage<OutboxMessage>(db, query, OUTBOX_LIST_KEYS, 'desc', filter.limit, filter.after);
}

export async function getMessage(db: Db, id: string): Promise<OutboxMessage | undefined> {
  return db('outbox').where({ id }).first();
}
