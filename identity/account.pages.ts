import type { PagesKit } from '../platform/pages/kit';
import { ACCOUNT_ROLES } from '../platform/http/principal';

/** A3, G9: the account's users and what each may do; its admin invites users and changes roles. */
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
}
