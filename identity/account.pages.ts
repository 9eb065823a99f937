import type { PagesKit } from '../platform/pages/kit';
import { ApiError } from '../platform/http/errors';
import { ACCOUNT_ROLES } from '../platform/http/principal';

/** A section the user's account role may not read (A3) is left out, not an error. */
const unlessRefused = <T>(read: Promise<T>): Promise<T | undefined> =>
  read.catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 403) return undefined;
    throw err;
  });

interface OrderItem {
  id: string;
  productId: string;
  status: string;
  subscription: boolean;
  placedAt: string;
  fee: unknown;
}

/** A3, G9: the account's users and what each may do; its admin invites users and changes roles. My account. */
export function accountPages(kit: PagesKit) {
  kit.get('/account/users', async (p) => {
    const list = await p.api('get', '/api/v1/account/users');
    p.show(
      'account-users',
      p.t('users.title'),
      { items: list.items, roles: ACCOUNT_ROLES, isAdmin: p.principal.accountRole === 'admin' },
      [{ label: p.t('users.title') }],
    );
  });
  kit.form('/account/users', '/api/v1/account/users', { back: () => '/app/account/users' });
  kit.form('/account/users/:id/role', '/api/v1/account/users/:id/role', { back: () => '/app/account/users' });

  // G9: everything of the account on one page, each section as the user's account role may read it (A3).
  kit.get('/account', async (p) => {
    const page = { limit: 20 };
    const [products, orders, agreements, invoices, cases, users, systemAccounts, acceptances] = await Promise.all([
      p.api<{ id: string; name: Record<string, string> }[]>('get', '/api/v1/products'),
      unlessRefused(p.api('get', '/api/v1/orders', { query: { limit: 100 } })),
      unlessRefused(p.api('get', '/api/v1/agreements', { query: page })),
      unlessRefused(p.api('get', '/api/v1/invoices', { query: page })),
      unlessRefused(p.api('get', '/api/v1/cases', { query: page })),
      unlessRefused(p.api('get', '/api/v1/account/users')),
      unlessRefused(p.api('get', '/api/v1/me/system-accounts')),
      p.api('get', '/api/v1/me/terms-acceptances', { query: { limit: 20 } }),
    ]);
    // Names, never ids, where a person reads (issue 16).
    const name = (productId: string) =>
      products.find((x) => x.id === productId)?.name[p.principal.language] ?? productId;
    const orderItems = ((orders?.items ?? []) as OrderItem[]).map((o) => ({ ...o, productLabel: name(o.productId) }));
    // G8: each subscription with its term, state and when the term ends (the next renewal or end).
    const subscriptions = await Promise.all(
      orderItems
        .filter((o) => o.subscription)
        .map(async (o) => {
          const detail = await p.api('get', '/api/v1/orders/:id', { params: { id: o.id } });
          const interval = (detail.deliveryInterval ?? 'none') as 'none' | 'monthly' | 'quarterly' | 'yearly';
          return { ...o, state: detail.subscriptionState, intervalLabel: p.t(`interval.${interval}`) };
        }),
    );
    p.show(
      'account',
      p.t('account.title'),
      {
        orders: orderItems.slice(0, 20),
        subscriptions,
        agreements: agreements?.items.map((a: { product_id: string }) => ({ ...a, productLabel: name(a.product_id) })),
        invoices: invoices?.items,
        cases: cases?.items,
        users: users?.items,
        systemAccounts: systemAccounts?.items,
        acceptances: acceptances.items,
        isAdmin: p.principal.accountRole === 'admin',
        mayOrder: p.principal.accountRole === 'admin' || p.principal.accountRole === 'orderer',
      },
      [{ label: p.t('account.title') }],
    );
  });
  kit.form('/account/subscriptions/:id/cancel', '/api/v1/orders/:id/cancel-subscription', {
    back: () => '/app/account',
  });
  // L8: restriction and erasure are the API's, for the account's admin.
  kit.form('/account/personal-data/restriction', '/api/v1/me/personal-data/restriction', {
    back: () => '/app/account',
    params: () => ({}),
  });
  kit.form('/account/personal-data/erasure', '/api/v1/me/personal-data/erasure', {
    back: () => '/app/account',
    params: () => ({}),
    body: (form) => ({ confirm: form.confirm === 'true' }),
  });
}
