import type { Db } from '../platform/db';
import { parseSelectionText } from '../domain/geometry';
import { ApiError } from '../platform/http/errors';
import { queryString, type Form, type Page, type PagesKit } from '../platform/pages/kit';
import { getAccount } from '../identity/accounts.store';
import { ORDER_STATUSES } from './order.messages';
import { AGREEMENT_STATUSES, orderActions } from './orders.rules';
import { DELIVERY_INTERVALS } from './subscriptions.rules';

interface CatalogueProduct {
  id: string;
  name: { sv: string; en: string };
  openData: boolean;
  formats: string[];
  subscribable: boolean;
  price: unknown;
}

/** The order form's fields as the API's order body (G2, G3, G7, G8); the selection as typed, drawn or uploaded. */
const orderBody = (f: Form) => {
  const str = (v: Form[string]) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const physical = f.deliveryMethod === 'physical_media';
  return {
    productId: str(f.productId),
    format: str(f.format),
    deliveryMethod: physical ? 'physical_media' : 'download',
    selection: parseSelectionText(str(f.selection) ?? ''),
    permittedUse: str(f.permittedUse),
    subscription: f.subscription === 'true',
    deliveryInterval: f.subscription === 'true' ? str(f.deliveryInterval) : undefined,
    ordermarkning: str(f.ordermarkning),
    shippingAddress: physical
      ? { name: str(f.shipName), street: str(f.shipStreet), postalCode: str(f.shipPostalCode), city: str(f.shipCity) }
      : undefined,
    quotedTotal: str(f.quotedTotal) === undefined ? undefined : Number(f.quotedTotal),
  };
};

/** The posted form's fields to carry from the confirm page back to the order (hidden inputs). */
const carried = (f: Form) =>
  Object.entries(f)
    .filter(([name, v]) => typeof v === 'string' && name !== 'quotedTotal' && name !== 'selectionFile')
    .map(([name, value]) => ({ name, value }));

const productName = (p: Page, product: CatalogueProduct | undefined) => product?.name[p.principal.language] ?? '';

/** Orders (G1–G9): the handlers' queue, failed deliveries, my orders, one order; end-use agreements (G4). */
export function orderPages(kit: PagesKit, deps: { db: Db; basemapXyzUrl?: string }) {
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

  // G1: the catalogue with each product's formats and the prices valid today (T3).
  kit.get('/catalogue', async (p) => {
    const products: CatalogueProduct[] = await p.api('get', '/api/v1/products');
    const lang = p.principal.language;
    p.show(
      'catalogue',
      p.t('catalogue.title'),
      {
        items: products.map((x) => ({ ...x, label: x.name[lang] })),
        mayOrder: p.principal.role === 'customer',
      },
      [{ label: p.t('catalogue.title') }],
    );
  });

  const products = (p: Page) => p.api<CatalogueProduct[]>('get', '/api/v1/products');
  const showOrderForm = async (p: Page, values: Form, error?: ApiError) => {
    const all = await products(p);
    const product = all.find((x) => x.id === values.productId);
    if (!product) throw new ApiError(404, 'unknown_product', `There is no product ${String(values.productId)}`);
    if (error) p.res.status(error.status);
    p.show(
      'order-new',
      `${p.t('orderNew.title')}: ${productName(p, product)}`,
      {
        product: { ...product, label: productName(p, product) },
        values,
        error,
        intervals: DELIVERY_INTERVALS.map((value) => ({ value, label: p.t(`interval.${value}`) })),
        basemapXyzUrl: deps.basemapXyzUrl,
      },
      [{ href: '/app/catalogue', label: p.t('catalogue.title') }, { label: productName(p, product) }],
    );
  };

  // G2, G3: the map, the selection and the choices; the fee beside them comes from the API's quote.
  kit.get('/orders/new', async (p) => {
    await showOrderForm(p, { productId: queryString(p.req.query.product), deliveryMethod: 'download' });
  });

  // The map page's script asks for the fee of the form as it stands: the quote route's answer, rendered.
  kit.post('/orders/new/quote', async (p) => {
    try {
      const quote = await p.api('post', '/api/v1/orders/quote', { body: orderBody(p.fields()) });
      p.fragment('order-fee', { quote });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      p.res.status(err.status);
      p.fragment('order-fee', { error: err });
    }
  });

  // G3: the confirm page repeats the fee; the order is placed at exactly that total.
  const showConfirm = async (p: Page, form: Form, quote: unknown, changed = false) => {
    const product = (await products(p)).find((x) => x.id === form.productId);
    const terms = await p.api('get', '/api/v1/terms/current');
    if (changed) p.res.status(409);
    p.show(
      'order-confirm',
      p.t('orderConfirm.title'),
      {
        quote,
        changed,
        productLabel: productName(p, product),
        intervalLabel: p.t(
          form.deliveryInterval ? `interval.${String(form.deliveryInterval) as 'monthly'}` : 'interval.none',
        ),
        form,
        hidden: carried(form),
        terms,
      },
      [
        { href: '/app/catalogue', label: p.t('catalogue.title') },
        {
          href: `/app/orders/new?product=${encodeURIComponent(String(form.productId))}`,
          label: productName(p, product),
        },
        { label: p.t('orderConfirm.title') },
      ],
    );
  };
  kit.post('/orders/new/edit', async (p) => {
    await showOrderForm(p, p.fields());
  });
  kit.post('/orders/new', async (p) => {
    // Without the page's script, an uploaded GeoJSON file arrives as the file's text (G2).
    const { selectionFile, ...form } = p.fields();
    if (!String(form.selection ?? '').trim() && typeof selectionFile === 'string') form.selection = selectionFile;
    try {
      const quote = await p.api('post', '/api/v1/orders/quote', { body: orderBody(form) });
      await showConfirm(p, form, quote);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      await showOrderForm(p, form, err);
    }
  });
  kit.post('/orders/new/place', async (p) => {
    const form = p.fields();
    try {
      const order = await p.api('post', '/api/v1/orders', { body: orderBody(form) });
      p.done(`/app/orders/${order.id}`);
    } catch (err) {
      // G3: no silent change: the new fee is shown and must be confirmed again.
      if (!(err instanceof ApiError) || err.code !== 'fee_changed') throw err;
      const { quotedTotal: _stale, ...rest } = form;
      const quote = await p.api('post', '/api/v1/orders/quote', { body: orderBody(rest) });
      await showConfirm(p, rest, quote, true);
    }
  });

  // G7: the page the delivery e-mail links to: the files, without signing in, until the link expires.
  kit.open('get', '/delivery/:token', async (p) => {
    const linked = await p.api('get', '/api/v1/delivery-links/:token', { params: p.req.params });
    p.show('delivery', p.t('delivery.title'), { linked, signedIn: Boolean(p.principal) });
  });

  kit.get('/orders/:id', async (p) => {
    const order = await p.api('get', '/api/v1/orders/:id', { params: p.req.params });
    const [account, catalogue] = await Promise.all([getAccount(deps.db, order.accountId), products(p)]);
    const files =
      order.latestDelivery?.status === 'LYCKAD'
        ? await p.api('get', '/download/:orderId/files', { params: { orderId: order.id } })
        : [];
    p.show(
      'order',
      `${p.t('orders.order')} ${order.id.slice(0, 8)}`,
      {
        order,
        productLabel:
          productName(
            p,
            catalogue.find((x) => x.id === order.productId),
          ) || order.productId,
        customer: account,
        files,
        actions: orderActions(order, p.principal.role),
      },
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
    const [list, catalogue] = await Promise.all([
      p.api('get', '/api/v1/agreements', { query: { status, limit, cursor } }),
      products(p),
    ]);
    // Names, never ids, where a person reads (issue 16).
    for (const a of list.items as { product_id: string; productLabel?: string }[])
      a.productLabel =
        productName(
          p,
          catalogue.find((x) => x.id === a.product_id),
        ) || a.product_id;
    p.show(
      'agreements',
      p.t('agreements.title'),
      { items: list.items, pager: pager(list.items.length, list.next), statuses: AGREEMENT_STATUSES, status },
      [{ label: p.t('agreements.title') }],
    );
  });
}
