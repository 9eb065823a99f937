import { queryString, type PagesKit } from '../pages/kit';
import type { OutboxStatus } from './outbox.store';

/** The outbox's statuses, in the order the filter lists them; the compiler holds them to OutboxStatus, each once. */
const OUTBOX_STATUSES = Object.keys({ pending: true, sent: true, held: true, failed: true } satisfies Record<
  OutboxStatus,
  true
>);

/** The e-mail outbox: every message with its status, attempts and last error. */
export function outboxPages(kit: PagesKit) {
  kit.get('/outbox', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const status = queryString(p.req.query.status);
    const list = await p.api('get', '/api/v1/outbox', { query: { status, limit, cursor } });
    p.show(
      'outbox',
      p.t('outbox.title'),
      { items: list.items, pager: pager(list.items.length, list.next), statuses: OUTBOX_STATUSES, status },
      [{ label: p.t('outbox.title') }],
    );
  });
}
