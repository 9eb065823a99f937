import { stockholmDate } from '../domain/calendar';
import { queryString, type Form, type PagesKit } from '../platform/pages/kit';

/** Kronor as typed on a page (`125`, `125.50`, `125,5`) in öre (T1); anything else goes to the API as it is, to be refused there. */
function ore(v: Form[string]): unknown {
  const m = typeof v === 'string' ? /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(v) : null;
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : v;
}

/** Issue 21 (T3): the geodata prices in force on a chosen date; admins add a version from a future date. */
export function priceListPages(kit: PagesKit) {
  kit.get('/prices', async (p) => {
    const on = queryString(p.req.query.on) ?? stockholmDate(new Date());
    const prices = await p.api('get', '/api/v1/prices', { query: { on } });
    p.show('prices', p.t('prices.title'), { on, items: prices.items, admin: p.principal.role === 'admin' }, [
      { label: p.t('prices.title') },
    ]);
  });
  kit.get('/products/:id', async (p) => {
    const params = { id: p.req.params.id };
    const [versions, history] = await Promise.all([
      p.api('get', '/api/v1/products/:id/prices', { params }),
      p.api('get', '/api/v1/products/:id/history', { params }),
    ]);
    p.show(
      'product',
      String(p.req.params.id),
      { id: p.req.params.id, versions: versions.items, history: history.items },
      [{ href: '/app/prices', label: p.t('prices.title') }, { label: String(p.req.params.id) }],
    );
  });
  kit.form('/prices', '/api/v1/products/:id/prices', {
    params: (p) => ({ id: p.fields().productId }),
    back: () => '/app/prices',
    body: (form) => ({
      validFrom: form.validFrom,
      pricePerKm2Minor: ore(form.pricePerKm2),
      minimumFeeMinor: ore(form.minimumFee),
      annualFeeMinor: typeof form.annualFee === 'string' && form.annualFee.trim() === '' ? null : ore(form.annualFee),
      reason: form.reason,
    }),
  });
}
