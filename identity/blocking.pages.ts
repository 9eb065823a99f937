import type { PagesKit } from '../platform/pages/kit';

/** A5, L9: staff see the customer accounts (admins also the users) and block or unblock them with a reason. */
export function blockingPages(kit: PagesKit) {
  kit.get('/accounts', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const accounts = await p.api('get', '/api/v1/accounts', { query: { limit, cursor } });
    // Only admins list users (GET /api/v1/users); handlers block whole accounts.
    const users = p.principal.role === 'admin' ? (await p.api('get', '/api/v1/users')).items : undefined;
    p.show(
      'accounts',
      p.t('accounts.title'),
      { accounts: accounts.items, users, pager: pager(accounts.items.length, accounts.next) },
      [{ label: p.t('accounts.title') }],
    );
  });
  for (const what of ['accounts', 'users'])
    for (const action of ['block', 'unblock'])
      kit.form(`/${what}/:id/${action}`, `/api/v1/${what}/:id/${action}`, { back: () => '/app/accounts' });
}
