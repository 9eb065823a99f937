import type { Db } from '../platform/db';
import { queryString, type PagesKit } from '../platform/pages/kit';
import { getAccount } from '../identity/accounts.store';
import { ORDER_STATUSES } from './order.messages';
import { AGREEMENT_STATUSES, orderActions } from './orders.rules';

/** Orders (G1–G9): the handlers' queue, failed deliveries, my orders, one order; end-use agreements (G4). */
export function orderPages(kit: PagesKit, deps: { db: Db }) {
  kit.get('/orders', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const status = queryString(p.req.query.status);
    const list = await p.api('get', '/api/v1/orders', { query: { status, limit, cursor } });
    const title =
      status === 'awaiting_approval' && p.principal.role === 'handler'
        ? p.t('orders.queueTitle')
        : status === 'failed'
          ? p.t('nav.failed')
          : p.t(p.principal.role === 'customer' ? 'nav.myOrders' : 'orders.title');
    p.show(
      'orders',
      title,
      {
        items: list.items,
        pager: pager(list.items.length, list.next),
        statuses: ORDER_STATUSES,
        status,
        queue: status === 'awaiting_approval',
      },
      [{ label: title }],
    );
  });

  kit.get('/orders/:id', async (p) => {
    const order = await p.api('get', '/api/v1/orders/:id', { params: p.req.params });
    const account = await getAccount(deps.db, order.accountId);
    const files =
      order.latestDelivery?.status === 'LYCKAD'
        ? await p.api('get', '/download/:orderId/files', { params: { orderId: order.id } })
        : [];
    p.show(
      'order',
      `${p.t('orders.order')} ${order.id.slice(0, 8)}`,
      { order, customer: account, files, actions: orderActions(order, p.principal.role) },
      [{ href: '/app/orders', label: p.t('nav.orders') }, { label: order.id.slice(0, 8) }],
    );
  });
  for (const action of ['approve', 'reject', 'cancel', 'retry-delivery', 'shipment', 'deliveries']) {
    kit.form(`/orders/:id/${action}`, `/api/v1/orders/:id/${action}`, {
      back: (p) => `/app/orders/${encodeURIComponent(String(p.req.params.id))}`,
    });
  }

  kit.get('/agreements', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const status = queryString(p.req.query.status);
    const list = await p.api('get', '/api/v1/agreements', { query: { status, limit, cursor } });
    p.show(
      'agreements',
      p.t('agreements.title'),
      { items: list.items, pager: pager(list.items.length, list.next), statuses: AGREEMENT_STATUSES, status },
      [{ label: p.t('agreements.title') }],
    );
  });
}
