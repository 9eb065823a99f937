import { queryString, type PagesKit } from '../platform/pages/kit';
import type { InvoiceRow } from './invoices.store';

/** An invoice's statuses, in the order the filter lists them; the compiler holds them to the store's type, each once. */
const INVOICE_STATUSES = Object.keys({ unpaid: true, paid: true, credited: true } satisfies Record<
  InvoiceRow['status'],
  true
>);

/** Invoices: a customer's own, all for finance, who marks them paid. */
export function invoicePages(kit: PagesKit) {
  kit.get('/invoices', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const status = queryString(p.req.query.status);
    const list = await p.api('get', '/api/v1/invoices', { query: { status, limit, cursor } });
    p.show(
      'invoices',
      p.t('invoices.title'),
      {
        items: list.items,
        pager: pager(list.items.length, list.next),
        statuses: INVOICE_STATUSES,
        status,
        canMarkPaid: p.principal.role === 'finance',
      },
      [{ label: p.t('invoices.title') }],
    );
  });
  kit.form('/invoices/:id/paid', '/api/v1/invoices/:id/paid', { body: () => undefined, back: () => '/app/invoices' });
}
