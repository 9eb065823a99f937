import { queryString, type PagesKit } from '../platform/pages/kit';

/** T7, T9: finance's payments page: the unmatched queue, the reference rates and the SIE download. */
export function paymentPages(kit: PagesKit) {
  kit.get('/payments', async (p) => {
    const cursor = queryString(p.req.query.cursor);
    const unmatched = await p.api('get', '/api/v1/payments/unmatched', { query: { limit: 20, cursor } });
    const rates = await p.api('get', '/api/v1/reference-rates');
    const year = new Date().getUTCFullYear();
    p.show(
      'payments',
      p.t('payments.title'),
      {
        unmatched: unmatched.items,
        next: unmatched.next,
        rates: rates.items,
        from: `${year}-01-01`,
        to: `${year}-12-31`,
      },
      [{ label: p.t('payments.title') }],
    );
  });
  kit.form('/payments/rates', '/api/v1/reference-rates', { back: () => '/app/payments' });
}
