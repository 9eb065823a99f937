import { z } from 'zod';
import type { Db } from '../db';
import { getMessage, listMessages, OUTBOX_LIST_KEYS } from './outbox.store';
import { notFound } from '../http/errors';
import { defineRoute, paging, readCursor, writeCursor } from '../http/route';

const present = (m: Awaited<ReturnType<typeof getMessage>> & object, withBody: boolean) => ({
  id: m.id,
  template: m.template,
  locale: m.locale,
  to: m.to_address,
  subject: m.subject,
  status: m.status,
  attempts: m.attempts,
  lastError: m.last_error,
  createdAt: m.created_at,
  sentAt: m.sent_at,
  ...(withBody ? { text: m.text, html: m.html } : {}),
});

/** The e-mail outbox: every message with its status, readable even when no SMTP server is configured. */
export function outboxRoutes(deps: { db: Db }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/outbox',
      tag: 'outbox',
      summary: 'List e-mail messages with their status (held = no SMTP configured)',
      auth: ['handler', 'admin'],
      query: z.object({
        status: z.enum(['pending', 'sent', 'held', 'failed']).optional(),
        to: z.string().optional(),
        ...paging,
      }),
      handler: async ({ query }) => {
        const { items, next } = await listMessages(deps.db, {
          ...query,
          after: readCursor(query.cursor, OUTBOX_LIST_KEYS),
        });
        return { body: { items: items.map((m) => present(m, false)), next: writeCursor(next), limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/outbox/:id',
      tag: 'outbox',
      summary: 'One e-mail message with its plain-text and HTML body',
      auth: ['handler', 'admin'],
      params: z.object({ id: z.uuid() }),
      handler: async ({ params }) => {
        const m = await getMessage(deps.db, params.id);
        if (!m) throw notFound('The message');
        return { body: present(m, true) };
      },
    }),
  ];
}
